"""MiniLM's contextual vectors for spaCy tokens, for the learned reader's alignments.

The reader compares question words with sentence words through these vectors. They come
from the service's loaded MiniLM (:class:`~qa.embedding.MiniLMEncoder`: the ONNX or the
torch one; no second copy), and cost as little as possible per question:

- the question's forward pass is the one retrieval already ran
  (:meth:`~qa.embedding.MiniLMEncoder.take_states`), when the sentences need none;
- a sentence's vectors do not depend on the question: they are kept in an LRU cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
from spacy.tokens import Span

from qa.embedding import BatchStates, MiniLMEncoder, TextEmbedder, TokenStates

DIMENSION = 384


class TokenEncoder:
    """MiniLM's contextual vectors for spaCy tokens (mean of their word pieces).

    Args:
        embedder: the MiniLM encoder (shared with the service); a private torch one by
            default.
        max_length: word pieces read per text.
        cache_size: sentences whose vectors are kept.

    Example:
        >>> from qa.nlp import load_spacy
        >>> encoder = TokenEncoder(TextEmbedder())
        >>> doc = load_spacy()("Ganja was shelled.")
        >>> encoder.run([doc[:]])[0].shape
        (4, 384)
    """

    def __init__(
        self, embedder: MiniLMEncoder | None = None, max_length: int = 256, cache_size: int = 4096
    ) -> None:
        self.embedder = embedder or TextEmbedder()
        self.max_length = max_length
        self.cache_size = cache_size
        # A sentence's vectors do not depend on the question: questions about one document
        # keep meeting the same sentences, so they are encoded once.
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One forward pass: word-piece states, their character offsets, and the
        mean-pooled unit sentence vectors (what MiniLM's sentence embedding is)."""
        states = self._forward(texts)
        return states.hidden, states.offsets, states.pooled

    def _forward(self, texts: Sequence[str]) -> BatchStates:
        forward = getattr(self.embedder, "forward", None)
        if forward is None:
            raise RuntimeError("TokenEncoder needs a MiniLM encoder with word-piece states")
        return forward(list(texts), max_length=self.max_length)

    def sentence_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors, as the MiniLM encoder gives them."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return self.encode(texts)[2]

    def run(self, spans: Sequence[Span]) -> list[np.ndarray]:
        """Unit vectors, one row per token of each span."""
        return self.run_with_sentences(spans)[0]

    def run_with_sentences(
        self, spans: Sequence[Span], cached: Sequence[bool] | None = None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Token vectors of each span and the span's sentence vector.

        ``cached`` marks the spans whose vectors may come from (and go to) the cache. When
        retrieval has just encoded the first span's text on this thread (the question),
        its states are reused; the other spans needing it are encoded one by one.
        """
        if not spans:
            return [], np.zeros((0, DIMENSION), dtype=np.float32)
        cached = list(cached) if cached is not None else [False] * len(spans)
        results: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(spans)
        # A span's text is rebuilt from its tokens at every `.text`: build each once. (Not
        # `span.doc.text[...]`: that joins every token of the document, 2 ms a question.)
        texts = [span.text for span in spans]
        with self._cache_lock:
            for i, text in enumerate(texts):
                if cached[i] and text in self._cache:
                    self._cache.move_to_end(text)
                    results[i] = self._cache[text]
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            fresh: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            # Handed out once, whether used or not, so none outlives its request. Every
            # text is encoded alone (see `_compute`), so these are the very numbers.
            reused = self._take_states(texts[todo[0]])
            if reused is not None:
                vectors = self._token_vectors(spans[todo[0]], reused.hidden, reused.offsets)
                fresh[todo[0]] = (vectors, reused.pooled)
            rest = [i for i in todo if i not in fresh]
            if rest:
                computed, pooled = self._compute([spans[i] for i in rest])
                fresh.update((i, (computed[k], pooled[k])) for k, i in enumerate(rest))
            with self._cache_lock:
                for i in todo:
                    results[i] = fresh[i]
                    if cached[i] and self.cache_size > 0:
                        self._cache[texts[i]] = results[i]
                        while len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
        done: list[tuple[np.ndarray, np.ndarray]] = [r for r in results if r is not None]
        return [r[0] for r in done], np.vstack([r[1] for r in done])

    def _take_states(self, text: str) -> TokenStates | None:
        take: Any = getattr(self.embedder, "take_states", None)
        return take(text) if take is not None else None

    def _compute(self, spans: Sequence[Span]) -> tuple[list[np.ndarray], np.ndarray]:
        # One pass per text: sentences differ in length, and padding them to the longest
        # of a batch cost about a fifth more (6 article sentences: 75 -> 61 ms).
        out, pooled = [], []
        for span in spans:
            states = self._forward([span.text])
            out.append(self._token_vectors(span, states.hidden[0], states.offsets[0]))
            pooled.append(states.pooled[0])
        return out, np.vstack(pooled)

    @staticmethod
    def _token_vectors(span: Span, hidden: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Unit vectors of the span's tokens: the mean of the word pieces each overlaps."""
        base = span.start_char
        n_tokens = len(span)
        vectors = np.zeros((n_tokens, hidden.shape[1]), dtype=np.float32)
        starts = np.array([t.idx - base for t in span])
        ends = starts + np.array([len(t.text) for t in span])
        piece_start, piece_end = offsets[:, 0], offsets[:, 1]
        real = piece_end > piece_start
        for j in range(n_tokens):
            mask = real & (piece_start < ends[j]) & (piece_end > starts[j])
            if mask.any():
                vectors[j] = hidden[mask].mean(axis=0)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-6)
