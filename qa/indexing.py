"""Build, persist and load the search index: FAISS + BM25 + the sentence/chunk tables.

On disk (``index/``)::

    CURRENT                 name of the active build (replaced atomically)
    .write.lock             held by whichever process is changing the documents or the index
    builds/<build-id>/      one complete build, never modified after it is renamed in
        manifest.json       model id, parameters, versions, document checksums, file checksums
        documents.jsonl     the exact document texts that every offset refers to
        sentences.jsonl     the sentence table (document id, offsets, text)
        chunks.jsonl        the chunk table
        sentences.faiss     MiniLM vectors of sentences (inner product on unit vectors)
        chunks.faiss        MiniLM vectors of chunks
        bm25/               bm25s index over sentences
        parses.spacy        spaCy parses of document bodies (DocBin), reused by the reader

A build is written to a temporary folder, then renamed into ``builds/`` and only then
published by replacing ``CURRENT``, so a crash at any point leaves the previous index whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np
import Stemmer
from filelock import FileLock
from spacy.tokens import Doc, DocBin

from qa.chunking import Chunk, DocumentSplitter, Sentence, SplitDocument
from qa.document_store import atomic_write, fsync_dir
from qa.documents import Document
from qa.embedding import TextEmbedder
from qa.nlp import load_spacy

logger = logging.getLogger(__name__)

# Bump when the on-disk format or the splitting rules change: old builds then count as stale.
FORMAT_VERSION = 2  # 2: a word-initial "?" stays in its word (qa.nlp.keep_lost_letters)
# Exact search up to this many vectors; HNSW beyond, where flat search stops being cheap:
# one flat search over the 27,354 sentences of the bench's 10,000 documents takes about
# 7 ms, an HNSW search about 0.15 ms.
FLAT_LIMIT = 10_000
# HNSW candidates kept while searching: at least the retriever's depth (50), with room.
HNSW_EF_SEARCH = 128

# How often a build saves the parses and vectors it has made so far (``index/resume/``):
# a build stopped part-way (Ctrl-C, a crash, kill -9) is resumed from there by the next.
CHECKPOINT_SECONDS = 30.0

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a build runs."""


class IndexError_(RuntimeError):
    """The index on disk is missing, stale or damaged."""


@dataclass(frozen=True)
class IndexParameters:
    """Everything besides the documents that decides what a build contains."""

    chunk_sentences: int = 3
    chunk_overlap: int = 1
    model_id: str = TextEmbedder.model_id
    format_version: int = FORMAT_VERSION
    flat_limit: int = FLAT_LIMIT
    """Vectors a flat (exact) FAISS index may hold; an HNSW index beyond."""


def fingerprint(documents: Sequence[Document], params: IndexParameters) -> str:
    """A digest of the documents and parameters; a build is stale when it differs."""
    digest = hashlib.sha256(json.dumps(asdict(params), sort_keys=True).encode())
    for doc in sorted(documents, key=lambda d: d.id):
        meta = json.dumps(doc.metadata(), sort_keys=True, default=str)
        digest.update(f"{doc.id}\0{doc.checksum}\0{meta}\n".encode())
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())


def spacy_model_name(nlp: Any) -> str:
    """The loaded spaCy pipeline as ``lang_name-version`` (parses are only reused from it)."""
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"


def make_faiss_index(vectors: np.ndarray, flat_limit: int = FLAT_LIMIT) -> faiss.Index:
    """Flat inner-product search when small; HNSW (approximate, sub-linear) when large.

    Example:
        >>> vectors = np.eye(4, 8, dtype=np.float32)
        >>> type(make_faiss_index(vectors)).__name__, type(make_faiss_index(vectors, 2)).__name__
        ('IndexFlatIP', 'IndexHNSWFlat')
    """
    dim = vectors.shape[1]
    if len(vectors) <= flat_limit:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
    if len(vectors):
        index.add(vectors)
    return index


_STEMMER = Stemmer.Stemmer("english")


def bm25_tokenize(texts: Sequence[str], return_ids: bool = True) -> Any:
    """The one tokenisation BM25 uses, for documents and queries alike."""
    return bm25s.tokenize(
        list(texts),
        stopwords="en",
        stemmer=_STEMMER.stemWords,
        return_ids=return_ids,
        show_progress=False,
    )


@dataclass
class LoadedIndex:
    """An index in memory: everything retrieval and reading need, immutable once loaded."""

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, Document]
    sentences: list[Sentence]
    chunks: list[Chunk]
    sentence_vectors: faiss.Index
    chunk_vectors: faiss.Index
    bm25: bm25s.BM25
    parses: dict[str, Doc]
    body_starts: dict[str, int]
    sentences_by_document: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row, sentence in enumerate(self.sentences):
            self.sentences_by_document.setdefault(sentence.document_id, []).append(row)

    @property
    def build_id(self) -> str:
        return self.path.name

    def sentences_mentioning(self, word: str, document_id: str | None = None) -> list[Sentence]:
        """The sentences that hold ``word`` (as BM25 tokenises and stems it: "Einstein's"
        holds "Einstein"), in index order, of one document or all.

        A lookup in BM25's inverted index (bm25s keeps each term's sentences as a CSC
        column), so it costs the same in a collection of any size, where a scan of the
        texts grows with it. A word BM25 splits ("al-Assad") gives the sentences holding
        all its terms, wherever they stand: callers find the word itself in the text. A
        stop word has no entry.
        """
        tokens = bm25_tokenize([word], return_ids=False)[0]
        terms = [self.bm25.vocab_dict.get(token) for token in tokens]
        if not terms or None in terms:
            return []
        postings = self.bm25.scores
        indptr, indices = postings["indptr"], postings["indices"]
        rows = indices[indptr[terms[0]] : indptr[terms[0] + 1]]
        for term in terms[1:]:
            rows = np.intersect1d(rows, indices[indptr[term] : indptr[term + 1]])
        if document_id is not None:
            # A document's sentences are contiguous rows, in order.
            own = self.sentences_by_document.get(document_id, [])
            rows = rows[(rows >= own[0]) & (rows <= own[-1])] if own else rows[:0]
        return [self.sentences[row] for row in sorted(rows.tolist())]

    def sentence_parse(self, sentence: Sentence) -> Any:
        """spaCy ``Span`` of ``sentence`` from the stored parse (None when unavailable)."""
        doc = self.parses.get(sentence.document_id)
        if doc is None:
            return None
        offset = self.body_starts[sentence.document_id]
        return doc.char_span(
            sentence.start - offset, sentence.end - offset, alignment_mode="expand"
        )


class _BackgroundEncoder:
    """Embeds texts on worker threads while the caller keeps producing them.

    Each distinct text is encoded once (repeated boilerplate, one-sentence chunks). One
    worker runs while the caller parses; when the caller is done and batches are still
    queued, ``helper()`` (if given) makes a second encoder for the core parsing has freed.
    Two single-threaded encoders side by side beat one two-threaded one on a busy machine.
    """

    def __init__(
        self,
        embedder: Any,
        progress: Callable[[int, int], None],
        batch: int = 256,
        helper: Callable[[], Any] | None = None,
    ) -> None:
        self.embedder = embedder
        self.progress = progress
        self.batch = batch
        self.helper = helper
        self.row_of: dict[str, int] = {}
        self._pending: list[str] = []
        self._batches = 0
        self._queue: queue.Queue[tuple[int, list[str]] | None] = queue.Queue()
        self._results: dict[int, np.ndarray] = {}
        self._texts: dict[int, list[str]] = {}
        self._handed_out: set[int] = set()
        self._errors: list[BaseException] = []
        self._stop = threading.Event()
        self._done = 0
        self._lock = threading.Lock()
        self._workers = [self._start(embedder)]

    def _start(self, embedder: Any) -> threading.Thread:
        worker = threading.Thread(target=self._work, args=(embedder,), name="embed", daemon=True)
        worker.start()
        return worker

    def _work(self, embedder: Any) -> None:
        while (item := self._queue.get()) is not None:
            if self._stop.is_set():
                continue
            key, texts = item
            try:
                self._results[key] = embedder.run(texts, progress=self._advance)
            except BaseException as exc:  # re-raised by finish() in the building thread
                self._errors.append(exc)
                self._stop.set()

    def add(self, texts: Iterable[str]) -> None:
        for text in texts:
            if text not in self.row_of:
                self.row_of[text] = len(self.row_of)
                self._pending.append(text)
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._texts[self._batches] = self._pending
            self._queue.put((self._batches, self._pending))
            self._batches += 1
            self._pending = []

    def take_finished(self) -> dict[str, np.ndarray]:
        """Vectors of the batches finished since the last call, by text (for checkpoints)."""
        out: dict[str, np.ndarray] = {}
        for key in sorted(set(self._results) - self._handed_out):
            out.update(zip(self._texts[key], self._results[key], strict=True))
            self._handed_out.add(key)
        return out

    def _advance(self, n: int) -> None:
        with self._lock:
            self._done += n
            done = self._done
        self.progress(done, len(self.row_of))

    def finish(
        self, while_waiting: Callable[[], None] | None = None
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Vectors of every distinct text added, in order, and each text's row.

        ``while_waiting`` is called about once a second until the last batch is done.
        """
        self._flush()
        self.progress(self._done, len(self.row_of))
        extra = self.helper() if self.helper is not None and self._queue.qsize() >= 2 else None
        if extra is not None:
            self._workers.append(self._start(extra))
        self._join(while_waiting)
        if self._errors:
            raise self._errors[0]
        parts = [self._results[key] for key in range(self._batches)]
        dim = getattr(self.embedder, "dimension", 0)
        vectors = np.vstack(parts) if parts else np.zeros((0, dim), dtype=np.float32)
        return vectors, self.row_of

    def _join(self, while_waiting: Callable[[], None] | None = None) -> None:
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            while worker.is_alive():
                worker.join(timeout=1.0)
                if while_waiting is not None and worker.is_alive():
                    while_waiting()
        self._workers = []

    def close(self) -> None:
        """Stop the workers (after an error in the building thread, without finishing)."""
        self._stop.set()
        self._join()


@dataclass
class _Reusable:
    """Work of the published build that a new build can take over unchanged."""

    parses: dict[tuple[str, str, int, int], Doc] = field(default_factory=dict)
    """spaCy parses by (document id, checksum, body start, body end)."""
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    """Sentence and chunk vectors by text."""


class _Checkpoint:
    """The parses and vectors of a build in progress, saved part by part to ``folder``.

    A build that stops part-way leaves its parts behind; the next build takes them over
    as it takes over the published build's work (same keys: a document's id, checksum and
    body, a text), so it resumes where the other stopped. A build that publishes clears
    them. Each part is written atomically (its ``.spacy`` file, then the ``.npz`` that
    lists its keys and makes it count), so a kill at any moment loses at most one part.

    Args:
        folder: ``index/resume/``.
        signature: what made the parts (format, spaCy model, encoder); parts made
            otherwise are dropped, never mixed in.
    """

    def __init__(self, folder: Path, signature: dict[str, Any]) -> None:
        self.folder = folder
        self.signature = signature
        self._started = False

    def load(self, nlp: Any) -> _Reusable:
        """What earlier, unfinished builds saved (nothing when made another way or damaged)."""
        found = _Reusable()
        try:
            header = json.loads((self.folder / "signature.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return found
        if header != self.signature:
            logger.info("dropping the saved work of an unfinished build made another way")
            self.clear()
            return found
        for npz in sorted(self.folder.glob("part-*.npz")):
            try:
                with np.load(npz, allow_pickle=False) as data:
                    keys = json.loads(str(data["keys"]))
                    texts, vectors = json.loads(str(data["texts"])), data["vectors"]
                docs = DocBin().from_disk(npz.with_suffix(".spacy")).get_docs(nlp.vocab)
                found.parses.update(zip((tuple(k) for k in keys), docs, strict=True))
                found.vectors.update(zip(texts, vectors, strict=True))
            except Exception as exc:  # whatever a damaged file raises: skip that part
                logger.warning("skipping a damaged part of saved build work %s: %s", npz, exc)
        return found

    def save(
        self, parses: Sequence[tuple[tuple[str, str, int, int], Doc]], vectors: dict[str, Any]
    ) -> None:
        """Add one part: these parses (by key) and these vectors (by text)."""
        if not parses and not vectors:
            return
        if not self._started:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / "signature.json", json.dumps(self.signature).encode())
            self._started = True
        name = f"part-{time.time_ns():020d}"
        docbin = DocBin(store_user_data=False)
        for _, doc in parses:
            docbin.add(doc)
        atomic_write(self.folder / f"{name}.spacy", docbin.to_bytes())
        texts = list(vectors)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            keys=np.array(json.dumps([list(key) for key, _ in parses])),
            # JSON, not a NumPy string array, which would drop a text's trailing NULs.
            texts=np.array(json.dumps(texts)),
            vectors=(
                np.stack([vectors[t] for t in texts]).astype(np.float32)
                if texts
                else np.zeros((0, 0), dtype=np.float32)
            ),
        )
        atomic_write(self.folder / f"{name}.npz", buffer.getvalue())

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class IndexStore:
    """Owns the ``index/`` folder: builds, publishes, verifies and loads indexes.

    Args:
        root: the ``index/`` folder.
        params: chunking and model parameters.
        embedder: the encoder for sentences and chunks.

    Example:
        >>> store = IndexStore(Path("index"))
        >>> index = store.ensure(load_documents([Path("seeds")]))  # doctest: +SKIP
    """

    def __init__(
        self,
        root: Path,
        params: IndexParameters | None = None,
        embedder: TextEmbedder | None = None,
        keep_builds: int = 2,
    ) -> None:
        self.root = Path(root)
        self.params = params or IndexParameters()
        # One torch thread: parsing keeps the other core busy during a build.
        self.embedder = embedder or TextEmbedder(threads=1)
        self.keep_builds = keep_builds
        self._lock: FileLock | None = None

    @property
    def builds_dir(self) -> Path:
        return self.root / "builds"

    @property
    def resume_dir(self) -> Path:
        """The saved work of a build that stopped part-way (see ``_Checkpoint``)."""
        return self.root / "resume"

    def _checkpoint(self, nlp: Any) -> _Checkpoint:
        signature = {
            "format_version": FORMAT_VERSION,
            "spacy_model": spacy_model_name(nlp),
            "model_id": self.embedder.model_id,
            "backend": getattr(self.embedder, "backend", ""),
        }
        return _Checkpoint(self.resume_dir, signature)

    def current_path(self) -> Path | None:
        pointer = self.root / "CURRENT"
        if not pointer.exists():
            return None
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, ValueError):  # a damaged pointer counts as no index
            return None
        path = self.builds_dir / name
        return path if name and path.is_dir() else None

    def current_stamp(self) -> tuple[int, int] | None:
        """Identity of the ``CURRENT`` file (inode, mtime): it changes with every publish,
        whichever process publishes, and costs one ``stat``."""
        try:
            st = (self.root / "CURRENT").stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def write_lock(self) -> FileLock:
        """A lock, across processes, for changing the documents and the index behind them.

        The server and ``qa add``/``qa remove``/``qa index`` each store documents, build
        and publish; without one lock, two writers could each publish a build that lacks
        the other's document.
        """
        if self._lock is None:
            self.root.mkdir(parents=True, exist_ok=True)
            # One object per store: re-entrant within a thread, exclusive across threads
            # (thread-local state) and across processes (flock).
            self._lock = FileLock(self.root / ".write.lock")
        return self._lock

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.current_path()
        if path is None or not (path / "manifest.json").exists():
            return None
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):  # ValueError: bad JSON and bad UTF-8 alike
            return None
        return manifest if isinstance(manifest, dict) else None

    def is_fresh(self, documents: Sequence[Document]) -> bool:
        manifest = self.read_manifest()
        return bool(manifest) and manifest.get("fingerprint") == fingerprint(documents, self.params)

    def verify(self, path: Path | None = None) -> list[str]:
        """Names of files whose checksum disagrees with the manifest (empty when intact)."""
        path = path or self.current_path()
        if path is None:
            return ["CURRENT"]
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return ["manifest.json"]
        if not isinstance(manifest, dict):
            return ["manifest.json"]
        bad = []
        for name, expected in manifest.get("files", {}).items():
            file = path / name
            if not file.is_file() or _sha256_file(file) != expected:
                bad.append(name)
        return bad

    def ensure(
        self, documents: Sequence[Document], progress: ProgressCallback | None = None
    ) -> LoadedIndex:
        """Load the current index, rebuilding first when it is missing, stale or damaged."""
        if self.is_fresh(documents):
            bad = self.verify()
            if not bad:
                return self.load()
            logger.warning("index files fail their checksums (%s); rebuilding", ", ".join(bad))
        elif self.current_path() is not None and self.read_manifest() is None:
            logger.warning("index manifest is unreadable (damaged); rebuilding")
        else:
            logger.info("index missing or stale; building")
        self.build(documents, progress=progress)
        return self.load()

    def build(
        self, documents: Sequence[Document], progress: ProgressCallback | None = None
    ) -> Path:
        """Build an index of ``documents`` and publish it atomically; returns its folder."""
        started = time.perf_counter()
        self.builds_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.builds_dir))
        try:
            manifest = self._write_build(tmp, list(documents), progress)
            manifest["build_seconds"] = round(time.perf_counter() - started, 3)
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            _fsync_tree(tmp)
            # Sortable by creation time (pruning keeps the newest), unique across processes.
            now = time.time_ns()
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9))
            build_id = f"{stamp}.{now % 10**9:09d}-{uuid.uuid4().hex[:8]}"
            final = self.builds_dir / build_id
            os.rename(tmp, final)
            fsync_dir(self.builds_dir)
            self._publish(build_id)
            # Published: the saved work of this or an earlier unfinished build is in it now.
            shutil.rmtree(self.resume_dir, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._prune()
        return final

    def _publish(self, build_id: str) -> None:
        atomic_write(self.root / "CURRENT", (build_id + "\n").encode("utf-8"))

    def _prune(self) -> None:
        current = self.current_path()
        builds = sorted(
            (p for p in self.builds_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.name,
        )
        keep = {p for p in builds[-self.keep_builds :]} | ({current} if current else set())
        for path in builds:
            if path not in keep:
                shutil.rmtree(path, ignore_errors=True)
        # Leftovers of builds that died part-way.
        for path in self.builds_dir.glob(".tmp-*"):
            if time.time() - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)

    def _helper_encoder(self) -> Any:
        """A second, independent copy of a torch encoder (None for other encoders)."""
        if type(self.embedder) is TextEmbedder:
            return TextEmbedder(batch_size=self.embedder.batch_size, threads=1)
        return None

    def _reusable(self, nlp: Any) -> _Reusable:
        """Parses and vectors of the published build, if it is intact and made the same way."""
        path = self.current_path()
        if path is None or self.verify(path):
            return _Reusable()
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            spacy_model = spacy_model_name(nlp)
            if (
                manifest.get("format_version") != FORMAT_VERSION
                or manifest.get("versions", {}).get("spacy_model") != spacy_model
            ):
                return _Reusable()
            reuse = _Reusable()
            bodies = json.loads((path / "bodies.json").read_text(encoding="utf-8"))
            held = [(d["id"], d["checksum"]) for d in manifest["documents"]]
            docs = DocBin().from_disk(path / "parses.spacy").get_docs(nlp.vocab)
            for (doc_id, checksum), parse in zip(held, docs, strict=True):
                start, end = bodies[doc_id]
                reuse.parses[(doc_id, checksum, start, end)] = parse
            embedding = manifest.get("embedding", {})
            if (
                embedding.get("model_id") == self.embedder.model_id
                and embedding.get("backend") == getattr(self.embedder, "backend", "")
                and embedding.get("backend")
            ):
                for table, name in (("sentences", "sentences.faiss"), ("chunks", "chunks.faiss")):
                    rows = _read_jsonl(path / f"{table}.jsonl")
                    index = faiss.read_index(str(path / name))
                    stored = index.reconstruct_n(0, index.ntotal) if index.ntotal else []
                    for row, vector in zip(rows, stored, strict=True):
                        reuse.vectors[row["text"]] = vector
            return reuse
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            logger.warning("not reusing the published build %s: %s", path.name, exc)
            return _Reusable()

    def _write_build(
        self, out: Path, documents: list[Document], progress: ProgressCallback | None
    ) -> dict[str, Any]:
        def report(stage: str, done: int, total: int) -> None:
            if progress:
                progress(stage, done, total)

        splitter = DocumentSplitter(self.params.chunk_sentences, self.params.chunk_overlap)
        nlp = load_spacy()
        # What the published build already holds (parses of unchanged documents, vectors of
        # unchanged texts) is reused: adding one document re-does only that document's work.
        previous = self._reusable(nlp)
        # ... and so is what an unfinished build saved (a build resumes where one stopped).
        checkpoint = self._checkpoint(nlp)
        saved = checkpoint.load(nlp)
        resumed = {
            "parses": {k for k in saved.parses if k not in previous.parses},
            "vectors": {t for t in saved.vectors if t not in previous.vectors},
        }
        previous.parses.update(saved.parses)
        previous.vectors.update(saved.vectors)
        split: list[SplitDocument] = []
        keys = []
        for doc in documents:
            a, b = DocumentSplitter.body_of(doc)
            keys.append((doc.id, doc.checksum, a, b))
        todo = [doc.text[k[2] : k[3]] for doc, k in zip(documents, keys, strict=True)
                if k not in previous.parses]  # fmt: skip
        parses = iter(nlp.pipe(todo, batch_size=16))
        # Parsing (spaCy) and embedding (torch) run side by side, one core each: texts go
        # to the encoder in batches as their documents are split.
        encoder = _BackgroundEncoder(
            self.embedder,
            lambda done, total: report("embed", done, total),
            helper=self._helper_encoder,
        )
        unsaved: list[tuple[tuple[str, str, int, int], Doc]] = []
        last_save = time.monotonic()

        def save(every: float = CHECKPOINT_SECONDS) -> None:
            nonlocal last_save
            if time.monotonic() - last_save >= every:
                checkpoint.save(unsaved, encoder.take_finished())
                unsaved.clear()
                last_save = time.monotonic()

        try:
            for i, (doc, key) in enumerate(zip(documents, keys, strict=True)):
                parse = previous.parses.get(key)
                part = splitter.run(doc, parse=parse if parse is not None else next(parses))
                # The tok2vec tensor (96 floats a token) is not stored; holding it for every
                # document would double a large build's memory.
                part.parse.tensor = np.zeros((0,), dtype=np.float32)
                if parse is None:
                    unsaved.append((key, part.parse))
                split.append(part)
                encoder.add(t.text for t in (*part.sentences, *part.chunks)
                            if t.text not in previous.vectors)  # fmt: skip
                report("parse", i + 1, len(documents))
                save()
            embedded = encoder.finish(while_waiting=save)
            return self._write_files(
                out, documents, split, keys, previous, resumed, embedded, report
            )
        except BaseException:
            # Stopped (Ctrl-C included) or failed: keep what is done for the next build.
            try:
                save(every=0.0)
            except Exception as exc:
                logger.warning("could not save the unfinished build's work: %s", exc)
            raise
        finally:
            encoder.close()

    def _write_files(
        self,
        out: Path,
        documents: list[Document],
        split: list[SplitDocument],
        keys: list[tuple[str, str, int, int]],
        previous: _Reusable,
        resumed: dict[str, set[Any]],
        embedded: tuple[np.ndarray, dict[str, int]],
        report: ProgressCallback,
    ) -> dict[str, Any]:
        """Write the tables, the vector and BM25 indexes and return the manifest."""
        nlp = load_spacy()
        computed, row_of = embedded
        sentences = [s for part in split for s in part.sentences]
        chunks = [c for part in split for c in part.chunks]

        _write_jsonl(out / "documents.jsonl", [asdict(d) for d in documents])
        _write_jsonl(out / "sentences.jsonl", [asdict(s) for s in sentences])
        _write_jsonl(out / "chunks.jsonl", [asdict(c) for c in chunks])
        bodies_meta = {p.document.id: [p.body_start, p.body_end] for p in split}
        (out / "bodies.json").write_text(json.dumps(bodies_meta), encoding="utf-8")

        docbin = DocBin(store_user_data=False)
        for part in split:
            docbin.add(part.parse)
        docbin.to_disk(out / "parses.spacy")

        texts = [s.text for s in sentences] + [c.text for c in chunks]
        vectors = np.empty((len(texts), self.embedder.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = computed[row_of[text]] if text in row_of else previous.vectors[text]
        sentence_vectors, chunk_vectors = vectors[: len(sentences)], vectors[len(sentences) :]
        sentence_index = make_faiss_index(sentence_vectors, self.params.flat_limit)
        faiss.write_index(sentence_index, str(out / "sentences.faiss"))
        faiss.write_index(
            make_faiss_index(chunk_vectors, self.params.flat_limit), str(out / "chunks.faiss")
        )

        report("bm25", 0, 1)
        bm25 = bm25s.BM25()
        bm25.index(bm25_tokenize([s.text for s in sentences]), show_progress=False)
        bm25.save(str(out / "bm25"), show_progress=False)
        report("bm25", 1, 1)

        files = {
            str(p.relative_to(out)): _sha256_file(p) for p in sorted(out.rglob("*")) if p.is_file()
        }
        import spacy

        return {
            "format_version": FORMAT_VERSION,
            "fingerprint": fingerprint(documents, self.params),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "parameters": asdict(self.params),
            "embedding": {
                "model_id": self.embedder.model_id,
                "dimension": self.embedder.dimension,
                "backend": getattr(self.embedder, "backend", ""),
            },
            "embedded_texts": len(row_of),
            "reused": {
                "parses": sum(1 for k in keys if k in previous.parses),
                "vectors": len(texts) - sum(1 for t in texts if t in row_of),
            },
            # The part of "reused" that an unfinished build had saved.
            "resumed": {
                "parses": sum(1 for k in keys if k in resumed["parses"]),
                "vectors": sum(1 for t in texts if t not in row_of and t in resumed["vectors"]),
            },
            "versions": {
                "faiss": faiss.__version__,
                "bm25s": bm25s.__version__,
                "spacy": spacy.__version__,
                "spacy_model": spacy_model_name(nlp),
                # Read from the metadata: importing it would load torch into a server
                # that runs MiniLM on onnxruntime.
                "sentence_transformers": metadata.version("sentence-transformers"),
                "onnxruntime": metadata.version("onnxruntime"),
            },
            "faiss_index_type": type(sentence_index).__name__,
            "documents": [
                {"id": d.id, "checksum": d.checksum, "length": len(d.text)} for d in documents
            ],
            "counts": {
                "documents": len(documents),
                "sentences": len(sentences),
                "chunks": len(chunks),
            },
            "files": files,
        }

    def load(self, path: Path | None = None) -> LoadedIndex:
        """Load a build (the current one by default) into memory."""
        path = path or self.current_path()
        if path is None:
            raise IndexError_(f"no index under {self.root}; run `qa index` first")
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        documents = {row["id"]: Document(**row) for row in _read_jsonl(path / "documents.jsonl")}
        sentences = [Sentence(**row) for row in _read_jsonl(path / "sentences.jsonl")]
        chunks = [Chunk(**row) for row in _read_jsonl(path / "chunks.jsonl")]
        bodies = json.loads((path / "bodies.json").read_text(encoding="utf-8"))
        docbin = DocBin().from_disk(path / "parses.spacy")
        parse_docs = list(docbin.get_docs(load_spacy().vocab))
        ids = list(documents)
        bm25 = bm25s.BM25.load(str(path / "bm25"), show_progress=False)
        return LoadedIndex(
            path=path,
            manifest=manifest,
            documents=documents,
            sentences=sentences,
            chunks=chunks,
            sentence_vectors=faiss.read_index(str(path / "sentences.faiss")),
            chunk_vectors=faiss.read_index(str(path / "chunks.faiss")),
            bm25=bm25,
            parses=dict(zip(ids, parse_docs, strict=True)),
            body_starts={k: v[0] for k, v in bodies.items()},
        )
