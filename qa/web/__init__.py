"""The chat page: static files (HTML, CSS, JS) shipped inside the package, no build step.

Example:
    >>> (STATIC_DIR / "index.html").is_file()
    True
"""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""Where ``index.html``, ``app.js`` and ``styles.css`` live (served under ``/static``)."""

__all__ = ["STATIC_DIR"]
