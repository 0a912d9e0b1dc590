"""``/documents``: what the service holds, with the exact texts offsets refer to.

Reads are open. Writes (``POST /documents``, ``DELETE /documents/{id}``) need the API key
(see :mod:`qa.api.security`); each one stores the change, rebuilds the index beside the
served one and swaps it in, so questions asked meanwhile are answered from the old index.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from qa.api.deps import ServiceDep, SuggesterDep
from qa.api.schemas import (
    DocumentCreate,
    DocumentCreated,
    DocumentOut,
    DocumentSummary,
    DuplicateOut,
    ErrorOut,
    SuggestedQuestion,
    SuggestionsOut,
)
from qa.api.security import ApiKeyDep
from qa.config import Settings
from qa.document_store import DocumentNotFound, DuplicateDocument, ProtectedDocument
from qa.documents import Document, is_valid_document_id
from qa.ingest import (
    MAX_AUTHOR_CHARS,
    MAX_DATE_CHARS,
    MAX_TITLE_CHARS,
    DocumentIngester,
    IngestError,
    IngestRequest,
    InvalidContent,
    format_for_content_type,
)

router = APIRouter(prefix="/documents", tags=["documents"])

_NOT_FOUND = {"model": ErrorOut, "description": "No document has this id."}
_AUTH = {
    401: {"model": ErrorOut, "description": "Missing or wrong API key."},
    403: {"model": ErrorOut, "description": "Writes are disabled (no QA_API_KEY configured)."},
}
_RAW_BODY = {"type": "string", "description": "The document itself, UTF-8 encoded."}
_ADD_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": DocumentCreate.model_json_schema()},
        "text/plain": {"schema": _RAW_BODY},
        "text/markdown": {"schema": _RAW_BODY},
        "text/html": {"schema": _RAW_BODY},
    },
}


def _summary(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "author": doc.author,
        "date": doc.date,
        "source": doc.source,
        "length": len(doc.text),
    }


def _not_found(document_id: str) -> HTTPException:
    return HTTPException(404, f"no document with id {document_id!r}; see GET /documents")


@router.get("", response_model=list[DocumentSummary], summary="List the documents")
def list_documents(service: ServiceDep) -> list[DocumentSummary]:
    return [DocumentSummary(**_summary(d)) for d in service.documents()]


@router.get(
    "/{document_id}",
    response_model=DocumentOut,
    summary="One document and its text",
    responses={404: _NOT_FOUND},
)
def get_document(document_id: str, service: ServiceDep) -> DocumentOut:
    doc = service.document(document_id) if is_valid_document_id(document_id) else None
    if doc is None:
        raise _not_found(document_id)
    return DocumentOut(**_summary(doc), text=doc.text)


@router.get(
    "/{document_id}/suggestions",
    response_model=SuggestionsOut,
    summary="Questions the service answers from this document",
    responses={404: _NOT_FOUND},
)
def document_suggestions(
    document_id: str, service: ServiceDep, suggester: SuggesterDep
) -> SuggestionsOut:
    """Generated from the document's sentences and each one asked: every question listed
    is answered (not abstained on), with ``answer == document.text[start:end]``. The first
    request per document and index build takes a second or two; later ones are cached.
    """
    # A plain ``def``: FastAPI runs it in its threadpool, so the asking never blocks the loop.
    if not is_valid_document_id(document_id) or service.document(document_id) is None:
        raise _not_found(document_id)
    found = suggester.run(service, document_id)
    return SuggestionsOut(
        document_id=document_id,
        questions=[SuggestedQuestion(**vars(s)) for s in found],
    )


def _invalid(message: str) -> RequestValidationError:
    """A 422 in the app's validation-error shape (``message`` + ``detail`` list)."""
    return RequestValidationError([{"type": "value_error", "loc": ("body",), "msg": message}])


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise HTTPException(
                413, f"the body is {declared} bytes; the limit is {limit} (QA_MAX_UPLOAD_BYTES)"
            )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(
                413, f"the body is over the limit of {limit} bytes (QA_MAX_UPLOAD_BYTES)"
            )
    return bytes(body)


def _parse_json(body: bytes) -> DocumentCreate:
    try:
        payload = json.loads(body)
    except ValueError:
        raise _invalid(
            'the request body is not valid JSON; send {"text": "...", "format": "text"}'
        ) from None
    if not isinstance(payload, dict):
        raise _invalid('the request body must be a JSON object such as {"text": "..."}')
    try:
        return DocumentCreate.model_validate(payload)
    except ValidationError as exc:
        errors = [
            {"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from None


@router.post(
    "",
    status_code=201,
    response_model=DocumentCreated,
    summary="Add a document (plain text, Markdown or HTML)",
    dependencies=[ApiKeyDep],
    responses={
        **_AUTH,
        409: {"model": DuplicateOut, "description": "The document is already held."},
        413: {"model": ErrorOut, "description": "The body is over QA_MAX_UPLOAD_BYTES."},
        415: {"model": ErrorOut, "description": "Unsupported content type or charset."},
    },
    openapi_extra={"requestBody": _ADD_BODY},
)
async def add_document(
    request: Request,
    response: Response,
    service: ServiceDep,
    title: Annotated[
        str, Query(max_length=MAX_TITLE_CHARS, description="Title, for a raw (non-JSON) body.")
    ] = "",
    author: Annotated[str, Query(max_length=MAX_AUTHOR_CHARS)] = "",
    date: Annotated[str, Query(max_length=MAX_DATE_CHARS)] = "",
) -> DocumentCreated | JSONResponse:
    """Send JSON (``{"text", "format"?, "title"?, "author"?, "date"?}``) or the document
    itself as ``text/plain``, ``text/markdown`` or ``text/html`` (metadata then goes in the
    query string). Answers 201 once the document is indexed and served.
    """
    settings: Settings = request.app.state.settings
    content_type = request.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    is_json = media_type == "application/json" or media_type.endswith("+json")
    try:
        raw_format = None if is_json else format_for_content_type(content_type)
        body = await _read_body(request, settings.max_upload_bytes)
        if raw_format is None:
            payload = _parse_json(body)
            upload = IngestRequest(
                payload.text,
                payload.format,
                title=payload.title or title,
                author=payload.author or author,
                date=payload.date or date,
                source=payload.source,
            )
        else:
            upload = IngestRequest(body, raw_format, title=title, author=author, date=date)
        document = DocumentIngester(settings.max_upload_bytes).run(upload)
    except InvalidContent as exc:
        raise _invalid(str(exc)) from None
    except IngestError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
    try:
        index = await run_in_threadpool(service.add_document, document)
    except DuplicateDocument as exc:
        duplicate = DuplicateOut(detail=str(exc), document_id=exc.existing_id)
        return JSONResponse(duplicate.model_dump(), status_code=409)
    response.headers["Location"] = f"/documents/{document.id}"
    return DocumentCreated(**_summary(document), format=upload.format, index_build=index.build_id)


@router.delete(
    "/{document_id}",
    status_code=204,
    summary="Delete one of the user's documents",
    dependencies=[ApiKeyDep],
    responses={
        **_AUTH,
        403: {
            "model": ErrorOut,
            "description": "Writes are disabled, or the document is a seed (not deletable).",
        },
        404: _NOT_FOUND,
    },
)
async def delete_document(document_id: str, service: ServiceDep) -> Response:
    if not is_valid_document_id(document_id):
        raise _not_found(document_id)
    try:
        await run_in_threadpool(service.remove_document, document_id)
    except DocumentNotFound:
        raise _not_found(document_id) from None
    except ProtectedDocument as exc:
        raise HTTPException(403, str(exc)) from None
    return Response(status_code=204)
