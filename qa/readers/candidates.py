"""Candidate answer spans in a parsed sentence: entities, noun phrases, numbers, clauses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from spacy.tokens import Doc, Span, Token

from qa.answers import Passage
from qa.gazetteer import country_of

T = TypeVar("T")

# Determiners and punctuation that a short answer should not start or end with.
_TRIM_START = {"the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those"}
_CLAUSE_DEPS = {"xcomp", "ccomp", "advcl", "dobj", "pobj", "acomp", "attr", "prep", "relcl"}


@dataclass(frozen=True)
class Candidate:
    """A candidate span in sentence-token coordinates, with how it was found."""

    span: Span
    kind: str  # "entity", "noun_chunk", "number", "coordinate", "clause", "adjective", ...
    label: str = ""  # the entity label for entities
    kinds: frozenset[str] = frozenset()
    """Every way the extended generator found this span (see ``EXTENDED_KINDS``)."""

    @property
    def key(self) -> tuple[int, int]:
        return self.span.start_char, self.span.end_char


def document_offsets(span: Span, passage: Passage) -> tuple[int, int]:
    """Document offsets of ``span``, a span of ``passage.parse`` or of a parse of its text."""
    # The stored parse covers the whole document body: map through the sentence span.
    base = passage.start - (passage.parse.start_char if passage.parse is not None else 0)
    return base + span.start_char, base + span.end_char


def person_title(ent: Span) -> tuple[int, int] | None:
    """Token range of the title before a name ("Turkish Defense Minister" Hulusi Akar)."""
    title = [
        t
        for t in ent.root.lefts
        if t.dep_ in {"compound", "amod", "nmod"} and t.i < ent.start and t.pos_ != "DET"
    ]
    if not title:
        return None
    first = min(t.left_edge.i for t in title)
    words = ent.doc[first : ent.start]
    if not 1 <= len(words) <= 8 or not any(t.pos_ in {"NOUN", "PROPN"} for t in words):
        return None
    return first, ent.start


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].is_punct or doc[start].lower_ in _TRIM_START or doc[start].is_space
    ):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def _coordinates(span: Span) -> list[Span]:
    """The conjuncts of "X, Y and Z" inside ``span``, each as its own span."""
    out = []
    for token in span:
        if token.dep_ == "conj" and token.head.i >= span.start and token.i < span.end:
            for member in (token.head, token):
                sub = [t for t in member.subtree if span.start <= t.i < span.end]
                # Stop at the conjunction that joins the next member.
                sub = [t for t in sub if t.dep_ not in {"cc", "conj"} or t.i == member.i]
                if sub:
                    piece = span.doc[min(t.i for t in sub) : max(t.i for t in sub) + 1]
                    out.append(piece)
    return out


class CandidateGenerator:
    """Every span of a sentence that could be an answer, without duplicates.

    Args:
        extended: propose the larger inventory of the learned reader (core and full noun
            phrases, each item of a coordination and the whole of it, prepositional
            phrases, numbers with their quantifiers, predicate adjectives, adverbs, verb
            phrases and clauses); the rule reader keeps the small original inventory.

    Example:
        >>> from qa.nlp import load_spacy
        >>> sent = load_spacy()("Armenian forces fired missiles on Ganja, leaving 13 dead.")[:]
        >>> texts = [c.span.text for c in CandidateGenerator(extended=True).run(sent)]
        >>> "Ganja" in texts and "13" in texts and "fired missiles on Ganja" in texts
        True
    """

    def __init__(self, extended: bool = False, max_tokens: int = 30) -> None:
        self.extended = extended
        self.max_tokens = max_tokens

    def run(self, sentence: Span) -> list[Candidate]:
        if self.extended:
            return _extended(sentence, self.max_tokens)
        return self._basic(sentence)

    def _basic(self, sentence: Span) -> list[Candidate]:
        found: dict[tuple[int, int, str], Candidate] = {}

        def add(span: Span | None, kind: str, label: str = "") -> None:
            if span is None:
                return
            trimmed = _trim(span) if kind != "entity" else span
            if trimmed is None or not trimmed.text.strip():
                return
            key = (trimmed.start_char, trimmed.end_char, kind)
            found.setdefault(key, Candidate(trimmed, kind, label))

        for ent in sentence.ents:
            add(ent, "entity", ent.label_)
        for chunk in sentence.noun_chunks:
            add(chunk, "noun_chunk")
            for piece in _coordinates(chunk):
                add(piece, "coordinate")
        for token in sentence:
            if token.like_num or token.pos_ == "NUM":
                # The number with what it counts: "13 civilians", "1,300 fighters".
                add(sentence.doc[token.i : token.i + 1], "number")
                if token.head.pos_ == "NOUN" and token.head.i > token.i:
                    add(sentence.doc[token.i : token.head.i + 1], "number")
            if token.pos_ == "ADJ" and token.dep_ in {"acomp", "amod", "attr", "conj"}:
                add(sentence.doc[token.i : token.i + 1], "adjective")
            if token.dep_ in _CLAUSE_DEPS and token.pos_ in {"VERB", "NOUN", "ADJ", "ADP", "AUX"}:
                subtree = list(token.subtree)
                first, last = subtree[0].i, subtree[-1].i
                if first >= sentence.start and last < sentence.end and 1 < last - first + 1 <= 25:
                    add(sentence.doc[first : last + 1], "clause")
                    if token.pos_ == "ADP":
                        add(sentence.doc[first + 1 : last + 1], "clause")
            if token.dep_ == "conj" and token.pos_ in {"NOUN", "PROPN"}:
                add(sentence.doc[token.i : token.i + 1], "coordinate")
        for span in list(sentence.ents) + list(sentence.noun_chunks):
            for piece in _coordinates(span):
                add(piece, "coordinate")
        return list(found.values())


class SentenceCache(Generic[T]):
    """An LRU of what was computed from a parsed sentence, whatever the question.

    A sentence is known by its parsed ``Doc`` (the index's stored parse, held by the cache
    so that its identity cannot be reused) and its token range; a fresh parse of the same
    text is another sentence.

    Args:
        maxsize: sentences kept; 0 keeps nothing.

    Example:
        >>> from qa.nlp import load_spacy
        >>> cache = SentenceCache(maxsize=8)
        >>> sent = load_spacy()("Ganja was shelled.")[:]
        >>> cache.get(sent, len), cache.get(sent, len), cache.hits
        (4, 4, 1)
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self._items: OrderedDict[tuple[int, int, int], tuple[Doc, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sentence: Span, compute: Callable[[Span], T]) -> T:
        """The cached value for ``sentence``, computed (outside the lock) when missing."""
        doc = sentence.doc
        key = (id(doc), sentence.start, sentence.end)
        with self._lock:
            held = self._items.get(key)
            if held is not None and held[0] is doc:
                self._items.move_to_end(key)
                self.hits += 1
                return held[1]
        value = compute(sentence)
        if self.maxsize > 0:
            with self._lock:
                self._items[key] = (doc, value)
                self._items.move_to_end(key)
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value


class CachedCandidates:
    """Candidates of recently read sentences, kept: they do not depend on the question.

    The cached lists hold immutable candidates and are handed out as copies.

    Args:
        generator: what computes the candidates of a sentence not seen recently.
        maxsize: sentences kept; 0 turns the cache off.

    Example:
        >>> from qa.nlp import load_spacy
        >>> sent = load_spacy()("Armenian forces fired missiles on Ganja.")[:]
        >>> cached = CachedCandidates(CandidateGenerator(extended=True))
        >>> cached.run(sent) == cached.run(sent), cached.hits
        (True, 1)
    """

    def __init__(self, generator: CandidateGenerator, maxsize: int = 4096) -> None:
        self.generator = generator
        self._cache: SentenceCache[list[Candidate]] = SentenceCache(maxsize)

    @property
    def hits(self) -> int:
        return self._cache.hits

    def run(self, sentence: Span) -> list[Candidate]:
        return list(self._cache.get(sentence, self.generator.run))


# -- the extended inventory -------------------------------------------------------------------

EXTENDED_KINDS = (
    "entity",
    "np",  # a noun with its left modifiers and any "of" phrases: "squads of soldiers"
    "np_full",  # the noun's whole subtree, relative clauses included
    "np_cut",  # the subtree up to the first comma, relative clause or apposition
    "conj",  # one item of a coordination
    "coord",  # the whole coordination "X, Y and Z"
    "number",  # a number with its quantifier: "over 30,000", "1 million"
    "number_noun",  # a number and what it counts: "13 civilians"
    "pp",  # preposition and its object: "by plane", "from the 1980s"
    "adj",  # predicate or attributive adjective
    "adv",  # adverb of manner: "strictly", "dramatically"
    "vp",  # verb with its objects, no subject or auxiliaries: "closely follow events"
    "vp_full",  # verb with everything to its right
    "clause",  # a subordinate or coordinate clause without its marker
    "clause_full",  # the same with its marker ("that ...", "to ...")
)

_EDGE_WORDS = {"and", "or", "but", "nor", "that", "which", "who", "whom", "whose", "while"}
_NOMINAL = {"NOUN", "PROPN", "PRON", "NUM"}
_NOT_HEADS = {"compound", "amod", "nmod", "poss", "nummod", "quantmod", "det", "case"}
_OBJECT_DEPS = {"dobj", "dative", "attr", "acomp", "oprd", "prt", "xcomp", "ccomp", "agent"}
_CLAUSE_HEADS = {"ccomp", "advcl", "relcl", "acl", "pcomp", "xcomp", "conj", "csubj"}
_MARKERS = {"mark", "aux", "nsubj", "nsubjpass", "expl"}
_QUANT = {"quantmod", "compound", "nummod", "advmod"}
_DULL_ADVERBS = {"not", "also", "too", "then", "so", "now", "still", "even", "n't"}


def _verbal(token: Token) -> bool:
    """A verb or adjective, or a word the tagger took for a noun that heads a verb's
    clause all the same ('to "strictly" respect the truce': "respect" tagged NOUN)."""
    if token.pos_ in {"VERB", "AUX", "ADJ"}:
        return True
    return any(child.dep_ == "aux" and child.tag_ == "TO" for child in token.children)


def _proper(sentence: Span, start: int, end: int) -> tuple[int, int] | None:
    """Clamp token range to the sentence and trim punctuation and joining words at edges."""
    doc = sentence.doc
    start, end = max(start, sentence.start), min(end, sentence.end)
    while start < end and (
        doc[start].is_punct or doc[start].is_space or doc[start].lower_ in _EDGE_WORDS
    ):
        # Keep an opening bracket or quote that the span closes.
        if doc[start].text in {"[", "("} and any(t.text in {"]", ")"} for t in doc[start:end]):
            break
        start += 1
    while end > start and (
        doc[end - 1].is_punct
        or doc[end - 1].is_space
        or doc[end - 1].lower_ in _EDGE_WORDS
        or doc[end - 1].dep_ == "cc"
        # "tanks, artillery and now, because ...": a filler adverb the parser coordinated.
        or (doc[end - 1].lower_ in _DULL_ADVERBS and doc[end - 1].pos_ == "ADV")
        # "Khalifa Haftar's" (the tagger's entity before "Army"): the name is the answer.
        or doc[end - 1].tag_ == "POS"
    ):
        if doc[end - 1].text in {"]", ")"} and any(t.text in {"[", "("} for t in doc[start:end]):
            break
        end -= 1
    return (start, end) if start < end else None


def _core_np_bounds(token) -> tuple[int, int]:
    """A noun with its left modifiers and chained "of" phrases, as a token range."""
    start = token.i
    for child in token.lefts:
        if child.dep_ == "punct":
            continue
        start = min(start, child.left_edge.i)
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in {"compound", "nummod", "case"} and child.i == end:
            end = child.right_edge.i + 1
        elif child.dep_ == "prep" and child.lower_ == "of" and child.i == end:
            objs = [c for c in child.children if c.dep_ in {"pobj", "pcomp"}]
            if not objs:
                break
            end = _core_np_bounds(objs[0])[1]
        else:
            break
    return start, end


def _cut_bounds(token) -> tuple[int, int]:
    """The noun's subtree up to its first comma, relative clause or apposition."""
    start, end = token.left_edge.i, token.right_edge.i + 1
    for child in token.rights:
        if child.dep_ in {"relcl", "acl", "appos", "punct", "cc", "conj"} or child.text == ",":
            end = min(end, child.left_edge.i)
            break
    return start, end


def _conjuncts(token) -> list:
    """``token`` and the words coordinated with it, in order ("X, Y and Z")."""
    members = [token]
    frontier = [token]
    while frontier:
        current = frontier.pop()
        for child in current.children:
            same_kind = child.pos_ == token.pos_ or (
                child.pos_ in _NOMINAL and token.pos_ in _NOMINAL
            )
            if child.dep_ == "conj" and same_kind:
                members.append(child)
                frontier.append(child)
    return sorted(members, key=lambda t: t.i)


def _extended(sentence: Span, max_tokens: int) -> list[Candidate]:
    doc = sentence.doc
    found: dict[tuple[int, int], dict] = {}

    def add(start: int, end: int, kind: str, label: str = "") -> None:
        bounds = _proper(sentence, start, end)
        if bounds is None:
            return
        a, b = bounds
        if b - a > max_tokens:
            return
        entry = found.get((a, b))
        if entry is None:
            found[(a, b)] = {"kind": kind, "label": label, "kinds": {kind}}
        else:
            entry["kinds"].add(kind)
            if label and not entry["label"]:
                entry["label"] = label

    for ent in sentence.ents:
        add(ent.start, ent.end, "entity", ent.label_)
        if doc[ent.start].lower_ == "the":
            add(ent.start + 1, ent.end, "entity", ent.label_)
        if ent.label_ == "PERSON":
            # "US Secretary of State Mike Pompeo": the title alone says what the person is.
            title = person_title(ent)
            if title is not None:
                add(*title, "np")

    coordinated: set[int] = set()
    for token in sentence:
        pos, dep = token.pos_, token.dep_
        if dep == "poss" and pos in {"NOUN", "PROPN"}:
            # The possessor of an action is its doer: "the Stalinist bureaucracy's
            # dissolution of the Soviet Union" says who dissolved it.
            add(token.left_edge.i, token.i + 1, "np")
        if pos in _NOMINAL and dep not in _NOT_HEADS:
            a, b = _core_np_bounds(token)
            add(a, b, "np")
            name = name_on(token)
            # A span found otherwise keeps its kinds: this one is only for a name not
            # yet a candidate ("Afrin" of the entity "Afrin province").
            if name is not None and _proper(sentence, *name) not in found:
                add(*name, "np")
            add(token.left_edge.i, token.right_edge.i + 1, "np_full")
            a2, b2 = _cut_bounds(token)
            add(a2, b2, "np_cut")
            if dep != "conj" and token.i not in coordinated:
                members = _conjuncts(token)
                if len(members) > 1:
                    coordinated.update(m.i for m in members)
                    first = _core_np_bounds(members[0])
                    last = _core_np_bounds(members[-1])
                    add(first[0], last[1], "coord")
                    for member in members:
                        lo, hi = _core_np_bounds(member)
                        if member is not members[0]:
                            lo = max(lo, member.i - sum(1 for _ in member.lefts))
                        add(lo, hi, "conj")
                        add(member.i, member.i + 1, "conj")
        if token.like_num or pos == "NUM":
            if dep in {"compound", "quantmod"} and token.head.pos_ == "NUM":
                continue
            lo = min([token.i] + [c.left_edge.i for c in token.lefts if c.dep_ in _QUANT])
            hi = max([token.i + 1] + [c.i + 1 for c in token.rights if c.dep_ in {"compound"}])
            add(token.i, token.i + 1, "number")
            add(lo, hi, "number")
            if token.head.pos_ in {"NOUN", "PROPN"} and token.head.i > token.i:
                add(lo, token.head.i + 1, "number_noun")
        if pos == "ADP" and dep in {"prep", "agent", "dative"}:
            objs = [c for c in token.children if c.dep_ in {"pobj", "pcomp"}]
            if objs:
                add(token.i, _core_np_bounds(objs[0])[1], "pp")
                add(token.i, token.right_edge.i + 1, "pp")
        if pos == "ADJ" and dep in {"acomp", "oprd", "attr", "amod", "conj", "advcl", "xcomp"}:
            add(token.i, token.i + 1, "adj")
            if dep in {"acomp", "oprd"}:
                add(token.left_edge.i, token.right_edge.i + 1, "adj")
            # Adjectives said together: "permanent and insoluble (conflicts)", "is costly
            # and slow".
            if dep in {"acomp", "oprd", "amod"}:
                members = _conjuncts(token)
                if len(members) > 1 and all(m.pos_ == "ADJ" for m in members):
                    add(members[0].i, members[-1].i + 1, "adj")
        if (
            pos == "ADV"
            and dep == "advmod"
            and _verbal(token.head)
            and token.lower_ not in _DULL_ADVERBS
        ):
            add(token.i, token.i + 1, "adv")
        # A copula heads a clause of its own too: '"We're hopeful that ...," Pompeo told'.
        copular_clause = pos == "AUX" and dep in _CLAUSE_HEADS and _has_subject(token)
        if pos in {"VERB", "AUX"} and (pos == "VERB" or dep == "ROOT" or copular_clause):
            _verb_phrases(token, add)
    return [
        Candidate(
            doc[a:b],
            entry["kind"],
            entry["label"],
            frozenset(entry["kinds"]),
        )
        for (a, b), entry in sorted(found.items())
    ]


def name_on(noun: Token) -> tuple[int, int] | None:
    """The name a common noun carries in front ("Syria's *Afrin* province", "Turkish
    *Bayraktar TB2* drones"), without a nationality before it; None when there is none."""
    if noun.pos_ != "NOUN":
        return None
    names = [c for c in noun.lefts if c.dep_ in {"compound", "nmod"} and c.pos_ == "PROPN"]
    if not names:
        return None
    start, end = names[0].left_edge.i, names[-1].right_edge.i + 1
    doc = noun.doc
    # Not a piece of a longer name: "Strategic Communications" of "the Centre for
    # Strategic Communications think-tank".
    if doc[start].ent_iob_ == "I":
        return None
    while start < end and (doc[start].pos_ != "PROPN" or country_of(doc[start].text)):
        start += 1
    return (start, end) if start < end else None


def _has_subject(token: Token) -> bool:
    return any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in token.children)


def _verb_phrases(verb, add) -> None:
    """Verb phrases and clauses headed by ``verb``."""
    lefts = list(verb.lefts)
    start = verb.i
    # "closely follow", "not restrict": adverbs and negation right before the verb.
    for child in reversed(lefts):
        if child.dep_ in {"advmod", "neg"} and child.i == start - 1:
            start = child.i
    rights = [c for c in verb.rights if c.dep_ != "punct"]
    if rights:
        add(start, verb.right_edge.i + 1, "vp_full")
        end = verb.i + 1
        for child in verb.rights:
            if child.dep_ in _OBJECT_DEPS or child.dep_ in {"prep", "dobj", "conj", "cc"}:
                if child.dep_ == "conj" and any(
                    c.dep_ in {"nsubj", "nsubjpass"} for c in child.children
                ):
                    break  # a new clause with its own subject
                end = child.right_edge.i + 1
            elif child.text == "," or child.dep_ not in {"advmod", "npadvmod", "punct"}:
                break
        add(start, end, "vp")
        first_obj = next((c for c in verb.rights if c.dep_ in _OBJECT_DEPS | {"dobj"}), None)
        if first_obj is not None:
            add(start, first_obj.right_edge.i + 1, "vp")
    if verb.dep_ in _CLAUSE_HEADS or verb.dep_ == "ROOT":
        left = verb.left_edge.i
        right = verb.right_edge.i + 1
        has_subject = any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in lefts)
        if verb.dep_ != "ROOT":
            add(left, right, "clause_full")
        markers = [c for c in lefts if c.dep_ in {"mark", "aux"} and c.i == left]
        inner = left
        if markers or verb.doc[left].lower_ in _EDGE_WORDS or verb.doc[left].dep_ == "mark":
            inner = left + 1
        if verb.dep_ != "ROOT" or has_subject:
            add(inner, right, "clause")
        if not has_subject:
            # "to defend against ..." -> "defend against ..."
            aux = [c for c in lefts if c.dep_ in _MARKERS]
            if aux:
                add(max(c.i for c in aux) + 1, right, "clause")
