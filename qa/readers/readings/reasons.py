"""Readings of "why".

A reason is said by a clause or a phrase led by a word of reason ("because ...", "due to
..."): :func:`unreasoned` masks names and noun phrases for "why", and
:func:`states_purpose` tells the confidence reading when an answer says what something is
for ("to allow ...").
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span

from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import FineType

# What can say why: a clause, a verb phrase, or a phrase led by a word of reason ("because
# ...", "due to ...", "for ..."; the tagger may take "because a water pipe burst" for a
# noun phrase).
_REASON_KINDS = {"vp", "vp_full", "clause", "clause_full"}
_REASON_WORDS = {
    "because", "since", "as", "so", "due", "owing", "for", "out", "amid", "over", "from",
    "after", "given", "thanks", "to",
}  # fmt: skip


def unreasoned(candidates: CandidateSet) -> np.ndarray:
    """For "why": the candidates that are only a name or a noun phrase ("events" for "Why
    does France follow the conflict closely?"), or say nothing beyond the question: a
    reason is said by a clause or a phrase."""
    if candidates.question.fine_type is not FineType.REASON:
        return np.zeros(len(candidates), dtype=bool)
    phrases = np.array(
        [
            bool(c.kinds & _REASON_KINDS) or c.span[0].lower_ in _REASON_WORDS
            for c in candidates.candidates
        ]
    )
    # Nor a clause of the question's own words ("Azeri forces have" for "Why does Lee
    # think Azeri forces have the upper hand?").
    return ~phrases | (candidates.features[:, _INDEX["novel_words"]] <= 0)


def states_purpose(span: Span) -> bool:
    """Whether a span says what something is for: "to allow an exchange of bodies", "in
    order to ...", "so that ...", "so as to ..."."""
    words = [t.lower_ for t in span[:3]]
    if len(words) >= 2 and words[0] == "to" and span[1].pos_ in {"VERB", "AUX", "ADV"}:
        return True
    return words[:2] in (["so", "that"], ["in", "order"], ["so", "as"])
