"""``POST /ask``: answer one question, with verbatim citations."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from qa.api.deps import ServiceDep
from qa.api.schemas import AskRequest, AskResponse, ErrorOut
from qa.service import Turn

router = APIRouter(tags=["ask"])


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Answer a question about the documents",
    responses={
        400: {"model": ErrorOut, "description": "The body is not UTF-8 (FastAPI cannot parse it)."},
        404: {"model": ErrorOut, "description": "`document_id` names no document."},
    },
)
async def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    if body.document_id is not None and service.document(body.document_id) is None:
        raise HTTPException(404, f"no document with id {body.document_id!r}; see GET /documents")
    history = [Turn(t.question, t.answer) for t in body.history]
    result = await run_in_threadpool(
        service.ask, body.question, history, body.top_k, body.document_id
    )
    title = None
    if result.answer is not None:
        doc = service.document(result.answer.document_id)
        title = doc.title if doc else None
    return AskResponse.of(result, document_title=title)
