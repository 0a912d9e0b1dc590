"""``GET /``: the chat page, and its assets under ``/static``."""

from __future__ import annotations

import os

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from qa.web import STATIC_DIR

router = APIRouter(include_in_schema=False)


class _RevalidatedFiles(StaticFiles):
    """Static files that browsers revalidate (cheap, by ETag) on every load.

    Without it a browser may keep last release's ``app.js`` next to this release's HTML.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        return response


@router.api_route("/", methods=["GET", "HEAD"])
def chat_page() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-cache"},
    )


def install(app: FastAPI) -> None:
    """Serve the chat page at ``/`` and its files at ``/static/...``.

    Example:
        >>> from fastapi import FastAPI
        >>> app = FastAPI()
        >>> install(app)
        >>> from fastapi.testclient import TestClient
        >>> TestClient(app).get("/static/app.js").status_code
        200
    """
    app.include_router(router)
    app.mount("/static", _RevalidatedFiles(directory=STATIC_DIR), name="static")
