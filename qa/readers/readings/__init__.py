"""Readings of a question that the ranker's trees cannot make, applied to ranked candidates.

The trees score each candidate on its own features. Some answers depend on how candidates
relate to each other or to the question's wording, and these are read here, after
ranking, with the same scores: masks (a "how many" question takes a number and never a
year, a span that only restates the wh-phrase or names the question's other participant
is never the answer; one of another of the things the question tells apart, a span with
no time of day for "at what time", a name for what was said, people for "where" are
passed over while something else is left), swaps of two candidates' places (the count of
what is asked, a measure with its unit, a plural question's whole list, the action of
the question's actor, a name clearly of the asked kind or called so by its sentence, the
doer of the asked verb, the place or time of the question's subject, a doer set in the
asked place, the possessor for "whose", the words that say which for "what kind of", a
statement of the asked speaker, a noun phrase with its whole modifier, the adjective
said of what the question names, the phrase a "who" answer's modifier belongs to) and
discounts of the best answer's confidence when its sentence is about something else
(another attribute, another numbered week, a count of something else, people for a
place, no time of day).

The readings live in modules named after what they read, each importing only from those
before it in this list (helpers, then readings, then the two that apply them all):

- ``common`` and ``syntax``: helpers and constants shared by several readings (feature
  columns, the swaps, the per-question cache; the parse-tree helpers);
- ``times``, ``masks``, ``measures``, ``reasons``, ``countries``, ``counts``, ``phrases``,
  ``kinds``, ``actions``, ``places``, ``roles``, ``speakers``, ``ordinals``,
  ``descriptions``, ``manners``: the readings, by what the question asks;
- ``reranking`` (:func:`rerank`, every mask and swap in order) and ``confidence``
  (:func:`confidence_factor`, every discount).

This package re-exports the names the readers, training, the tests and README use, so
``from qa.readers.readings import ...`` reads as before.
"""

from __future__ import annotations

from qa.readers.readings.actions import prefer_actor, prefer_all_actions, prefer_asked_infinitive
from qa.readers.readings.common import swapped
from qa.readers.readings.confidence import confidence_factor
from qa.readers.readings.countries import done_by_another_country, names_the_asked_country
from qa.readers.readings.counts import (
    _counted_for_a_doer,
    _counted_phrase,
    _names_only_a_modifier,
    _names_uncounted,
    _of_another_country,
    counts_something_else,
    prefer_counted,
    stated_in_question,
)
from qa.readers.readings.descriptions import (
    _described_lemmas,
    prefer_called_adjective,
    prefer_described_adjective,
    prefer_description,
)
from qa.readers.readings.kinds import (
    names_a_thing,
    prefer_fitting_kind,
    prefer_kind_modifier,
    prefer_labelled_name,
    prefer_name_of_kind,
    prefer_name_on_kind,
    unnamed,
    untyped,
)
from qa.readers.readings.manners import prefer_means
from qa.readers.readings.masks import (
    allowed,
    answerable,
    masked_logits,
    restates_question,
    type_available,
)
from qa.readers.readings.measures import prefer_measured, tells_measure, unmeasured
from qa.readers.readings.ordinals import of_another_one, of_other_ones, other_ordinal, other_rank
from qa.readers.readings.phrases import (
    prefer_all_adjectives,
    prefer_bare_name,
    prefer_modified_noun,
    prefer_uncut_phrase,
    prefer_whole_list,
)
from qa.readers.readings.places import (
    no_place,
    people_for_a_place,
    prefer_asked_place,
    prefer_own_setting,
    repeats_for_a_place,
)
from qa.readers.readings.reasons import states_purpose, unreasoned
from qa.readers.readings.reranking import rerank
from qa.readers.readings.roles import (
    _fills,
    names_a_participant,
    prefer_doer,
    prefer_possessor,
    prefer_stranded_object,
)
from qa.readers.readings.speakers import only_tells, prefer_sayer, prefer_speaker, unsaid
from qa.readers.readings.syntax import _antecedent, _relative_clauses
from qa.readers.readings.times import (
    asked_time_unit,
    days_of_month,
    tells_time_unit,
    untimed,
    years,
)

__all__ = [
    "_antecedent",
    "_counted_for_a_doer",
    "_counted_phrase",
    "_described_lemmas",
    "_fills",
    "_names_only_a_modifier",
    "_names_uncounted",
    "_of_another_country",
    "_relative_clauses",
    "allowed",
    "answerable",
    "asked_time_unit",
    "confidence_factor",
    "counts_something_else",
    "days_of_month",
    "done_by_another_country",
    "masked_logits",
    "names_a_participant",
    "names_a_thing",
    "names_the_asked_country",
    "no_place",
    "of_another_one",
    "of_other_ones",
    "only_tells",
    "other_ordinal",
    "other_rank",
    "people_for_a_place",
    "prefer_actor",
    "prefer_all_actions",
    "prefer_all_adjectives",
    "prefer_asked_infinitive",
    "prefer_asked_place",
    "prefer_bare_name",
    "prefer_called_adjective",
    "prefer_counted",
    "prefer_described_adjective",
    "prefer_description",
    "prefer_doer",
    "prefer_fitting_kind",
    "prefer_kind_modifier",
    "prefer_labelled_name",
    "prefer_means",
    "prefer_measured",
    "prefer_modified_noun",
    "prefer_name_of_kind",
    "prefer_name_on_kind",
    "prefer_own_setting",
    "prefer_possessor",
    "prefer_sayer",
    "prefer_speaker",
    "prefer_stranded_object",
    "prefer_uncut_phrase",
    "prefer_whole_list",
    "repeats_for_a_place",
    "rerank",
    "restates_question",
    "stated_in_question",
    "states_purpose",
    "swapped",
    "tells_measure",
    "tells_time_unit",
    "type_available",
    "unmeasured",
    "unnamed",
    "unreasoned",
    "unsaid",
    "untimed",
    "untyped",
    "years",
]
