"""Unit tests of the evaluation figures (no models)."""

from __future__ import annotations

import pytest

from qa.answers import Citation
from qa.eval.gold import GoldCase
from qa.eval.metrics import (
    best_scores,
    citation_holds_answer,
    evidence_rank,
    exact_match,
    expected_calibration_error,
    lookup,
    mean_reciprocal_rank,
    normalize_answer,
    percentiles,
    recall_at_k,
    reliability_bins,
    score_case,
    spans_overlap,
    summarize,
    token_f1,
)
from qa.eval.results import CaseRun, ReturnedAnswer

DOC = "doc"


def case(
    id_: str = "fac-001",
    category: str = "factoid",
    answers: tuple[str, ...] = ("13",),
    evidence: tuple[int, int] | None = (100, 200),
    split: str = "dev",
) -> GoldCase:
    return GoldCase(id_, DOC, category, split, "How many?", answers, evidence)


def answer(text: str, confidence: float = 0.9, start: int = 120) -> ReturnedAnswer:
    return ReturnedAnswer(text, DOC, start, start + len(text), confidence)


# -- normalisation, EM and F1 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Caucasus", "caucasus"),
        ("  an   Armenian,  enclave. ", "armenian enclave"),
        ("“dramatically”", "dramatically"),
        ("Nagorno-Karabakh", "nagornokarabakh"),
        ("a banana and the theatre", "banana and theatre"),
        ("A", ""),
        ("", ""),
    ],
)
def test_normalize_answer(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


def test_exact_match_ignores_case_punctuation_and_articles() -> None:
    assert exact_match("the Elysée.", "Elysée") == 1.0
    assert exact_match("Elysée palace", "Elysée") == 0.0


def test_token_f1_partial_overlap() -> None:
    # prediction 3 tokens, gold 2 tokens, 2 in common: P = 2/3, R = 1 -> F1 = 0.8
    assert token_f1("13 civilians killed", "13 civilians") == pytest.approx(0.8)
    assert token_f1("Russia", "Turkey") == 0.0


def test_token_f1_counts_repeated_tokens_once_per_occurrence() -> None:
    # common = min(2, 1) = 1 for "war": P = 1/2, R = 1/1
    assert token_f1("war war", "war") == pytest.approx(2 * 0.5 * 1 / 1.5)


def test_token_f1_empty_after_normalisation() -> None:
    assert token_f1("the", "") == 1.0
    assert token_f1("the", "Russia") == 0.0
    assert token_f1("Russia", "a") == 0.0


def test_best_scores_takes_the_best_gold_and_penalises_abstention() -> None:
    em, f1 = best_scores("the United States", ["United States, Russia and France", "US"])
    assert em == 0.0
    # 2 of 2 predicted tokens are right, 2 of the 5 gold tokens found: F1 = 2PR / (P + R)
    assert f1 == pytest.approx(2 * 1 * 0.4 / 1.4)
    assert best_scores("US", ["United States", "US"]) == (1.0, 1.0)
    assert best_scores(None, ["13"]) == (0.0, 0.0)


def test_best_scores_unanswerable() -> None:
    assert best_scores(None, []) == (1.0, 1.0)
    assert best_scores("Russia", []) == (0.0, 0.0)


# -- retrieval ------------------------------------------------------------------------------


def test_spans_overlap_needs_half_of_the_shorter() -> None:
    assert spans_overlap((0, 10), (5, 100))  # 5 of 10: exactly half
    assert not spans_overlap((0, 10), (6, 100))  # 4 of 10
    assert spans_overlap((100, 200), (100, 200))
    assert not spans_overlap((0, 10), (10, 20))  # touching is no overlap
    assert spans_overlap((0, 1000), (400, 420))  # a short span inside a long one


def test_evidence_rank() -> None:
    citations = [
        Citation(DOC, "x" * 50, 0, 50, 1.0),
        Citation("other", "y" * 100, 100, 200, 0.9),
        Citation(DOC, "z" * 100, 95, 195, 0.8),
    ]
    assert evidence_rank(citations, DOC, (100, 200)) == 3
    assert evidence_rank(citations, DOC, (500, 600)) is None
    assert evidence_rank(citations, DOC, None) is None
    assert evidence_rank([], DOC, (0, 10)) is None


def test_recall_and_mrr() -> None:
    ranks = [1, 2, None, 4, 11]
    assert recall_at_k(ranks, 1) == pytest.approx(1 / 5)
    assert recall_at_k(ranks, 3) == pytest.approx(2 / 5)
    assert recall_at_k(ranks, 5) == pytest.approx(3 / 5)
    assert mean_reciprocal_rank(ranks, 10) == pytest.approx((1 + 1 / 2 + 1 / 4) / 5)
    assert recall_at_k([], 3) is None
    assert mean_reciprocal_rank([]) is None


def test_citation_holds_answer_checks_the_position() -> None:
    gold = case(answers=("Russia",), evidence=(150, 200))
    # "Russia" occurs at 100 (outside the evidence) and at 160 (inside).
    quote = "Russia" + "." * 54 + "Russia" + "." * 34
    assert citation_holds_answer(Citation(DOC, quote, 100, 200, 1.0), gold)
    only_outside = "Russia" + "." * 94
    assert not citation_holds_answer(Citation(DOC, only_outside, 100, 200, 1.0), gold)
    assert not citation_holds_answer(Citation("other", quote, 100, 200, 1.0), gold)
    assert not citation_holds_answer(None, gold)


# -- calibration ------------------------------------------------------------------------


def test_reliability_bins_edges_and_accuracy() -> None:
    bins = reliability_bins([0.0, 0.1, 0.15, 0.95, 1.0, 1.0], [0, 1, 0, 1, 1, 0], n_bins=10)
    assert len(bins) == 10
    assert [b.count for b in bins] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 3]
    assert bins[1].accuracy == pytest.approx(0.5)
    assert bins[1].mean_confidence == pytest.approx(0.125)
    assert bins[2].accuracy is None and bins[2].mean_confidence is None
    assert bins[9].accuracy == pytest.approx(2 / 3)
    assert (bins[3].lower, bins[3].upper) == pytest.approx((0.3, 0.4))


def test_reliability_bins_clip_out_of_range_confidences() -> None:
    bins = reliability_bins([-0.2, 1.7], [False, True], n_bins=4)
    assert [b.count for b in bins] == [1, 0, 0, 1]


def test_reliability_bins_reject_bad_input() -> None:
    with pytest.raises(ValueError):
        reliability_bins([0.5], [True, False])
    with pytest.raises(ValueError):
        reliability_bins([0.5], [True], n_bins=0)


def test_expected_calibration_error() -> None:
    # bin 0: conf 0.05, acc 0 -> gap 0.05 (1 case); bin 9: conf 0.95, acc 0.5 -> 0.45 (2 cases)
    bins = reliability_bins([0.05, 0.95, 0.95], [False, True, False], n_bins=10)
    assert expected_calibration_error(bins) == pytest.approx((0.05 + 2 * 0.45) / 3)
    assert expected_calibration_error(reliability_bins([], [])) is None


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    result = percentiles(values)
    assert result["p50"] == pytest.approx(50.5)
    assert result["p99"] == pytest.approx(99.01)
    assert percentiles([]) == {}


# -- scoring and summaries ---------------------------------------------------------------


def test_score_case_answered_and_abstained() -> None:
    evidence_citation = Citation(DOC, "x" * 100, 100, 200, 1.0)
    right = score_case(CaseRun(case(), answer("13"), [evidence_citation]))
    assert (right.em, right.f1, right.abstained, right.evidence_rank) == (1.0, 1.0, False, 1)
    assert right.candidate_correct and right.confidence == 0.9

    withheld = score_case(
        CaseRun(case(), None, [evidence_citation], best=answer("13", confidence=0.2))
    )
    assert withheld.abstained and withheld.em == 0.0 and withheld.f1 == 0.0
    # The withheld candidate was right: calibration sees it with its own confidence.
    assert withheld.candidate_correct and withheld.confidence == 0.2


def test_score_case_unanswerable() -> None:
    gold = case("una-001", "unanswerable", (), None)
    kept_quiet = score_case(CaseRun(gold, None, [], best=answer("Russia", 0.3)))
    assert kept_quiet.abstention_correct and kept_quiet.em_all == 1.0
    assert not kept_quiet.candidate_correct
    assert kept_quiet.citation_hit is None and kept_quiet.evidence_rank is None
    answered = score_case(CaseRun(gold, answer("Russia"), []))
    assert not answered.abstention_correct and answered.f1_all == 0.0


def test_summarize_separates_hasans_and_all() -> None:
    citation = Citation(DOC, "x" * 100, 100, 200, 1.0)
    runs = [
        CaseRun(case("fac-001"), answer("13"), [citation], offsets_exact=True),
        CaseRun(case("par-001", "paraphrase"), answer("14"), [], offsets_exact=True),
        CaseRun(case("phr-001", "phrase"), None, [citation], offsets_exact=True),
        CaseRun(case("una-001", "unanswerable", (), None), None, [], offsets_exact=True),
    ]
    summary = summarize([score_case(r) for r in runs], [10.0, 20.0, 30.0, 40.0], threshold=0.35)
    assert summary["cases"] == 4 and summary["answerable"] == 3
    assert summary["hasans"]["em"] == pytest.approx(1 / 3)
    assert summary["all"]["em"] == pytest.approx(2 / 4)
    assert summary["categories"]["paraphrase"] == {"n": 1, "em": 0.0, "f1": 0.0}
    assert summary["categories"]["followup"] == {"n": 0, "em": None, "f1": None}
    assert summary["categories"]["unanswerable"]["abstention_accuracy"] == 1.0
    assert summary["abstention"] == {
        "threshold": 0.35,
        "accuracy": 1.0,
        "false_abstention_rate": pytest.approx(1 / 3),
    }
    assert summary["retrieval"]["recall@1"] == pytest.approx(2 / 3)
    assert summary["retrieval"]["mrr@10"] == pytest.approx(2 / 3)
    assert summary["citation_accuracy"] == pytest.approx(0.0)  # the quote holds no "13"
    assert summary["offsets_exact"] == 1.0
    assert summary["latency_ms"]["p50"] == pytest.approx(25.0)
    assert sum(b["count"] for b in summary["calibration"]["bins"]) == 4
    assert lookup(summary, "retrieval.recall@3") == summary["retrieval"]["recall@3"]
    with pytest.raises(KeyError):
        lookup(summary, "retrieval.recall@7")
