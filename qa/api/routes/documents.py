"""``/documents``: what the service holds, with the exact texts offsets refer to."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from qa.api.deps import ServiceDep
from qa.api.schemas import DocumentOut, DocumentSummary
from qa.documents import Document

router = APIRouter(prefix="/documents", tags=["documents"])


def _summary(doc: Document) -> dict[str, object]:
    return {
        "id": doc.id,
        "title": doc.title,
        "author": doc.author,
        "date": doc.date,
        "source": doc.source,
        "length": len(doc.text),
    }


@router.get("", response_model=list[DocumentSummary], summary="List the documents")
def list_documents(service: ServiceDep) -> list[DocumentSummary]:
    return [DocumentSummary(**_summary(d)) for d in service.documents()]


@router.get("/{document_id}", response_model=DocumentOut, summary="One document and its text")
def get_document(document_id: str, service: ServiceDep) -> DocumentOut:
    doc = service.document(document_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {document_id!r}; see GET /documents")
    return DocumentOut(**_summary(doc), text=doc.text)
