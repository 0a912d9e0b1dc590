"""Synthetic training questions, generated from parsed sentences by rules.

The learned reader is never trained on the gold set. Instead every clause of a training
document is turned into wh-questions whose answer is one of its spans: the subject
("Who fired missiles on Ganja?"), the object ("What did the ministry accuse them of?"),
a time, a place, a number ("How many civilians were killed?"), an apposition or title
("Who is the Turkish Defense Minister?"), a predicate adjective, a manner adverb, a
reason, a verb phrase ("What did X do?") or reported speech ("What did X say?").

Such questions copy their sentence's words; :class:`Paraphraser` rewrites a share of them
in other words at training time (WordNet, a training-only dependency).
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Span, Token

from qa.readers.candidates import _core_np_bounds, person_title

_RELATIVE = {"who", "which", "that", "whom"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
_PRONOUNS = {"PRON"}
_SAY = {
    "say",
    "tell",
    "state",
    "claim",
    "warn",
    "write",
    "add",
    "allege",
    "announce",
    "argue",
    "report",
    "declare",
    "insist",
    "suggest",
    "believe",
    "think",
    "hope",
}
_PLACE = {"GPE", "LOC", "FAC"}
_TIME = {"DATE", "TIME"}
_PLACE_PREPS = {"in", "at", "to", "from", "near", "into"}
_ORG_WORDS = {"ORG": "organisation", "NORP": "group", "GPE": "country"}


@dataclass(frozen=True)
class SyntheticQuestion:
    """A generated question and the character span of its answer in the parsed doc."""

    question: str
    answer_start: int
    answer_end: int
    rule: str
    """Which rule made it ("subject", "object", "time", ...)."""

    def answer(self, text: str) -> str:
        return text[self.answer_start : self.answer_end]


def _text(tokens: list[Token]) -> str:
    out = ""
    for i, token in enumerate(tokens):
        out += token.text
        if i + 1 < len(tokens):
            nxt = tokens[i + 1]
            adjacent = token.i + 1 == nxt.i
            out += token.whitespace_ if adjacent else " "
    return " ".join(out.split())


def _lower_first(tokens: list[Token], text: str) -> str:
    first = tokens[0] if tokens else None
    if (
        first is not None
        and first.is_sent_start
        and first.pos_ != "PROPN"
        and not (len(first.text) > 1 and first.text.isupper())
    ):
        return text[:1].lower() + text[1:]
    return text


def _counted(noun: Token, number: tuple[int, int]) -> str:
    """ "fire units" for "about 60 fire units": the counted noun with its compounds."""
    a = _core_np_bounds(noun)[0]
    words = [
        t
        for t in noun.doc[a : noun.i + 1]
        if not (number[0] <= t.i < number[1])
        and t.dep_ not in {"det", "poss", "quantmod"}
        and not t.like_num
    ]
    return " ".join(t.lower_ if t.pos_ != "PROPN" else t.text for t in words) or noun.lower_


def _clause_tokens(verb: Token) -> list[Token]:
    """The clause of ``verb``: its subtree without coordinated clauses and edge punctuation."""
    skip: set[int] = set()
    for child in verb.children:
        if child.dep_ == "conj" and child.pos_ in {"VERB", "AUX"}:
            skip.update(t.i for t in child.subtree)
        if child.dep_ == "cc" and child.i > verb.i:
            skip.add(child.i)
        if child.dep_ in {"mark"} and child.i < verb.i:
            skip.add(child.i)
    tokens = [t for t in verb.subtree if t.i not in skip]
    while tokens and (tokens[0].is_punct or tokens[0].dep_ == "cc"):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens.pop()
    return tokens


def _answer_bounds(token: Token) -> tuple[int, int]:
    """Token range of a noun-phrase answer: the entity if the noun is one, else its core;
    a coordination ("the United States, Russia and France") is answered whole."""
    a, b = _single_bounds(token)
    last = token
    while True:
        conj = [c for c in last.children if c.dep_ == "conj" and c.pos_ in {"NOUN", "PROPN"}]
        if not conj:
            break
        last = conj[-1]
    if last.i != token.i:
        b = max(b, _single_bounds(last)[1])
    return a, b


def _single_bounds(token: Token) -> tuple[int, int]:
    doc = token.doc
    if token.ent_type_ and token.ent_iob_ in {"B", "I"}:
        for ent in doc.ents:
            if ent.start <= token.i < ent.end:
                a, b = _core_np_bounds(token)
                # "the Azeri Defense Ministry": prefer the phrase when it contains the entity.
                if a <= ent.start and ent.end <= b:
                    return a, b
                return ent.start, ent.end
    return _core_np_bounds(token)


def _wh_for(token: Token, rng: random.Random) -> str:
    # Rarely "which <the answer's own noun>": real questions mostly name a kind; but a
    # modified common noun ("WBS radio", "Al Qaeda-linked fighters") is often asked for
    # by its head ("which radio station", "what kind of fighters").
    kind = _kind_wh(token, rng)
    if kind:
        return kind
    label = token.ent_type_
    if label == "PERSON":
        return "Who"
    if label in {"ORG", "NORP"}:
        return rng.choice(["Who", "Which " + _ORG_WORDS[label], "What"])
    if label == "GPE":
        return rng.choice(["Which country", "What", "Which place", "Which city"])
    return "What"


_KIND_WH_RATE = 0.3


def _kind_wh(token: Token, rng: random.Random) -> str | None:
    """ "Which radio" / "What kind of fighters" for a common noun that has a modifier of
    its own (so the answer adds words to the question's), else None. Seeded by ``rng``."""
    if token.pos_ != "NOUN" or token.ent_type_ in {"PERSON", "DATE", "TIME", "CARDINAL"}:
        return None
    modifiers = [
        c for c in token.lefts if c.dep_ in {"compound", "amod", "nmod", "poss"} and c.pos_ != "DET"
    ]
    if not modifiers or rng.random() >= _KIND_WH_RATE:
        return None
    noun = token.lower_
    return rng.choice([f"Which {noun}", f"What kind of {noun}", f"What {noun}"])


_OPTIONAL = {"relcl", "appos", "acl", "advcl", "parataxis", "npadvmod", "advmod", "amod"}
_DROP_RATE = {"amod": 0.25, "advmod": 0.4, "prep": 0.35}


def _trim(tokens: list[Token], keep: set[int], rng: random.Random) -> list[Token]:
    """Drop some optional modifiers, as people leave them out of questions; a subtree that
    holds a ``keep`` token (the answer) always stays. Seeded by ``rng``."""
    present = {t.i for t in tokens}
    dropped: set[int] = set()
    for token in tokens:
        if token.i in dropped or token.i in keep:
            continue
        dep = token.dep_
        rate = _DROP_RATE.get(dep, 0.55 if dep in _OPTIONAL else 0.0)
        if dep == "prep" and token.head.pos_ not in {"VERB", "AUX"}:
            rate = 0.2
        if dep == "advmod" and token.lower_ in {"not", "n't", "never"}:
            rate = 0.0
        if rate and rng.random() < rate:
            subtree = {t.i for t in token.subtree}
            if not subtree & keep:
                dropped |= subtree & present
    kept = [t for t in tokens if t.i not in dropped]
    out: list[Token] = []
    for i, token in enumerate(kept):
        if (
            token.is_punct
            and token.text in {",", ";", "-", "—"}
            and (not out or out[-1].is_punct or i + 1 == len(kept) or kept[i + 1].is_punct)
        ):
            continue
        out.append(token)
    return out


def _verb_form(verb: Token) -> tuple[str, str] | None:
    """Do-support for a question: ("did", "fire") for "fired"; None when not finite."""
    if verb.tag_ == "VBD":
        return "did", verb.lemma_
    if verb.tag_ == "VBZ":
        return "does", verb.lemma_
    if verb.tag_ == "VBP":
        return "do", verb.lemma_
    return None


class QuestionGenerator:
    """Turn each clause of a sentence into wh-questions with known answer spans.

    Args:
        max_per_sentence: at most this many questions per sentence (a seeded sample).

    Example:
        >>> from qa.nlp import load_spacy
        >>> doc = load_spacy()("Armenian forces fired missiles on Ganja on Saturday.")
        >>> qs = QuestionGenerator().run(doc[:], random.Random(0))
        >>> sorted({q.rule for q in qs}) >= ["object", "subject"]
        True
    """

    def __init__(self, max_per_sentence: int = 6) -> None:
        self.max_per_sentence = max_per_sentence

    def run(self, sentence: Span, rng: random.Random) -> list[SyntheticQuestion]:
        out: list[SyntheticQuestion] = []
        seen: set[str] = set()

        def emit(question: str, start: int, end: int, rule: str) -> None:
            question = " ".join(question.split())
            if not question or question in seen or end <= start:
                return
            answer = sentence.doc[start:end]
            if not answer.text.strip() or len(answer) > 30:
                return
            if len(question.split()) < 3:
                return
            seen.add(question)
            out.append(
                SyntheticQuestion(
                    question[0].upper() + question[1:].rstrip(" ,;:") + "?",
                    answer.start_char,
                    answer.end_char,
                    rule,
                )
            )

        for verb in sentence:
            if verb.pos_ not in {"VERB", "AUX"}:
                continue
            if verb.pos_ == "AUX" and verb.dep_ not in {"ROOT", "conj", "ccomp", "relcl"}:
                continue
            self._clause_questions(verb, rng, emit)
        self._title_questions(sentence, rng, emit)
        if len(out) > self.max_per_sentence:
            out = rng.sample(out, self.max_per_sentence)
        return out

    # -- clause rules ----------------------------------------------------------------------

    def _clause_questions(self, verb: Token, rng: random.Random, emit) -> None:
        subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
        if not subjects:
            return
        subject = subjects[0]
        relative = subject.lower_ in _RELATIVE
        if relative:
            if verb.dep_ != "relcl":
                return
            subject = verb.head
        if subject.pos_ in _PRONOUNS:
            return
        clause = _clause_tokens(verb)
        if relative:
            clause = [t for t in clause if t.i != subjects[0].i]
        subject_span = set(range(*_answer_bounds(subject)))
        if relative:
            subject_tokens = [subject.doc[i] for i in sorted(subject_span)]
        else:
            subject_tokens = [t for t in subject.subtree]
            if len(subject_tokens) > 12:
                subject_tokens = [subject.doc[i] for i in sorted(subject_span)]
        subject_ids = {t.i for t in subject.subtree} | {subjects[0].i}
        # Adverbials before the subject ("On Saturday, ...") are left out of the question.
        fronted_ids: set[int] = set()
        for child in verb.lefts:
            if child.i < subjects[0].i and child.dep_ not in {"aux", "auxpass", "neg"}:
                fronted_ids.update(t.i for t in child.subtree)
        rest = [t for t in clause if t.i not in subject_ids and t.i not in fronted_ids]
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        if infinitive:
            return
        auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"} and c.i < verb.i]
        subj_text = _lower_first(subject_tokens, _text(subject_tokens))

        # Subject: "Who fired missiles on Ganja?"
        if rest:
            a, b = _answer_bounds(subject)
            wh = _wh_for(subject, rng)
            number = self._number_of(subject)
            short = _text(_trim(rest, set(), rng))
            if number is not None:
                na, nb = number
                emit(f"How many {_counted(subject, number)} {short}", na, nb, "number")
            emit(f"{wh} {short}", a, b, "subject")

        def fronted(answer_ids: set[int]) -> str | None:
            """The clause as a question with do-support, ``answer_ids`` taken out."""
            body = [t for t in rest if t.i not in answer_ids]
            # Keep the words that hold the answer in place (a stranded preposition).
            anchors = {t.head.i for t in rest if t.i in answer_ids}
            body = _trim(body, anchors | {verb.i}, rng)
            if auxes:
                first = auxes[0]
                if first.lower_ == "to":
                    return None
                body = [t for t in body if t.i != first.i]
                before = [t for t in body if t.i < verb.i]
                after = [t for t in body if t.i >= verb.i]
                return f"{first.lower_} {subj_text} {_text(before)} {_text(after)}"
            if verb.lemma_ == "be":
                return f"{verb.lower_} {subj_text} {_text([t for t in body if t.i != verb.i])}"
            form = _verb_form(verb)
            if form is None:
                return None
            do, lemma = form
            before = [t for t in body if t.i < verb.i]
            after = [t for t in body if t.i > verb.i]
            return f"{do} {subj_text} {_text(before)} {lemma} {_text(after)}"

        for child in verb.children:
            if child.i in subject_ids:
                continue
            dep = child.dep_
            if dep in {"dobj", "attr", "dative", "oprd"} and child.pos_ not in _PRONOUNS:
                ids = {t.i for t in child.subtree}
                body = fronted(ids)
                if body is None:
                    continue
                number = self._number_of(child)
                if number is not None:
                    emit(f"How many {_counted(child, number)} {body}", *number, "number")
                a, b = _answer_bounds(child)
                wh = "Who" if child.ent_type_ == "PERSON" else _wh_for(child, rng)
                if verb.lemma_ == "be" and dep == "attr":
                    # "X is Y": ask for Y by X.
                    emit(f"What is {subj_text}", a, b, "attribute")
                    continue
                emit(f"{wh} {body}", a, b, "object")
            elif dep in {"prep", "agent"}:
                objects = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
                if not objects:
                    continue
                obj = objects[0]
                if obj.pos_ in _PRONOUNS:
                    continue
                label = obj.ent_type_
                pp_ids = {t.i for t in child.subtree}
                if label in _TIME and dep == "prep":
                    body = fronted(pp_ids)
                    if body is not None:
                        a, b = _answer_bounds(obj)
                        emit(f"When {body}", a, b, "time")
                elif (
                    label in _PLACE
                    and dep == "prep"
                    and child.lower_ in {"in", "at", "to", "from", "near", "into"}
                ):
                    body = fronted(pp_ids)
                    if body is not None:
                        a, b = _answer_bounds(obj)
                        if rng.random() < 0.5:
                            emit(f"Where {body}", a, b, "place")
                        else:
                            emit(f"{child.lower_} which place {body}", a, b, "place")
                elif obj.pos_ == "VERB":
                    body = fronted({t.i for t in obj.subtree})
                    if body is not None:
                        emit(f"What {body}", obj.left_edge.i, obj.right_edge.i + 1, "action")
                else:
                    ids = {t.i for t in obj.subtree}
                    body = fronted(ids)
                    if body is None:
                        continue
                    number = self._number_of(obj)
                    if number is not None:
                        emit(f"How many {_counted(obj, number)} {body}", *number, "number")
                    a, b = _answer_bounds(obj)
                    wh = "Who" if label == "PERSON" else _wh_for(obj, rng)
                    emit(f"{wh} {body}", a, b, "pobj")
            elif dep == "npadvmod" and child.ent_type_ in _TIME:
                body = fronted({t.i for t in child.subtree})
                if body is not None:
                    a, b = _answer_bounds(child)
                    emit(f"When {body}", a, b, "time")
            elif dep == "advmod" and child.pos_ == "ADV" and child.lower_.endswith("ly"):
                body = fronted({child.i})
                if body is not None:
                    emit(f"How {body}", child.i, child.i + 1, "manner")
            elif dep == "acomp" and child.pos_ == "ADJ":
                ids = {t.i for t in child.subtree}
                if rng.random() < 0.5:
                    emit(
                        f"What word describes {subj_text}",
                        child.i,
                        child.right_edge.i + 1,
                        "adjective",
                    )
                else:
                    body = fronted(ids)
                    if body is not None:
                        emit(f"How {body}", child.i, child.i + 1, "adjective")
            elif dep == "advcl":
                marks = [c for c in child.children if c.dep_ == "mark"]
                if (
                    marks
                    and marks[0].lower_ in {"because", "since", "as"}
                    and marks[0].i == child.left_edge.i
                ):
                    body = fronted({t.i for t in child.subtree})
                    if body is not None:
                        emit(f"Why {body}", marks[0].i + 1, child.right_edge.i + 1, "reason")
            elif dep == "ccomp" and verb.lemma_ in _SAY:
                body = fronted({t.i for t in child.subtree})
                if body is not None:
                    start = child.left_edge.i
                    if child.doc[start].lower_ == "that":
                        start += 1
                    end = child.right_edge.i + 1
                    emit(f"What {body}", start, end, "statement")
        # Action: "What did the Elysée do?" answered by the verb phrase.
        if verb.pos_ == "VERB" and verb.lemma_ not in _SAY and rng.random() < 0.5:
            objects = [c for c in verb.rights if c.dep_ in {"dobj", "prep", "xcomp", "prt"}]
            if objects:
                end = max(c.right_edge.i for c in objects) + 1
                if auxes:
                    aux = auxes[0]
                    done = {"have": "done", "be": "doing"}.get(aux.lemma_, "do")
                    q = f"What {aux.lower_} {subj_text} {done}"
                else:
                    form = _verb_form(verb)
                    q = f"What {form[0]} {subj_text} do" if form else ""
                if q:
                    emit(q, verb.i, end, "action")

    @staticmethod
    def _number_of(noun: Token) -> tuple[int, int] | None:
        """The token range of the number that counts ``noun`` ("13 civilians"), if any."""
        for child in noun.children:
            if child.dep_ == "nummod" and (child.like_num or child.pos_ == "NUM"):
                lo = min([child.i] + [c.left_edge.i for c in child.lefts])
                hi = child.i + 1
                return lo, hi
        return None

    # -- titles and appositions --------------------------------------------------------------

    def _title_questions(self, sentence: Span, rng: random.Random, emit) -> None:
        doc = sentence.doc
        for ent in sentence.ents:
            if ent.label_ != "PERSON":
                continue
            root = ent.root
            # "Turkish Defense Minister Hulusi Akar": the title before the name.
            title = person_title(ent)
            if title is not None:
                first = title[0]
                words = doc[first : ent.start]
                emit(f"Who is the {words.text}", ent.start, ent.end, "title")
                # And the other way: "What is Mike Pompeo's position?" -> the title.
                if rng.random() < 0.5:
                    word = rng.choice(["position", "title", "job", "role"])
                    emit(f"What is {ent.text}'s {word}", first, ent.start, "title")
            for child in root.children:
                if child.dep_ == "appos" and child.i > root.i:
                    a, b = child.left_edge.i, child.right_edge.i + 1
                    words = doc[a:b]
                    if len(words) <= 14:
                        emit(f"Who is {words.text}", ent.start, ent.end, "apposition")
        for token in sentence:
            if token.dep_ == "appos" and token.head.ent_type_ in _PLACE | {"ORG"}:
                head = token.head
                a, b = token.left_edge.i, token.right_edge.i + 1
                if b - a <= 12 and rng.random() < 0.7:
                    ha, hb = _answer_bounds(head)
                    emit(f"What is {doc[a:b].text}", ha, hb, "apposition")


# -- paraphrase augmentation (training only) ---------------------------------------------------

WORDNET_DIR = Path("/usr/share/wordnet")
"""Where Debian's ``wordnet-base`` puts WordNet (``QA_WORDNET_DIR`` overrides it)."""
_LEXNAMES_TEXT = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
)
_LEX_CATEGORY = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
_WN_POS = {"NOUN": "n", "VERB": "v", "ADJ": "a", "ADV": "r"}
_KEEP_WORDS = {"be", "have", "do", "say", "kind", "type", "sort", "many", "much", "not"}
_WH_TAGS = {"WDT", "WP", "WP$", "WRB"}


def load_wordnet(root: Path | None = None) -> Any:
    """nltk's WordNet reader over the Debian ``wordnet-base`` files (training only).

    Raises:
        RuntimeError: nltk or the WordNet files are missing, with how to install them.
    """
    try:
        import nltk
        from nltk.corpus.reader.wordnet import WordNetCorpusReader
    except ImportError as exc:
        raise RuntimeError("paraphrase augmentation needs nltk: pip install -e '.[train]'") from exc
    root = Path(root or os.environ.get("QA_WORDNET_DIR", "") or WORDNET_DIR)
    if not (root / "data.noun").exists():
        raise RuntimeError(
            f"paraphrase augmentation needs WordNet under {root}: "
            "apt-get install wordnet-base (or set QA_WORDNET_DIR)"
        )
    if not (root / "lexnames").exists():
        # Debian's package leaves out the fixed list of lexicographer files that nltk
        # reads: copy the files to a scratch folder that adds it (nltk refuses links).
        copy = Path(tempfile.gettempdir()) / "qa-wordnet"
        copy.mkdir(exist_ok=True)
        for path in root.iterdir():
            target = copy / path.name
            if path.is_file() and not target.exists():
                shutil.copyfile(path, target)
        lines = [
            f"{i:02d}\t{name}\t{_LEX_CATEGORY[name.split('.')[0]]}"
            for i, name in enumerate(_LEXNAMES_TEXT.split())
        ]
        (copy / "lexnames").write_text("\n".join(lines) + "\n")
        root = copy
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))  # nltk only opens files under its data paths

    class _Reader(WordNetCorpusReader):
        def map_wn(self, version: str = "wordnet") -> None:
            # Debian ships WordNet 3.1; the map to 3.0 only serves other languages' data.
            return None

    with warnings.catch_warnings():
        # "multilingual functions are not available": they are not used.
        warnings.simplefilter("ignore", UserWarning)
        return _Reader(str(root), None)


def _ordered(synsets: list[Any]) -> list[Any]:
    """``synsets`` by name: a fixed order for what a synset points to.

    nltk keeps a synset's pointers in a ``set`` of ``(pos, offset)`` pairs, so the order of
    ``hypernyms()``, ``similar_tos()`` or ``part_meronyms()`` follows the string hash and
    changes from one process to the next (``PYTHONHASHSEED``); taking the first of them
    made the paraphrases, and so the trained weights, differ between runs.
    """
    return sorted(synsets, key=lambda synset: synset.name())


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _regular(verb: str, tag: str) -> str:
    if tag == "VBZ":
        return _plural(verb)
    if tag == "VBG":
        return (verb[:-1] if verb.endswith("e") and not verb.endswith("ee") else verb) + "ing"
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in set("aeiou"):
        return verb[:-1] + "ied"
    return verb + "ed"


class Paraphraser:
    """Rewrite a generated question in other words, as people ask about what they read.

    Generated questions copy their sentence's words, so on their own they teach the reader
    that an answerable question repeats its evidence. A share of them is rewritten at
    training time: content words become WordNet synonyms or hypernyms ("killed" ->
    "murdered", "missiles" -> "weapons"), "X's Y" becomes "the Y of X" and some adjectives
    are dropped. Names, numbers and the wh-phrase stay. Only training needs WordNet; the
    shipped weights are all the reader reads.

    Args:
        wordnet: a WordNet reader (``load_wordnet()`` by default).
        rate: chance that each eligible word is replaced.
        metonymy: chance that each country or nationality is replaced (0: never; it did
            not help on the dev split).

    Example:
        >>> p = Paraphraser()  # doctest: +SKIP
        >>> doc = load_spacy()("Who fired missiles on the city?")  # doctest: +SKIP
        >>> p.run(doc, random.Random(1))  # doctest: +SKIP
        'Who launched projectiles on the metropolis?'
    """

    def __init__(self, wordnet: Any = None, rate: float = 0.5, metonymy: float = 0.0) -> None:
        self.wordnet = wordnet if wordnet is not None else load_wordnet()
        self.rate = rate
        self.metonymy = metonymy
        self._irregular: dict[str, list[str]] | None = None

    def _past(self, verb: str, tag: str) -> str:
        if self._irregular is None:
            # verb.exc maps irregular forms to their base ("went go"): invert it.
            self._irregular = {}
            for form, base in self.wordnet._exception_map["v"].items():
                for b in base:
                    self._irregular.setdefault(b, []).append(form)
        forms = [f for f in self._irregular.get(verb, []) if not f.endswith(("s", "ing"))]
        if tag in {"VBD", "VBN"} and forms:
            return forms[-1] if tag == "VBN" else forms[0]
        return _regular(verb, tag)

    def alternatives(self, lemma: str, pos: str) -> list[str]:
        """Synonyms of the two commonest senses, and their direct hypernyms."""
        out: list[str] = []
        for synset in self._senses(lemma, pos):
            related = [synset] + (
                _ordered(synset.hypernyms())[:1] if pos in {"NOUN", "VERB"} else []
            )
            if pos == "ADJ":
                related += _ordered(synset.similar_tos())[:2]
            for s in related:
                for name in s.lemma_names():
                    word = name.replace("_", " ").lower()
                    if word == lemma or lemma in word or len(word.split()) > 2:
                        continue
                    if word not in out:
                        out.append(word)
        return out

    def _senses(self, lemma: str, pos: str) -> list[Any]:
        """The word's dominant senses by tagged-corpus frequency: a rare sense ("kill" as
        "veto") would make a question about something else."""
        synsets = self.wordnet.synsets(lemma, _WN_POS[pos])
        if len(synsets) == 1:
            return synsets
        counted = []
        for synset in synsets:
            count = sum(x.count() for x in synset.lemmas() if x.name().lower() == lemma)
            counted.append((count, synset))
        counted.sort(key=lambda pair: -pair[0])
        if not counted or counted[0][0] < 3:
            return []
        top = counted[0][0]
        return [synset for count, synset in counted[:2] if count >= 0.5 * top]

    def _inflect(self, word: str, token: Token) -> str:
        words = word.split()
        head = words[-1] if token.pos_ != "VERB" else words[0]
        if token.tag_ == "NNS":
            head = _plural(head)
        elif token.tag_ in {"VBD", "VBN", "VBZ", "VBG"}:
            head = self._past(head, token.tag_)
        if token.pos_ == "VERB":
            return " ".join([head, *words[1:]])
        return " ".join([*words[:-1], head])

    def run(self, question: Span | Any, rng: random.Random) -> str | None:
        """A rewrite of the parsed ``question``, or None when nothing could change."""
        doc = question
        tokens = list(doc)
        wh = [t.i for t in tokens if t.tag_ in _WH_TAGS]
        wh_end = -1
        if wh:
            first = doc[wh[0]]
            # "which radio station": the wh-word's noun names the answer's kind; keep it.
            wh_end = max(first.i, first.head.i if first.head.pos_ == "NOUN" else first.i)
        out = [t.text_with_ws for t in tokens]
        changed = False
        for token in tokens:
            if token.i <= wh_end or token.pos_ not in _WN_POS or token.ent_type_:
                continue
            lemma = token.lemma_.lower()
            if token.is_stop or lemma in _KEEP_WORDS or len(lemma) < 3 or not token.is_alpha:
                continue
            if token.pos_ == "ADJ" and token.dep_ == "amod" and rng.random() < 0.2:
                out[token.i] = ""
                changed = True
                continue
            if rng.random() >= self.rate:
                continue
            options = self.alternatives(lemma, token.pos_)
            if not options:
                continue
            word = self._inflect(rng.choice(options), token)
            if token.text[:1].isupper():
                word = word[:1].upper() + word[1:]
            out[token.i] = word + token.whitespace_
            changed = True
        changed |= self._metonymy(doc, out, wh_end, rng)
        changed |= self._possessive(doc, out, wh_end, rng)
        if not changed:
            return None
        text = " ".join("".join(out).split())
        text = text.replace(" ?", "?").replace(" ,", ",")
        return text[:1].upper() + text[1:]

    def _capital(self, name: str) -> str | None:
        """ "Ankara" for "Turkey": news text names a government by its capital."""
        for synset in self.wordnet.synsets(name.replace(" ", "_"), "n")[:2]:
            if not synset.instance_hypernyms():
                continue
            for part in _ordered(synset.part_meronyms()):
                if any("capital" in h.name() for h in part.instance_hypernyms()):
                    # The synset's own name is its common form ("Damascus", not "Dimash").
                    head = part.name().split(".")[0]
                    names = [n for n in part.lemma_names() if n.lower() == head]
                    return (names or part.lemma_names())[0].replace("_", " ")
        return None

    def _country(self, adjective: str) -> str | None:
        """ "Armenia" for "Armenian"."""
        for synset in self.wordnet.synsets(adjective, "a")[:1]:
            for lemma in synset.lemmas():
                for noun in lemma.pertainyms():
                    if noun.name()[:1].isupper():
                        return noun.name().replace("_", " ")
        return None

    def _metonymy(self, doc: Any, out: list[str], wh_end: int, rng: random.Random) -> bool:
        """A country by its capital ("Ankara" for "Turkey") or a nationality adjective by
        its country ("Armenia's forces" for "the Armenian forces"), in ``out``."""
        changed = False
        for ent in doc.ents:
            if ent.start <= wh_end or any(not out[i] for i in range(ent.start, ent.end)):
                continue
            if not self.metonymy or rng.random() >= self.metonymy:
                continue
            tail = doc[ent.end - 1].whitespace_
            if ent.label_ == "GPE":
                capital = self._capital(ent.text)
                if capital is None or doc[ent.end - 1].tag_ == "POS":
                    continue
                new = capital
            elif ent.label_ == "NORP" and len(ent) == 1 and ent.root.dep_ in {"amod", "compound"}:
                country = self._country(ent.text)
                if country is None:
                    continue
                new = f"{country}'s"
                before = ent.start - 1
                if before > wh_end and doc[before].lower_ in {"the", "a", "an"}:
                    out[before] = ""
            else:
                continue
            out[ent.start] = new + tail
            for i in range(ent.start + 1, ent.end):
                out[i] = ""
            changed = True
        return changed

    @staticmethod
    def _possessive(doc: Any, out: list[str], wh_end: int, rng: random.Random) -> bool:
        """ "Armenia's capital" -> "the capital of Armenia" (in ``out``, in place)."""
        for token in doc:
            if token.dep_ != "poss" or token.i <= wh_end or token.head.i < token.i:
                continue
            case = [c for c in token.children if c.dep_ == "case"]
            owner_end = case[0].i if case else -1
            head = token.head
            if owner_end < 0 or rng.random() >= 0.5:
                continue
            owner = range(token.left_edge.i, owner_end)
            if any(not out[i] for i in range(token.left_edge.i, head.i + 1)):
                continue  # a word in it was already dropped
            owner_text = "".join(out[i] for i in owner).strip()
            noun_text = "".join(out[i] for i in range(owner_end + 1, head.i + 1)).strip()
            for i in range(token.left_edge.i, head.i + 1):
                out[i] = ""
            out[token.left_edge.i] = f"the {noun_text} of {owner_text}{head.whitespace_}"
            return True
        return False
