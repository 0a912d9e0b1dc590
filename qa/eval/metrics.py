"""The evaluation figures: SQuAD answer scores, retrieval ranks, calibration, summaries.

Answer scoring follows the official SQuAD 2.0 script: lower case, strip punctuation (ASCII
and Unicode), drop the articles a/an/the, collapse white space; EM and token F1 take the
best gold answer; empty against empty scores 1.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qa.answers import Citation
from qa.eval.gold import ANSWERABLE_CATEGORIES, GoldCase
from qa.eval.results import CaseRun, CaseScore

RECALL_KS = (1, 3, 5)
MRR_K = 10
CURVE_K = 10
CORRECT_F1 = 0.5
"""A candidate counts as correct for calibration when its token F1 reaches this."""

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_ASCII_PUNCTUATION = frozenset(string.punctuation)


def _is_punctuation(ch: str) -> bool:
    # Curly quotes and dashes are Unicode punctuation that the ASCII set misses.
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch).startswith("P")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles, single spaces.

    Example:
        >>> normalize_answer("The  Caucasus!")
        'caucasus'
    """
    text = "".join(ch for ch in text.lower() if not _is_punctuation(ch))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: str) -> float:
    """1.0 when the two strings are equal after normalisation.

    Example:
        >>> exact_match("the Caucasus", "Caucasus.")
        1.0
    """
    return float(normalize_answer(prediction) == normalize_answer(gold))


def token_f1(prediction: str, gold: str) -> float:
    """Harmonic mean of token precision and recall after normalisation (SQuAD's F1).

    Example:
        >>> round(token_f1("13 civilians", "13"), 3)
        0.667
    """
    pred_tokens = normalize_answer(prediction).split()
    gold_tokens = normalize_answer(gold).split()
    if not pred_tokens or not gold_tokens:
        # SQuAD 2: no-answer against no-answer is right, anything else is wrong.
        return float(pred_tokens == gold_tokens)
    common = sum((Counter(pred_tokens) & Counter(gold_tokens)).values())
    if common == 0:
        return 0.0
    precision = common / len(pred_tokens)
    recall = common / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def best_scores(prediction: str | None, golds: Sequence[str]) -> tuple[float, float]:
    """(EM, F1) of ``prediction`` against the best of ``golds``; ``None`` means abstained.

    Unanswerable cases (no golds) score 1 only for an abstention.

    Example:
        >>> best_scores("13 civilians", ["13", "13 civilians"])
        (1.0, 1.0)
        >>> best_scores(None, ["13"])
        (0.0, 0.0)
    """
    if not golds:
        return (1.0, 1.0) if prediction is None else (0.0, 0.0)
    if prediction is None:
        return 0.0, 0.0
    return (
        max(exact_match(prediction, g) for g in golds),
        max(token_f1(prediction, g) for g in golds),
    )


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when the spans share at least half of the shorter one's characters.

    Example:
        >>> spans_overlap((0, 10), (5, 30))
        True
        >>> spans_overlap((0, 10), (8, 30))
        False
    """
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap > 0 and overlap >= shorter / 2


def evidence_rank(
    citations: Sequence[Citation], document_id: str, evidence: tuple[int, int] | None
) -> int | None:
    """1-based rank of the first citation on the evidence span, ``None`` when none is.

    Example:
        >>> c = [Citation("d", "x" * 10, 50, 60, 1.0), Citation("d", "y" * 10, 0, 10, 0.9)]
        >>> evidence_rank(c, "d", (0, 12))
        2
    """
    if evidence is None:
        return None
    for rank, citation in enumerate(citations, 1):
        if citation.document_id == document_id and spans_overlap(
            (citation.start, citation.end), evidence
        ):
            return rank
    return None


def citation_holds_answer(
    citation: Citation | None, case: GoldCase, evidence: tuple[int, int] | None = None
) -> bool:
    """True when the citation's quote contains a gold answer that lies inside the evidence.

    The position matters: "Russia" quoted from the wrong sentence is not a hit.

    Example:
        >>> case = GoldCase("x", "d", "factoid", "dev", "Who?", ("Russia",), (100, 140))
        >>> citation_holds_answer(Citation("d", "Russia negotiated", 100, 117, 1.0), case)
        True
        >>> citation_holds_answer(Citation("d", "Russia negotiated", 300, 317, 1.0), case)
        False
    """
    evidence = evidence or case.evidence
    if citation is None or evidence is None or citation.document_id != case.document_id:
        return False
    for answer in case.answers:
        at = citation.quote.find(answer)
        while at >= 0:
            start = citation.start + at
            if evidence[0] <= start and start + len(answer) <= evidence[1]:
                return True
            at = citation.quote.find(answer, at + 1)
    return False


def recall_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of ranks that are at most ``k`` (``None`` ranks are misses).

    Example:
        >>> recall_at_k([1, 3, None, 2], 2)
        0.5
    """
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None], k: int = MRR_K) -> float | None:
    """MRR@k: the mean of 1/rank, counting ranks beyond ``k`` and misses as 0.

    Example:
        >>> mean_reciprocal_rank([1, 2, None, 4])
        0.4375
    """
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None and r <= k) / len(ranks)


@dataclass(frozen=True)
class ReliabilityBin:
    """One confidence bin of a reliability diagram: ``[lower, upper)`` (the last one closed)."""

    lower: float
    upper: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def reliability_bins(
    confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width confidence bins with the share of correct cases in each.

    Example:
        >>> bins = reliability_bins([0.05, 0.95, 0.91], [False, True, False], n_bins=2)
        >>> [(b.count, b.accuracy) for b in bins]
        [(1, 0.0), (2, 0.5)]
    """
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct differ in length")
    if n_bins < 1:
        raise ValueError("n_bins must be at least 1")
    members: list[list[int]] = [[] for _ in range(n_bins)]
    for i, conf in enumerate(confidences):
        clipped = min(max(float(conf), 0.0), 1.0)
        members[min(int(clipped * n_bins), n_bins - 1)].append(i)
    bins = []
    for b, idx in enumerate(members):
        bins.append(
            ReliabilityBin(
                lower=b / n_bins,
                upper=(b + 1) / n_bins,
                count=len(idx),
                mean_confidence=float(np.mean([confidences[i] for i in idx])) if idx else None,
                accuracy=float(np.mean([correct[i] for i in idx])) if idx else None,
            )
        )
    return bins


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float | None:
    """The count-weighted mean gap between confidence and accuracy over the bins.

    Example:
        >>> expected_calibration_error(reliability_bins([0.9, 0.9], [True, False], n_bins=10))
        0.4
    """
    total = sum(b.count for b in bins)
    if total == 0:
        return None
    gap = sum(
        b.count * abs(b.accuracy - b.mean_confidence)
        for b in bins
        if b.count and b.accuracy is not None and b.mean_confidence is not None
    )
    return round(gap / total, 10)


def percentiles(values: Sequence[float], qs: Iterable[int] = (50, 95, 99)) -> dict[str, float]:
    """``{"p50": ..., ...}`` of ``values`` (linear interpolation); empty when no values.

    Example:
        >>> percentiles([1.0, 2.0, 3.0], [50])
        {'p50': 2.0}
    """
    if not values:
        return {}
    arr = np.asarray(values, dtype=float)
    return {f"p{q}": float(np.percentile(arr, q)) for q in qs}


# -- scoring and summarising ----------------------------------------------------------------


def score_case(run: CaseRun) -> CaseScore:
    """Score one case: answer EM/F1, abstention, evidence rank, first-citation hit, offsets."""
    case = run.case
    prediction = run.answer.text if run.answer is not None else None
    em, f1 = best_scores(prediction, case.answers) if case.answerable else (0.0, 0.0)
    em_all, f1_all = best_scores(prediction, case.answers)
    best = run.answer or run.best
    confidence = best.confidence if best is not None else 0.0
    candidate_f1 = best_scores(best.text, case.answers)[1] if best and case.answerable else 0.0
    return CaseScore(
        id=case.id,
        split=case.split,
        category=case.category,
        answerable=case.answerable,
        abstained=run.answer is None,
        em=em,
        f1=f1,
        em_all=em_all,
        f1_all=f1_all,
        confidence=float(confidence),
        candidate_correct=candidate_f1 >= CORRECT_F1,
        evidence_rank=evidence_rank(run.citations, case.document_id, case.evidence),
        citation_hit=(
            citation_holds_answer(run.citations[0] if run.citations else None, case)
            if case.answerable
            else None
        ),
        offsets_exact=run.offsets_exact,
        error=run.error is not None,
    )


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def summarize(
    scores: Sequence[CaseScore],
    latencies_ms: Sequence[float] = (),
    threshold: float | None = None,
    n_bins: int = 10,
) -> dict[str, Any]:
    """Every figure of the report for one set of cases (a split, or all of them).

    Fractions are in [0, 1]; a figure is ``None`` when no case measures it.
    """
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    ranks = [s.evidence_rank for s in answerable]
    checked = [s for s in scores if s.offsets_exact is not None]
    categories: dict[str, dict[str, Any]] = {}
    for category in ANSWERABLE_CATEGORIES:
        members = [s for s in answerable if s.category == category]
        categories[category] = {
            "n": len(members),
            "em": _mean(s.em for s in members),
            "f1": _mean(s.f1 for s in members),
        }
    categories["unanswerable"] = {
        "n": len(unanswerable),
        "abstention_accuracy": _mean(float(s.abstained) for s in unanswerable),
    }
    bins = reliability_bins(
        [s.confidence for s in scores], [s.candidate_correct for s in scores], n_bins
    )
    return {
        "cases": len(scores),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "errors": sum(s.error for s in scores),
        "hasans": {
            "n": len(answerable),
            "em": _mean(s.em for s in answerable),
            "f1": _mean(s.f1 for s in answerable),
        },
        "all": {
            "n": len(scores),
            "em": _mean(s.em_all for s in scores),
            "f1": _mean(s.f1_all for s in scores),
        },
        "categories": categories,
        "retrieval": {
            "n": len(ranks),
            **{f"recall@{k}": recall_at_k(ranks, k) for k in RECALL_KS},
            f"mrr@{MRR_K}": mean_reciprocal_rank(ranks, MRR_K),
            "recall_curve": [recall_at_k(ranks, k) for k in range(1, CURVE_K + 1)],
        },
        "citation_accuracy": _mean(float(bool(s.citation_hit)) for s in answerable),
        "offsets_exact": _mean(float(bool(s.offsets_exact)) for s in checked),
        "abstention": {
            "threshold": threshold,
            "accuracy": _mean(float(s.abstained) for s in unanswerable),
            "false_abstention_rate": _mean(float(s.abstained) for s in answerable),
        },
        "latency_ms": {
            "n": len(latencies_ms),
            **percentiles(latencies_ms),
            "mean": _mean(latencies_ms),
        },
        "calibration": {
            "correct_f1": CORRECT_F1,
            "ece": expected_calibration_error(bins),
            "bins": [asdict(b) for b in bins],
        },
    }


def lookup(summary: dict[str, Any], path: str) -> Any:
    """The figure at a dotted ``path`` of a summary, e.g. ``"categories.phrase.f1"``.

    Example:
        >>> lookup({"retrieval": {"recall@3": 0.9}}, "retrieval.recall@3")
        0.9
    """
    value: Any = summary
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"no figure {path!r} in the summary")
        value = value[part]
    return value
