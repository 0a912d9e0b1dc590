"""``GET /healthz``: ready once the index is loaded."""

from __future__ import annotations

from fastapi import APIRouter

from qa.api.deps import ServiceDep
from qa.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Readiness and index size")
def healthz(service: ServiceDep) -> Health:
    index = service.index
    return Health(
        status="ok",
        documents=len(index.documents),
        sentences=len(index.sentences),
        chunks=len(index.chunks),
        index_build=index.build_id,
        reader=service.reader.name,
    )
