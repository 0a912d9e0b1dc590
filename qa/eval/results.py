"""What one evaluated case returned (``CaseRun``) and how it scored (``CaseScore``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.answers import Citation
from qa.eval.gold import GoldCase


@dataclass(frozen=True)
class ReturnedAnswer:
    """An answer span as the service returned it (in-process or over HTTP)."""

    text: str
    document_id: str
    start: int
    end: int
    confidence: float


@dataclass
class CaseRun:
    """The service's output for one gold case, with the offset check already done.

    ``best`` is the reader's best span even when the service abstained; over HTTP the API
    does not return it, so it is the answer itself (``None`` on abstention).
    """

    case: GoldCase
    answer: ReturnedAnswer | None
    citations: list[Citation]
    best: ReturnedAnswer | None = None
    latency_ms: float = 0.0
    offsets_exact: bool | None = None
    """Every answer and citation equals the document text at its offsets (``None``: error)."""
    offset_errors: list[str] = field(default_factory=list)
    resolved_question: str | None = None
    error: str | None = None
    """Why the service gave no result (an HTTP error, an exception); ``None`` when it did."""


@dataclass(frozen=True)
class CaseScore:
    """The figures of one case that the summaries average."""

    id: str
    split: str
    category: str
    answerable: bool
    abstained: bool
    em: float
    """Exact match of the answer against the best gold answer; abstaining scores 0."""
    f1: float
    """Token F1 against the best gold answer; abstaining scores 0."""
    em_all: float
    """Like ``em``, but on unanswerable cases 1 when the service abstained."""
    f1_all: float
    confidence: float
    """The answer's confidence, or the best candidate's when the service abstained."""
    candidate_correct: bool
    """The best candidate (shown or withheld) has token F1 >= 0.5 on an answerable case."""
    evidence_rank: int | None
    """1-based rank of the first citation on the evidence sentence; ``None`` when absent."""
    citation_hit: bool | None
    """The first citation holds a gold answer inside the evidence; ``None`` if unanswerable."""
    offsets_exact: bool | None
    error: bool = False

    @property
    def abstention_correct(self) -> bool:
        return self.abstained != self.answerable
