"""Readings of what was said, and by whom.

"What did X say?" takes a clause or verb phrase (:func:`unsaid`) that X says or does
(:func:`prefer_speaker`); "Who said X?" takes the subject of a verb of saying
(:func:`prefer_sayer`), and "who did it" is not answered by who only tells of it
(:func:`only_tells`).
"""

from __future__ import annotations

import numpy as np

from qa.readers.features import CandidateSet
from qa.readers.question import SAY_VERBS, FineType, WhRole
from qa.readers.readings.common import (
    _ACTION_COLUMNS,
    _names,
    _near,
    _once,
    _prefer_better_fit,
    _prefer_own,
)
from qa.readers.readings.roles import _asked
from qa.readers.readings.syntax import (
    _actor,
    _actor_forms,
    _named_subject,
    _naming_forms,
    _subject_verbs,
)


def unsaid(candidates: CandidateSet) -> np.ndarray:
    """For "What did X say / tell Y / warn (about Z)?", where what was said is the whole
    answer: the candidates that are no clause or verb phrase, which say nothing ("WBS" of
    "... , Pompeo told WBS radio"). Not when the question says part of it itself ("What
    did Biden say the rhetoric was encouraging?" asks for a noun phrase)."""
    return _once(candidates, "unsaid", lambda: _unsaid(candidates))


def _unsaid(candidates: CandidateSet) -> np.ndarray:
    question = candidates.question
    out = np.zeros(len(candidates), dtype=bool)
    if question.fine_type is not FineType.STATEMENT or question.governor < 0:
        return out
    verb = question.doc[question.governor]
    if any(c.dep_ in {"ccomp", "xcomp", "advcl", "acomp"} for c in verb.children):
        return out
    # "What does the author say *is* the way forward?": a verb after "say", however parsed.
    if any(t.pos_ in {"VERB", "AUX"} for t in question.doc[verb.i + 1 :]):
        return out
    x = candidates.features
    return ~(x[:, _ACTION_COLUMNS] > 0).any(axis=1)


# How far below a best statement said by someone else one said by the question's speaker
# may be ranked and take its place.
_SPEAKER_MARGIN = 6.0


def prefer_speaker(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "What did X say (about Y)?": a best clause said or done by someone else swaps
    places with one, ranked near it, that X says or does: "accused Armenian forces of
    launching ..." (the Azeri Defense Ministry's) for "What did the Azeri Defense Ministry
    say?", not what the Armenian spokeswoman blamed. Who says a clause is the subject of
    the verb it complements ("X warned that ..."), or of its own verb. The scores are
    swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.STATEMENT or question.governor < 0:
        return logits
    wanted = _named_subject(question)
    if wanted is None or not len(logits):
        return logits
    ok = ~unsaid(candidates)

    def fit(i: int) -> float:
        """2 when X says or does it, 0 when someone named else does, 1 when unsaid."""
        span = candidates.candidates[i].span
        root = span.root
        # What a verb of saying says is its clause (or what "say" takes as object), never
        # who it is told to ("told WBS radio").
        content = {"ccomp"} if root.lemma_.lower() == "tell" else {"ccomp", "dobj"}
        if root.lemma_.lower() in SAY_VERBS and not any(
            c.dep_ in content and span.start <= c.i < span.end for c in root.children
        ):
            return 0.0  # "told WBS" says nothing
        verbs = [root] + ([root.head] if root.dep_ in {"ccomp", "parataxis"} else [])
        actors = [a for v in verbs if (a := _actor(v)[0]) is not None and a.pos_ != "PRON"]
        # "Mayor Lund" is the mayor: the words naming a doer count too.
        if any(_names(wanted, _actor_forms(a) | _naming_forms(a)) for a in actors):
            return 2.0
        return 0.0 if actors else 1.0

    return _prefer_own(logits, ok, fit, _SPEAKER_MARGIN)


# Verbs a speaker may be said to do ("Who criticized Ankara?" is answered by who stated
# it), and verbs of holding or giving, which a speaker does as well ("gave an interview",
# "has ties to").
_SPEECH_ACTS = SAY_VERBS | {
    "describe", "call", "criticize", "criticise", "condemn", "blame", "accuse", "praise",
    "urge", "deny", "confirm", "predict", "explain", "quote", "cite", "ask", "speak", "talk",
    "have", "give", "hold", "keep", "grant",
}  # fmt: skip


def only_tells(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "Who <did something>?" is only the one who tells of it:
    "US military analyst Rob Lee *told* Al Jazeera that ... drones have affected Armenian
    forces" does not say Lee shot the drones down."""
    asked = _asked(candidates)
    if asked is None or asked[1] is not WhRole.SUBJECT or asked[0] in _SPEECH_ACTS:
        return False
    verbs = _subject_verbs(candidates.candidates[best].span.root)
    return bool(verbs) and all(v.lemma_.lower() in SAY_VERBS for v in verbs)


# How far below the best the one who says it may be ranked and still answer "Who said X?".
_SAYER_MARGIN = 6.0


def prefer_sayer(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "Who said / claimed / warned <what>?": a best answer that says nothing gives way
    to one ranked within 6 logits that is the subject of a verb of saying: "Fuad Shahbaz
    ... told Al Jazeera, 'We have seen Bayraktar drones actively used ... against ...
    Khalifa Haftar's Army'" answers "Who said Bayraktar drones had been used in Syria?",
    not "Khalifa Haftar". The scores are swapped."""
    question = candidates.question
    if question.role is not WhRole.SUBJECT or question.governor < 0 or not len(logits):
        return logits
    verb = question.doc[question.governor]
    if verb.lemma_.lower() not in SAY_VERBS or verb.i + 1 >= len(question.doc) - 1:
        return logits

    def fit(i: int) -> float:
        verbs = _subject_verbs(candidates.candidates[i].span.root)
        return float(any(v.lemma_.lower() in SAY_VERBS for v in verbs))

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _SAYER_MARGIN), fit)
