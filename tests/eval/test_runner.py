"""The runner: offsets checks and errors on a scripted backend; in-process against HTTP."""

from __future__ import annotations

import pytest

from qa.answers import Citation
from qa.eval.gold import GoldCase, load_gold
from qa.eval.results import ReturnedAnswer
from qa.eval.runner import EvalRunner, HttpBackend, InProcessBackend, Reply

DOC = "doc"
TEXT = "Russia negotiated the truce. Ganja was hit."


class ScriptedBackend:
    """Answers from a table; counts document fetches."""

    mode = "scripted"

    def __init__(self, replies: dict[str, Reply | Exception]) -> None:
        self.replies = replies
        self.fetches = 0

    def warm_up(self) -> None:
        pass

    def ask(self, case: GoldCase, top_k: int) -> Reply:
        reply = self.replies[case.id]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def document_text(self, document_id: str) -> str | None:
        self.fetches += 1
        return TEXT if document_id == DOC else None

    def describe(self) -> dict:
        return {"mode": self.mode, "threshold": 0.5}


def gold(id_: str, split: str = "dev", answers=("Russia",)) -> GoldCase:
    return GoldCase(id_, DOC, "factoid", split, "Who?", answers, (0, 28) if answers else None)


def test_runner_checks_offsets_and_records_errors() -> None:
    good = Reply(ReturnedAnswer("Russia", DOC, 0, 6, 0.9), [Citation(DOC, TEXT[:28], 0, 28, 1.0)])
    shifted = Reply(
        ReturnedAnswer("Russia", DOC, 1, 7, 0.9),
        [
            Citation(DOC, TEXT[:28], 0, 28, 1.0),
            Citation("gone", "x", 0, 1, 0.5),
            Citation(DOC, "Ganja", 29, 999, 0.4),
        ],
    )
    backend = ScriptedBackend(
        {"fac-001": good, "fac-002": shifted, "fac-003": RuntimeError("server down")}
    )
    seen: list[tuple[int, int, str]] = []
    evaluation = EvalRunner(backend, top_k=3).run(
        [gold("fac-001"), gold("fac-002"), gold("fac-003", "test")],
        progress=lambda done, total, run: seen.append((done, total, run.case.id)),
    )
    assert seen == [(1, 3, "fac-001"), (2, 3, "fac-002"), (3, 3, "fac-003")]
    first, second, third = evaluation.runs
    assert first.offsets_exact is True and first.offset_errors == []
    assert second.offsets_exact is False
    assert [e.split(":")[0] for e in second.offset_errors] == [
        "answer",
        "citation 2",
        "citation 3",
    ]
    assert "unknown document 'gone'" in second.offset_errors[1]
    assert "outside the document" in second.offset_errors[2]
    assert third.error == "RuntimeError: server down" and third.offsets_exact is None
    # One fetch per document id, however many cases cite it.
    assert backend.fetches == 2
    assert evaluation.summaries["dev"]["offsets_exact"] == 0.5
    assert evaluation.summaries["test"]["errors"] == 1
    assert evaluation.summaries["test"]["offsets_exact"] is None
    assert evaluation.summaries["all"]["latency_ms"]["n"] == 2
    assert evaluation.meta["top_k"] == 3 and evaluation.meta["threshold"] == 0.5


@pytest.mark.slow
def test_in_process_and_http_measure_the_same(service, client) -> None:
    """Both paths see the same answers and citations; only withheld candidates differ."""
    cases = [c for c in load_gold(split="dev") if c.id.endswith(("01", "02"))]
    assert {c.category for c in cases} >= {"factoid", "followup", "unanswerable"}
    local = EvalRunner(InProcessBackend(service)).run(cases)
    backend = HttpBackend(client=client)
    backend.warm_up()
    remote = EvalRunner(backend).run(cases)
    assert remote.meta["mode"] == "http" and remote.meta["reader"] == service.reader.name
    for a, b in zip(local.scores, remote.scores, strict=True):
        assert (a.id, a.em, a.f1, a.abstained) == (b.id, b.em, b.f1, b.abstained)
        assert (a.evidence_rank, a.citation_hit) == (b.evidence_rank, b.citation_hit)
        if not a.abstained:
            assert a.confidence == pytest.approx(b.confidence)
        else:
            assert b.confidence == 0.0
    for run in [*local.runs, *remote.runs]:
        assert run.error is None
        assert run.offsets_exact, run.offset_errors
        assert len(run.citations) == 10
