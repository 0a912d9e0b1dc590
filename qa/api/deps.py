"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qa.service import QAService
from qa.suggestions import QuestionSuggester


def get_service(request: Request) -> QAService:
    return request.app.state.service


def get_suggester(request: Request) -> QuestionSuggester:
    return request.app.state.suggester


ServiceDep = Annotated[QAService, Depends(get_service)]
SuggesterDep = Annotated[QuestionSuggester, Depends(get_suggester)]
