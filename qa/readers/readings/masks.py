"""The masks of candidates of the wrong kind, which training shares.

:func:`allowed` reads the feature matrix alone (a number for "how many", a date for
"when", no date, number or verb phrase for "who" and "where"), so training masks its
logits the same way (:func:`masked_logits`, :func:`type_available`); :func:`answerable`
says whether the passages hold an answer of the asked kind at all. The readings that
prefer one candidate to another choose among the allowed ones.
"""

from __future__ import annotations

import numpy as np

from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import FineType
from qa.readers.readings.common import (
    _ACTION_COLUMNS,
    _LABEL_COLUMNS,
    _MEASURE_COLUMNS,
    _NAMED_KINDS,
    _NOUN_COLUMNS,
)
from qa.readers.readings.times import years


def allowed(x: np.ndarray, fine_type: FineType) -> np.ndarray:
    """Candidates that can answer at all: a number for "how many", a date for "when", and
    anything but a date, time, quantity or verb phrase for "who" and "where" ("1930" and
    "the same year" for "Where did Huxley die?", "9 years old" for "Who was Agassi's
    father?")."""
    if fine_type is FineType.NUMBER:
        return x[:, _INDEX["type_match"]] >= 0.8
    if fine_type is FineType.TIME:
        return x[:, _INDEX["type_match"]] >= 0.5
    if fine_type in _NAMED_KINDS:
        # Nor a verb phrase or clause that is no noun phrase as well: "fighting in Syria
        # and Libya" names no one for "Who are the militias loyal to?".
        action = (x[:, _ACTION_COLUMNS] > 0).any(axis=1) & ~(x[:, _NOUN_COLUMNS] > 0).any(axis=1)
        return ~(x[:, _MEASURE_COLUMNS] > 0).any(axis=1) & ~action
    return np.ones(len(x), dtype=bool)


def type_available(x: np.ndarray, fine_type: FineType) -> bool:
    """Whether the passages hold any span of the kind the question needs: a number, a
    date, or (for "who") a named person, organisation or group."""
    if not len(x):
        return False
    if fine_type is FineType.PERSON:
        return bool(x[:, list(_LABEL_COLUMNS.values())].max() > 0)
    return bool(allowed(x, fine_type).any())


def answerable(candidates: CandidateSet) -> bool:
    """Whether the candidates hold a span of the kind the question needs
    (:func:`type_available`), a year never being the count or amount asked for."""
    x, fine_type = candidates.features, candidates.question.fine_type
    if not type_available(x, fine_type):
        return False
    return fine_type is not FineType.NUMBER or bool(
        (allowed(x, fine_type) & ~years(candidates)).any()
    )


def restates_question(x: np.ndarray) -> np.ndarray:
    """Candidates that only repeat the wh-phrase ("the Turkish city" for "to which Turkish
    city"): they name the kind of answer, never the answer."""
    return (x[:, _INDEX["focus_overlap"]] >= 0.999) & (x[:, _INDEX["novel_words"]] <= 0)


def masked_logits(logits: np.ndarray, x: np.ndarray, fine_type: FineType) -> np.ndarray:
    """Logits with the candidates of the wrong kind, and those that only restate the
    question's wh-phrase, pushed far below the rest."""
    out = logits.copy()
    out[~allowed(x, fine_type) | restates_question(x)] = logits.min() - 30.0
    return out
