"""The HTTP API (FastAPI): routes per resource under ``qa.api.routes``."""

from __future__ import annotations

from qa.api.main import create_app

__all__ = ["create_app"]
