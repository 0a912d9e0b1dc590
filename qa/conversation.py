"""Follow-up questions: rewrite a question that refers back into a self-contained one.

No language model: spaCy's parse and entities of the earlier turns give the candidate
referents, and simple agreement rules pick one. Three kinds of follow-up are handled:

* pronouns (he, she, it, they, him, her, them, his, its, their, there, then) whose
  antecedent is not inside the question itself: "When did he travel to Azerbaijan?";
* demonstrative noun phrases: "How many civilians died in that city?";
* fragments without a verb: "And in Libya?", "What about Russia?", "In which city?",
  "And how many tanks?", and the bare "And how many were wounded?" / "And wounded?",
  which keep the previous question's frame (what it counted, where and when).

The service also uses ``QuestionRewriter.repeats_history`` to pass over a span that only
repeats an earlier answer, since a follow-up asks for something new.

A question that does not refer back is left alone (``Rewrite.resolved is None``), so a
self-contained question gets exactly the same treatment with or without history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from qa.definitions import definition_question
from qa.nlp import MONTHS, ORDINAL_WORDS, WEEKDAYS, load_spacy
from qa.readers.question import AnswerType, _type_of_word


class TurnLike(Protocol):
    """An earlier exchange: what was asked and the short answer (``None`` if none)."""

    @property
    def question(self) -> str: ...

    @property
    def answer(self) -> str | None: ...


@dataclass(frozen=True)
class Rewrite:
    """How a question was understood given the conversation.

    Attributes:
        resolved: the self-contained question, or ``None`` when the question was left
            as asked (it does not refer back, or nothing in the history fits).
        kind: ``"pronoun"``, ``"demonstrative"`` or ``"ellipsis"`` (the first change
            made), or ``""`` when nothing was rewritten.
        replacements: each phrase of the question and what replaced it.
        context: the previous question as understood (itself resolved), if any.
    """

    resolved: str | None
    kind: str = ""
    replacements: tuple[tuple[str, str], ...] = ()
    context: str | None = None


# -- vocabulary ---------------------------------------------------------------------------

_PERSON = {"he", "him", "his", "she", "her", "hers"}
_IT = {"it", "its"}
_THEY = {"they", "them", "their", "theirs"}
_POSSESSIVE = {"his", "its", "their", "theirs", "hers"}
_DEMONSTRATIVES = {"that": False, "this": False, "those": True, "these": True}
_WH = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# Openers of a follow-up that carry no content: "And in Libya?", "What about Russia?".
_MARKERS = {"and", "but", "so", "also", "ok", "okay", "well", "then"}
_ABOUT = {("what", "about"), ("how", "about"), ("what", "of")}
# Verbs of motion take "to X" for "there"; everything else "in X".
_MOTION = {
    "travel",
    "go",
    "send",
    "deploy",
    "move",
    "come",
    "fly",
    "transport",
    "return",
    "head",
    "bring",
    "take",
    "ship",
    "export",
    "sell",
}
_ENTITY_KIND = {
    "PERSON": "person",
    "ORG": "org",
    "NORP": "group",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "DATE": "time",
    "TIME": "time",
    "CARDINAL": "number",
    "QUANTITY": "number",
    "MONEY": "number",
    "PERCENT": "number",
    "ORDINAL": "number",
    "EVENT": "thing",
    "PRODUCT": "thing",
    "WORK_OF_ART": "thing",
    "LAW": "thing",
    "LANGUAGE": "thing",
}
_TYPE_KIND = {
    AnswerType.PERSON: "person",
    AnswerType.ORGANIZATION: "org",
    AnswerType.PLACE: "place",
    AnswerType.TIME: "time",
    AnswerType.NUMBER: "number",
    AnswerType.NATIONALITY: "group",
    AnswerType.THING: "thing",
    AnswerType.CLAUSE: "clause",
}
_DETERMINERS = {"the", "a", "an", "which", "what", "whose", "this", "that", "these", "those"}


@lru_cache(maxsize=512)
def _parse(text: str) -> Doc:
    # Conversations repeat their turns on every request; parse each text once.
    return load_spacy()(text)


# -- mentions: what a pronoun can refer to ------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """Something an earlier turn talked about.

    Attributes:
        text: the noun phrase to put in place of a pronoun ("Hulusi Akar", "the civilians").
        kind: person, org, group, place, time, number, thing or clause.
        plural: grammatical number.
        head: lemma of the head word, lower case ("city", "drone").
        role: "answer", "subject", "wh" (the phrase a question asked about) or "other".
    """

    text: str
    kind: str
    plural: bool
    head: str
    role: str = "other"


@dataclass
class _Context:
    """One earlier turn, parsed: its (resolved) question, answer and mentions."""

    question: str
    doc: Doc
    answer: str | None
    mentions: list[Mention] = field(default_factory=list)
    wh: tuple[int, int] | None = None
    wh_role: str = ""


def _is_plural_text(doc: Doc | Span) -> bool:
    words = [t for t in doc if not t.is_punct]
    if not words:
        return False
    if any(t.lower_ in {"and", "&"} for t in words):
        return True
    last = words[-1]
    if last.tag_ in {"NNS", "NNPS"}:
        return True
    # The tagger is unreliable on bare answers ("Bayraktar TB2 drones" -> VBZ).
    lower = last.lower_
    return (
        last.pos_ not in {"PROPN", "NUM"}
        and len(lower) > 3
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is"))
    )


def _head_lemma(words: Sequence[Token]) -> str:
    content = [t for t in words if t.is_alpha or t.like_num]
    if not content:
        return ""
    last = content[-1]
    if last.pos_ == "VERB" and last.lower_.endswith("s"):
        # A bare answer like "Bayraktar TB2 drones" is often tagged as a clause.
        return last.lower_[:-1]
    return last.lemma_.lower()


def _noun_phrase(tokens: Sequence[Token]) -> str:
    """The phrase as a definite noun phrase: determiners of common nouns become "the"."""
    words = list(tokens)
    while words and (words[0].lower_ in _DETERMINERS or words[0].lower_ in {"how", "many", "much"}):
        words = words[1:]
    while words and (words[-1].tag_ == "POS" or words[-1].is_punct):
        words = words[:-1]
    if not words:
        return ""
    text = words[0].doc[words[0].i : words[-1].i + 1].text
    proper = any(t.pos_ == "PROPN" for t in words) or any(t.ent_type_ for t in words)
    possessed = any(t.tag_ in {"POS", "PRP$"} for t in words)
    if possessed:
        return text
    if proper:
        # "the Caspian Sea" keeps its article; "Turkey" never had one.
        before = words[0].doc[words[0].i - 1] if words[0].i > 0 else None
        return f"the {text}" if before is not None and before.lower_ == "the" else text
    return f"the {text}"


def _kind_of(tokens: Sequence[Token], root: Token) -> str:
    if root.ent_type_ in _ENTITY_KIND:
        return _ENTITY_KIND[root.ent_type_]
    answer_type = _type_of_word(root.lemma_.lower())
    if answer_type is not None:
        return _TYPE_KIND[answer_type]
    return "thing"


def _wh_span(doc: Doc | Span) -> tuple[int, int, Token | None] | None:
    """The wh-phrase (with a preposition before it) as token offsets, and its head noun."""
    tokens = list(doc)
    index = next((i for i, t in enumerate(tokens) if t.lower_ in _WH), -1)
    if index < 0:
        return None
    start, end, head = index, index + 1, None
    word = tokens[index].lower_
    if word == "how" and end < len(tokens) and tokens[end].lower_ in {"many", "much"}:
        end += 1
    if word in {"which", "what", "whose"} or end > index + 1:
        scan = end
        while scan < len(tokens) and (
            tokens[scan].pos_ in {"ADJ", "NOUN", "PROPN", "NUM"} or tokens[scan].tag_ == "HYPH"
        ):
            if tokens[scan].pos_ in {"NOUN", "PROPN"}:
                head = tokens[scan]
            scan += 1
        if head is not None:
            end = head.i - doc[0].i + 1
    if start > 0 and tokens[start - 1].pos_ == "ADP":
        start -= 1
    return start, end, head


def _wh_role(doc: Doc, start: int, end: int) -> str:
    """Whether the wh-phrase is the subject, an object or an adjunct of its question."""
    first = doc[start]
    if first.pos_ == "ADP":
        return "adjunct"
    wh = doc[start:end]
    if len(wh) == 1 and wh[0].lower_ in {"when", "where", "why", "how"}:
        return "adjunct"
    rest = [t for t in doc[end:] if t.pos_ != "ADV" and not t.is_punct]
    if not rest:
        return "subject"
    if rest[0].pos_ == "VERB":
        return "subject"
    if rest[0].pos_ == "AUX":
        following = rest[1] if len(rest) > 1 else None
        if following is None or following.pos_ in {"VERB", "AUX"}:
            return "subject"
        if rest[0].lemma_ == "be":
            return "copula"
    if _stranded_preposition(doc, end) is not None:
        return "pobj"
    return "object"


def _stranded_preposition(doc: Doc, after: int) -> Token | None:
    """A preposition with no object ("Which station did he talk to?"): the wh-phrase's gap."""
    for token in doc[after:]:
        if token.pos_ == "ADP" and not any(c.dep_ in {"pobj", "pcomp"} for c in token.children):
            nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if nxt is None or nxt.is_punct:
                return token
    return None


def _asked_kind(doc: Doc) -> tuple[str | None, str]:
    """What a question asks for: the kind its noun names ("which city": place), if any, and
    the kind its wh-word implies ("who": person)."""
    wh = _wh_span(doc)
    if wh is None:
        return None, "thing"
    head = wh[2]
    answer_type = _type_of_word(head.lemma_.lower()) if head is not None else None
    named = _TYPE_KIND[answer_type] if answer_type is not None else None
    words = [t.lower_ for t in doc[wh[0] : wh[1]]]
    if any(w in {"who", "whom", "whose"} for w in words):
        return named, "person"
    if "how" in words:
        # "how many X", "how old": a number; a bare "how": a manner.
        following = doc[wh[1] : wh[1] + 1].text.lower()
        measured = len(words) > 1 or following in {"old", "long", "far", "large", "big"}
        return named, "number" if measured else "clause"
    implied = {"when": "time", "where": "place", "why": "clause"}
    return named, next((implied[w] for w in words if w in implied), "thing")


@lru_cache(maxsize=512)
def _answer_mention(answer: str, question: str) -> Mention | None:
    text = answer.strip().strip(".;,").strip()
    if not text:
        return None
    doc = _parse(text)
    words = [t for t in doc if not t.is_punct]
    # "on September 28-30" names a time, but a noun phrase stands in for a pronoun.
    if words and words[0].pos_ == "ADP" and len(words) > 1:
        text = doc[words[1].i :].text
        words = words[1:]
    type_kind, asked_kind = _asked_kind(_parse(question))
    entity_kind = None
    entities = [e for e in doc.ents if e.label_ in _ENTITY_KIND]
    if len(entities) == 1 and len(entities[0]) >= len([w for w in words if w.lower_ != "the"]):
        entity_kind = _ENTITY_KIND[entities[0].label_]
    # "Where" and "when" say what the answer is better than the tagger does on a bare
    # name ("Nagorno-Karabakh" comes out as an organisation).
    fixed = asked_kind if asked_kind in {"place", "time"} and entity_kind != "person" else None
    kind = type_kind or fixed or entity_kind or asked_kind
    plural = _is_plural_text(doc)
    if kind == "group" and not plural and entity_kind == "place":
        kind = "place"
    return Mention(text, kind, plural, _head_lemma(words), role="answer")


def _question_mentions(doc: Doc, wh: tuple[int, int, Token | None] | None) -> list[Mention]:
    mentions: list[Mention] = []
    seen_roots: set[int] = set()
    wh_range = range(wh[0], wh[1]) if wh else range(0)
    if wh is not None and wh[2] is not None:
        # "How many civilians ..." talks about civilians even though it asks a number.
        head = wh[2]
        words = [t for t in doc[wh[0] : wh[1]] if t.lower_ not in _WH and t.pos_ != "ADP"]
        words = [t for t in words if t.lower_ not in {"many", "much"}]
        # "Which city": the answer, not "the city", is the referent; but "how many people"
        # asks a number, so "the people" is the only thing "they" can point back to.
        counted = any(t.lower_ in {"many", "much"} for t in doc[wh[0] : wh[1]])
        only_type = (
            len(words) == 1 and _type_of_word(head.lemma_.lower()) is not None and not counted
        )
        if words and not only_type:
            mentions.append(
                Mention(
                    _noun_phrase(words),
                    _kind_of(words, head),
                    head.tag_ in {"NNS", "NNPS"},
                    _head_lemma(words),
                    role="wh",
                )
            )
        seen_roots.add(head.i)
    spans: list[Span] = list(doc.noun_chunks)
    spans += [e for e in doc.ents if e.label_ in _ENTITY_KIND and e.label_ != "ORDINAL"]
    spans.sort(key=lambda s: (s.start, -len(s)))
    for span in spans:
        root = span.root
        if root.i in seen_roots or root.i in wh_range or root.pos_ == "PRON":
            continue
        if root.ent_type_ == "NORP" and root.pos_ == "ADJ":
            continue  # "Turkish" in "Turkish drones" is not a referent of its own
        words = [t for t in span if t.lower_ not in _WH]
        if any(t.pos_ == "AUX" for t in words):
            continue  # a misparse ("[Where did the fighting start]" as one noun phrase)
        # A plural noun rarely modifies another noun: "militias recruit fighters" is a
        # subject and a verb the tagger took for one phrase.
        split = next(
            (
                k
                for k, t in enumerate(words[:-1])
                if t.tag_ in {"NNS", "NNPS"} and t.dep_ == "compound"
            ),
            None,
        )
        if split is not None:
            words, root = words[: split + 1], words[split]
        text = _noun_phrase(words)
        if not text:
            continue
        seen_roots.add(root.i)
        role = "subject" if root.dep_ in {"nsubj", "nsubjpass"} else "other"
        plural = root.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "conj" for c in root.children)
        mentions.append(Mention(text, _kind_of(words, root), plural, _head_lemma(words), role))
    return mentions


def _asks_what_a_name_is(question: str, doc: Doc) -> bool:
    """Whether the question asks what a name is, so that its answer describes the name
    rather than naming someone: after "Who was Albert Einstein?" ("a German-born
    theoretical physicist") a later "he" means Einstein. "Who is the Turkish Defense
    Minister?" asks for a name, and its answer is the one to point back to."""
    if definition_question(question) is None:
        return False
    copula = next((t for t in doc if t.lemma_ == "be"), None)
    if copula is None:
        return False
    # Only a name: "Turkey's defence minister" is a role, whatever its first word.
    named = [t for t in doc[copula.i + 1 :] if not t.is_punct]
    return bool(named) and all(t.pos_ == "PROPN" for t in named)


def _context(question: str, answer: str | None) -> _Context:
    doc = _parse(question)
    wh = _wh_span(doc)
    context = _Context(question, doc, answer)
    if wh is not None:
        context.wh = (wh[0], wh[1])
        context.wh_role = _wh_role(doc, wh[0], wh[1])
    if answer and answer.strip() and not _asks_what_a_name_is(question, doc):
        mention = _answer_mention(answer, question)
        if mention is not None:
            context.mentions.append(mention)
    context.mentions.extend(_question_mentions(doc, wh))
    return context


# -- references: what in the new question points back ------------------------------------


@dataclass(frozen=True)
class _Reference:
    tokens: tuple[int, int]  # token offsets of the phrase to replace
    kind: str  # person, it, they, there, then, demonstrative
    possessive: bool = False
    noun: str = ""  # the demonstrative's noun lemma
    noun_kind: str | None = None
    plural: bool = False
    subject: bool = False


def _clause(token: Token) -> Token:
    """The verb (or root) that heads the clause a token is in."""
    # spaCy makes a new Token object on each access: compare positions, not identity.
    node = token.head
    while node.pos_ not in {"VERB", "AUX"} and node.head.i != node.i:
        node = node.head
    return node


def _agreement(reference: _Reference, mention: Mention) -> int | None:
    """0 for a good match, 1-2 for a weaker one, ``None`` when they cannot corefer."""
    kind = reference.kind
    if kind == "person":
        return 0 if mention.kind == "person" and not mention.plural else None
    if kind == "it":
        if mention.plural or mention.kind in {"person", "time", "number", "clause", "group"}:
            return None
        return 0
    if kind == "they":
        if mention.kind in {"time", "number", "clause"}:
            return None
        if mention.plural or mention.kind == "group":
            return 0
        return {"org": 1, "place": 2}.get(mention.kind)
    if kind == "there":
        return 0 if mention.kind == "place" else None
    if kind == "then":
        return 0 if mention.kind == "time" else None
    if kind == "demonstrative":
        if reference.noun and mention.head == reference.noun:
            return 0
        if reference.noun_kind and reference.noun_kind == mention.kind:
            if mention.kind == "place" and reference.noun in {"city", "town", "capital"}:
                # A country is not "that city"; a city and a province look alike to NER.
                return 1 if mention.plural == reference.plural else 2
            return 0 if mention.plural == reference.plural else 1
    return None


def _could_bind(reference: _Reference, candidate: Token) -> bool:
    """Whether a word of the question agrees with the pronoun (leniently: when in doubt,
    the question is taken to be self-contained and is not rewritten)."""
    lower = candidate.lower_
    if lower in {"who", "whom"}:
        kind, plural = "person", None
    elif lower in {"what", "which"} and candidate.pos_ == "PRON":
        kind, plural = "thing", False
    elif candidate.pos_ in {"NOUN", "PROPN"}:
        kind = _kind_of([candidate], candidate)
        if kind == "thing" and candidate.pos_ == "PROPN" and not candidate.ent_type_:
            kind = "name"  # an unknown name: a person, a place or an organisation
        plural = candidate.tag_ in {"NNS", "NNPS"}
    else:
        return False
    match reference.kind:
        case "person":
            return kind in {"person", "name"} and not plural
        case "it":
            return kind not in {"person", "time", "number"} and not plural
        case "they":  # "each side ... their": number agreement is loose for "they"
            # but "what" stands for one thing: "What did he ask them to do?"
            nominal = candidate.pos_ in {"NOUN", "PROPN"}
            return kind not in {"time", "number"} and (plural is not False or nominal)
        case "there":
            return kind in {"place", "name"}
        case "then":
            return kind == "time"
    return False


def _internal_antecedent(doc: Doc, reference: _Reference) -> bool:
    """Whether the question itself holds what the pronoun refers to ("Did Lee say he ...").

    A possessive is bound by a subject anywhere in the question ("How many people lost
    their lives?", "Who increased their losses?") or by a noun before it; any other
    pronoun only by something before it in another clause, since a pronoun never refers
    to a co-argument of its own verb ("Whom did he call?").
    """
    token = doc[reference.tokens[0]]
    # "their pilots": a phrase never holds its own antecedent.
    holders = {ancestor.i for ancestor in token.ancestors}
    for candidate in doc:
        if candidate.i == token.i or candidate.i in holders:
            continue
        if not _could_bind(reference, candidate):
            continue
        if reference.possessive:
            subject = candidate.dep_ in {"nsubj", "nsubjpass"} and candidate.head.lemma_ != "be"
            noun_before = candidate.i < token.i and candidate.pos_ in {"NOUN", "PROPN"}
            if subject or noun_before:
                return True
        elif candidate.i < token.i and _clause(candidate).i != _clause(token).i:
            return True
    return False


def _references(doc: Doc, wh: tuple[int, int] | None) -> list[_Reference]:
    references: list[_Reference] = []
    for token in doc:
        lower = token.lower_
        subject = token.dep_ in {"nsubj", "nsubjpass"}
        if lower in _PERSON and token.pos_ == "PRON":
            possessive = lower in _POSSESSIVE or (lower == "her" and token.tag_ == "PRP$")
            references.append(
                _Reference((token.i, token.i + 1), "person", possessive, subject=subject)
            )
        elif lower in _IT and token.pos_ == "PRON" and token.dep_ != "expl":
            references.append(
                _Reference((token.i, token.i + 1), "it", lower == "its", subject=subject)
            )
        elif lower in _THEY and token.pos_ == "PRON":
            references.append(
                _Reference((token.i, token.i + 1), "they", lower in _POSSESSIVE, subject=subject)
            )
        elif lower == "there" and token.tag_ != "EX" and token.dep_ != "expl":
            references.append(_Reference((token.i, token.i + 1), "there"))
        elif lower == "then" and token.i > 0 and doc[token.i + 1 : token.i + 2].text != ",":
            references.append(_Reference((token.i, token.i + 1), "then"))
        elif (
            lower in _DEMONSTRATIVES
            and token.dep_ == "det"
            and token.head.pos_ in {"NOUN", "PROPN"}
        ):
            noun = token.head
            answer_type = _type_of_word(noun.lemma_.lower())
            end = noun.i + 1
            references.append(
                _Reference(
                    (token.i, end),
                    "demonstrative",
                    noun=noun.lemma_.lower(),
                    noun_kind=_TYPE_KIND[answer_type] if answer_type else None,
                    plural=_DEMONSTRATIVES[lower] or noun.tag_ in {"NNS", "NNPS"},
                )
            )
    return [r for r in references if r.kind == "demonstrative" or not _internal_antecedent(doc, r)]


def _choose(
    reference: _Reference, contexts: list[_Context], taken: Sequence[Mention] = ()
) -> Mention | None:
    """The referent: best agreement first, then the latest turn, its answer before its
    question; never one of ``taken`` (what another kind of pronoun in the question took)."""
    ranked: list[tuple[int, int, int, Mention]] = []
    for age, context in enumerate(reversed(contexts)):
        prefer_subject = (
            reference.subject and context.wh_role == "object" and reference.kind != "there"
        )
        for position, mention in enumerate(context.mentions):
            if mention in taken:
                continue
            tier = _agreement(reference, mention)
            if tier is None:
                continue
            order = position
            # Parallel roles: "What did the drones target first?" -> "And what are they
            # targeting now?" — the subject stays the subject, the answer was the object.
            if prefer_subject and mention.role == "subject":
                order = -1
            ranked.append((tier, age, order, mention))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[:3])
    return ranked[0][3]


def _possessive(text: str, plural: bool) -> str:
    return f"{text}'" if plural and text.endswith("s") else f"{text}'s"


def _time_phrase(text: str) -> str:
    words = text.lower().split()
    if words and words[0] in {"on", "in", "at", "during", "since", "by", "before", "after"}:
        return text
    if any(w.strip(",") in WEEKDAYS for w in words) or (
        any(w in MONTHS for w in words)
        and any(ch.isdigit() for ch in text)
        and not re.fullmatch(r"\D*\d{4}\D*", text)
    ):
        return f"on {text}"
    if any(w in {"midnight", "noon", "dawn", "night"} for w in words) or ":" in text:
        return f"at {text}"
    return f"in {text}"


def _replacement(doc: Doc, reference: _Reference, mention: Mention) -> str:
    start = reference.tokens[0]
    previous = doc[start - 1] if start > 0 else None
    if reference.kind == "there":
        if previous is not None and previous.pos_ == "ADP":
            return mention.text
        verb = _clause(doc[start])
        return f"{'to' if verb.lemma_.lower() in _MOTION else 'in'} {mention.text}"
    if reference.kind == "then":
        if previous is not None and previous.pos_ == "ADP":
            return mention.text
        return _time_phrase(mention.text)
    if reference.possessive:
        return _possessive(mention.text, mention.plural)
    return mention.text


def _apply(doc: Doc, edits: list[tuple[int, int, str]]) -> str:
    """The question with token ranges replaced (character-exact elsewhere)."""
    text = doc.text
    for start, end, new in sorted(edits, reverse=True):
        first, last = doc[start], doc[end - 1]
        text = text[: first.idx] + new + text[last.idx + len(last) :]
    return text


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([?.,!])", r"\1", text)
    if text and not text.endswith("?"):
        text = text.rstrip(".!") + "?"
    return text[:1].upper() + text[1:]


def _strip_markers(doc: Doc) -> int:
    """How many leading tokens are discourse markers ("And", "What about")."""
    i = 0
    while i < len(doc):
        lower = doc[i].lower_
        if lower in _MARKERS or doc[i].is_punct:
            i += 1
        elif i + 1 < len(doc) and (lower, doc[i + 1].lower_) in _ABOUT:
            i += 2
        else:
            break
    return i


def _lower_first(text: str, doc: Doc) -> str:
    first = doc[0] if len(doc) else None
    if first is not None and (first.pos_ == "PROPN" or first.ent_type_ or first.text == "I"):
        return text
    return text[:1].lower() + text[1:]


# -- ellipsis ------------------------------------------------------------------------------


def _span_kind(words: Sequence[Token]) -> str:
    content = [t for t in words if t.pos_ in {"NOUN", "PROPN", "NUM"} or t.ent_type_]
    root = content[-1] if content else (words[-1] if words else None)
    if root is None:
        return "thing"
    return _kind_of(words, root)


def _contrast(context: _Context, phrase: list[Token]) -> tuple[str, str, str] | None:
    """Put ``phrase`` in place of what it contrasts with in the previous question.

    Returns the rebuilt question, the replaced text and the new text.
    """
    doc = context.doc
    wh = range(*context.wh) if context.wh else range(0)
    new_text = _doc_text(phrase)
    if phrase[0].pos_ == "ADP" or (phrase[0].tag_ == "IN" and len(phrase) > 1):
        prep, obj = phrase[0].lower_, phrase[1:]
        if not obj:
            return None
        if _ordinal_only(obj):
            return _contrast(context, obj)
        obj_kind, obj_head = _span_kind(obj), _head_lemma(obj)
        options = []
        for token in doc:
            if token.pos_ != "ADP" or token.i in wh:
                continue
            objects = [c for c in token.children if c.dep_ in {"pobj", "pcomp"}]
            if not objects:
                continue
            subtree = list(objects[0].subtree)
            old_kind, old_head = _span_kind(subtree), _head_lemma(subtree)
            same_prep = token.lower_ == prep
            same_head = old_head == obj_head
            same_kind = old_kind == obj_kind
            specific = same_kind and obj_kind != "thing"
            score = 4 * same_prep + 2 * same_head + 2 * specific + same_kind
            # Under the same preposition only a time or an amount stands apart: "from Syria"
            # gives way to "from Libyan militias", "in Syria" not to "in 2015" (added).
            measures = {"time", "number"}
            clash = (old_kind in measures) != (obj_kind in measures)
            if (same_prep and (same_head or same_kind or not clash)) or specific:
                options.append((score, token.i, subtree, token))
        if options:
            options.sort(key=lambda o: (-o[0], -o[1]))
            _, _, subtree, prep_token = options[0]
            if prep_token.lower_ == prep:
                start, end = subtree[0].i, subtree[-1].i + 1
                replacement = _doc_text(obj)
            else:
                start, end = prep_token.i, subtree[-1].i + 1
                replacement = new_text
            old = doc[start:end].text
            return _apply(doc, [(start, end, replacement)]), old, replacement
        # Nothing to replace: the phrase narrows the previous question ("... in Libya?").
        body = doc.text.rstrip().rstrip("?").rstrip()
        return f"{body} {new_text}?", "", new_text
    # A noun phrase: an entity of the same kind, a phrase with the same head, an ordinal.
    ordinals = [t for t in phrase if t.ent_type_ == "ORDINAL" or t.lower_ in ORDINAL_WORDS]
    content = [t for t in phrase if t.pos_ in {"NOUN", "PROPN"}]
    if _ordinal_only(phrase):
        for token in doc:
            if (
                token.ent_type_ == "ORDINAL" or token.lower_ in ORDINAL_WORDS
            ) and token.i not in wh:
                return (
                    _apply(doc, [(token.i, token.i + 1, ordinals[0].text)]),
                    token.text,
                    ordinals[0].text,
                )
        return None
    if not content:
        return None
    kind, head = _span_kind(phrase), _head_lemma(phrase)
    best: tuple[int, int, int, int] | None = None
    for span in [*doc.ents, *doc.noun_chunks]:
        if span.root.i in wh or span.root.pos_ == "PRON":
            continue
        words = [t for t in span if t.tag_ != "POS"]
        same_head = _head_lemma(words) == head
        same_kind = kind != "thing" and _span_kind(words) == kind
        if not (same_head or same_kind):
            continue
        score = 2 * same_head + same_kind
        if best is None or score > best[0]:
            best = (score, words[0].i, words[-1].i + 1, 0)
    if best is None:
        return None
    _, start, end, _ = best
    if phrase[-1].tag_ == "POS" and end < len(doc) and doc[end].tag_ == "POS":
        new_text = _doc_text(phrase[:-1])  # "And Russia's?" for "Turkey's": one "'s"
    return _apply(doc, [(start, end, new_text)]), doc[start:end].text, new_text


def _ordinal_only(tokens: Sequence[Token]) -> bool:
    """ "the second" or "the second one": an ordinal standing for the previous question's
    noun."""
    words = [t for t in tokens if t.lower_ not in _DETERMINERS]
    if len(words) > 1 and words[-1].lower_ in {"one", "ones"}:
        words = words[:-1]  # "one" stands for the noun itself
    return bool(words) and all(t.ent_type_ == "ORDINAL" or t.lower_ in ORDINAL_WORDS for t in words)


def _doc_text(tokens: Sequence[Token]) -> str:
    """The exact text covered by consecutive tokens."""
    if not tokens:
        return ""
    return tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text


def _content_of_wh(token: Token) -> bool:
    """Whether a word of a wh-phrase names something (not "how", "many", "in", "which")."""
    return token.lower_ not in _WH and token.lower_ not in {"many", "much"} and token.pos_ != "ADP"


def _names_something(tokens: Sequence[Token]) -> bool:
    """Whether a phrase holds a name or a number, not just common nouns."""
    return any(t.pos_ in {"PROPN", "NUM"} or t.ent_type_ for t in tokens)


def _wh_signature(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The function words of a wh-phrase: ("how", "many"), ("in", "which")."""
    return tuple(t.lower_ for t in tokens if not _content_of_wh(t))


def _swap_wh(
    context: _Context, new_words: Sequence[Token], signature: tuple[str, ...]
) -> tuple[str, str, str] | None:
    """The previous question with the noun of its wh-phrase exchanged for ``new_words``,
    when the new phrase asks the same way (``signature``: "how many", "which").

    Returns the rebuilt question, the replaced text and the new text.
    """
    if context.wh is None:
        return None
    doc = context.doc
    previous = list(doc[context.wh[0] : context.wh[1]])
    if _wh_signature(previous) != signature:
        return None
    # Everything after the wh-words goes: "how many Syrian fighters" -> "how many tanks".
    old_words = [t for t in previous if _content_of_wh(t)]
    nouns = {"NOUN", "PROPN"}
    if not any(t.pos_ in nouns for t in old_words) or not any(t.pos_ in nouns for t in new_words):
        return None
    start, end = old_words[0].i, previous[-1].i + 1
    new_text = _doc_text(new_words)
    old_text = doc[start:end].text
    if new_text.lower() == old_text.lower():
        return None
    return _apply(doc, [(start, end, new_text)]), old_text, new_text


def _swap_participle(body: Sequence[Token], context: _Context) -> tuple[str, str, str] | None:
    """ "And wounded?" after "How many civilians were killed in Ganja?": the previous
    question with the other participle ("... were wounded in Ganja?")."""
    if len(body) != 1 or body[0].tag_ != "VBN":
        return None
    doc = context.doc
    verbs = [t for t in doc if t.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in t.children)]
    if len(verbs) != 1 or verbs[0].lower_ == body[0].lower_:
        return None
    verb = verbs[0]
    return _apply(doc, [(verb.i, verb.i + 1, body[0].text)]), verb.text, body[0].text


def _filled(context: _Context) -> str | None:
    """The previous question with its answer in the wh-phrase's place, in question order.

    "Which radio station did Mike Pompeo talk to?" + "WBS radio" ->
    "did Mike Pompeo talk to WBS radio" (to put a new wh-phrase in front of).
    """
    doc = context.doc
    words = [t for t in doc if not (t.is_punct and t.i == len(doc) - 1)]
    if context.wh is None:
        return _lower_first(_doc_text(words), doc) if words else None
    start, end = context.wh
    answer = (context.answer or "").strip().strip(".")
    rest = [t for t in words if t.i >= end]
    if not rest:
        return None
    wh_tokens = doc[start:end]
    wh_word = next((t for t in wh_tokens if t.lower_ in _WH), wh_tokens[0])
    adverb = len(wh_tokens) == 1 and wh_word.lower_ in {"when", "where", "why", "how"}
    filler = "" if adverb or not answer else answer
    if filler and wh_word.lower_ == "how":
        noun = [t for t in wh_tokens if t.i > wh_word.i + 1]
        if noun and _head_lemma(noun) not in filler.lower():
            filler = f"{filler} {_doc_text(noun)}"
    role = context.wh_role
    if role == "subject":
        first = rest[0]
        tail = _doc_text(rest[1:]) if len(rest) > 1 else ""
        if first.pos_ == "AUX":
            return f"{first.lower_} {filler} {tail}".strip()
        tense = {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(first.tag_)
        if tense is None:
            return None
        return f"{tense} {filler} {first.lemma_} {tail}".strip()
    text_rest = _doc_text(rest)
    if not filler:
        return text_rest
    gap = _stranded_preposition(doc, end)
    if gap is None:
        root = next((t for t in rest if t.pos_ == "VERB"), None)
        embedded = next(
            (
                t
                for t in rest
                if root is not None
                and t.i > root.i
                and t.pos_ == "VERB"
                and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in t.children)
            ),
            None,
        )
        if embedded is not None and wh_tokens.root.dep_ in {"nsubj", "nsubjpass"}:
            return _apply(doc, [(embedded.i, embedded.i + 1, f"{filler} {embedded.text}")])[
                doc[end].idx :
            ].rstrip(" ?")
        if root is not None:
            anchor = root
            particles = [c for c in root.children if c.dep_ == "prt"]
            if particles:
                anchor = particles[-1]
            return _apply(doc, [(anchor.i, anchor.i + 1, f"{anchor.text} {filler}")])[
                doc[end].idx :
            ].rstrip(" ?")
        return f"{text_rest} {filler}"
    return _apply(doc, [(gap.i, gap.i + 1, f"{gap.text} {filler}")])[doc[end].idx :].rstrip(" ?")


# Prepositions that set the scene of an event (where, when, in what) rather than fill a
# role of its verb: "in Ganja", "on Saturday" carry over to another verb, "to Syria" does not.
_SETTING_PREPOSITIONS = {
    "in",
    "on",
    "at",
    "during",
    "between",
    "since",
    "after",
    "before",
    "throughout",
    "within",
    "across",
    "near",
    "inside",
    "outside",
    "around",
}


def _postmodifiers(head: Token) -> list[Token]:
    """The prepositional phrases right after a noun: "fighters [from Syrian militias]"."""
    tokens: list[Token] = []
    end = head.i
    for child in head.rights:
        if child.dep_ != "prep" or child.i != end + 1:
            break
        subtree = list(child.subtree)
        tokens.extend(subtree)
        end = subtree[-1].i
    return tokens


def _setting(context: _Context, doc: Doc) -> str:
    """The previous question's scene-setting phrases ("in the 1990s war", "on Saturday")
    that the new question does not replace with its own."""
    previous = context.doc
    wh = range(*context.wh) if context.wh else range(0)
    own = {t.lower_ for t in doc if t.pos_ == "ADP"}
    phrases: list[str] = []
    covered: set[int] = set()
    for token in previous:
        if token.i in covered or token.i in wh or token.dep_ != "prep":
            continue
        if token.lower_ not in _SETTING_PREPOSITIONS or token.lower_ in own:
            continue
        if token.head.pos_ not in {"VERB", "AUX"}:
            continue
        subtree = list(token.subtree)
        if subtree[-1].i - subtree[0].i + 1 != len(subtree):
            continue  # a phrase split by the parse would come out garbled
        covered.update(t.i for t in subtree)
        phrases.append(_doc_text(subtree))
    return " ".join(phrases)


def _answer_words(text: str) -> list[str]:
    """An answer's words for comparison: lower case, no articles, "1,300" as "1300"."""
    text = re.sub(r"(?<=\d),(?=\d)", "", text.lower())
    return [w for w in re.findall(r"\w+", text) if w not in {"the", "a", "an"}]


# -- the component --------------------------------------------------------------------------


class QuestionRewriter:
    """Rewrite a follow-up question into one that stands on its own, without an LLM.

    Referents come from the previous answer first, then the previous question (itself
    resolved against the turns before it), then older turns. A pronoun is matched by
    type (he/she: a person; there: a place; then: a date; it: a singular non-person;
    they: a plural or a group); "that city" by its noun; a verbless fragment ("And in
    Libya?") is put in place of what it contrasts with in the previous question.

    Args:
        max_turns: how many of the latest turns are read.

    Example:
        >>> from qa.service import Turn
        >>> rewriter = QuestionRewriter()
        >>> history = [Turn("Who is the Turkish Defense Minister?", "Hulusi Akar")]
        >>> rewriter.run("When did he travel to Azerbaijan?", history).resolved
        'When did Hulusi Akar travel to Azerbaijan?'
        >>> rewriter.run("Who is Rob Lee?", history).resolved is None
        True
    """

    def __init__(self, max_turns: int = 3) -> None:
        self.max_turns = max_turns

    def warm_up(self) -> None:
        load_spacy()

    def run(self, question: str, history: Sequence[TurnLike]) -> Rewrite:
        """Resolve ``question`` against ``history`` (oldest first)."""
        if not history or not question.strip():
            return Rewrite(None)
        contexts: list[_Context] = []
        for turn in list(history)[-self.max_turns :]:
            earlier = self._resolve(turn.question, contexts) if contexts else None
            text = earlier.resolved if earlier and earlier.resolved else turn.question
            contexts.append(_context(text, turn.answer))
        rewrite = self._resolve(question, contexts)
        return Rewrite(rewrite.resolved, rewrite.kind, rewrite.replacements, contexts[-1].question)

    def repeats_history(self, answer: str, history: Sequence[TurnLike]) -> bool:
        """Whether ``answer`` only repeats (most of) an answer the conversation gave already.

        A follow-up asks for something new ("How many civilians died?" / "13" -> "And how
        many were children?"), so the service passes over a span that says nothing more
        than an earlier answer did.

        Example:
            >>> from qa.service import Turn
            >>> QuestionRewriter().repeats_history("1300", [Turn("How many died?", "over 1,300")])
            True
        """
        words = _answer_words(answer)
        if not words:
            return False
        size = len(words)
        for turn in list(history)[-self.max_turns :]:
            given = _answer_words(turn.answer or "")
            # At least half of the earlier answer: a word or two out of a long reply (one
            # a chat client wrote, say) is not that reply again.
            if 2 * size < len(given):
                continue
            if any(given[k : k + size] == words for k in range(len(given) - size + 1)):
                return True
        return False

    def _resolve(self, question: str, contexts: list[_Context]) -> Rewrite:
        doc = _parse(question.strip())
        if not len(doc):
            return Rewrite(None)
        skip = _strip_markers(doc)
        body = [t for t in doc[skip:] if not t.is_punct or t.i < len(doc) - 1]
        body = [t for t in body if not (t.is_punct and t.i == len(doc) - 1)]
        if not body:
            return Rewrite(None)
        has_verb = any(t.pos_ in {"VERB", "AUX"} for t in body)
        if not has_verb:
            return self._ellipsis(body, contexts)
        wh = _wh_span(doc)
        references = _references(doc, (wh[0], wh[1]) if wh else None)
        edits: list[tuple[int, int, str]] = []
        replaced: list[tuple[str, str]] = []
        kind = ""
        # "When did it start there?": "there" and "then" are the pickiest, so they choose
        # first, and pronouns of different kinds never share a referent.
        chosen: list[tuple[str, Mention]] = []
        order = sorted(references, key=lambda r: r.kind not in {"there", "then"})
        for reference in order:
            taken = [m for kind, m in chosen if kind != reference.kind]
            mention = _choose(reference, contexts, taken)
            if mention is None:
                continue
            chosen.append((reference.kind, mention))
            start, end = reference.tokens
            new = _replacement(doc, reference, mention)
            if new.lower() == f"the {doc[start + 1 : end].text}".lower():
                continue  # "those drills" -> "the drills" says nothing new
            edits.append((start, end, new))
            replaced.append((doc[start:end].text, new))
            kind = kind or ("demonstrative" if reference.kind == "demonstrative" else "pronoun")
        for how_many in self._bare_how_many(doc, skip, contexts[-1]):
            edits.append(how_many)
            replaced.append((doc[how_many[0] : how_many[1]].text, how_many[2]))
            kind = kind or "ellipsis"
        if not edits and skip:
            swapped = _swap_participle(body, contexts[-1])
            if swapped is not None:
                resolved, old, new = swapped
                return Rewrite(_tidy(resolved), "ellipsis", ((old, new),))
        if not edits:
            return Rewrite(None)
        if skip:
            edits.append((0, skip, ""))
        resolved = _tidy(_apply(doc, edits))
        return Rewrite(resolved, kind, tuple(replaced))

    @staticmethod
    def _bare_how_many(doc: Doc, skip: int, context: _Context) -> list[tuple[int, int, str]]:
        """ "And how many were displaced?" counts what the previous "how many" counted, in
        the same setting: "How many civilians died in Ganja?" -> "How many civilians were
        displaced in Ganja?"."""
        i = skip
        if not (
            i + 2 < len(doc) and doc[i].lower_ == "how" and doc[i + 1].lower_ in {"many", "much"}
        ):
            return []
        if doc[i + 2].pos_ not in {"VERB", "AUX"}:
            return []
        if context.wh is None:
            return []
        wh = context.doc[context.wh[0] : context.wh[1]]
        # "How much did they cost?" after "How many drones ...?" asks about something else.
        if not any(t.lower_ == "how" for t in wh) or doc[i + 1].lower_ not in {
            t.lower_ for t in wh
        }:
            return []
        words = [t for t in wh if t.lower_ not in _WH and t.lower_ not in {"many", "much"}]
        words = [t for t in words if t.pos_ != "ADP"]
        if not words:
            return []
        counted = _doc_text(words + _postmodifiers(words[-1]))
        edits = [(i + 1, i + 2, f"{doc[i + 1].text} {counted}")]
        setting = _setting(context, doc)
        last = max((t.i for t in doc if not t.is_punct), default=-1)
        if setting and last > i + 1:
            edits.append((last, last + 1, f"{doc[last].text} {setting}"))
        return edits

    def _ellipsis(self, body: list[Token], contexts: list[_Context]) -> Rewrite:
        context = contexts[-1]
        doc = body[0].doc
        wh = _wh_span(doc)
        phrase = body
        if wh is not None:
            wh_tokens = [t for t in doc[wh[0] : wh[1]] if t.i >= body[0].i]
            rest = [t for t in body if t.i >= wh[1]]
            previous = context.doc[context.wh[0] : context.wh[1]] if context.wh else []
            previous_lemmas = {t.lemma_.lower() for t in previous}
            if rest and {t.lemma_.lower() for t in wh_tokens} <= previous_lemmas:
                # "And how many in the second week?": same question, another phrase.
                phrase = rest
            elif not rest and (
                swapped := _swap_wh(
                    context, [t for t in wh_tokens if _content_of_wh(t)], _wh_signature(wh_tokens)
                )
            ):
                # "And how many tanks?" after "How many soldiers did X send?": the same
                # question about another thing.
                resolved, old, new = swapped
                return Rewrite(_tidy(resolved), "ellipsis", ((old, new),))
            else:
                filled = _filled(context)
                if filled is None:
                    return Rewrite(None)
                new_wh = _doc_text(body)
                resolved = _tidy(f"{new_wh} {filled}")
                return Rewrite(resolved, "ellipsis", ((_doc_text(body), resolved),))
        contrast = _contrast(context, phrase)
        if contrast is None and phrase[0].pos_ != "ADP" and not _names_something(phrase):
            # "What about tanks?" after "How many soldiers did X send?": nothing else in
            # the question is like tanks, so they take the counted thing's place.
            contrast = _swap_wh(context, phrase, ("how", "many")) or _swap_wh(
                context, phrase, ("how", "much")
            )
        if contrast is None:
            return Rewrite(None)
        resolved, old, new = contrast
        return Rewrite(_tidy(resolved), "ellipsis", ((old, new),))
