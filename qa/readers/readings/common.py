"""Helpers and constants that readings of several modules share.

The feature columns the readings read (labels, measures, actions, nouns), the answer types
they group, the nouns for groups of people, the per-question cache (``_once``), the swaps
every "prefer" reading makes (``swapped``, ``_swapped_to``, ``_prefer_better_fit``,
``_prefer_own``) and the candidates they choose among (``_near``, ``_best_rooted``), word
matching by stem (``_names``), a candidate's sentence and its fit to the asked kind. They
are here because readings of several modules use them; this module imports none of the
package's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from spacy.tokens import Span

from qa.nlp import shares_stem
from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import FineType

_NAMED_KINDS = {FineType.PERSON, FineType.ORGANIZATION, FineType.PLACE}


_LABEL_COLUMNS = {label: _INDEX[f"label={label}"] for label in ("PERSON", "ORG", "NORP", "GPE")}
_MEASURE_COLUMNS = [
    _INDEX[name]
    for name in ("label=DATE", "label=TIME", "label=CARDINAL", "label=QUANT", "label=ORDINAL")
] + [_INDEX["kind=number"], _INDEX["kind=number_noun"]]
_ACTION_COLUMNS = [_INDEX[f"kind={k}"] for k in ("vp", "vp_full", "clause", "clause_full")]
_NOUN_COLUMNS = [
    _INDEX[f"kind={k}"] for k in ("entity", "np", "np_full", "np_cut", "conj", "coord")
]


def _once(candidates: CandidateSet, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per question: several readings, the answerability check and the
    confidence factor ask the same thing of the same candidates."""
    if name not in candidates.extra:
        candidates.extra[name] = compute()
    return candidates.extra[name]


# Nouns for groups of people, which a "which X" question counts or describes rather than
# names (so no person type words), and which are never a place: "drone pilots", "troops".
_PEOPLE_GROUPS = {
    "pilot", "troop", "soldier", "fighter", "mercenary", "civilian", "child", "worker",
    "militant", "recruit", "volunteer", "refugee", "prisoner", "people", "person",
}  # fmt: skip


def swapped(logits: np.ndarray, a: int, b: int) -> np.ndarray:
    """``logits`` with candidates ``a`` and ``b`` in each other's places (scores kept)."""
    out = logits.copy()
    out[a], out[b] = logits[b], logits[a]
    return out


def _swapped_to(
    logits: np.ndarray, candidates: CandidateSet, best: int, bounds: tuple[int, int]
) -> np.ndarray:
    """``logits`` with ``best`` swapped with the candidate of its passage spanning
    ``bounds`` (token offsets), or unchanged when there is none."""
    for i, candidate in enumerate(candidates.candidates):
        if (
            candidates.passage_of[i] == candidates.passage_of[best]
            and (candidate.span.start, candidate.span.end) == bounds
        ):
            return swapped(logits, best, i)
    return logits


def _prefer_better_fit(
    logits: np.ndarray, best: int, near: Sequence[int], fit: Callable[[int], float]
) -> np.ndarray:
    """``best`` swaps places with the candidate of ``near`` that ``fit`` rates highest
    (the higher ranked on a tie), when that one fits strictly better."""
    if not near:
        return logits
    score, _, other = max((fit(i), logits[i], i) for i in near)
    if score <= fit(best):
        return logits
    return swapped(logits, best, other)


def _near(
    logits: np.ndarray, best: int, margin: float, among: np.ndarray | None = None
) -> list[int]:
    """Candidates other than ``best`` ranked within ``margin`` logits of it (of ``among``,
    a mask, when given)."""
    close = logits >= logits[best] - margin
    if among is not None:
        close &= among
    return [int(i) for i in np.flatnonzero(close) if i != best]


def _prefer_own(
    logits: np.ndarray, ok: np.ndarray, fit: Callable[[int], float], margin: float
) -> np.ndarray:
    """A best candidate ``fit`` rates 0 (said of another) swaps places with the best-ranked
    candidate within ``margin`` that is ``ok`` and rated 2 (said of the one asked about);
    1 is "the parse does not tell", which keeps its place."""
    best = int(np.argmax(logits))
    if fit(best) > 0.0:
        return logits
    near = [i for i in _near(logits, best, margin) if ok[i] and fit(i) == 2.0]
    return _prefer_better_fit(logits, best, near, fit)


def _best_rooted(
    logits: np.ndarray, candidates: CandidateSet, fine_type: FineType, root_pos: set[str]
) -> tuple[int, Span] | None:
    """The best candidate and its span, when the question is of ``fine_type`` and the
    span's root has one of ``root_pos``; None otherwise."""
    if candidates.question.fine_type is not fine_type or not len(logits):
        return None
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    return (best, span) if span.root.pos_ in root_pos else None


def _related(a: str, b: str) -> bool:
    """The same word or the same stem: "Libya" / "Libyan", "militiamen" / "militias"."""
    return a == b or shares_stem(a, b, 5)


def _names(forms: set[str], phrase: set[str]) -> bool:
    return bool(forms & phrase) or any(_related(a, b) for a in forms for b in phrase)


def _sentence_of(candidates: CandidateSet, i: int) -> Span:
    """Candidate ``i``'s sentence: its passage's stored parse, or the parse the extractor
    made of the passage's text on its own."""
    parse = candidates.passages[candidates.passage_of[i]].parse
    return parse if parse is not None else candidates.candidates[i].span.doc[:]


def _kind_fit(x: np.ndarray) -> np.ndarray:
    return np.maximum(x[:, _INDEX["focus_sim"]], x[:, _INDEX["focus_neighbour_sim"]])


_ACTION_KINDS = {"vp", "vp_full", "clause", "clause_full"}

# Answer types a participant's noun phrase answers ("what did X call upon them to do"
# asks for an action, whatever the object of "call").
_PHRASE_TYPES = {FineType.PERSON, FineType.ORGANIZATION, FineType.THING, FineType.PLACE}
