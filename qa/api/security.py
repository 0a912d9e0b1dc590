"""Who may write, and what every response tells the browser.

- Writes need ``Authorization: Bearer <QA_API_KEY>``, compared in constant time. Without a
  configured key the write endpoints are off (403 saying how to turn them on); reads stay
  open.
- Every response carries a Content-Security-Policy that forbids inline script, plus
  ``nosniff``, ``Referrer-Policy`` and frame denial. FastAPI's ``/docs`` and ``/redoc``
  pages load their bundle from a CDN with an inline bootstrap, so they get a policy that
  allows exactly that; they never render document text as HTML.
- CORS is added only when ``QA_CORS_ORIGINS`` names origins.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.config import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}

WRITES_DISABLED = (
    "writes are disabled on this server: start it with QA_API_KEY set to a secret and send "
    "that key as 'Authorization: Bearer <key>'"
)
BAD_KEY = (
    "missing or wrong API key; send 'Authorization: Bearer <key>' with the server's QA_API_KEY"
)

_bearer = HTTPBearer(
    auto_error=False,
    description="The server's QA_API_KEY; needed to add or delete documents.",
)


def require_api_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Dependency of every write route: 403 when writes are off, 401 on a missing/wrong key.

    Example:
        >>> router.post("/documents", dependencies=[Depends(require_api_key)])  # doctest: +SKIP
    """
    settings: Settings = request.app.state.settings
    expected = settings.api_key
    if not expected:
        raise HTTPException(403, WRITES_DISABLED)
    # Header values arrive as latin-1 strings; their bytes are what the client sent.
    given = credentials.credentials.encode("latin-1", "replace") if credentials else b""
    if not hmac.compare_digest(given, expected.encode("utf-8")):
        raise HTTPException(401, BAD_KEY, headers={"WWW-Authenticate": "Bearer"})


ApiKeyDep = Depends(require_api_key)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the security headers to every HTTP response.

    Args:
        app: the wrapped application.
        relaxed_paths: paths (FastAPI's own docs pages) that get the CDN-friendly policy.
    """

    def __init__(self, app: ASGIApp, relaxed_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.relaxed_paths = relaxed_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = _DOCS_POLICY if scope["path"] in self.relaxed_paths else CONTENT_SECURITY_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = {"content-security-policy": policy, **SECURITY_HEADERS}
                for name, value in extra.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add CORS (only when origins are configured) and the security headers to ``app``."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
        )
    docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    # Added last, so it wraps everything else (CORS preflights and error pages included).
    app.add_middleware(SecurityHeadersMiddleware, relaxed_paths=frozenset(p for p in docs if p))
