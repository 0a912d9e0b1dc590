"""Readings of what the question numbers or tells apart.

A best sentence about another one of what the question numbers ("the first week" for "the
second week": :func:`other_ordinal`), that ranks by the question's superlative only
otherwise (:func:`other_rank`), or an answer of another of the things the question tells
apart ("the new truce": :func:`of_another_one`, :func:`of_other_ones`) is about something
else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.tokens import Doc, Span, Token

from qa.nlp import ORDINAL_WORDS
from qa.readers.features import CandidateSet
from qa.readers.question import Question
from qa.readers.readings.common import _sentence_of
from qa.readers.readings.syntax import _SUBJECT_DEPS


def _ordinals(
    tokens: Sequence[Token] | Span, words: frozenset[str] = ORDINAL_WORDS
) -> dict[str, set[str]]:
    """Ordinal words (or other ``words``) by the lemma of the noun they number:
    {"week": {"second"}}."""
    out: dict[str, set[str]] = {}
    for t in tokens:
        if t.lower_ in words and t.head.pos_ in {"NOUN", "PROPN"} and t.head.i != t.i:
            out.setdefault(t.head.lemma_.lower(), set()).add(t.lower_)
    return out


def other_ordinal(question: Question, sentence: Span) -> bool:
    """Whether the sentence numbers a noun of the question differently, never as the
    question does, and names it nowhere without a number: "in the first week of October"
    for "how many in the second week"."""
    asked = _ordinals(question.doc)
    if not asked:
        return False
    found = _ordinals(sentence)

    def unnumbered(noun: str) -> bool:
        # "a first truce ..., and then a new truce": the new one may be the second.
        return any(
            t.lemma_.lower() == noun
            and t.pos_ in {"NOUN", "PROPN"}
            and not any(c.lower_ in ORDINAL_WORDS for c in t.children)
            for t in sentence
        )

    return any(
        noun in found and not found[noun] & words and not unnumbered(noun)
        for noun, words in asked.items()
    )


def _superlative_ranks(tokens: Span | Doc) -> dict[str, set[str]]:
    """The ranks each superlative is said with ("second" for "second-largest", "first" for
    a bare "largest"), by its lemma and by the noun it ranks ("city": "biggest city" and
    "second-largest city" rank cities alike)."""
    ranks: dict[str, set[str]] = {}
    for t in tokens:
        if t.tag_ == "JJS":
            rank = next((c.lower_ for c in t.children if c.lower_ in ORDINAL_WORDS), "first")
            ranks.setdefault(t.lemma_.lower(), set()).add(rank)
            if t.dep_ == "amod" and t.head.pos_ == "NOUN":
                ranks.setdefault(f"of {t.head.lemma_.lower()}", set()).add(rank)
    return ranks


def other_rank(question: Question, sentence: Span) -> bool:
    """Whether the sentence ranks by the question's superlative only otherwise: "Ganja,
    Azerbaijan's *second*-largest city" does not say which city is the largest."""
    asked = _superlative_ranks(question.doc)
    if not asked:
        return False
    found = _superlative_ranks(sentence)
    return any(lemma in found and not found[lemma] & ranks for lemma, ranks in asked.items())


# Words that tell one of several like things from the others ("the *new* truce").
_DISTINGUISHING = frozenset(ORDINAL_WORDS) | {
    "new", "latest", "earlier", "previous", "last", "next", "former", "later", "recent",
}  # fmt: skip


def of_another_one(question: Question, sentence: Span, answer: Span) -> bool:
    """Whether the answer belongs to another of the things the question tells apart: for
    "when did the *first* truce take effect", "midnight" of "a first truce negotiated a
    week ago ..., and then a new truce set to enter into effect *at midnight* Sunday" lies
    in the phrase of the truce not called first (and "a week ago" in the one not called
    new, for "the new truce")."""
    return _in_another(_told_apart(question, sentence), answer)


_TokenSets = list[tuple[list[set[int]], list[set[int]]]]


def _told_apart(question: Question, sentence: Span) -> _TokenSets:
    """For each noun the question sets apart that the sentence names both so set apart
    and otherwise: the token sets held by the mentions so set apart, and by the others."""
    found = []
    for noun, words in _ordinals(question.doc, _DISTINGUISHING).items():
        same = [t for t in sentence if t.lemma_.lower() == noun and t.pos_ in {"NOUN", "PROPN"}]
        numbered = [t for t in same if any(c.lower_ in words for c in t.children)]
        others = [t for t in same if t not in numbered]
        if numbered and others:
            found.append(([_held_by(t) for t in numbered], [_held_by(t) for t in others]))
    return found


def _held_by(token: Token) -> set[int]:
    """A mention's own phrase, and the clause it is the subject of, without the clauses
    coordinated with that one ("... was signed in May, and then a new one ...")."""
    inside = {t.i for t in token.subtree}
    if token.dep_ in _SUBJECT_DEPS:
        verb = token.head
        joined = {t.i for c in verb.children if c.dep_ == "conj" for t in c.subtree}
        inside |= {t.i for t in verb.subtree} - joined
    return inside


def _in_another(told_apart: _TokenSets, answer: Span) -> bool:
    tokens = {t.i for t in answer}
    return any(
        not any(tokens <= held for held in numbered) and any(tokens <= held for held in others)
        for numbered, others in told_apart
    )


def of_other_ones(candidates: CandidateSet) -> np.ndarray:
    """Candidates that belong to another of the things the question tells apart
    (``of_another_one``): for "When was the new truce set to take effect?", "a week ago" of
    "a first truce negotiated a week ago" gives way to the new truce's "midnight Sunday".
    """
    question = candidates.question
    out = np.zeros(len(candidates), dtype=bool)
    if not _ordinals(question.doc, _DISTINGUISHING):
        return out
    # The mentions' phrases depend on the sentence alone: once per passage.
    by_passage: dict[int, _TokenSets] = {}
    for i, candidate in enumerate(candidates.candidates):
        k = candidates.passage_of[i]
        if k not in by_passage:
            by_passage[k] = _told_apart(question, _sentence_of(candidates, i))
        out[i] = _in_another(by_passage[k], candidate.span)
    return out
