"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qa.service import QAService


def get_service(request: Request) -> QAService:
    return request.app.state.service


ServiceDep = Annotated[QAService, Depends(get_service)]
