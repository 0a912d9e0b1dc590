"""Question encoders: the ONNX export agrees with torch, the LRU cache, the factory."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from qa.chunking import DocumentSplitter
from qa.config import Settings
from qa.documents import Document
from qa.embedding import (
    CachedEmbedder,
    OnnxTextEmbedder,
    TextEmbedder,
    create_embedder,
    int8_model_path,
    mean_pool,
    pad_batch,
    unwrap,
)
from qa.eval.gold import load_gold
from qa.service import QAService
from tests.conftest import record_passes


@pytest.fixture(scope="module")
def onnx(onnx_file: Path) -> OnnxTextEmbedder:
    model = OnnxTextEmbedder(model_path=onnx_file)
    model.warm_up()
    return model


def gold_questions_and_sentences(article: Document) -> list[str]:
    questions = [case.question for case in load_gold()]
    return questions + [s.text for s in DocumentSplitter().run(article).sentences]


class CountingEmbedder:
    """A stand-in encoder: a deterministic vector per text, and a log of what it encoded."""

    model_id = "counting"
    dimension = 4
    backend = "fake"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def warm_up(self) -> None:
        pass

    def run(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([[len(t), t.count("a"), 1.0, 0.0] for t in texts], dtype=np.float32)


# -- helpers ---------------------------------------------------------------------------------


def test_pad_batch_pads_to_the_longest_only() -> None:
    ids, mask = pad_batch([[101, 5, 6, 102], [101, 102]], pad_id=0)
    assert ids.shape == mask.shape == (2, 4)
    assert ids.dtype == mask.dtype == np.int64
    assert ids[1].tolist() == [101, 102, 0, 0]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]


def test_mean_pool_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[1.0, 0.0], [0.0, 1.0], [100.0, 100.0]]], dtype=np.float32)
    pooled = mean_pool(hidden, np.array([[1, 1, 0]]))
    assert pooled.dtype == np.float32
    np.testing.assert_allclose(pooled, [[np.sqrt(0.5), np.sqrt(0.5)]], rtol=1e-6)


# -- the ONNX encoder ------------------------------------------------------------------------


def test_onnx_vectors_are_unit_rows_in_input_order(onnx: OnnxTextEmbedder) -> None:
    texts = ["Where is Ganja?", "A much longer sentence about the war in the Caucasus.", "Hi"]
    vectors = onnx.run(texts)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    # Sorting by length inside `run` must not reorder the output.
    for text, row in zip(texts, vectors, strict=True):
        np.testing.assert_allclose(onnx.run([text])[0], row, atol=1e-5)
    assert onnx.run([]).shape == (0, 384)


def test_onnx_does_not_pad_questions_to_128_tokens(onnx: OnnxTextEmbedder) -> None:
    # The packaged tokenizer.json pads to 128: five times the work for a short question.
    assert len(onnx._tokenizer.encode("Where is Ganja?").ids) < 12


def test_onnx_truncates_long_texts_like_sentence_transformers(onnx: OnnxTextEmbedder) -> None:
    long_text = "Artillery struck the city again. " * 400
    assert len(onnx._tokenizer.encode(long_text).ids) == 256
    vector = onnx.run([long_text])
    assert np.isfinite(vector).all() and vector.shape == (1, 384)


def test_onnx_progress_counts_every_text(onnx: OnnxTextEmbedder, onnx_file: Path) -> None:
    small = OnnxTextEmbedder(batch_size=2, model_path=onnx_file)
    small._session, small._tokenizer = onnx._session, onnx._tokenizer
    seen: list[int] = []
    small.run(["a", "bb", "ccc", "dddd", "eeeee"], progress=seen.append)
    assert seen == [2, 2, 1]


@pytest.mark.slow
def test_onnx_export_matches_torch_on_gold_questions_and_article(
    onnx: OnnxTextEmbedder, embedder: TextEmbedder, article: Document
) -> None:
    texts = gold_questions_and_sentences(article)
    cosines = (onnx.run(texts) * embedder.run(texts)).sum(axis=1)
    # Measured: 0.9999998 at worst; one question at a time too (the serving path).
    assert cosines.min() >= 0.99999
    singles = [float(onnx.run([t])[0] @ embedder.run([t])[0]) for t in texts[:40]]
    assert min(singles) >= 0.99999


@pytest.mark.slow
def test_int8_copy_is_close_to_torch(embedder: TextEmbedder, article: Document) -> None:
    int8 = OnnxTextEmbedder(model_path=int8_model_path())
    texts = gold_questions_and_sentences(article)
    cosines = (int8.run(texts) * embedder.run(texts)).sum(axis=1)
    # Measured: median 0.9996, lowest 0.99895 (a four-word question); int8 weights cost that.
    assert np.median(cosines) >= 0.999
    assert cosines.min() >= 0.998


def test_onnx_states_match_torch_states(onnx: OnnxTextEmbedder, embedder: TextEmbedder) -> None:
    texts = ["Where is Ganja?", "Armenian forces fired missiles on Ganja, officials said."]
    ours, theirs = onnx.forward(texts), embedder.forward(texts)
    assert ours.hidden.shape == theirs.hidden.shape
    np.testing.assert_array_equal(ours.offsets, theirs.offsets)
    real = theirs.offsets[..., 1] > 0
    # The padded rows too: the export must honour the attention mask.
    np.testing.assert_allclose(ours.hidden[real], theirs.hidden[real], atol=1e-4)
    np.testing.assert_allclose(ours.pooled, theirs.pooled, atol=1e-5)


def test_onnx_reads_one_text_as_it_reads_it_in_a_batch(onnx: OnnxTextEmbedder) -> None:
    # A lone text is tokenized by `encode` (it keeps the GIL), a batch by `encode_batch`.
    text = "Who is the Turkish Defense Minister?"
    alone = onnx.forward([text])
    batch = onnx.forward([text, "A longer sentence, so that the question is padded."])
    pieces = alone.offsets.shape[1]
    np.testing.assert_array_equal(alone.offsets[0], batch.offsets[0, :pieces])
    np.testing.assert_allclose(alone.hidden[0], batch.hidden[0, :pieces], atol=1e-5)
    np.testing.assert_allclose(alone.pooled[0], batch.pooled[0], atol=1e-6)


def test_onnx_cuts_to_a_shorter_max_length_keeping_the_end_marker(
    onnx: OnnxTextEmbedder,
) -> None:
    states = onnx.forward(["one two three four five six seven eight"], max_length=5)
    assert states.hidden.shape[1] == 5
    assert tuple(states.offsets[0, -1]) == (0, 0)  # [SEP]
    assert tuple(states.offsets[0, 1]) == (0, 3)  # "one"


# -- the cache -------------------------------------------------------------------------------


def test_cache_encodes_each_text_once() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, maxsize=8)
    first = cached.run(["alpha", "beta", "alpha"])
    again = cached.run(["beta", "alpha"])
    assert inner.calls == [["alpha", "beta"]]
    np.testing.assert_array_equal(first[[1, 0]], again)
    assert (cached.hits, cached.misses, cached.size) == (2, 2, 2)


def test_cache_evicts_the_least_recently_used() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, maxsize=2)
    cached.run(["a"])
    cached.run(["b"])
    cached.run(["a"])  # "a" is now the most recent
    cached.run(["c"])  # evicts "b"
    cached.run(["a", "b"])
    assert inner.calls == [["a"], ["b"], ["c"], ["b"]]
    assert cached.size == 2


def test_cache_hands_out_copies() -> None:
    cached = CachedEmbedder(CountingEmbedder(), maxsize=4)
    vector = cached.run(["alpha"])
    vector[:] = 0
    assert cached.run(["alpha"])[0, 0] == len("alpha")


def test_cache_of_size_zero_keeps_nothing() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, maxsize=0)
    cached.run(["a"])
    cached.run(["a"])
    assert len(inner.calls) == 2 and cached.size == 0


def test_cache_is_safe_under_concurrent_questions() -> None:
    cached = CachedEmbedder(CountingEmbedder(), maxsize=16)
    texts = [f"question {'a' * i}" for i in range(40)]
    errors: list[str] = []

    def ask(offset: int) -> None:
        for i in range(200):
            text = texts[(i + offset) % len(texts)]
            if cached.run([text])[0, 1] != text.count("a"):
                errors.append(text)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cached.size == 16


def test_cache_gives_the_reader_a_cached_questions_states(
    onnx: OnnxTextEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes = record_passes(onnx, monkeypatch)
    one_question = 16 * 1024  # "Where is Ganja?": 7 word pieces, 12 KB of states
    cached = CachedEmbedder(onnx, maxsize=4, states_bytes=one_question)
    vector = cached.run(["Where is Ganja?"])
    first = onnx.take_states("Where is Ganja?")
    assert first is not None and len(passes) == 1
    # A hit encodes nothing, and the reader still finds the question's states.
    np.testing.assert_array_equal(cached.run(["Where is Ganja?"]), vector)
    again = onnx.take_states("Where is Ganja?")
    assert again is first and len(passes) == 1
    assert not again.hidden.flags.writeable  # shared by every ask of the question
    assert onnx.take_states("Where is Ganja?") is None  # still handed out once
    # Only the newest question's states fit in the budget; vectors stay.
    cached.run(["Where is Baku?"])
    cached.run(["Where is Ganja?"])
    assert len(passes) == 2
    assert onnx.take_states("Where is Ganja?") is None
    cached.clear()
    cached.run(["Where is Baku?"])
    assert len(passes) == 3


def test_cache_keeps_no_states_larger_than_its_budget(onnx: OnnxTextEmbedder) -> None:
    cached = CachedEmbedder(onnx, maxsize=4, states_bytes=1024)
    cached.run(["Where is Ganja?"])
    assert onnx.take_states("Where is Ganja?") is not None  # this ask's reader has them
    cached.run(["Where is Ganja?"])
    assert onnx.take_states("Where is Ganja?") is None  # but they were not kept
    assert cached.size == 1


# -- the factory and the service -------------------------------------------------------------


def test_factory_picks_the_backend_and_wraps_the_cache(tmp_path: Path) -> None:
    assert Settings().embedding_backend == "onnx"
    onnx_cached = create_embedder(
        Settings(embedding_backend="onnx", embedding_cache_size=5, onnx_model=tmp_path / "m")
    )
    assert isinstance(onnx_cached, CachedEmbedder) and onnx_cached.maxsize == 5
    assert isinstance(unwrap(onnx_cached), OnnxTextEmbedder)
    assert unwrap(onnx_cached).threads == 1
    assert unwrap(onnx_cached).model_path == tmp_path / "m"
    plain = create_embedder(Settings(embedding_backend="torch", embedding_cache_size=0))
    assert isinstance(plain, TextEmbedder)


def test_unknown_backend_is_rejected() -> None:
    with pytest.raises(ValidationError, match="embedding_backend"):
        Settings(embedding_backend="tensorflow")


def test_service_builds_reads_and_asks_with_one_encoder(settings: Settings) -> None:
    for backend, kind in (("onnx", OnnxTextEmbedder), ("torch", TextEmbedder)):
        service = QAService(settings.model_copy(update={"embedding_backend": backend}))
        assert isinstance(unwrap(service.embedder), kind)
        # One model serves retrieval, index builds and the reader: no second copy.
        assert unwrap(service.embedder) is service.index_embedder
        assert service.reader.extractor.embedder is service.index_embedder  # type: ignore[attr-defined]


def test_torch_rows_keep_the_input_order(embedder: TextEmbedder) -> None:
    texts = ["A much longer sentence about the war in the Caucasus.", "Hi", "Where is Ganja?"]
    together = embedder.run(texts)
    for text, row in zip(texts, together, strict=True):
        np.testing.assert_allclose(embedder.run([text])[0], row, atol=1e-5)


# -- one forward pass for the question, shared with the reader -------------------------------


def test_one_text_is_bit_identical_to_sentence_transformers(embedder: TextEmbedder) -> None:
    # The question path runs the model itself (to keep its token states for the reader);
    # the retrieval vector must stay exactly what sentence-transformers gives.
    assert embedder._model is not None
    for text in ["Where is Ganja?", "Who is the Turkish Defense Minister?", "Hi", "x " * 400]:
        expected = embedder._model.encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        np.testing.assert_array_equal(embedder.run([text]), expected)


def test_forward_gives_states_offsets_and_unit_vectors(embedder: TextEmbedder) -> None:
    states = embedder.forward(["Where is Ganja?", "Armenian forces fired missiles on Ganja."])
    pieces = states.hidden.shape[1]
    assert states.hidden.shape == (2, pieces, 384)
    assert states.offsets.shape == (2, pieces, 2)
    np.testing.assert_allclose(np.linalg.norm(states.pooled, axis=1), 1.0, rtol=1e-5)
    # The first text is padded: its padding pieces have empty offsets.
    assert tuple(states.offsets[0, -1]) == (0, 0)


@pytest.mark.parametrize("encoder", ["embedder", "onnx"])
def test_states_are_handed_out_once_and_only_for_the_text_encoded(
    encoder: str, request: pytest.FixtureRequest
) -> None:
    embedder = request.getfixturevalue(encoder)
    embedder.run(["Where is Ganja?"])
    assert embedder.take_states("Where is Baku?") is None
    embedder.run(["Where is Ganja?"])
    states = embedder.take_states("Where is Ganja?")
    assert states is not None and states.text == "Where is Ganja?"
    np.testing.assert_array_equal(states.hidden, embedder.forward(["Where is Ganja?"]).hidden[0])
    assert embedder.take_states("Where is Ganja?") is None
    # A batch (index builds, follow-ups) keeps no states.
    embedder.run(["Where is Ganja?", "Hi"])
    assert embedder.take_states("Where is Ganja?") is None


def test_states_belong_to_the_thread_that_encoded(embedder: TextEmbedder) -> None:
    embedder.run(["Where is Ganja?"])
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(embedder.take_states("Where is Ganja?")))
    worker.start()
    worker.join()
    assert seen == [None]
    assert embedder.take_states("Where is Ganja?") is not None
