"""The discount of the best answer's confidence.

:func:`confidence_factor` multiplies the calibrated confidence by a small factor when the
best answer's sentence is about something else than the question asks: another attribute,
another numbered one, a count of something else, a teller or another country's doer,
people for a place, no time of day or unit. The factors are here, beside it.
"""

from __future__ import annotations

import math

from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import FineType, WhRole
from qa.readers.readings.common import _sentence_of
from qa.readers.readings.countries import done_by_another_country
from qa.readers.readings.counts import (
    counts_something_else,
    stated_in_question,
    tells_the_toll,
)
from qa.readers.readings.kinds import names_a_thing, unnamed, untyped
from qa.readers.readings.measures import unmeasured
from qa.readers.readings.ordinals import of_another_one, other_ordinal, other_rank
from qa.readers.readings.places import no_place, people_for_a_place
from qa.readers.readings.reasons import states_purpose
from qa.readers.readings.speakers import only_tells
from qa.readers.readings.times import asked_time_unit, tells_time_unit

_MISSING_ATTRIBUTE_FACTOR = 0.02

# A best sentence about another one of what the question numbers ("the first week" for
# "in the second week") is about something else, however well it matches otherwise.
_OTHER_ORDINAL_FACTOR = 0.02


_NOT_A_PLACE_FACTOR = 0.02

_UNTIMED_FACTOR = 0.02

_UNCOUNTED_FACTOR = 0.02


_SPEAKER_FACTOR = 0.02


def confidence_factor(candidates: CandidateSet, best: int, use_embeddings: bool) -> float:
    """What the best answer's calibrated confidence is multiplied by: 1, or a small factor
    when its sentence is about something else than the question asks."""
    question = candidates.question
    factor = 1.0
    # A purpose noun ("What was the purpose of X?") names the kind of answer, not an
    # attribute the sentence must name, when the answer says a purpose ("to allow ...").
    # So does "toll" of "What is the death toll?" in a sentence of the dead.
    attribute = question.role is WhRole.ATTRIBUTE and not (
        (question.fine_type is FineType.REASON and states_purpose(candidates.candidates[best].span))
        or tells_the_toll(candidates, best)
    )
    if attribute and math.isnan(candidates.features[best, _INDEX["dep_dist_gov"]]):
        # "What is the capital of X": when the best span's sentence has no word for
        # "capital", the sentence is about something else, however well it matches X.
        factor *= _MISSING_ATTRIBUTE_FACTOR
    if use_embeddings and counts_something_else(candidates, best):
        factor *= _UNCOUNTED_FACTOR
    if stated_in_question(candidates)[best]:
        factor *= _UNCOUNTED_FACTOR  # the question's own number, when no other was left
    top = _sentence_of(candidates, best)
    if (
        other_ordinal(question, top)
        or other_rank(question, top)
        or of_another_one(question, top, candidates.candidates[best].span)
    ):
        factor *= _OTHER_ORDINAL_FACTOR
    if (
        only_tells(candidates, best)
        or done_by_another_country(candidates, best)
        or names_a_thing(candidates, best)
        or untyped(candidates, best)
        or unnamed(candidates)[best]
    ):
        factor *= _SPEAKER_FACTOR
    if people_for_a_place(candidates)[best] or no_place(candidates)[best]:
        factor *= _NOT_A_PLACE_FACTOR  # "where" answered by people: no place was left
    unit = asked_time_unit(question)
    if unit is not None and not tells_time_unit(candidates.candidates[best].span, unit):
        factor *= _UNTIMED_FACTOR
    if unmeasured(candidates)[best]:
        factor *= _UNTIMED_FACTOR
    return factor
