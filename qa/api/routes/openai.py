"""``/v1``: an OpenAI-compatible Chat Completions endpoint over the extractive service.

Any client that speaks the protocol (the official ``openai`` libraries, chat front ends,
agent frameworks) can point its ``base_url`` at ``http://host:port/v1``. The last user
message is the question; the earlier user/assistant pairs are the history that follow-ups
are resolved against. The reply's ``content`` is the short answer, the quote as a Markdown
block quote and a source line; ``answer``, ``citations`` and ``resolved_question`` carry
the same as data. Errors, validation included, come in OpenAI's ``{"error": {...}}`` shape.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from qa.answers import QAResult
from qa.api.deps import ServiceDep
from qa.api.openai_schemas import (
    MODEL_ID,
    AnswerOut,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    CitationOut,
    ErrorResponse,
    ModelCard,
    ModelList,
    Usage,
)
from qa.api.schemas import MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
from qa.service import QAService, Turn

ABSTENTION = "The document does not answer this question."
YES_NO = (
    "That asks for a yes or a no, and answers here are quoted from the document: "
    "ask what, who, when or where instead."
)
_CREATED = int(time.time())
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Unsupported parameter or malformed messages."},
    404: {"model": ErrorResponse, "description": "Unknown model or document."},
}


class OpenAIError(Exception):
    """An error to report in OpenAI's shape.

    Example:
        >>> raise OpenAIError(400, "n must be 1", param="n", code="unsupported_value")
    """

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = (
            status,
            message,
            param,
            code,
            kind,
        )

    def response(self) -> JSONResponse:
        body = {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}
        return JSONResponse(status_code=self.status, content={"error": body})


# Pydantic names the member of a union that failed ("str", "list[ContentPart]"); not a field.
_TYPE_TAGS = {"str", "int", "float", "bool", "none", "dict", "list"}


def _param(location: tuple[Any, ...]) -> str | None:
    """A pydantic location as OpenAI names parameters: ``messages[0].content``."""
    name = ""
    for part in location:
        if part == "body":
            continue
        if isinstance(part, int):
            name += f"[{part}]"
        elif str(part) not in _TYPE_TAGS and "[" not in str(part):
            name += f".{part}" if name else str(part)
    return name or None


def _from_validation(exc: RequestValidationError) -> OpenAIError:
    errors = exc.errors()
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return OpenAIError(
            400,
            "We could not parse the JSON body of your request: send a JSON object with "
            '"model" and "messages".',
            code="invalid_json",
        )
    location = tuple(first.get("loc", ()))
    param = _param(location)
    if param is None:  # no body, or a body that is not an object
        return OpenAIError(
            400,
            'The request body must be a JSON object with "model" and "messages".',
            code="invalid_json",
        )
    messages = []
    for error in errors:
        name = _param(tuple(error.get("loc", ())))
        text = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        if f"{name}: {text}" not in messages:
            messages.append(f"{name}: {text}" if name else text)
    code = "missing_required_parameter" if first.get("type") == "missing" else "invalid_value"
    return OpenAIError(400, "Invalid request: " + "; ".join(messages), param=param, code=code)


class OpenAIRoute(APIRoute):
    """Routes whose every error, FastAPI's own validation included, is OpenAI-shaped.

    The app-wide 422 format of ``/ask`` is untouched: this only wraps the ``/v1`` routes.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _from_validation(exc).response()
            except OpenAIError as exc:
                return exc.response()
            except HTTPException as exc:  # Starlette's: FastAPI raises it for unreadable bodies
                if exc.status_code == 400:
                    message = "We could not read the request body: send UTF-8 encoded JSON."
                    return OpenAIError(400, message, code="invalid_json").response()
                kind = "invalid_request_error" if exc.status_code < 500 else "server_error"
                return OpenAIError(exc.status_code, str(exc.detail), kind=kind).response()

        return route


router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


# -- request -> question and history ---------------------------------------------------------


def _text(message: ChatMessage, index: int) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for position, part in enumerate(content):
        if part.type != "text" or part.text is None:
            raise OpenAIError(
                400,
                f"Only text content is supported, not {part.type!r}.",
                param=f"messages[{index}].content[{position}]",
                code="unsupported_value",
            )
        parts.append(part.text)
    return "\n".join(parts)


def _short_answer(content: str) -> str | None:
    """The answer an assistant turn gave: the first line (this service's replies lead with it)."""
    text = content.strip()
    if not text or text.startswith((ABSTENTION[:24], YES_NO[:24])):
        return None
    first = text.split("\n", 1)[0].strip()
    if first.startswith(">"):
        return None
    return first[:MAX_QUESTION_CHARS]


def _check_supported(body: ChatCompletionRequest) -> None:
    """Refuse what an extractive service cannot do, naming the parameter."""
    refusals = [
        ("tools", bool(body.tools), "Tools are not supported: answers come from the documents."),
        (
            "tool_choice",
            body.tool_choice not in (None, "none"),
            "tool_choice is not supported: this service calls no tools.",
        ),
        ("functions", bool(body.functions), "Functions are not supported."),
        (
            "function_call",
            body.function_call not in (None, "none"),
            "function_call is not supported.",
        ),
        (
            "n",
            body.n is not None and body.n != 1,
            "n must be 1: there is one extractive answer per question.",
        ),
        (
            "response_format",
            body.response_format is not None and body.response_format.get("type") != "text",
            "Only the text response format is supported.",
        ),
        ("logprobs", bool(body.logprobs), "logprobs are not supported."),
        ("top_logprobs", bool(body.top_logprobs), "top_logprobs are not supported."),
        (
            "modalities",
            body.modalities is not None and set(body.modalities) - {"text"} != set(),
            "Only text output is supported.",
        ),
        ("audio", body.audio is not None, "Audio output is not supported."),
    ]
    for param, refused, message in refusals:
        if refused:
            raise OpenAIError(400, message, param=param, code="unsupported_parameter")


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the earlier turns, oldest first."""
    texts = []
    for index, message in enumerate(messages):
        if message.role in {"tool", "function"}:
            raise OpenAIError(
                400,
                f"{message.role} messages are not supported: this service calls no tools.",
                param=f"messages[{index}].role",
                code="unsupported_value",
            )
        texts.append(_text(message, index))
    last = len(messages) - 1
    if messages[last].role != "user":
        raise OpenAIError(
            400,
            "The last message must be the user's question (role 'user').",
            param=f"messages[{last}].role",
            code="invalid_value",
        )
    question = texts[last].strip()
    if not question:
        raise OpenAIError(
            400,
            "The question is empty: the last user message needs text.",
            param=f"messages[{last}].content",
            code="invalid_value",
        )
    if len(question) > MAX_QUESTION_CHARS:
        raise OpenAIError(
            400,
            f"The question is {len(question)} characters long; at most {MAX_QUESTION_CHARS}.",
            param=f"messages[{last}].content",
            code="string_above_max_length",
        )
    turns: list[list[Any]] = []
    for message, text in zip(messages[:last], texts[:last], strict=True):
        if message.role == "user" and text.strip():
            turns.append([text.strip()[:MAX_QUESTION_CHARS], None])
        elif message.role == "assistant" and turns and turns[-1][1] is None:
            turns[-1][1] = _short_answer(text)
    return question, [Turn(q, a) for q, a in turns[-MAX_HISTORY_TURNS:]]


# -- result -> reply ---------------------------------------------------------------------------


def _title(service: QAService, document_id: str) -> str | None:
    document = service.document(document_id)
    return document.title if document is not None and document.title else None


def render(result: QAResult, service: QAService) -> str:
    """The reply as a person reads it: answer, quote (Markdown block quote), source line.

    Example:
        >>> print(render(result, service))  # doctest: +SKIP
        Hulusi Akar
        <BLANKLINE>
        > It also alleged that Turkish Defense Minister Hulusi Akar and ...
        <BLANKLINE>
        Source: Danger of Russian-Turkish conflict grows ..., characters 7608-7842
    """
    answer = result.answer
    if answer is None:
        return YES_NO if result.abstention == "yes_no" else ABSTENTION
    quote = next(
        (
            c
            for c in result.citations
            if c.document_id == answer.document_id and c.start <= answer.start < c.end
        ),
        None,
    )
    passage = answer.passage
    text, start, end = (
        (quote.quote, quote.start, quote.end)
        if quote
        else (passage.text, passage.start, passage.end)
    )
    block = "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())
    title = _title(service, answer.document_id) or answer.document_id
    return f"{answer.text}\n\n{block}\n\nSource: {title}, characters {start}-{end}"


def _citations(result: QAResult, service: QAService) -> list[CitationOut]:
    return [
        CitationOut(
            document_id=c.document_id,
            document_title=_title(service, c.document_id),
            quote=c.quote,
            start=c.start,
            end=c.end,
            score=c.score,
        )
        for c in result.citations
    ]


def _answer(result: QAResult) -> AnswerOut | None:
    a = result.answer
    if a is None:
        return None
    return AnswerOut(
        text=a.text, document_id=a.document_id, start=a.start, end=a.end, confidence=a.confidence
    )


def _usage(messages: list[ChatMessage], content: str) -> Usage:
    # Word counts stand in for tokens: there is no tokenizer-based model here.
    prompt = sum(len(m.content.split()) for m in messages if isinstance(m.content, str))
    prompt += sum(
        len((p.text or "").split())
        for m in messages
        if isinstance(m.content, list)
        for p in m.content
    )
    completion = len(content.split())
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def _pieces(content: str) -> list[str]:
    """Content deltas of a few words each; joined they give the content exactly."""
    words = re.findall(r"\s*\S+", content)
    tail = content[len("".join(words)) :]
    pieces = ["".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    if tail:
        pieces.append(tail)
    return pieces


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _stream(completion: ChatCompletion, include_usage: bool) -> Iterator[str]:
    base = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": completion.created,
        "model": completion.model,
        "system_fingerprint": completion.system_fingerprint,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return _sse({**base, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(completion.choices[0].message.content):
        yield chunk({"content": piece})
    # The structured answer rides on the last chunk, as extra fields clients ignore.
    yield chunk(
        {},
        "stop",
        answer=completion.answer.model_dump() if completion.answer else None,
        citations=[c.model_dump() for c in completion.citations],
        resolved_question=completion.resolved_question,
    )
    if include_usage:
        yield _sse({**base, "choices": [], "usage": completion.usage.model_dump()})
    yield "data: [DONE]\n\n"


# -- routes ------------------------------------------------------------------------------------


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **_ERRORS,
        200: {
            "description": "A chat completion, or with `stream: true` Server-Sent Events of "
            "`chat.completion.chunk` objects ending with `data: [DONE]`.",
            "content": {"text/event-stream": {}},
        },
    },
    summary="Answer the last user message (OpenAI Chat Completions protocol)",
)
async def chat_completions(body: ChatCompletionRequest, service: ServiceDep) -> Response:
    _check_supported(body)
    question, history = _conversation(body.messages)
    if body.document_id is not None and service.document(body.document_id) is None:
        raise OpenAIError(
            404,
            f"No document with id {body.document_id!r}; see GET /documents.",
            param="document_id",
            code="document_not_found",
        )
    result = await run_in_threadpool(service.ask, question, history, None, body.document_id)
    content = render(result, service)
    completion = ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex[:24]}",
        created=int(time.time()),
        model=MODEL_ID,
        system_fingerprint=f"index-{service.index.build_id}",
        choices=[Choice(message=AssistantMessage(content=content))],
        usage=_usage(body.messages, content),
        answer=_answer(result),
        citations=_citations(result, service),
        resolved_question=result.resolved_question,
    )
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _stream(completion, include_usage),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )
    return JSONResponse(completion.model_dump())


@router.get("/models", response_model=ModelList, summary="The model this service answers as")
async def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_CREATED, owned_by="qa")])


@router.get(
    "/models/{model_id}",
    response_model=ModelCard,
    responses={404: _ERRORS[404]},
    summary="One model",
)
async def retrieve_model(model_id: str) -> ModelCard:
    if model_id != MODEL_ID:
        raise OpenAIError(
            404,
            f"The model {model_id!r} does not exist; this service answers as {MODEL_ID!r}.",
            param="model",
            code="model_not_found",
        )
    return ModelCard(id=MODEL_ID, created=_CREATED, owned_by="qa")
