"""Request and response bodies of the HTTP API (the contract clients rely on)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from qa.answers import Citation, ExtractedAnswer, QAResult

MAX_QUESTION_CHARS = 1000
MAX_HISTORY_TURNS = 20

QuestionText = Annotated[
    str,
    StringConstraints(max_length=MAX_QUESTION_CHARS),
]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("the question is empty; type a question about the document")
    return value


class HistoryTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: QuestionText
    answer: str | None = Field(default=None, max_length=10_000)


class AskRequest(BaseModel):
    """``POST /ask``: a question, the earlier turns (oldest first) and how many citations."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"question": "How many civilians were killed in Ganja?", "history": []}]
        },
    )

    question: QuestionText = Field(description="The question, 1-1000 characters.")
    history: list[HistoryTurn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description="Earlier turns of the conversation, oldest first (at most 20).",
    )
    top_k: int | None = Field(
        default=None,
        ge=1,
        le=20,
        description=(
            "At most this many citations: the answer's sentence first, then the other "
            "retrieved sentences. An answer found without retrieval (the document's own "
            "byline or title, a life's dates, who or what a name is) has its one source."
        ),
    )
    document_id: str | None = Field(
        default=None, max_length=128, description="Answer from this document only."
    )

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class AnswerOut(BaseModel):
    text: str
    start: int
    end: int
    document_id: str
    confidence: float

    @classmethod
    def of(cls, answer: ExtractedAnswer) -> AnswerOut:
        return cls(
            text=answer.text,
            start=answer.start,
            end=answer.end,
            document_id=answer.document_id,
            confidence=answer.confidence,
        )


class CitationOut(BaseModel):
    document_id: str
    quote: str
    start: int
    end: int
    score: float

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        return cls(
            document_id=citation.document_id,
            quote=citation.quote,
            start=citation.start,
            end=citation.end,
            score=citation.score,
        )


class AskResponse(BaseModel):
    answer: AnswerOut | None = Field(description="null when the documents do not answer it.")
    citations: list[CitationOut]
    resolved_question: str | None = Field(
        default=None, description="The question as understood, when history changed it."
    )
    document_title: str | None = None
    abstention: Literal["yes_no"] | None = Field(
        default=None,
        description=(
            'Why answer is null, when known beyond "the documents do not say": "yes_no" for '
            "a yes-or-no question, which no quoted span answers (the citations still bear "
            "on it)."
        ),
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def of(cls, result: QAResult, document_title: str | None = None) -> AskResponse:
        return cls(
            answer=AnswerOut.of(result.answer) if result.answer else None,
            citations=[CitationOut.of(c) for c in result.citations],
            resolved_question=result.resolved_question,
            document_title=document_title,
            abstention="yes_no" if result.abstention == "yes_no" else None,
            timings_ms={k: round(v, 3) for k, v in result.timings_ms.items()},
        )


class DocumentSummary(BaseModel):
    id: str
    title: str
    author: str
    date: str
    source: str
    length: int


class DocumentOut(DocumentSummary):
    text: str = Field(description="The exact text that every offset refers to.")


class Health(BaseModel):
    status: str
    documents: int
    sentences: int
    chunks: int
    index_build: str
    reader: str


class DocumentCreate(BaseModel):
    """``POST /documents`` as JSON: the content and optional metadata."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "# Ganja\n\nGanja is the second largest city of Azerbaijan.",
                    "title": "Ganja",
                    "format": "markdown",
                }
            ]
        },
    )

    text: str = Field(min_length=1, description="The document: plain text, Markdown or HTML.")
    format: Literal["text", "markdown", "html"] = Field(
        default="text", description="How to read `text`; HTML and Markdown become plain text."
    )
    title: str = Field(default="", max_length=300)
    author: str = Field(default="", max_length=200)
    date: str = Field(default="", max_length=64)
    source: str = Field(default="", max_length=300)


class DocumentCreated(DocumentSummary):
    format: str = Field(description="The format the content was read as.")
    index_build: str = Field(description="The index build that now serves the document.")


class SuggestedQuestion(BaseModel):
    question: str
    answer: str = Field(description="What the service answers; `document.text[start:end]`.")
    start: int
    end: int


class SuggestionsOut(BaseModel):
    """``GET /documents/{id}/suggestions``: questions the service answers from the document."""

    document_id: str
    questions: list[SuggestedQuestion] = Field(
        description="At most 4, in the order of the document; empty when none was found."
    )


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong and what to do about it.")


class DuplicateOut(ErrorOut):
    document_id: str = Field(description="The document already held.")
