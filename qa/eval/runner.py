"""Run gold cases through the service, in-process or against a running server.

Both ways ask the same thing (``top_k`` citations, the case's document and history) and
are scored on what comes back: the answer and the citations in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from qa.answers import Citation
from qa.eval.gold import SPLITS, GoldCase
from qa.eval.metrics import score_case, summarize
from qa.eval.results import CaseRun, CaseScore, ReturnedAnswer
from qa.service import QAService, Turn

DEFAULT_TOP_K = 10
"""Ten citations, so that recall@5 and MRR@10 are meaningful."""


@dataclass
class Reply:
    """What a backend returns for one question."""

    answer: ReturnedAnswer | None
    citations: list[Citation]
    best: ReturnedAnswer | None = None
    resolved_question: str | None = None


class Backend(Protocol):
    """Where the questions go: the service object, or its HTTP API."""

    mode: str

    def warm_up(self) -> None: ...

    def ask(self, case: GoldCase, top_k: int) -> Reply: ...

    def document_text(self, document_id: str) -> str | None: ...

    def describe(self) -> dict[str, Any]: ...


class InProcessBackend:
    """Asks a ``QAService`` directly; sees the best candidate even when it abstains.

    Example:
        >>> backend = InProcessBackend(QAService())  # doctest: +SKIP
    """

    mode = "in-process"

    def __init__(self, service: QAService) -> None:
        self.service = service

    def warm_up(self) -> None:
        self.service.warm_up()

    def ask(self, case: GoldCase, top_k: int) -> Reply:
        result = self.service.ask(
            case.question,
            history=[Turn(q, a) for q, a in case.history],
            top_k=top_k,
            document_id=case.document_id,
        )
        return Reply(
            answer=_returned(result.answer),
            citations=list(result.citations),
            best=_returned(result.best_candidate),
            resolved_question=result.resolved_question,
        )

    def document_text(self, document_id: str) -> str | None:
        document = self.service.document(document_id)
        return document.text if document is not None else None

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "reader": self.service.reader.name,
            "index_build": self.service.index.build_id,
            "threshold": self.service.settings.min_confidence,
            "confidence_on_abstention": "best candidate",
        }


def _returned(answer: Any) -> ReturnedAnswer | None:
    if answer is None:
        return None
    return ReturnedAnswer(
        answer.text, answer.document_id, answer.start, answer.end, float(answer.confidence)
    )


class HttpBackend:
    """Asks a running server with ``POST /ask``; texts come from ``GET /documents/{id}``.

    The API returns no candidate when it abstains, so abstentions have confidence 0 here.
    ``client`` may be any ``httpx.Client`` (a FastAPI ``TestClient`` too).

    Example:
        >>> backend = HttpBackend("http://127.0.0.1:8000")  # doctest: +SKIP
    """

    mode = "http"

    def __init__(
        self, url: str = "", timeout: float = 60.0, client: httpx.Client | None = None
    ) -> None:
        self.url = url
        self.timeout = timeout
        self._client = client
        self._health: dict[str, Any] = {}

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self.url, timeout=self.timeout)
        return self._client

    def warm_up(self) -> None:
        try:
            response = self.client.get("/healthz")
        except httpx.HTTPError as exc:
            raise ConnectionError(f"cannot reach {self.url or 'the server'}: {exc}") from exc
        if response.status_code != 200:
            raise ConnectionError(f"GET /healthz answered {response.status_code}")
        self._health = response.json()

    def ask(self, case: GoldCase, top_k: int) -> Reply:
        body = {
            "question": case.question,
            "history": [{"question": q, "answer": a} for q, a in case.history],
            "top_k": top_k,
            "document_id": case.document_id,
        }
        response = self.client.post("/ask", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"POST /ask answered {response.status_code}: {response.text[:200]}")
        data = response.json()
        answer = data.get("answer")
        returned = (
            ReturnedAnswer(
                answer["text"],
                answer["document_id"],
                int(answer["start"]),
                int(answer["end"]),
                float(answer["confidence"]),
            )
            if answer
            else None
        )
        citations = [
            Citation(c["document_id"], c["quote"], int(c["start"]), int(c["end"]), c["score"])
            for c in data.get("citations", [])
        ]
        return Reply(returned, citations, returned, data.get("resolved_question"))

    def document_text(self, document_id: str) -> str | None:
        response = self.client.get(f"/documents/{document_id}")
        if response.status_code != 200:
            return None
        return response.json().get("text")

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "url": self.url or str(self.client.base_url),
            "reader": self._health.get("reader"),
            "index_build": self._health.get("index_build"),
            # Only known when the server says; the API does not expose it today.
            "threshold": self._health.get("min_confidence"),
            "confidence_on_abstention": "0 (the API returns no candidate when it abstains)",
        }

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


@dataclass
class Evaluation:
    """Everything a report holds: settings, per-case runs and scores, per-split summaries."""

    meta: dict[str, Any]
    runs: list[CaseRun]
    scores: list[CaseScore]
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


def check_offsets(reply: Reply, text_of: Callable[[str], str | None]) -> list[str]:
    """Why any answer or citation differs from the document text at its offsets."""
    spans = [("answer", reply.answer)] if reply.answer is not None else []
    spans += [(f"citation {i}", c) for i, c in enumerate(reply.citations, 1)]
    problems = []
    for label, span in spans:
        quote = span.text if isinstance(span, ReturnedAnswer) else span.quote
        text = text_of(span.document_id)
        if text is None:
            problems.append(f"{label}: unknown document {span.document_id!r}")
        elif not (0 <= span.start <= span.end <= len(text)):
            problems.append(f"{label}: offsets {span.start}-{span.end} outside the document")
        elif text[span.start : span.end] != quote:
            problems.append(f"{label}: text at {span.start}-{span.end} differs from {quote!r}")
    return problems


class EvalRunner:
    """Ask every gold case, check offsets, score and summarise per split.

    Args:
        backend: an ``InProcessBackend`` or an ``HttpBackend``.
        top_k: citations to ask for (10, so that recall@5 and MRR@10 mean something).

    Example:
        >>> runner = EvalRunner(InProcessBackend(QAService()))  # doctest: +SKIP
        >>> runner.warm_up()  # doctest: +SKIP
        >>> runner.run(load_gold(split="test")).summaries["test"]["hasans"]["f1"]  # doctest: +SKIP
        0.87
    """

    def __init__(self, backend: Backend, top_k: int = DEFAULT_TOP_K) -> None:
        self.backend = backend
        self.top_k = top_k
        self._texts: dict[str, str | None] = {}

    def warm_up(self) -> None:
        self.backend.warm_up()

    def _text(self, document_id: str) -> str | None:
        # One fetch per document: offsets of every case are checked against the same text.
        if document_id not in self._texts:
            self._texts[document_id] = self.backend.document_text(document_id)
        return self._texts[document_id]

    def run_case(self, case: GoldCase) -> CaseRun:
        """Ask one case; an exception becomes a recorded error, not a crash."""
        started = time.perf_counter()
        try:
            reply = self.backend.ask(case, self.top_k)
        except Exception as exc:  # one failing case must not end the run
            return CaseRun(case, None, [], error=f"{type(exc).__name__}: {exc}")
        latency_ms = (time.perf_counter() - started) * 1e3
        problems = check_offsets(reply, self._text)
        return CaseRun(
            case=case,
            answer=reply.answer,
            citations=reply.citations,
            best=reply.best,
            latency_ms=latency_ms,
            offsets_exact=not problems,
            offset_errors=problems,
            resolved_question=reply.resolved_question,
        )

    def run(
        self,
        cases: Sequence[GoldCase],
        progress: Callable[[int, int, CaseRun], None] | None = None,
    ) -> Evaluation:
        """Run ``cases`` in order; ``progress(done, total, run)`` is called after each."""
        runs: list[CaseRun] = []
        for case in cases:
            runs.append(self.run_case(case))
            if progress is not None:
                progress(len(runs), len(cases), runs[-1])
        meta = {
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "top_k": self.top_k,
            **self.backend.describe(),
        }
        return evaluate(runs, meta)


def evaluate(runs: Sequence[CaseRun], meta: dict[str, Any]) -> Evaluation:
    """Score ``runs`` and summarise them per split present and over all of them."""
    scores = [score_case(run) for run in runs]
    threshold = meta.get("threshold")
    summaries: dict[str, dict[str, Any]] = {}
    groups = {split: [i for i, s in enumerate(scores) if s.split == split] for split in SPLITS}
    groups["all"] = list(range(len(scores)))
    for name, idx in groups.items():
        if not idx:
            continue
        summaries[name] = summarize(
            [scores[i] for i in idx],
            [runs[i].latency_ms for i in idx if runs[i].error is None],
            threshold=threshold,
        )
    return Evaluation(dict(meta), list(runs), scores, summaries)
