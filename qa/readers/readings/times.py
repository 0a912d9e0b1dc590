"""Readings of dates and times of day.

A question may ask for one unit of time ("at what time", "on what day", "in what month",
"in which year"): :func:`untimed` masks the candidates that do not say it (and the
confidence reading discounts a best answer that does not). A day of a month ("16" of
"October 16") is a date, never an age, a length or a distance (:func:`days_of_month`),
and a year is never the count or amount asked for (:func:`years`).
"""

from __future__ import annotations

import re

import numpy as np
from spacy.tokens import Span, Token

from qa.nlp import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from qa.readers.features import CandidateSet
from qa.readers.question import FineType, Question
from qa.readers.readings.common import _once

# A day follows or precedes its month's full or short name ("Oct. 16").
_MONTHS = MONTHS | MONTH_ABBREVIATIONS


def days_of_month(candidates: CandidateSet) -> np.ndarray:
    """Candidates that are only the day of a date ("16" of "October 16", "28" of
    "September 28-30"): a date, never an age, a length or a distance."""
    out = np.zeros(len(candidates), dtype=bool)
    for i, candidate in enumerate(candidates.candidates):
        span = candidate.span
        if not all(t.like_num or t.text in {"-", "–"} for t in span):
            continue
        doc = span.doc
        before = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
        after = doc[span.end].lower_.rstrip(".") if span.end < len(doc) else ""
        out[i] = before in _MONTHS or after in _MONTHS
    return out


def _is_year(token: Token) -> bool:
    return token.ent_type_ == "DATE" and token.shape_ == "dddd" and 1000 <= int(token.text) <= 2100


def years(candidates: CandidateSet) -> np.ndarray:
    """Candidates that begin with a year ("1988", "1988-1994 conflict"): a date, never a
    count or an amount ("What is the population of Armenia?")."""
    return _once(
        candidates,
        "years",
        lambda: np.array([_is_year(c.span[0]) for c in candidates.candidates], dtype=bool),
    )


# "At what time" asks for a time of day: "a week ago" does not say one.
_CLOCK_WORDS = {
    "midnight", "noon", "midday", "morning", "afternoon", "evening", "night", "dawn",
    "dusk", "o'clock", "a.m.", "p.m.", "pm",
}  # fmt: skip
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")
_YEAR = re.compile(r"(?<!\d)(1\d|20)\d\d(?!\d)")
_RELATIVE_DAYS = {"yesterday", "today", "tomorrow"}

# The unit a "what <noun>" time question asks for, by the noun.
_TIME_UNITS_ASKED = {
    "time": "clock", "hour": "clock",
    "day": "day", "date": "day", "weekday": "day",
    "month": "month", "year": "year",
}  # fmt: skip


def asked_time_unit(question: Question) -> str | None:
    """The unit of time a question asks for ("clock", "day", "month" or "year"): "At what
    time / hour", "On what date / day", "In what month", "In which year"; None for
    "when" and other questions."""
    if question.fine_type is not FineType.TIME:
        return None
    return _TIME_UNITS_ASKED.get(question.type_word)


def tells_time_unit(span: Span, unit: str) -> bool:
    """Whether a span says the unit of time: a time of day ("midnight Sunday", "9:30"), a
    day ("Sunday", "October 16", "yesterday"), a month ("July-August") or a year
    ("1991"). "a week ago" says none of them."""
    words = [t.lower_.rstrip(".") for t in span]
    if unit == "clock":
        return any(
            t.ent_type_ == "TIME" or t.lower_ in _CLOCK_WORDS or bool(_CLOCK.match(t.text))
            for t in span
        )
    months = any(w in MONTHS or w in MONTH_ABBREVIATIONS for w in words)
    if unit == "month":
        return months or "month" in words
    if unit == "year":
        return bool(_YEAR.search(span.text)) or "year" in words
    return (
        any(w in WEEKDAYS or w in _RELATIVE_DAYS for w in words)
        # A month with a day's number; "the first week of October" names no day.
        or (months and any(any(ch.isdigit() for ch in t.text) for t in span))
        or "day" in words
    )


def untimed(candidates: CandidateSet) -> np.ndarray:
    """For "at what time", "on what day", "in what month" or "in which year": the
    candidates that do not say that unit."""
    unit = asked_time_unit(candidates.question)
    if unit is None:
        return np.zeros(len(candidates), dtype=bool)
    return np.array([not tells_time_unit(c.span, unit) for c in candidates.candidates], dtype=bool)
