"""The report writer on a tiny fake evaluation (no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.answers import Citation
from qa.eval.gold import GoldCase
from qa.eval.metrics import score_case
from qa.eval.report import miss_reasons, shown_splits, write_report
from qa.eval.results import CaseRun, ReturnedAnswer
from qa.eval.runner import evaluate

DOC = "doc"
TEXT = "Russia negotiated the truce. Ganja was hit and 13 civilians died. Rain fell."
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def span(text: str, confidence: float = 0.8) -> ReturnedAnswer:
    start = TEXT.index(text)
    return ReturnedAnswer(text, DOC, start, start + len(text), confidence)


def sentence(i: int) -> Citation:
    starts = [0, 29, 66]
    ends = [28, 65, len(TEXT)]
    return Citation(DOC, TEXT[starts[i] : ends[i]], starts[i], ends[i], 1.0 - i / 10)


@pytest.fixture
def evaluation():
    def gold(id_, category, split, answers, evidence):
        return GoldCase(id_, DOC, category, split, f"question {id_}?", answers, evidence)

    runs = [
        CaseRun(
            gold("fac-001", "factoid", "dev", ("Russia",), (0, 28)),
            span("Russia", 0.9),
            [sentence(0), sentence(1)],
            best=span("Russia", 0.9),
            latency_ms=12.0,
            offsets_exact=True,
        ),
        CaseRun(
            gold("fac-003", "factoid", "test", ("13", "13 civilians"), (29, 65)),
            span("Ganja", 0.7),
            [sentence(1)],
            best=span("Ganja", 0.7),
            latency_ms=30.0,
            offsets_exact=True,
        ),
        CaseRun(
            gold("fol-003", "followup", "test", ("13",), (29, 65)),
            None,
            [sentence(2), sentence(1)],
            best=span("13", 0.2),
            latency_ms=25.0,
            offsets_exact=True,
        ),
        CaseRun(
            gold("una-003", "unanswerable", "test", (), None),
            None,
            [sentence(2)],
            latency_ms=8.0,
            offsets_exact=True,
        ),
        CaseRun(
            gold("una-001", "unanswerable", "dev", (), None),
            span("Rain", 0.6),
            [sentence(2)],
            latency_ms=9.0,
            offsets_exact=False,
            offset_errors=["citation 1: text at 66-77 differs from 'Rain'"],
        ),
    ]
    meta = {"mode": "in-process", "reader": "fake", "top_k": 10, "threshold": 0.35}
    return evaluate(runs, meta)


def test_write_report_writes_every_file(evaluation, tmp_path: Path) -> None:
    out = tmp_path / "report"
    paths = write_report(evaluation, out)
    assert set(paths) == {
        "json",
        "markdown",
        "f1_by_category",
        "recall_at_k",
        "latency",
        "reliability",
    }
    for name in ("f1_by_category", "recall_at_k", "latency", "reliability"):
        assert paths[name].read_bytes()[:8] == PNG_MAGIC, name
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths.values())


def test_report_json_is_valid_and_matches_the_scores(evaluation, tmp_path: Path) -> None:
    data = json.loads(write_report(evaluation, tmp_path)["json"].read_text(encoding="utf-8"))
    assert set(data["summaries"]) == {"dev", "test", "all"}
    test = data["summaries"]["test"]
    assert test["answerable"] == 2 and test["unanswerable"] == 1
    assert test["hasans"]["em"] == 0.0
    assert test["abstention"]["false_abstention_rate"] == 0.5
    assert data["summaries"]["dev"]["hasans"]["em"] == 1.0
    assert data["summaries"]["all"]["offsets_exact"] == pytest.approx(4 / 5)
    cases = {c["id"]: c for c in data["cases"]}
    assert cases["fac-001"]["misses"] == []
    assert cases["fol-003"]["returned"] is None
    assert cases["fol-003"]["best_candidate"]["text"] == "13"
    assert "false abstention" in cases["fol-003"]["misses"]
    assert cases["una-001"]["misses"][0] == "answered an unanswerable question"


def test_report_markdown_lists_every_miss_with_what_came_back(evaluation, tmp_path) -> None:
    markdown = write_report(evaluation, tmp_path)["markdown"].read_text(encoding="utf-8")
    assert "| figure | dev | test | all |" in markdown
    assert "| EM, answerable (HasAns) | 1.000 | 0.000 | 0.333 |" in markdown
    for plot in ("f1-by-category.png", "recall-at-k.png", "latency.png", "reliability.png"):
        assert f"]({plot})" in markdown
    misses = markdown.split("## Misses", 1)[1]
    assert "3 cases with at least one miss" in misses
    assert "'Ganja' (0.70)" in misses  # what came back for fac-003
    assert "(abstained; best '13' 0.20)" in misses  # fol-003
    assert "fac-001" not in misses
    assert "offsets: citation 1" in misses


def test_miss_reasons(evaluation) -> None:
    by_id = {r.case.id: (r, s) for r, s in zip(evaluation.runs, evaluation.scores, strict=True)}
    # The evidence is cited second (within the top 3), but the first citation is elsewhere.
    assert miss_reasons(*by_id["fol-003"]) == [
        "false abstention",
        "first citation lacks the answer",
    ]
    assert miss_reasons(*by_id["una-003"]) == []
    assert miss_reasons(*by_id["fac-003"]) == ["answer (F1 0.00)"]


def test_shown_splits() -> None:
    assert shown_splits({"dev": {}, "test": {}, "all": {}}) == ["dev", "test", "all"]
    assert shown_splits({"test": {}, "all": {}}) == ["test"]


def test_miss_reasons_flag_evidence_cited_too_late() -> None:
    case = GoldCase("fac-009", DOC, "factoid", "dev", "Who?", ("Russia",), (0, 28))
    citations = [sentence(2), sentence(1), sentence(2), sentence(0)]
    run = CaseRun(case, span("Russia"), citations, offsets_exact=True)
    assert miss_reasons(run, score_case(run)) == [
        "evidence at rank 4",
        "first citation lacks the answer",
    ]
    run = CaseRun(case, span("Russia"), [sentence(1)], offsets_exact=True)
    assert "evidence not cited" in miss_reasons(run, score_case(run))
