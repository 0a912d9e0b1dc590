"""IndexStore: manifest, staleness, atomic publication, failure safety, checksums."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from qa.documents import Document
from qa.embedding import TextEmbedder
from qa.indexing import HNSW_EF_SEARCH, IndexParameters, IndexStore, _BackgroundEncoder
from qa.nlp import load_spacy
from qa.retrieval import HybridRetriever
from tests.conftest import assert_verbatim

DOC_A = Document(
    id="ganja",
    text="Ganja is Azerbaijan's second-largest city. Missiles hit it on Saturday.",
    title="Ganja",
)
DOC_B = Document(id="lee", text="Rob Lee is a US military analyst. He spoke to Al Jazeera.")


@pytest.fixture
def store(tmp_path: Path, embedder: TextEmbedder) -> IndexStore:
    return IndexStore(tmp_path / "index", IndexParameters(), embedder)


def test_build_writes_a_complete_manifest(store: IndexStore) -> None:
    path = store.build([DOC_A, DOC_B])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["embedding"]["model_id"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert manifest["parameters"]["chunk_sentences"] == 3
    assert {d["id"]: d["checksum"] for d in manifest["documents"]} == {
        "ganja": DOC_A.checksum,
        "lee": DOC_B.checksum,
    }
    assert manifest["counts"] == {"documents": 2, "sentences": 4, "chunks": 2}
    assert {"faiss", "bm25s", "spacy", "spacy_model"} <= set(manifest["versions"])
    assert "sentences.faiss" in manifest["files"]
    assert store.current_path() == path
    assert store.verify() == []


def test_loaded_index_offsets_are_exact(store: IndexStore) -> None:
    store.build([DOC_A, DOC_B])
    index = store.load()
    for sentence in index.sentences:
        doc = index.documents[sentence.document_id]
        assert_verbatim(doc.text, sentence.start, sentence.end, sentence.text)
        assert index.sentence_parse(sentence).text == sentence.text
    assert index.sentence_vectors.ntotal == len(index.sentences)
    assert index.chunk_vectors.ntotal == len(index.chunks)


def test_sentences_mentioning_a_word_come_from_bm25s_postings(store: IndexStore) -> None:
    store.build([DOC_A, DOC_B])
    index = store.load()
    for word in ["Ganja", "ganja", "Lee", "Azerbaijan's", "Jazeera", "missiles"]:
        # The same sentences as a scan of the texts for the word (any case, any ending
        # BM25's stemmer folds: "Azerbaijan's" ~ "Azerbaijan").
        stem = word.lower().removesuffix("'s").rstrip("s")
        scanned = [s for s in index.sentences if stem in s.text.lower()]
        assert index.sentences_mentioning(word) == scanned, word
    assert [s.document_id for s in index.sentences_mentioning("Ganja", "lee")] == []
    assert index.sentences_mentioning("the") == []  # a stop word has no postings
    assert index.sentences_mentioning("Zorblax") == []
    # A word BM25 splits: the sentences holding all its terms.
    assert [s.text for s in index.sentences_mentioning("second-largest")] == [
        "Ganja is Azerbaijan's second-largest city."
    ]
    assert [s.text for s in index.sentences_mentioning("Lee-Jazeera")] == []


def test_rebuilds_when_a_document_changes(store: IndexStore) -> None:
    first = store.ensure([DOC_A]).build_id
    assert store.ensure([DOC_A]).build_id == first  # fresh: loaded, not rebuilt
    changed = Document(id="ganja", text=DOC_A.text + " It has 300,000 people.", title="Ganja")
    assert not store.is_fresh([changed])
    second = store.ensure([changed])
    assert second.build_id != first
    assert "300,000" in second.documents["ganja"].text


def test_rebuilds_when_a_parameter_changes(tmp_path: Path, embedder: TextEmbedder) -> None:
    root = tmp_path / "index"
    IndexStore(root, IndexParameters(chunk_sentences=3), embedder).build([DOC_A])
    assert not IndexStore(root, IndexParameters(chunk_sentences=2), embedder).is_fresh([DOC_A])
    assert IndexStore(root, IndexParameters(chunk_sentences=3), embedder).is_fresh([DOC_A])


def test_a_collection_beyond_the_flat_limit_gets_hnsw_and_retrieves_the_same(
    tmp_path: Path, embedder: TextEmbedder, article: Document
) -> None:
    """The index type follows the collection's size; a small limit shows HNSW at work."""
    documents = [article, DOC_A, DOC_B]
    flat = IndexStore(tmp_path / "flat", IndexParameters(), embedder).ensure(documents)
    hnsw = IndexStore(tmp_path / "hnsw", IndexParameters(flat_limit=20), embedder).ensure(documents)
    assert flat.manifest["faiss_index_type"] == "IndexFlatIP"
    assert hnsw.manifest["faiss_index_type"] == "IndexHNSWFlat"
    assert type(hnsw.chunk_vectors).__name__ == "IndexHNSWFlat"  # 28 chunks > 20 too
    assert hnsw.sentence_vectors.hnsw.efSearch == HNSW_EF_SEARCH  # survives the file
    assert hnsw.manifest["parameters"]["flat_limit"] == 20
    for question in ("Who is the Turkish Defense Minister?", "Where is Ganja?"):
        ours = HybridRetriever(hnsw, embedder).run([question], top_k=5)
        exact = HybridRetriever(flat, embedder).run([question], top_k=5)
        assert [(p.document_id, p.start) for p in ours] == [(p.document_id, p.start) for p in exact]
        for passage in ours:
            text = hnsw.documents[passage.document_id].text
            assert_verbatim(text, passage.start, passage.end, passage.text)
    # One document's search reads its own rows back from the HNSW index's storage.
    one = HybridRetriever(hnsw, embedder).run(["Where is Ganja?"], top_k=3, document_id="ganja")
    assert one and {p.document_id for p in one} == {"ganja"}
    exact = HybridRetriever(flat, embedder).run(["Where is Ganja?"], top_k=3, document_id="ganja")
    assert [(p.start, p.end) for p in one] == [(p.start, p.end) for p in exact]


def test_the_flat_limit_is_a_build_parameter(tmp_path: Path, embedder: TextEmbedder) -> None:
    root = tmp_path / "index"
    IndexStore(root, IndexParameters(), embedder).build([DOC_A])
    assert not IndexStore(root, IndexParameters(flat_limit=1), embedder).is_fresh([DOC_A])


class _Boom(RuntimeError):
    pass


def _fail_after_embedding(
    store: IndexStore, documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Build ``documents`` and fail once the tables and vectors are written, before BM25
    and the manifest: everything is parsed and embedded, nothing is published."""

    def explode(*args: object, **kwargs: object) -> None:
        raise _Boom("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr("qa.indexing.bm25s.BM25.save", explode)
        with pytest.raises(_Boom):
            store.build(documents)


def test_a_build_that_fails_part_way_leaves_the_index_intact(
    store: IndexStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = store.build([DOC_A])
    before = sorted(p.name for p in store.builds_dir.iterdir())

    _fail_after_embedding(store, [DOC_A, DOC_B], monkeypatch)
    assert store.current_path() == good
    assert sorted(p.name for p in store.builds_dir.iterdir()) == before  # no temp left
    assert store.verify() == []
    assert list(store.load().documents) == ["ganja"]


def test_a_damaged_file_is_detected_and_rebuilt(store: IndexStore) -> None:
    path = store.build([DOC_A])
    (path / "sentences.jsonl").write_text("truncated")
    assert store.verify() == ["sentences.jsonl"]
    index = store.ensure([DOC_A])
    assert index.path != path
    assert store.verify() == []


def test_missing_index_loads_with_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="qa index"):
        IndexStore(tmp_path / "nothing").load()


def test_old_builds_are_pruned(store: IndexStore) -> None:
    for i in range(4):
        store.build([Document(id="d", text=f"Version {i} of a short note.")])
    assert len([p for p in store.builds_dir.iterdir() if not p.name.startswith(".")]) == 2


def test_a_rebuild_reuses_the_parses_and_vectors_of_unchanged_documents(
    store: IndexStore,
) -> None:
    first = store.load(store.build([DOC_A]))
    path = store.build([DOC_A, DOC_B])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["reused"]["parses"] == 1  # DOC_A's; DOC_B was parsed
    second = store.load(path)
    new_texts = {s.text for s in second.sentences if s.document_id == "lee"} | {
        c.text for c in second.chunks if c.document_id == "lee"
    }
    assert manifest["embedded_texts"] == len(new_texts)
    for row, sentence in enumerate(first.sentences):
        again = second.sentences.index(sentence)
        np.testing.assert_array_equal(
            first.sentence_vectors.reconstruct(row), second.sentence_vectors.reconstruct(again)
        )
        assert second.sentence_parse(sentence).text == sentence.text
    fresh = IndexStore(store.root.parent / "fresh", store.params, store.embedder)
    rebuilt = fresh.load(fresh.build([DOC_A, DOC_B]))
    assert [s.text for s in rebuilt.sentences] == [s.text for s in second.sentences]
    np.testing.assert_allclose(
        rebuilt.sentence_vectors.reconstruct_n(0, len(rebuilt.sentences)),
        second.sentence_vectors.reconstruct_n(0, len(second.sentences)),
        atol=1e-5,
    )
    lemmas = [[t.lemma_ for t in rebuilt.parses[d]] for d in ("ganja", "lee")]
    assert lemmas == [[t.lemma_ for t in second.parses[d]] for d in ("ganja", "lee")]


def test_identical_texts_are_embedded_once(store: IndexStore) -> None:
    echo = Document(id="echo", text="Ganja was shelled. Ganja was shelled. Ganja was shelled.")
    path = store.build([echo])
    manifest = json.loads((path / "manifest.json").read_text())
    index = store.load(path)
    assert len(index.sentences) == 3
    # Three equal sentences and one chunk: two distinct texts.
    assert manifest["embedded_texts"] == 2
    vectors = index.sentence_vectors.reconstruct_n(0, 3)
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_a_damaged_build_is_not_reused(store: IndexStore) -> None:
    path = store.build([DOC_A])
    (path / "parses.spacy").write_bytes(b"garbage")
    rebuilt = store.build([DOC_A, DOC_B])
    manifest = json.loads((rebuilt / "manifest.json").read_text())
    assert manifest["reused"] == {"parses": 0, "vectors": 0}
    assert store.verify() == []


class _SlowEncoder:
    """Vectors that name their text; slow enough that batches queue up behind it."""

    dimension = 2

    def __init__(self, fail_on: str = "") -> None:
        self.fail_on = fail_on
        self.seen: list[str] = []

    def run(self, texts, progress=None):  # type: ignore[no-untyped-def]
        time.sleep(0.02)
        if self.fail_on in texts:
            raise _Boom(self.fail_on)
        self.seen.extend(texts)
        if progress:
            progress(len(texts))
        return np.array([[float(t.removeprefix("t")), 1.0] for t in texts], dtype=np.float32)


def test_background_encoder_keeps_order_dedupes_and_takes_a_helper() -> None:
    first, second = _SlowEncoder(), _SlowEncoder()
    reported: list[tuple[int, int]] = []
    encoder = _BackgroundEncoder(
        first, lambda d, t: reported.append((d, t)), batch=2, helper=lambda: second
    )
    for i in range(40):
        encoder.add([f"t{i}", f"t{i // 2}"])  # every other text repeats an earlier one
    vectors, row_of = encoder.finish()
    assert list(row_of) == [f"t{i}" for i in range(40)]
    assert vectors[:, 0].tolist() == [float(i) for i in range(40)]
    assert sorted(first.seen + second.seen, key=lambda t: int(t[1:])) == list(row_of)
    assert second.seen  # the helper took a share of the queue
    assert reported[-1] == (40, 40)


def test_background_encoder_raises_a_worker_error_in_the_caller() -> None:
    encoder = _BackgroundEncoder(_SlowEncoder(fail_on="t3"), lambda d, t: None, batch=2)
    encoder.add(f"t{i}" for i in range(10))
    with pytest.raises(_Boom, match="t3"):
        encoder.finish()
    encoder.close()  # idempotent after finish


def test_background_encoder_stops_when_the_build_fails() -> None:
    slow = _SlowEncoder()
    encoder = _BackgroundEncoder(slow, lambda d, t: None, batch=1)
    encoder.add(f"t{i}" for i in range(30))
    encoder.close()
    assert len(slow.seen) < 30  # queued batches were dropped, not encoded


# -- resuming a build that stopped part-way ---------------------------------------------------

NOTES = [
    Document(id=f"note-{i:02d}", text=f"Note {i} is about the river Oska. It floods in spring {i}.")
    for i in range(12)
]


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text())


def test_a_failed_build_saves_its_work_and_the_next_build_resumes_it(
    store: IndexStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_after_embedding(store, [DOC_A, DOC_B], monkeypatch)
    assert store.current_path() is None
    assert sorted(p.suffix for p in store.resume_dir.glob("part-*")) == [".npz", ".spacy"]

    path = store.build([DOC_A, DOC_B])
    manifest = _manifest(path)
    assert manifest["resumed"]["parses"] == 2 and manifest["reused"]["parses"] == 2
    assert manifest["embedded_texts"] == 0  # every vector came from the saved work
    assert manifest["resumed"]["vectors"] == manifest["counts"]["sentences"] + 2  # + chunks
    assert not store.resume_dir.exists()  # published: nothing left to resume
    resumed = store.load(path)
    fresh_store = IndexStore(store.root.parent / "fresh", store.params, store.embedder)
    fresh = fresh_store.load(fresh_store.build([DOC_A, DOC_B]))
    assert resumed.sentences == fresh.sentences
    np.testing.assert_allclose(
        resumed.sentence_vectors.reconstruct_n(0, len(resumed.sentences)),
        fresh.sentence_vectors.reconstruct_n(0, len(fresh.sentences)),
        atol=1e-5,
    )
    for sentence in resumed.sentences:
        assert resumed.sentence_parse(sentence).text == sentence.text


def test_work_saved_while_parsing_survives_an_interruption(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the middle of parsing: the documents parsed so far are not parsed again."""
    monkeypatch.setattr("qa.indexing.CHECKPOINT_SECONDS", 0.0)  # save after every document
    store = IndexStore(tmp_path / "index", IndexParameters(), _NamedEncoder())

    def interrupt_at_five(stage: str, done: int, total: int) -> None:
        if stage == "parse" and done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.build(NOTES, progress=interrupt_at_five)
    manifest = _manifest(store.build(NOTES))
    assert manifest["resumed"]["parses"] == 5
    assert manifest["counts"]["documents"] == len(NOTES)


def test_saved_work_of_another_encoder_is_dropped(tmp_path: Path) -> None:
    other = _NamedEncoder()
    other.model_id = "another/model"
    first = IndexStore(tmp_path / "index", IndexParameters(), other)
    first._checkpoint(load_spacy()).save([], {"A sentence.": np.ones(2, dtype=np.float32)})
    assert first.resume_dir.exists()
    store = IndexStore(tmp_path / "index", IndexParameters(), _NamedEncoder())
    manifest = _manifest(store.build([DOC_A]))
    assert manifest["resumed"] == {"parses": 0, "vectors": 0}
    assert not store.resume_dir.exists()


def test_a_damaged_part_of_saved_work_is_skipped(
    store: IndexStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_after_embedding(store, [DOC_A], monkeypatch)
    for part in store.resume_dir.glob("part-*.npz"):
        part.write_bytes(b"garbage")
    manifest = _manifest(store.build([DOC_A]))
    assert manifest["resumed"] == {"parses": 0, "vectors": 0}
    assert store.verify() == []


KILLED_BUILD = """
import sys, time
from pathlib import Path
import qa.indexing
from qa.indexing import IndexParameters, IndexStore
from tests.test_indexing import NOTES, _NamedEncoder

qa.indexing.CHECKPOINT_SECONDS = 0.0

def pause(stage, done, total):
    if stage == "parse" and done == 8:
        print("PAUSED", flush=True)
        time.sleep(600)

IndexStore(Path(sys.argv[1]), IndexParameters(), _NamedEncoder()).build(NOTES, progress=pause)
"""


def test_a_build_killed_with_sigkill_is_resumed(tmp_path: Path) -> None:
    import subprocess
    import sys

    from qa.config import PROJECT_ROOT

    root = tmp_path / "index"
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(root)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "PAUSED"
    finally:
        worker.kill()  # SIGKILL: nothing runs on the way out
        worker.wait()
    store = IndexStore(root, IndexParameters(), _NamedEncoder())
    assert store.current_path() is None
    manifest = _manifest(store.build(NOTES))
    # Saved after each document; the eighth was being reported when the kill came.
    assert manifest["resumed"]["parses"] == 7
    index = store.load()
    assert [d for d in index.documents] == [n.id for n in NOTES]


class _NamedEncoder:
    """A fast stand-in encoder: each text's vector is a hash of it (deterministic)."""

    dimension = 4
    model_id = "test/named"
    backend = "test"

    def warm_up(self) -> None:
        pass

    def run(self, texts, progress=None):  # type: ignore[no-untyped-def]
        if progress:
            progress(len(texts))
        return np.array(
            [[(hash(t) >> s) % 97 / 97.0 + 0.01 for s in (0, 8, 16, 24)] for t in texts],
            dtype=np.float32,
        )
