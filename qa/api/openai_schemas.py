"""Bodies of the OpenAI-compatible endpoints (``/v1/chat/completions``, ``/v1/models``).

They follow the Chat Completions protocol closely enough for the official clients and chat
front ends; the extractive answer and its verbatim citations travel in extra fields
(``answer``, ``citations``, ``resolved_question``) that OpenAI clients keep and ignore.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The id this service answers as, whatever ``model`` a client asks for.
MODEL_ID = "qa-extractive-minilm"
MAX_MESSAGES = 200


class ContentPart(BaseModel):
    """One part of a message's content; only ``{"type": "text", "text": ...}`` is read."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """A turn of the conversation, as the protocol sends it."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """``POST /v1/chat/completions``.

    ``messages`` is the conversation, oldest first; the last one must be the user's
    question. Sampling parameters (``temperature``, ``max_tokens``, ``seed``, ...) and other
    unknown fields are accepted and ignored: an extractive answer does not depend on them.
    Parameters that ask for something this service cannot do (tools, several choices, JSON
    output, log-probabilities, audio) are refused with a 400.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [
                        {"role": "user", "content": "Who is the Turkish Defense Minister?"},
                        {"role": "assistant", "content": "Hulusi Akar"},
                        {"role": "user", "content": "When did he travel to Azerbaijan?"},
                    ],
                }
            ]
        },
    )

    model: str = Field(description=f"Any value; the reply names `{MODEL_ID}`.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    n: int | None = None
    tools: list[Any] | None = None
    tool_choice: Any = None
    functions: list[Any] | None = None
    function_call: Any = None
    response_format: dict[str, Any] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    modalities: list[str] | None = None
    audio: Any = None
    document_id: str | None = Field(
        default=None, max_length=128, description="Extension: answer from this document only."
    )


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class CitationOut(BaseModel):
    """A verbatim quote: ``document.text[start:end] == quote``."""

    document_id: str
    document_title: str | None
    quote: str
    start: int
    end: int
    score: float


class AnswerOut(BaseModel):
    text: str
    document_id: str
    start: int
    end: int
    confidence: float


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    """The reply: ``choices[0].message.content`` reads well; the extra fields are data."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    system_fingerprint: str | None = None
    choices: list[Choice]
    usage: Usage
    answer: AnswerOut | None = Field(description="null when the documents do not answer it.")
    citations: list[CitationOut]
    resolved_question: str | None = Field(
        default=None, description="The question as understood, when the conversation changed it."
    )


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """OpenAI's error shape, so clients raise their usual exceptions."""

    error: ErrorBody
