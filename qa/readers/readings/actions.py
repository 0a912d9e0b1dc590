"""Readings of "what did X do".

Of the actions ranked near the best, one done by X takes its place
(:func:`prefer_actor`), and one of coordinated actions gives way to all of them
(:func:`prefer_all_actions`); "what did X call on them to do" takes what the sentence's
"call on them *to* ..." says (:func:`prefer_asked_infinitive`).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Token

from qa.readers.features import CandidateSet
from qa.readers.question import FineType
from qa.readers.readings.common import (
    _ACTION_KINDS,
    _best_rooted,
    _names,
    _near,
    _prefer_better_fit,
    _sentence_of,
    swapped,
)
from qa.readers.readings.syntax import _actor, _actor_forms

# How far below the best an action may be ranked and still be preferred for being done by
# the question's actor (logit units). 3, not 2, since the listwise ranker: its scores
# spread wider within a question (the city's "would quickly repair the bridge" came 2.7
# below "has a large harbour" in tests/readers/test_learned_reader.py); dev is the same
# under 2 and 3.
_ACTOR_MARGIN = 3.0


def prefer_actor(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "what did X do": of the actions ranked near the best, one done by X (and marked
    by a modal when the question's is: "what would X do") takes the best one's place when
    the best is not. "blamed Turkey" (done by the speaker) gives way to "stepped in and
    provided resources" (done by the Turks) for "what have the Turks done". The scores are
    swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.ACTION or not len(logits):
        return logits
    do = next(
        (
            t
            for t in question.doc[max(question.wh_end, 0) :]
            if t.lemma_ == "do" and t.pos_ == "VERB"
        ),
        None,
    )
    if do is None:
        return logits
    subject, asks_modal = _actor(do)
    if subject is None or subject.pos_ == "PRON":
        return logits
    wanted = _actor_forms(subject)

    def fit(i: int) -> float:
        candidate = candidates.candidates[i]
        root = candidate.span.root
        if not candidate.kinds & _ACTION_KINDS or root.pos_ not in {"VERB", "AUX"}:
            return 0.0
        actor, modal = _actor(root)
        if actor is None or not _names(wanted, _actor_forms(actor)):
            return 0.0
        return 2.0 + float(asks_modal and modal)

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _ACTOR_MARGIN), fit)


def prefer_all_actions(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "what did X do": when the best span is one of coordinated actions ("assert their
    interests" of "assert their interests and position themselves for a deal") and a span
    holding them all is ranked near it, they swap places: X did both."""
    found = _best_rooted(logits, candidates, FineType.ACTION, {"VERB", "AUX"})
    if found is None:
        return logits
    best, span = found
    root = span.root
    others = [c for c in root.conjuncts if c.pos_ in {"VERB", "AUX"} and c.i >= span.end]
    if not others:
        return logits
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start <= span.start
        and candidate.span.end > max(c.i for c in others)
        and candidate.span.root.i == root.i
        and logits[i] >= logits[best] - _ACTOR_MARGIN
    ]
    if not wholes:
        return logits
    other = max(wholes, key=lambda i: logits[i])
    return swapped(logits, best, other)


def prefer_asked_infinitive(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "What did X call upon both sides to do?": the best answer's sentence's own
    "call upon both *to adhere to the earlier ceasefire*" says it, so the candidate that
    is that infinitive's phrase (without "to", up to a comma) takes the best one's place
    ("called his counterparts", the calling itself, or "expel Armenians from the
    Karabakh, Moscow, which ..." that runs on into another clause). The scores are
    swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.ACTION or question.governor < 0 or not len(logits):
        return logits
    verb = question.doc[question.governor]
    if not any(_is_infinitive(c) and c.lemma_ == "do" for c in verb.children):
        return logits
    best = int(np.argmax(logits))
    particles = {c.lower_ for c in verb.children if c.dep_ in {"prep", "mark", "prt"}}
    said = [
        t
        for t in _sentence_of(candidates, best)
        if t.pos_ == "VERB" and t.lemma_.lower() == verb.lemma_.lower()
    ]
    # The asked verb with the question's "upon" or "for", if one has it.
    said.sort(key=lambda t: not particles & {c.lower_ for c in t.children})
    for token in said:
        infinitive = next((c for c in token.children if _is_infinitive(c) and c.i > token.i), None)
        if infinitive is None:
            continue
        end = infinitive.right_edge.i + 1
        comma = next((t.i for t in token.doc[infinitive.i : end] if t.text == ","), None)
        end = comma if comma is not None else end
        # The longest candidate from the verb that stays inside it.
        inside = [
            i
            for i, c in enumerate(candidates.candidates)
            if candidates.passage_of[i] == candidates.passage_of[best]
            and c.span.start == infinitive.i
            and c.span.end <= end
        ]
        if not inside:
            return logits
        other = max(inside, key=lambda i: candidates.candidates[i].span.end)
        return logits if other == best else swapped(logits, best, other)
    return logits


def _is_infinitive(token: Token) -> bool:
    """A verb with its "to": "(call upon both) *to adhere* ...", "(what ...) *to do*"."""
    return (
        token.pos_ in {"VERB", "AUX"}
        and token.dep_ in {"xcomp", "advcl", "ccomp"}
        and any(c.lower_ == "to" and c.dep_ == "aux" for c in token.children)
    )
