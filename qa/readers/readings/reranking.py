"""The readings after ranking, applied in order to the trees' logits.

:func:`rerank` runs the masks and the "prefer" readings of the other modules of
:mod:`qa.readers.readings`; their order matters (see the comments in it).
"""

from __future__ import annotations

import numpy as np

from qa.readers.features import CandidateSet
from qa.readers.question import FineType
from qa.readers.readings.actions import prefer_actor, prefer_all_actions, prefer_asked_infinitive
from qa.readers.readings.countries import names_the_asked_country
from qa.readers.readings.counts import prefer_counted, stated_in_question
from qa.readers.readings.descriptions import (
    prefer_called_adjective,
    prefer_described_adjective,
    prefer_description,
)
from qa.readers.readings.kinds import (
    prefer_fitting_kind,
    prefer_kind_modifier,
    prefer_labelled_name,
    prefer_name_of_kind,
    prefer_name_on_kind,
    unnamed,
)
from qa.readers.readings.manners import prefer_means
from qa.readers.readings.masks import masked_logits
from qa.readers.readings.measures import prefer_measured, unmeasured
from qa.readers.readings.ordinals import of_other_ones
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
from qa.readers.readings.reasons import unreasoned
from qa.readers.readings.roles import (
    names_a_participant,
    prefer_doer,
    prefer_possessor,
    prefer_stranded_object,
)
from qa.readers.readings.speakers import prefer_sayer, prefer_speaker, unsaid
from qa.readers.readings.times import days_of_month, untimed, years


def rerank(logits: np.ndarray, candidates: CandidateSet, use_embeddings: bool) -> np.ndarray:
    """The trees' ``logits`` with every reading of the other modules of
    :mod:`qa.readers.readings` (the masks, then the swaps) applied, in order.

    ``use_embeddings`` is False only in ablations without the MiniLM features, which the
    kind-fit reading needs.
    """
    logits = masked_logits(logits, candidates.features, candidates.question.fine_type)
    logits[names_a_participant(candidates)] = logits.min() - 30.0
    # Only when something else is left: else the best one's confidence is discounted.
    for passed_over in (
        of_other_ones(candidates),
        untimed(candidates),
        unmeasured(candidates),
        unreasoned(candidates),
        names_the_asked_country(candidates),
        unsaid(candidates),
        people_for_a_place(candidates),
        no_place(candidates),
        repeats_for_a_place(candidates),
        stated_in_question(candidates),
        unnamed(candidates),
    ):
        if not passed_over.all():
            logits[passed_over] = logits.min() - 30.0
    if candidates.question.wh in {"how old", "how long", "how far"}:
        logits[days_of_month(candidates)] = logits.min() - 30.0
    if candidates.question.fine_type is FineType.NUMBER:
        logits[years(candidates)] = logits.min() - 30.0
    logits = prefer_counted(logits, candidates)
    logits = prefer_measured(logits, candidates)
    # Before the whole-list reading: it may swap in one name of the list set there.
    logits = prefer_asked_place(logits, candidates)
    logits = prefer_whole_list(logits, candidates)
    logits = prefer_actor(logits, candidates)
    if use_embeddings:
        logits = prefer_fitting_kind(logits, candidates)
    logits = prefer_name_of_kind(logits, candidates)
    logits = prefer_name_on_kind(logits, candidates)
    logits = prefer_labelled_name(logits, candidates)
    # After the kind readings: a word like the kind ("bodies" for "which body") is weaker
    # evidence than the role the sentence gives a phrase.
    logits = prefer_doer(logits, candidates)
    logits = prefer_stranded_object(logits, candidates)
    logits = prefer_own_setting(logits, candidates)
    logits = prefer_possessor(logits, candidates)
    logits = prefer_kind_modifier(logits, candidates)
    logits = prefer_speaker(logits, candidates)
    logits = prefer_sayer(logits, candidates)
    logits = prefer_all_actions(logits, candidates)
    logits = prefer_asked_infinitive(logits, candidates)
    logits = prefer_means(logits, candidates)
    logits = prefer_described_adjective(logits, candidates)
    logits = prefer_called_adjective(logits, candidates)
    logits = prefer_description(logits, candidates)
    logits = prefer_modified_noun(logits, candidates)
    logits = prefer_uncut_phrase(logits, candidates)
    logits = prefer_all_adjectives(logits, candidates)
    return prefer_bare_name(logits, candidates)
