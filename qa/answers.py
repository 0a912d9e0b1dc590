"""Typed results that flow from retrieval through the readers to the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Passage:
    """A retrieved piece of a document (usually one sentence) that a reader reads.

    ``text == document.text[start:end]``. ``parse`` is the spaCy ``Span`` for the passage
    when the index has one (readers that need linguistics use it instead of re-parsing).
    """

    document_id: str
    start: int
    end: int
    text: str
    score: float = 0.0
    """Fused retrieval score in [0, 1]."""
    rank: int = 0
    similarity: float = 0.0
    """Cosine similarity between the question and this passage."""
    parse: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ExtractedAnswer:
    """A span of a document proposed as the answer, with a confidence in [0, 1].

    Example:
        >>> p = Passage("doc", 10, 24, "13 were killed")
        >>> a = ExtractedAnswer(text="13", document_id="doc", start=10, end=12,
        ...                     confidence=0.9, passage=p)
        >>> a.end - a.start
        2
    """

    text: str
    document_id: str
    start: int
    end: int
    confidence: float
    passage: Passage
    details: dict[str, Any] = field(default_factory=dict, compare=False)


def quoted_answer(
    document_id: str,
    text: str,
    span: tuple[int, int],
    cited: tuple[int, int],
    confidence: float,
    source: str,
) -> ExtractedAnswer:
    """An answer found without the reader: ``text[span[0]:span[1]]`` of a document, cited
    by ``text[cited[0]:cited[1]]`` (the sentence or header line that holds it).

    Example:
        >>> text = "Ada Lovelace was a mathematician."
        >>> a = quoted_answer("ada", text, (17, 32), (0, 33), 0.8, "definition")
        >>> a.text, a.passage.text, a.details
        ('a mathematician', 'Ada Lovelace was a mathematician.', {'source': 'definition'})
    """
    start, end = span
    first, last = cited
    return ExtractedAnswer(
        text=text[start:end],
        document_id=document_id,
        start=start,
        end=end,
        confidence=confidence,
        passage=Passage(document_id, first, last, text[first:last], score=1.0),
        details={"source": source},
    )


@dataclass(frozen=True)
class Citation:
    """A verbatim quote of a document: ``quote == document.text[start:end]``."""

    document_id: str
    quote: str
    start: int
    end: int
    score: float


@dataclass
class QAResult:
    """What the service answers to one question."""

    question: str
    answer: ExtractedAnswer | None
    citations: list[Citation]
    resolved_question: str | None = None
    best_candidate: ExtractedAnswer | None = None
    """The reader's best span even when the service abstained (for evaluation and debugging)."""
    timings_ms: dict[str, float] = field(default_factory=dict)
    abstention: str | None = None
    """Why there is no answer, when that is known beyond "the documents do not say":
    ``"yes_no"`` for a yes-or-no question, which no quoted span answers."""
