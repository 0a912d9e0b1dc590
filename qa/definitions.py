"""Who or what a named person, place or body is, read from the sentence that says so.

"Who was Albert Einstein?" asks for a description, not a name, but the reader's answer type
for "who" is a person, so it answered with other names: "Who was Abraham Lincoln?" got
"Captain", "Who was Einstein?" nothing, while the biography's first sentence reads
"Albert Einstein (...) was a German-born theoretical physicist". A question "Who/What
is/was X?" whose X is a name in the documents is answered here from a sentence where the
name is followed by a form of "be" ("X (dates) was *a German-born theoretical
physicist*") or by an appositive ("Rob Lee, *a US military analyst*,"): the noun phrase,
without its relative clauses or any list after its first item. Failing that, a person is
described by the title in front of the name ("*Turkish Defense Minister* Hulusi Akar",
which the reader ranked below another name). Asked the other way round, "Who is the US
military analyst?", a title that the documents put in front of one person's name only is
answered with the name; and "What is the name of the disputed enclave?", a common noun
the documents give one proper name to, with "Nagorno-Karabakh" of "the disputed
Nagorno-Karabakh enclave". Without any of these the question goes to the reader as before,
and :meth:`DefinitionAnswerer.rivals` names the people the reader must not answer it with:
those given the office under another qualifier ("*Turkish* Defense Minister Hulusi Akar"
for "Who is the Armenian Defense Minister?").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

from qa.answers import ExtractedAnswer, quoted_answer
from qa.chunking import Sentence
from qa.documents import Document
from qa.gazetteer import countries, country_of
from qa.nlp import MEASURE_LABELS, load_spacy, shares_stem
from qa.question_forms import compile_forms, match_form
from qa.spelling import american

_QUESTION = compile_forms(
    {
        # "What's the name of the US Secretary of State?" asks who holds the title.
        "name_of": [r"what\s+is\s+the\s+name\s+of\s+(?:the\s+)?(?P<name>[^?,;]+?)\s*\??$"],
        "definition": [
            r"(?P<wh>who|what)\s+(?:is|was|are|were)\s+(?:the\s+)?(?P<name>[^?,;]+?)\s*\??$"
        ],
    }
)
# "What is Pompeo's first name?", "What is the surname of the US Secretary of State?"
_NAME_PART = compile_forms(
    {
        "part_of": [
            r"what\s+(?:is|was)\s+(?:the\s+)?(?P<part>first|given|last|family|sur)\s*name\s+of"
            r"\s+(?:the\s+)?(?P<name>[^?,;]+?)\s*\??$"
        ],
        "possessive": [
            r"what\s+(?:is|was)\s+(?:the\s+)?(?P<name>[^?,;]+?)'s\s+"
            r"(?P<part>first|given|last|family|sur)\s*name\s*\??$"
        ],
    }
)
# "Who leads Azerbaijan?" asks who holds the place's highest office.
_LEADS = compile_forms(
    {
        "leads": [
            r"who\s+(?:leads|led|rules|ruled|runs|ran|heads|headed|governs|governed)"
            r"\s+(?:the\s+)?(?P<name>[^?,;]+?)\s*\??$"
        ]
    }
)
# The offices that lead a place, as titles say them.
_LEADING_OFFICES = ("president", "prime minister", "leader", "king", "queen", "emperor")
_NAMES = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
# "Who" asks about people and bodies of them: "Who was Lincoln?" is not the city.
_WHO_NAMES = frozenset({"PERSON", "NORP", "ORG"})
# The noun phrase stops before these: "a physicist *who developed ...*", "a writer*, novelist*".
_STOP_DEPS = frozenset(
    {"relcl", "acl", "advcl", "appos", "parataxis", "cc", "conj", "punct", "dep"}
)
_MAX_WORDS = 12
# Words that make a capitalised phrase before a name a title ("Defense *Minister*"), not
# more of the name ("Hulusi" of "Hulusi Akar"); a lower-case noun does too ("analyst").
OFFICES = frozenset(
    {
        "king", "queen", "prince", "princess", "emperor", "empress", "pope", "saint",
        "bishop", "president", "premier", "chancellor", "minister", "secretary", "chief",
        "chairman", "chairwoman", "spokesman", "spokeswoman", "ambassador", "director",
        "governor", "senator", "mayor", "judge", "leader", "general", "colonel", "captain",
        "commander", "admiral", "professor", "sheikh",
    }
)  # fmt: skip
# Ranks and forms of address that may follow an office ("chief of staff General X").
_RANKS = frozenset(
    {
        "general", "colonel", "captain", "commander", "admiral", "major", "lieutenant",
        "sergeant", "marshal", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sir",
        "professor", "prof", "prof.", "sheikh",
    }
)  # fmt: skip


def definition_question(question: str) -> str | None:
    """The name that ``question`` asks to have described ("Who was Einstein?"), else None.

    The name is returned as asked (lower case); whether it is a name at all is for the
    documents to say.

    Example:
        >>> definition_question("Who was Albert Einstein?")
        'albert einstein'
        >>> definition_question("What is the Minsk Group?")
        'minsk group'
        >>> definition_question("How many drones were bought?") is None
        True
    """
    found = _match(question)
    return found.name if found is not None else None


class _Asked(NamedTuple):
    """What a "Who/What is X?" question asks about."""

    wh: str
    """"who" or "what" ("What is the name of X?" asks who, or what thing, X is)."""
    name: str
    """The name or title asked about, lower case."""
    name_of: bool
    """Asked as "What is the name of X?"."""


def _match(question: str, max_words: int = 5) -> _Asked | None:
    """The question's wh-word ("who" or "what") and the name (or title) it asks about."""
    matched = match_form(_QUESTION, question)
    if matched is None:
        return None
    form, found = matched
    name = found["name"]
    if len(name.split()) > max_words:
        return None
    name_of = form == "name_of"
    return _Asked("who" if name_of else found["wh"], name, name_of)


@dataclass(frozen=True)
class DefinitionAnswer:
    """The description of ``name`` quoted from a document."""

    name: str
    answer: ExtractedAnswer


class DefinitionAnswerer:
    """Answer "Who/What is X?" for a name X from "X is/was NP", "X, NP," or "TITLE X".

    The mention must be the name asked about, tagged a proper noun and an entity by the
    parse: the same words, or a person's longer name that holds them ("Albert Einstein"
    for "Einstein"). Sentences of documents whose title holds the name are read first,
    then the others in order; the first that says what the name is answers, and only if
    none does, the first title in front of it.

    Example:
        >>> answerer = DefinitionAnswerer()  # doctest: +SKIP
        >>> answerer.run("Who was Einstein?", index.documents, index.sentences_mentioning,
        ...              index.sentence_parse).answer.text  # doctest: +SKIP
        'a German-born theoretical physicist'
    """

    confidence = 0.8

    def _answer(
        self, name: str, document: Document, span: tuple[int, int], cited: tuple[int, int]
    ) -> DefinitionAnswer:
        """``document.text[span]`` as what the documents say of ``name``, cited by
        ``document.text[cited]``."""
        answer = quoted_answer(
            document.id, document.text, span, cited, self.confidence, "definition"
        )
        return DefinitionAnswer(name, answer)

    def run(
        self,
        question: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> DefinitionAnswer | None:
        """The description if ``question`` asks who or what a name is and a document
        says it; None leaves the question to the reader.

        ``mentioning(word)`` gives the sentences, in document order, that may hold the
        word (``LoadedIndex.sentences_mentioning``); ``sentence_parse(sentence)`` is a
        sentence's spaCy ``Span`` (None without one).
        """
        part = match_form(_NAME_PART, question)
        if part is not None:
            return self._name_part(
                part[1]["name"], part[1]["part"], documents, mentioning, sentence_parse
            )
        leads = match_form(_LEADS, question)
        if leads is not None:
            return self._leader(leads[1]["name"], documents, mentioning, sentence_parse)
        asked = _match(question)
        if asked is None:
            return None
        wh, name = asked.wh, asked.name
        words = name.split()
        kinds = _WHO_NAMES if wh == "who" else _NAMES
        mentions = list(self._mentions(words, kinds, documents, mentioning, sentence_parse))
        # What a sentence says the name is comes before a title in front of it: "Abraham
        # Lincoln was *the 16th President*" rather than "*President* Lincoln".
        for rule in (_description, _title):
            for document, sentence, span, name_tokens, shift in mentions:
                found = rule(span, name_tokens, shift)
                if found is not None:
                    return self._answer(name, document, found, (sentence.start, sentence.end))
        if wh == "who":
            held = self._holder(name, _asked(name), documents, mentioning, sentence_parse)
            if held is not None or not asked.name_of:
                return held
            # Not a title: "What is the name of the disputed enclave?"
            return self._named_thing(name, documents, mentioning, sentence_parse)
        return None

    def _leader(
        self,
        place: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> DefinitionAnswer | None:
        """The one person the documents title with an office that leads ``place`` ("Who
        leads Azerbaijan?" from "Azeri President Ilham] Aliyev"); None when they title
        nobody so, or two people (a president and a prime minister)."""
        held = [
            self._holder(
                place, [*_asked(place), *office.split()], documents, mentioning, sentence_parse
            )
            for office in _LEADING_OFFICES
        ]
        people = {h.answer.text: h for h in held if h is not None}
        return next(iter(people.values())) if len(people) == 1 else None

    def _named_thing(
        self,
        asked: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> DefinitionAnswer | None:
        """The proper name in front of a common noun, for "What is the name of the disputed
        enclave?" from "the disputed *Nagorno-Karabakh* enclave" (or "the Turkish drone"
        from "Turkish *Bayraktar TB2* drones"). Every word of the asked description must be
        the noun phrase's and any words after it ("in Baku", "who interviewed Pompeo") the
        sentence's; only when the documents give one name so."""
        head, modifiers, rest = _described(asked)
        if head is None or head in OFFICES:
            return None  # a person's title is `_holder`'s
        found: dict[str, tuple[Document, Sentence, tuple[int, int]]] = {}
        for sentence in mentioning(head):
            span = sentence_parse(sentence)
            if span is None:
                continue
            said = {_place_word(t.lower_) for t in span} | {t.lemma_.lower() for t in span}
            if not all(word in said for word in rest):
                continue
            shift = sentence.start - span.start_char
            document = documents[sentence.document_id]
            for token in span:
                if token.pos_ != "NOUN" or token.lemma_.lower() != head or token.dep_ == "compound":
                    continue
                name = _name_before(token, modifiers)
                if name is not None:
                    a, b = name[0] + shift, name[1] + shift
                    found.setdefault(document.text[a:b], (document, sentence, (a, b)))
        # One name, or a shorter one inside it ("Bayraktar" drones, "Bayraktar TB2" drones).
        longest = max(found, key=len, default=None)
        if longest is None or not all(name in longest for name in found):
            return None
        document, sentence, span_found = found[longest]
        return self._answer(asked, document, span_found, (sentence.start, sentence.end))

    def _name_part(
        self,
        name: str,
        part: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> DefinitionAnswer | None:
        """The first or last word of the person's full name, for "What is X's first name?"
        and "What is the surname of X?", X a name ("Pompeo") or a title ("the US Secretary
        of State"). None when no document names the person, or gives one word of a name
        for its first ("Aliyev" tells no first name)."""
        words = _asked(name)
        mentions = self._mentions(words, _WHO_NAMES, documents, mentioning, sentence_parse)
        found = next(iter(mentions), None)
        if found is not None:
            document, sentence, span, tokens, shift = found
            # Without a title the parse holds in the name: "State" of "US Secretary of State
            # Mike Pompeo".
            title = _title(span, [tokens[-1]], shift)
            if title is not None:
                tokens = [t for t in tokens if t.idx + shift >= title[1]] or tokens
            start, end = tokens[0].idx + shift, tokens[-1].idx + len(tokens[-1]) + shift
        else:
            held = self._holder(name, words, documents, mentioning, sentence_parse)
            if held is None:
                return None
            document = documents[held.answer.document_id]
            start, end = held.answer.start, held.answer.end
            sentence = held.answer.passage
        spans = [m.span() for m in re.finditer(r"\S+", document.text[start:end])]
        if part in {"first", "given"} and len(spans) < 2:
            return None
        a, b = spans[0] if part in {"first", "given"} else spans[-1]
        return self._answer(name, document, (start + a, start + b), (sentence.start, sentence.end))

    def _holder(
        self,
        name: str,
        words: list[str],
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> DefinitionAnswer | None:
        """The person a title names, when the asked words are a title, not a name: "Who is
        the US military analyst?" from "*US military analyst* Rob Lee told ...". Only when
        every such title in the documents names the same person ("Who is the minister?"
        with two ministers is the reader's)."""
        mentions = list(_titled_mentions(words[-1], documents, mentioning, sentence_parse))
        held = [
            (document, sentence, found)
            for document, sentence, said, found in mentions
            if _ends_title(said, words)
        ]
        if not held and len(words) > 1:
            held = list(_sharing_qualifier(words[0], words[1:], mentions))
        people = {document.text[a:b] for document, _, (a, b) in held}
        if len(people) != 1:
            return None
        document, sentence, found = held[0]
        return self._answer(name, document, found, (sentence.start, sentence.end))

    def rivals(
        self,
        question: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> set[str]:
        """The people the documents give the asked office under another qualifier: for
        "Who is the Armenian Defense Minister?", "Hulusi Akar" of "*Turkish* Defense
        Minister Hulusi Akar". Such a name does not answer the question, however well its
        sentence matches it; empty for any other question.

        Example:
            >>> DefinitionAnswerer().rivals("Who is the Armenian Defense Minister?",
            ...     index.documents, index.sentences_mentioning,
            ...     index.sentence_parse)  # doctest: +SKIP
            {'Hulusi Akar'}
        """
        found = _match(question)
        if found is None or found.wh != "who":
            return set()
        qualifier, *office = _asked(found.name)
        if not office:
            return set()
        return {
            document.text[a:b]
            for document, _, said, (a, b) in _titled_mentions(
                office[-1], documents, mentioning, sentence_parse
            )
            if said[-len(office) :] == office
            and said[: -len(office)]
            and qualifier not in said[: -len(office)]
        }

    def titled_otherwise(
        self,
        question: str,
        answer: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> bool:
        """Whether the person in ``answer`` has titles in the documents, none of them the
        office "Who is the <office>?" asks about: "Russian Foreign Minister Sergey Lavrov"
        is no answer to "Who is the Armenian prime minister?". False for any other
        question, and for a name the documents give no title.

        Example:
            >>> DefinitionAnswerer().titled_otherwise("Who is the Armenian prime minister?",
            ...     "Sergey Lavrov", index.documents, index.sentences_mentioning,
            ...     index.sentence_parse)  # doctest: +SKIP
            True
        """
        # A title runs longer than a name: "the spokeswoman for the Azeri Defense Ministry".
        found = _match(question, max_words=8)
        words = answer.split()
        if found is None or found.wh != "who" or not words:
            return False
        asked = _title_words(found.name)
        if not asked:
            return False
        titles = [
            said
            for document, _, said, (a, b) in _titled_mentions(
                words[-1].strip(".,'"), documents, mentioning, sentence_parse
            )
            if document.text[a:b] in answer
        ]
        # A bare "President" vouches for no place when another mention names another.
        held = {_holds_office(said, asked) for said in titles}
        return bool(held) and "same" not in held and ("bare" not in held or "another" in held)

    @staticmethod
    def _mentions(
        words: list[str],
        kinds: frozenset[str],
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
        sentence_parse: Callable[[Sentence], Any],
    ) -> Iterable[tuple[Document, Sentence, Any, list[Any], int]]:
        """Each sentence's first mention of the name: the sentence's parse, the name's
        tokens, and the shift from parse offsets to document offsets. Sentences of
        documents whose title holds the name come first."""
        # Mentions are found by the last word; the name around it is checked in the parse.
        pattern = re.compile(rf"(?<!\w){re.escape(words[-1])}(?!\w)", re.IGNORECASE)
        sentences = list(mentioning(words[-1]))
        titled = {d for d in {s.document_id for s in sentences} if _titled(documents[d], words)}
        for sentence in sorted(sentences, key=lambda s: s.document_id not in titled):
            text = documents[sentence.document_id].text
            span = None
            for mention in pattern.finditer(text, sentence.start, sentence.end):
                span = span if span is not None else sentence_parse(sentence)
                if span is None:
                    break
                # Parse offsets are the parse's own; the sentence says where it begins.
                shift = sentence.start - span.start_char
                tokens = _name(
                    span,
                    mention.start() - shift,
                    mention.end() - shift,
                    words,
                    kinds,
                    sentence.document_id in titled,
                )
                if tokens is not None:
                    yield documents[sentence.document_id], sentence, span, tokens, shift
                    break


def _titled(document: Document, words: list[str]) -> bool:
    title = {w.strip(".,").lower() for w in document.title.split()}
    return all(w in title for w in words)


def _name(
    span: Any, start: int, end: int, words: list[str], kinds: frozenset[str], titled: bool
) -> list[Any] | None:
    """The tokens of the name whose last word is at parse offsets ``[start, end)``, if the
    parse tags it a proper noun and an entity of ``kinds`` and it is the name asked about:
    the same
    words ("the Minsk Group"), or a person's name holding them ("Albert Einstein" for
    "Einstein"; in a document titled by the person, the last word alone), but not a
    longer name of something else ("the Trojan War" for "war")."""
    # The asked word may be several tokens ("al-Assad"): the one ending where it ends.
    last = next((t for t in span if t.idx + len(t) == end), None)
    if last is None or not any(t.idx == start for t in span if t.i <= last.i):
        return None  # the match cuts a token: "Lee" in "Leeds"
    if last.pos_ != "PROPN" or last.ent_type_ not in kinds or not last.text[0].isupper():
        return None
    # The name's words before it: proper nouns, or capitalised ("Aldous" is tagged an
    # adjective in "Aldous Leonard Huxley").
    name = [last]
    while name[0].i > span.start:
        before = name[0].nbor(-1)
        if _name_word(before):
            name.insert(0, before)
        elif before.text == "]" and before.i > span.start and _name_word(before.nbor(-1)):
            # An editor's bracket inside a quoted name: "[Azeri President Ilham] Aliyev".
            name.insert(0, before)
        else:
            break
    # Words as the question writes them: split at spaces, not at tokens ("al-Assad").
    held = span.doc.text[name[0].idx : last.idx + len(last)].lower().replace("]", "").split()
    if held[0] == "the":
        held = held[1:]
    if set(held) == set(words):
        return name
    # A part of a hyphenated name counts on its own: "Assad" of "al-Assad".
    parts = set(held) | {part for word in held for part in word.split("-")}
    if last.ent_type_ == "PERSON" and (set(words) <= parts or titled):
        return name
    return None


def _name_word(token: Any) -> bool:
    return token.pos_ == "PROPN" or token.is_title


def _description(span: Any, name: list[Any], shift: int) -> tuple[int, int] | None:
    """Document offsets of what the sentence says the name is ("X is/was NP", "X, NP,")."""
    last = name[-1]
    doc = span.doc
    after = last.i + 1
    if after < span.end and doc[after].pos_ == "PROPN":
        return None  # not the whole name: "Defense Minister" of "Defense Minister Hulusi Akar"
    if after < span.end and doc[after].text.startswith("("):
        closing = next((t.i for t in doc[after : span.end] if t.text.endswith(")")), None)
        after = closing + 1 if closing is not None else span.end
    if after >= span.end:
        return None
    head: Any = None
    # The sentence's own verb, not a clause's: "died when Aristotle was a child".
    if (
        doc[after].lemma_ == "be"
        and doc[after].pos_ in {"AUX", "VERB"}
        and doc[after].dep_ == "ROOT"
    ):
        if name[0].i > span.start and name[0].nbor(-1).pos_ == "ADP":
            return None  # the subject is something of the name: "the rate of Angola is"
        head = next((c for c in doc[after].children if c.dep_ == "attr"), None)
    elif doc[after].text == ",":
        # An appositive describes when it is a common noun ("Rob Lee, a US military
        # analyst,"); a proper noun there is most often a list the parser misread.
        head = next((c for c in last.children if c.dep_ == "appos" and c.i > after), None)
        if head is not None and head.pos_ != "NOUN":
            return None
    if head is None or head.pos_ not in {"NOUN", "PROPN"}:
        return None
    first = head.left_edge
    if first.i <= last.i:
        return None
    final = head
    for child in head.rights:
        if child.dep_ in _STOP_DEPS or child.left_edge.i != final.i + 1:
            break
        final = child.right_edge
    # Words, not tokens: "think-tank" is one word in three tokens.
    if sum(not t.is_punct for t in doc[first.i : final.i + 1]) > _MAX_WORDS:
        return None
    return first.idx + shift, final.idx + len(final) + shift


def _title(span: Any, name: list[Any], shift: int) -> tuple[int, int] | None:
    """Document offsets of the title in front of a person's name: "*Turkish Defense
    Minister* Hulusi Akar", "*US Secretary of State* Mike Pompeo"."""
    last = name[-1]
    if last.ent_type_ != "PERSON":
        return None
    begin = last
    while begin.ent_iob_ == "I" and begin.i > span.start:
        begin = begin.nbor(-1)
    # Title words from the nearest leftwards, up to a determiner, a verb, a conjunction or
    # punctuation, and never a date ("Saturday" in "On Saturday Hulusi Akar said"). Not
    # only the name's own phrase: the small parser often hangs a title on a neighbour ("and
    # army chief of staff General Ümit Dündar": "chief" a conjunct of the other name).
    words: list[Any] = []
    at = begin.i - 1
    while at >= span.start:
        token = span.doc[at]
        if token.ent_type_ in MEASURE_LABELS or not (
            token.pos_ in {"PROPN", "NOUN", "ADJ"} or token.lower_ == "of"
        ):
            break
        words.insert(0, token)
        at -= 1
    while words and words[0].lower_ == "of":
        words.pop(0)
    office = any(t.lower_ in OFFICES or (t.pos_ == "NOUN" and t.is_lower) for t in words)
    if not office or len(words) > _MAX_WORDS:
        return None
    return words[0].idx + shift, words[-1].idx + len(words[-1]) + shift


def _described(asked: str) -> tuple[str | None, list[str], list[str]]:
    """An asked description's head noun (lemma), the words in front of it and the content
    words after it (lower case, places in one form): "disputed enclave in the caucasus" ->
    enclave, [disputed], [caucasus]."""
    # Parsed in its question: alone, "disputed enclave" reads as a verb and its object.
    doc = load_spacy()(f"what is the name of the {asked}?", disable=["ner"])
    head = next((t for t in doc if t.dep_ == "pobj" and t.head.lower_ == "of"), None)
    if head is None or head.pos_ not in {"NOUN", "PROPN"}:
        return None, [], []

    def content(tokens: Iterable[Any]) -> list[str]:
        return [
            _place_word(t.lemma_.lower())
            for t in tokens
            if t.pos_ in {"NOUN", "PROPN", "ADJ", "VERB", "NUM"} and not t.is_stop
        ]

    return (
        head.lemma_.lower(),
        content(doc[head.left_edge.i : head.i]),
        # All of the rest: the parser may hang "near the border" on "name".
        content(doc[head.i + 1 :]),
    )


def _name_before(head: Any, modifiers: list[str]) -> tuple[int, int] | None:
    """Parse offsets of the proper name that ``head`` (a common noun) names, when the words
    in front of it hold every asked modifier: the proper nouns right before it
    ("Nagorno-Karabakh" of "the disputed Nagorno-Karabakh enclave") or one in apposition
    ("Ganja" of "Ganja, Azerbaijan's second-largest city"); None without one."""
    doc = head.doc
    before = [t for t in doc[head.left_edge.i : head.i] if t.pos_ != "DET"]
    said = {_place_word(t.lower_) for t in before} | {t.lemma_.lower() for t in before}
    if not all(word in said for word in modifiers):
        return None
    named = head.head if head.dep_ == "appos" else None
    if named is None:
        named = next((c for c in head.children if c.dep_ == "appos"), None)
    if named is not None and named.pos_ == "PROPN" and not _qualifies(named, modifiers):
        return _proper_run(named, named.i, modifiers)
    return _proper_run(head, head.i - 1, modifiers)


def _proper_run(token: Any, end: int, modifiers: list[str]) -> tuple[int, int] | None:
    """Parse offsets of the proper nouns (hyphens inside) of ``token``'s phrase that end at
    token ``end``, without a word that qualifies ("Turkish" of "Turkish Bayraktar TB2")."""
    doc = token.doc
    name: list[Any] = []
    for at in range(end, token.left_edge.i - 1, -1):
        word = doc[at]
        proper = word.pos_ == "PROPN" and not _qualifies(word, modifiers)
        if not (proper or (word.text == "-" and name)):
            break
        name.insert(0, word)
    while name and name[0].text == "-":
        name.pop(0)
    if not name:
        return None
    return name[0].idx, name[-1].idx + len(name[-1])


def _qualifies(token: Any, modifiers: list[str]) -> bool:
    """Whether a word qualifies rather than names: an asked modifier, or a place word
    that is not a proper name of its own ("Turkish", "Russian")."""
    word = _place_word(token.lower_)
    return word in modifiers or token.ent_type_ == "NORP" or word != token.lower_


def _place_word(word: str) -> str:
    """A title's word (lower case) with a country or nationality in one form, the country's,
    so that "Turkey's defense minister" is the "Turkish Defense Minister", and in one
    spelling ("defence minister" is too)."""
    return country_of(word) or american(word)


def _asked(name: str) -> list[str]:
    """The words of an asked title or name (lower case), possessives dropped and places in
    one form (``_place_word``): "turkey's defense minister" -> turkey, defense, minister."""
    return [_place_word(re.sub(r"['’]s$", "", word)) for word in name.split()]


def _title_words(asked: str) -> list[str]:
    """The words of an asked title (lower case), up to what restricts it: "spokeswoman"
    of "spokeswoman who blamed Azeri forces", "analyst" of "analyst quoted by Al
    Jazeera"; an "of" phrase is the title's ("president of iran")."""
    words: list[str] = []
    for token in load_spacy()(asked, disable=["ner"]):
        if token.tag_ == "POS":
            continue  # "Turkey's defense minister" is the Turkish one
        if token.pos_ in {"NOUN", "PROPN", "ADJ"}:
            words.append(_place_word(token.lower_))
        elif token.lower_ in {"of", "for"} and words and "of" not in words:
            words.append("of")  # "spokeswoman for the ministry" is its spokeswoman
        elif token.pos_ != "DET" or (words and words[-1] != "of"):
            break
    while words and words[-1] == "of":
        words.pop()
    return words


def _holds_office(said: list[str], asked: list[str]) -> str:
    """How a title (lower-case words) stands to the office asked about: "same" (whatever
    qualifies it in front, which ``rivals`` judges: "russian foreign minister" for
    "armenian foreign minister"; "syrian president" for "president of syria"), "bare" (the
    office of "president of iran" with no qualifier), "another" (the office under another
    place: "syrian president" for "president of iran") or "other" (another office)."""
    office = asked[1:] if len(asked) > 1 else asked
    if _ends_title(said, asked) or ("of" not in asked and _ends_title(said, office)):
        return "same"
    if "of" not in asked[1:]:
        return "other"
    k = asked.index("of", 1)
    head, place = asked[:k], asked[k + 1 :]
    if not _ends_title(said, head):
        return "other"
    qualifiers = _without_ranks(said, head)[: -len(head)]
    # What both name ("defense ministry") tells the places apart no more than it
    # joins them: "Armenian Defense Ministry spokeswoman" for "spokeswoman for the Azeri
    # Defense Ministry" turns on "Armenian" against "Azeri".
    shared = set(qualifiers) & set(place)
    qualifiers = [q for q in qualifiers if q not in shared]
    place = [p for p in place if p not in shared]
    if shared and not place:
        return "same"
    if any(shares_stem(q, p, 4) for q in qualifiers for p in place):
        return "same"
    # Only a qualifier that names another country contradicts: "Syrian" for Iran, but
    # "French" (not stem-like "France") vouches for no place either way.
    others = countries() - {" ".join(place)}
    named = any(shares_stem(q, c, 4) for q in qualifiers for c in others)
    return "another" if named else "bare"


def _ends_title(said: list[str], words: list[str]) -> bool:
    """Whether a title's words (lower case) end with ``words``, and not only in its "of"
    phrase ("state" of "Secretary of State"): "military analyst" ends "US military
    analyst". A rank may stand between the office and the name: "army chief of staff" ends
    "army chief of staff General"."""
    said = _without_ranks(said, words)
    return said[-len(words) :] == words and said[: -len(words)][-1:] != ["of"]


def _without_ranks(said: list[str], words: list[str]) -> list[str]:
    """A title's words without the ranks after its office, until they end with ``words``
    ("army chief of staff general" -> "army chief of staff")."""
    while said and said[-len(words) :] != words and said[-1] in _RANKS:
        said = said[:-1]
    return said


def _sharing_qualifier(
    qualifier: str,
    office: list[str],
    mentions: list[tuple[Document, Sentence, list[str], tuple[int, int]]],
) -> Iterable[tuple[Document, Sentence, tuple[int, int]]]:
    """The people whose bare title (``office``) takes its qualifier from the title before
    it in a pair: "*Turkish* Defense Minister Hulusi Akar and army chief of staff General
    Ümit Dündar" names the Turkish army chief of staff."""
    for before, (document, sentence, said, found) in pairwise(mentions):
        _, earlier, earlier_said, (_, end) = before
        if earlier is not sentence or earlier_said[:1] != [qualifier]:
            continue
        between = document.text[end : found[0]].lower().split()
        pair = between in (["and", *said], [",", "and", *said])
        if pair and _without_ranks(said, office) == office:
            yield document, sentence, found


def _titled_mentions(
    word: str,
    documents: Mapping[str, Document],
    mentioning: Callable[[str], Iterable[Sentence]],
    sentence_parse: Callable[[Sentence], Any],
) -> Iterable[tuple[Document, Sentence, list[str], tuple[int, int]]]:
    """Each person named after a title in the sentences that may hold ``word``: the
    document, the sentence, the title's words (lower case) and the name's offsets."""
    for sentence in mentioning(word):
        span = sentence_parse(sentence)
        if span is None:
            continue
        # Parse offsets are the parse's own; the sentence says where it begins.
        shift = sentence.start - span.start_char
        document = documents[sentence.document_id]
        for said, found in _titled_people(span, shift):
            yield document, sentence, said, found


def _titled_people(span: Any, shift: int) -> Iterable[tuple[list[str], tuple[int, int]]]:
    """Each person named after a title in ``span``: the title's words (lower case) and the
    name's document offsets."""
    doc = span.doc
    for ent in span.ents:
        if ent.label_ != "PERSON":
            continue
        # "Bashar al-Assad's": the name ends before its possessive.
        while len(ent) > 1 and ent[-1].tag_ == "POS":
            ent = ent[:-1]
        title = _title(span, [ent[-1]], shift)
        if title is None:
            continue
        # The title's tokens, and the name's after them (the entity may hold some of the
        # title: "Defense Minister Hulusi Akar").
        tokens = [t for t in doc[span.start : ent.end] if title[0] <= t.idx + shift < title[1]]
        said = [_place_word(t.lower_) for t in tokens]
        name = [t for t in ent if t.i > tokens[-1].i]
        # "[Azeri President Ilham] Aliyev": the name after the bracket, as the reader's
        # answers are mended (qa.punctuation), never half a pair of brackets.
        closing = [k for k, t in enumerate(name) if t.text in {"]", ")"}]
        if closing:
            name = name[closing[-1] + 1 :]
        if name:
            yield said, (name[0].idx + shift, name[-1].idx + len(name[-1]) + shift)
