"""Extractive, cited question answering over documents.

Data flows one way: documents -> chunking -> indexing -> retrieval -> readers ->
answering (the ``QAService``) -> api / cli / eval.
"""

from __future__ import annotations

__version__ = "0.1.0"
