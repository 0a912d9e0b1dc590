"""Readings of "where", and of where or when the question's subject did something.

People are no place (:func:`people_for_a_place`), nor the doer of a passive, an adverb or
an adjective (:func:`no_place`), nor is what the question says already
(:func:`repeats_for_a_place`); a doer whose verb is set in the asked place is preferred to
one set elsewhere (:func:`prefer_asked_place`), and a place or time said of the question's
subject to one said of someone else (:func:`prefer_own_setting`). The role readings read
the settings of a verb here too (``_named_settings``, ``_elsewhere``).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Token

from qa.gazetteer import place_aliases
from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import FineType, WhRole, names_people
from qa.readers.readings.common import (
    _LABEL_COLUMNS,
    _PEOPLE_GROUPS,
    _PHRASE_TYPES,
    _names,
    _once,
    _prefer_own,
)
from qa.readers.readings.masks import allowed
from qa.readers.readings.syntax import (
    _actor,
    _actor_forms,
    _named_subject,
    _naming_forms,
    _subject_verbs,
)


def repeats_for_a_place(candidates: CandidateSet) -> np.ndarray:
    """For "where": the candidates with no word beyond the question's ("Azerbaijan" for
    "Where in Azerbaijan are the troops based?")."""
    if candidates.question.fine_type is not FineType.PLACE:
        return np.zeros(len(candidates), dtype=bool)
    return candidates.features[:, _INDEX["novel_words"]] <= 0


def people_for_a_place(candidates: CandidateSet) -> np.ndarray:
    """For "where": the candidates that name people ("Turkish representatives", a
    person's name), which are no place however well their sentence matches."""
    if candidates.question.fine_type is not FineType.PLACE:
        return np.zeros(len(candidates), dtype=bool)

    def people() -> np.ndarray:
        person = candidates.features[:, _LABEL_COLUMNS["PERSON"]] > 0
        roots = [c.span.root.lemma_.lower() for c in candidates.candidates]
        return person | np.array(
            [names_people(lemma) or lemma in _PEOPLE_GROUPS for lemma in roots], dtype=bool
        )

    return _once(candidates, "people", people)


# Adverbs of time and degree, which say no place ("sitting *overhead*" says one).
_NO_PLACE_ADVERBS = {
    "already", "earlier", "later", "now", "then", "soon", "recently", "yesterday", "today",
    "tomorrow", "still", "again", "once", "ago", "before", "after", "afterwards",
    "meanwhile", "since", "initially", "finally", "first", "last", "also", "only", "even",
    "just", "very", "too", "however", "actively", "reportedly", "allegedly", "dramatically",
}  # fmt: skip


def no_place(candidates: CandidateSet) -> np.ndarray:
    """For "where": the candidates that are the doer of a passive ("negotiated a week ago
    *by Russia*"), an adverb of time or degree ("already") or an adjective that is no
    nationality ("earlier"), which say no place however well their sentence matches."""
    # Only "where": "Which countries lead the group?" is answered by "led *by* them".
    if candidates.question.fine_type is not FineType.PLACE or candidates.question.wh != "where":
        return np.zeros(len(candidates), dtype=bool)

    def found() -> np.ndarray:
        out = []
        for candidate in candidates.candidates:
            root = candidate.span.root
            agent = root.dep_ == "agent" or (root.dep_ == "pobj" and root.head.dep_ == "agent")
            adverb = root.pos_ == "ADV" and root.lower_ in _NO_PLACE_ADVERBS
            # An adjective ("the *earlier* ceasefire") names no place, but a nationality
            # says where from ("Syrian").
            adjective = root.pos_ == "ADJ" and not root.ent_type_
            out.append(agent or adverb or adjective)
        return np.array(out, dtype=bool)

    return _once(candidates, "no_place", found)


_PLACE_PREPOSITIONS = {"in", "at", "on"}


def _named_settings(verb: Token) -> dict[str, set[str]]:
    """The names a verb's "in", "at" or "on" phrases give, by preposition: "backed ... *in
    Syria*" -> {"in": {"syria"}}. Its object's too, where the parser often hangs them
    ("backed Assad's regime *in Libya*")."""
    found: dict[str, set[str]] = {}
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    for prep in [t for head in (verb, *objects) for t in head.children]:
        if prep.dep_ == "prep" and prep.lower_ in _PLACE_PREPOSITIONS:
            for noun in prep.children:
                if noun.dep_ == "pobj" and noun.pos_ == "PROPN":
                    found.setdefault(prep.lower_, set()).update(_naming_forms(noun))
    return found


def _elsewhere(verb: Token, asked: dict[str, set[str]]) -> bool:
    """Whether ``verb`` is set somewhere else than the question's verb: "In Syria, Russia
    and Iran have backed ..." does not answer who backed them "in Libya"."""
    said = _named_settings(verb)
    return any(prep in said and not _same_place(said[prep], names) for prep, names in asked.items())


def _same_place(said: set[str], asked: set[str]) -> bool:
    """Whether two settings name the same place, a capital standing for its country ("in
    Damascus" for "in Syria")."""
    return bool(said & asked) or any(place_aliases(name) & asked for name in said)


def _set_there(verb: Token, asked: dict[str, set[str]]) -> bool:
    """Whether ``verb`` is set in the question's place ("In Syria, Russia and Iran have
    backed ..." for "... in Damascus")."""
    said = _named_settings(verb)
    return any(prep in said and _same_place(said[prep], names) for prep, names in asked.items())


# How far below a best doer set elsewhere the one set in the question's place may be ranked
# and take its place.
_PLACE_MARGIN = 4.0


def prefer_asked_place(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For a question whose wh-phrase is the subject of a verb set in a named place ("Which
    governments support the regime in Damascus?"), a best answer whose own verb is set
    elsewhere ("Russia and Turkey have backed opposed factions *in Libya*") swaps places
    with one, ranked near it, whose verb is set there ("*In Syria*, Russia and Iran have
    backed ..."), whatever the two verbs are. The scores are swapped, not changed."""
    question = candidates.question
    if (
        question.role is not WhRole.SUBJECT
        or question.fine_type not in _PHRASE_TYPES
        or question.governor < 0
        or not len(logits)
    ):
        return logits
    asked = _named_settings(question.doc[question.governor])
    if not asked:
        return logits
    ok = allowed(candidates.features, question.fine_type)

    def fit(i: int) -> float:
        """2 when its verb is set in the asked place, 0 when elsewhere, 1 when unsaid."""
        verbs = _subject_verbs(candidates.candidates[i].span.root)
        if any(_set_there(v, asked) for v in verbs):
            return 2.0
        return 0.0 if any(_elsewhere(v, asked) for v in verbs) else 1.0

    return _prefer_own(logits, ok, fit, _PLACE_MARGIN)


# How far below a best place or time said of someone else the one said of the question's
# subject may be ranked and take its place.
_SETTING_MARGIN = 4.0
_SETTING_TYPES = {FineType.PLACE, FineType.TIME}
_CLIMB = 8


def _clause_actor(token: Token) -> Token | None:
    """Who does the nearest verb above ``token`` that names a doer: "Armenia" of "Moscow,
    which has an alliance and troops stationed in Armenia" is said of Moscow (climbing past
    "stationed", which names none)."""
    for _ in range(_CLIMB):
        if token.pos_ in {"VERB", "AUX"}:
            actor, _ = _actor(token)
            if actor is not None:
                return actor
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def prefer_own_setting(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "where" or "when" something was done by the question's subject: a best place or
    time in a clause done by someone else swaps places with one in a clause the subject
    does. "Where does Moscow have troops stationed?" takes "Armenia" of "While Ankara has
    called for Azerbaijan to expel Armenians from the Karabakh, Moscow, which has an
    alliance and troops stationed in Armenia, ...", not Ankara's "the Karabakh". The
    scores are swapped, not changed."""
    question = candidates.question
    if (
        question.role is not WhRole.ADVERBIAL
        or question.fine_type not in _SETTING_TYPES
        or question.governor < 0
        or not len(logits)
    ):
        return logits
    wanted = _named_subject(question)
    if wanted is None:
        return logits
    ok = allowed(candidates.features, question.fine_type)

    def fit(i: int) -> float:
        """2 when said of the subject, 1 when of no one the parse tells, 0 of another."""
        actor = _clause_actor(candidates.candidates[i].span.root)
        if actor is None or actor.pos_ == "PRON":
            return 1.0
        return 2.0 if _names(wanted, _actor_forms(actor)) else 0.0

    return _prefer_own(logits, ok, fit, _SETTING_MARGIN)
