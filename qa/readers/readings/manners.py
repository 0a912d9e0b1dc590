"""Readings of "how did X ...", which asks for a manner or a means.

A manner is said by an adverb ("openly") or a phrase of means ("*by* plane", "*via*
Georgia"): :func:`prefer_means` gives the best answer's place to one ranked near it
when the best is neither (the city "Sanliurfa" for "How are the fighters taken to
Azerbaijan?", from "transport them to the Turkish city of Sanliurfa and *by plane* to
Azerbaijan").
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span

from qa.readers.features import CandidateSet
from qa.readers.question import FineType
from qa.readers.readings.common import _near, swapped
from qa.readers.readings.descriptions import _DESCRIBING_VERBS

# Prepositions of means: "by plane", "via Georgia", "through Iran".
_MEANS_PREPOSITIONS = {"by", "via", "through"}
# How far below the best a phrase of means may be ranked and take its place (logits).
_MEANS_MARGIN = 3.0


def says_means(span: Span) -> bool:
    """Whether a span says a manner or a means: an adverb in "-ly", a phrase "by / via /
    through N", or the noun of one ("plane" of "by plane"); not the doer of a passive
    ("negotiated *by Russia*")."""
    root = span.root
    if root.pos_ == "ADV" and root.lower_.endswith("ly"):
        return True
    prep = root if root.lower_ in _MEANS_PREPOSITIONS else root.head
    if root.dep_ != "pobj" and prep is not root:
        return False
    return prep.lower_ in _MEANS_PREPOSITIONS and prep.dep_ != "agent"


def prefer_means(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For a manner question, a best answer that says no manner or means swaps places with
    the best-ranked one within ``_MEANS_MARGIN`` that does. The scores are swapped, not
    changed."""
    question = candidates.question
    if question.fine_type is not FineType.MANNER or not len(logits):
        return logits
    # "How did X describe Y?" asks for what X said Y is (`prefer_description`).
    if question.governor >= 0 and question.doc[question.governor].lemma_ in _DESCRIBING_VERBS:
        return logits
    best = int(np.argmax(logits))
    if says_means(candidates.candidates[best].span):
        return logits
    near = [
        i for i in _near(logits, best, _MEANS_MARGIN) if says_means(candidates.candidates[i].span)
    ]
    if not near:
        return logits
    return swapped(logits, best, max(near, key=lambda i: logits[i]))
