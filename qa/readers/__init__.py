"""Readers pick the answer span out of retrieved passages.

Every reader implements :class:`~qa.readers.base.Reader`; :func:`create_reader` picks one
from the settings.
"""

from __future__ import annotations

from qa.readers.base import Reader, create_reader

__all__ = ["Reader", "create_reader"]
