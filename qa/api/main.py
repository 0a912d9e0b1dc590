"""The FastAPI application: ``create_app()`` wires routes, errors and the service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa import __version__
from qa.api.routes import ask, documents, health, page
from qa.api.routes import openai as openai_api
from qa.api.security import install_security
from qa.config import Settings, get_settings
from qa.service import QAService
from qa.suggestions import QuestionSuggester

logger = logging.getLogger(__name__)


def _describe(error: dict) -> str:
    """One readable sentence for a pydantic error, naming the field."""
    location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    message = error.get("msg", "is invalid")
    if error.get("type") == "json_invalid":
        return (
            "the request body is not valid JSON; send a JSON object such as "
            '{"question": "Who is Rob Lee?"}'
        )
    if not location and error.get("type") in {"model_attributes_type", "dict_type"}:
        return 'the request body must be a JSON object such as {"question": "Who is Rob Lee?"}'
    message = message.removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    messages = [_describe(e) for e in errors]
    return JSONResponse(
        status_code=422,
        content={
            "message": "; ".join(messages),
            "detail": [
                {"loc": list(e.get("loc", ())), "msg": m, "type": e.get("type", "")}
                for e, m in zip(errors, messages, strict=True)
            ],
        },
    )


# FastAPI's wording when a body cannot even be decoded (e.g. bytes that are not UTF-8).
_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """An undecodable body is bad input like malformed JSON: the same readable 422."""
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        message = (
            "the request body is not valid UTF-8 JSON; send a JSON object such as "
            '{"question": "Who is Rob Lee?"}'
        )
        return JSONResponse(
            status_code=422,
            content={
                "message": message,
                "detail": [{"loc": ["body"], "msg": message, "type": "json_invalid"}],
            },
        )
    return await http_exception_handler(request, exc)


def create_app(service: QAService | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; the service (and its index) loads at start-up.

    Example:
        >>> from fastapi.testclient import TestClient
        >>> with TestClient(create_app()) as client:  # doctest: +SKIP
        ...     client.get("/healthz").json()["documents"]
        1
    """
    settings = settings or get_settings()
    service = service or QAService(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(service.warm_up)
        yield

    app = FastAPI(
        title="Document QA",
        version=__version__,
        description="Extractive answers with verbatim, offset-exact citations.",
        lifespan=lifespan,
    )
    app.state.service = service
    # Suggested questions are cached per index build inside the suggester: one per app.
    app.state.suggester = QuestionSuggester()
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.include_router(ask.router)
    app.include_router(documents.router)
    app.include_router(health.router)
    app.include_router(openai_api.router)
    page.install(app)
    install_security(app, settings)
    return app
