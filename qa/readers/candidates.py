"""Candidate answer spans in a parsed sentence: entities, noun phrases, numbers, clauses."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

# Determiners and punctuation that a short answer should not start or end with.
_TRIM_START = {"the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those"}
_CLAUSE_DEPS = {"xcomp", "ccomp", "advcl", "dobj", "pobj", "acomp", "attr", "prep", "relcl"}


@dataclass(frozen=True)
class Candidate:
    """A candidate span in sentence-token coordinates, with how it was found."""

    span: Span
    kind: str  # "entity", "noun_chunk", "number", "coordinate", "clause", "adjective"
    label: str = ""  # the entity label for entities

    @property
    def key(self) -> tuple[int, int]:
        return self.span.start_char, self.span.end_char


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

    Example:
        >>> nlp = load_spacy()  # doctest: +SKIP
        >>> sent = nlp("Armenian forces fired missiles on Ganja, leaving 13 dead.")[:]
        >>> [c.span.text for c in CandidateGenerator().run(sent)][:3]  # doctest: +SKIP
    """

    def run(self, sentence: Span) -> list[Candidate]:
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
