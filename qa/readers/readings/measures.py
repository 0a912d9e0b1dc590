"""Readings of lengths of time, distances and sums of money.

"How long", "how far" and "how high" need a unit: :func:`unmeasured` masks the candidates
that say no length of time or distance ("two" of "two escort ships"), and :func:`prefer_measured`
gives a bare number's place to the same number with its unit ("Three" -> "Three
weeks"). "How much did X pay?" needs a sum: :func:`unmeasured` masks the candidates that
say none ("600" of "600 Turkish troops").
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span

from qa.readers.features import CandidateSet
from qa.readers.question import Question
from qa.readers.readings.common import _once, _swapped_to

# Units a length or a distance is said in, besides the units of time.
_LENGTH_UNITS = {
    "mile", "kilometre", "kilometer", "km", "metre", "meter", "m", "foot", "feet", "yard",
    "inch", "centimetre", "centimeter", "cm", "mi",
}  # fmt: skip


# The questions whose answer is a length of time or a distance, with its unit.
_MEASURED = {"how long", "how far", "how high", "how tall", "how deep", "how wide"}


def tells_measure(span: Span) -> bool:
    """Whether a span says a length of time or a distance with its unit: "three weeks",
    "a decade", "40 km"; a bare "two" says neither."""
    return any(
        (t.lemma_.lower() in _TIME_UNITS or t.lemma_.lower() in _LENGTH_UNITS)
        # A counted unit ("three weeks", "a decade"), not "decades of imperialist wars".
        and any(
            c.dep_ == "nummod" or c.lower_ in {"a", "an", "several", "few", "many"}
            for c in t.children
        )
        for t in span
    ) or any(t.ent_type_ == "QUANTITY" for t in span)


# Words that make "how much" ask for a sum of money: the verb, or the word it asks of.
_MONEY_WORDS = {
    "pay", "cost", "spend", "charge", "price", "sell", "buy", "earn", "money", "worth",
    "fund", "budget", "fee", "salary", "fine", "afford",
}  # fmt: skip
_CURRENCIES = {
    "$", "€", "£", "¥", "₽", "₺", "dollar", "euro", "pound", "yen", "yuan", "ruble",
    "rouble", "lira", "manat", "dram", "rupee", "franc", "usd", "eur", "gbp",
}  # fmt: skip


def asks_for_money(question: Question) -> bool:
    """Whether the question is "how much" of a sum: "How much did Azerbaijan pay for the
    drones?", "How much money did Turkey spend?" (not "How much territory")."""
    doc = question.doc
    start = question.wh_start
    if start < 0 or doc[start : start + 2].text.lower() != "how much":
        return False
    words = {t.lemma_.lower() for t in doc} | {t.lower_ for t in doc}
    return bool(words & _MONEY_WORDS)


def tells_money(span: Span) -> bool:
    """Whether a span says a sum of money: "$2 billion", "40 million euros"."""
    return any(t.ent_type_ == "MONEY" or t.lemma_.lower() in _CURRENCIES for t in span)


def unmeasured(candidates: CandidateSet) -> np.ndarray:
    """For "how long", "how far" and "how high": the candidates that say no length of
    time or distance ("two" of "two escort ships" for "How long did the exercise last?",
    "Azeri" for "How high are the mountains?"); for "how much" of a sum, those that say
    no money."""
    question = candidates.question
    if question.wh in _MEASURED:
        tells = tells_measure
    elif asks_for_money(question):
        tells = tells_money
    else:
        return np.zeros(len(candidates), dtype=bool)
    # Asked again of the best answer by ``confidence_factor``: computed once.
    return _once(
        candidates,
        "unmeasured",
        lambda: np.array([not tells(c.span) for c in candidates.candidates], dtype=bool),
    )


_TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}


def prefer_measured(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A bare number ranked best ("Three") swaps places with the same number and its unit
    ("Three weeks") when that is a candidate: "how long/old/far" asks for a measure."""
    question = candidates.question
    if question.wh not in {"how long", "how old", "how far"} or not len(logits):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    root = span.root
    if len(span) != 1 or root.dep_ != "nummod" or root.head.i != root.i + 1:
        return logits
    return _swapped_to(logits, candidates, best, (root.i, root.head.i + 1))
