"""Readings of how much of a phrase answers.

A plural question takes the whole list (:func:`prefer_whole_list`), a noun phrase is not
cut inside its own modifier (:func:`prefer_uncut_phrase`), and a "who" answer is the
phrase a modifier belongs to, not the modifier (:func:`prefer_modified_noun`), and a
person's name without the title in front of it (:func:`prefer_bare_name`); an adjective
said together with others comes with them (:func:`prefer_all_adjectives`).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span

from qa.readers.features import CandidateSet
from qa.readers.question import FineType
from qa.readers.readings.common import _best_rooted, _near, _swapped_to, swapped
from qa.readers.readings.syntax import _first_conjunct, _fronted_subject_verb

# How far below the best the whole list may be ranked and still answer a plural question.
_LIST_MARGIN = 4.0


def _is_list(span: Span, kinds: set[str] | frozenset[str]) -> bool:
    """A coordination: a "coord" candidate, or a phrase that coordinates ("Russia and
    Iran", a phrase of the parser's "Syria, Russia and Iran")."""
    return "coord" in kinds or any(t.dep_ == "cc" for t in span)


def prefer_whole_list(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A plural question ("which countries", "which two states") asks for every item: when
    the best span is one item of a coordination ("the United States") and the whole ("the
    United States, Russia and France") is ranked near it, they swap places."""
    question = candidates.question
    if question.focus < 0 or not len(logits):
        return logits
    focus = question.doc[question.focus]
    counted = any(
        t.like_num and t.lower_ not in {"one", "1"}
        for t in question.doc[question.wh_start : question.wh_end]
    )
    if focus.tag_ not in {"NNS", "NNPS"} and not counted:
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if _is_list(candidate.span, candidate.kinds)
        and candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start <= span.start
        and span.end <= candidate.span.end
        and (candidate.span.start, candidate.span.end) != (span.start, span.end)
        and logits[i] >= logits[best] - _LIST_MARGIN
    ]
    if _fronted_subject_verb(span.root) is not None:
        # "In Syria, Russia and Iran have backed": the fronted "Syria" is no item of it.
        noun = _first_conjunct(span.root)
        wholes = [i for i in wholes if candidates.candidates[i].span.start > noun.i]
    if _is_list(span, candidates.candidates[best].kinds) or not wholes:
        return logits
    other = max(wholes, key=lambda i: logits[i])
    return swapped(logits, best, other)


def prefer_uncut_phrase(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A best noun phrase that stops inside one of its own modifiers ("an exchange of
    bodies" of "an exchange of bodies and prisoners of war") swaps places with the shortest
    candidate from the same start that holds the whole modifier."""
    found = _best_rooted(logits, candidates, FineType.THING, {"NOUN", "PROPN"})
    if found is None:
        return logits
    best, span = found
    root = span.root
    cut = [t for t in span if t.i != root.i and any(c.i >= span.end for c in t.children)]
    if not cut:
        return logits
    needed = max(max(d.i for d in t.subtree) for t in cut) + 1
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start == span.start
        and candidate.span.end >= needed
    ]
    if not wholes:
        return logits
    other = min(wholes, key=lambda i: (len(candidates.candidates[i].span), -logits[i]))
    return swapped(logits, best, other)


# How far below a best modifier ("Stalinist") the phrase it modifies may be ranked and take
# its place for a "who" question.
_MODIFIED_MARGIN = 3.0
_WHO_TYPES = {FineType.PERSON, FineType.ORGANIZATION}


def prefer_modified_noun(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "who": a best word that only modifies a common noun ("Stalinist" in "the
    Stalinist bureaucracy") swaps places with that noun's phrase, which is who acts; a
    nationality word names no one."""
    if candidates.question.fine_type not in _WHO_TYPES or not len(logits):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    head = span.root.head
    if len(span) != 1 or span.root.dep_ not in {"amod", "compound"} or head.pos_ != "NOUN":
        return logits
    near = _near(logits, best, _MODIFIED_MARGIN)
    phrases = [
        i
        for i in near
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidates.candidates[i].span.root.i == head.i
        and candidates.candidates[i].span.end == head.i + 1
    ]
    if not phrases:
        return logits
    return swapped(logits, best, max(phrases, key=lambda i: logits[i]))


def prefer_bare_name(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "who": a best span that is a title and a person's name ("US Secretary of State
    Mike Pompeo") swaps places with the name alone ("Mike Pompeo") when that is a candidate
    of the same mention: the name says who, and the citation shows the title around it."""
    if candidates.question.fine_type is not FineType.PERSON or not len(logits):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    last = span[-1]
    if last.ent_type_ != "PERSON" or last.pos_ != "PROPN":
        return logits
    # The name's first word: back through the entity to its start.
    first = last
    while first.ent_iob_ == "I" and first.i > span.start:
        first = first.nbor(-1)
    if first.i <= span.start:
        return logits
    return _swapped_to(logits, candidates, best, (first.i, span.end))


def prefer_all_adjectives(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A best answer that is one of adjectives said together ("permanent" of "permanent and
    insoluble conflicts") swaps places with all of them when that is a candidate: the
    sentence says the thing is both. Not for "who", "where" or a number, whose answer is
    never an adjective list. The scores are swapped, not changed."""
    if candidates.question.fine_type in _WHO_TYPES | {FineType.PLACE, FineType.NUMBER}:
        return logits
    found = _best_rooted(logits, candidates, candidates.question.fine_type, {"ADJ"})
    if found is None:
        return logits
    best, span = found
    if len(span) != 1:
        return logits
    root = span.root
    first = root.head if root.dep_ == "conj" and root.head.pos_ == "ADJ" else root
    members = [first, *(c for c in first.conjuncts if c.pos_ == "ADJ")]
    if len(members) < 2:
        return logits
    members.sort(key=lambda t: t.i)
    return _swapped_to(logits, candidates, best, (members[0].i, members[-1].i + 1))
