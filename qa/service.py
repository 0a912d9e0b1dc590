"""The question-answering service: the one object that owns the index and the models.

``QAService`` ties the stages together (documents -> index -> retrieval -> reader) and is
what the API, the CLI and the evaluation call. Its state is swapped as a whole, so a
question always sees one consistent index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import faiss
from threadpoolctl import threadpool_limits

from qa.answers import Citation, ExtractedAnswer, Passage, QAResult
from qa.casing import ProperCasing
from qa.chunking import Sentence
from qa.config import Settings, get_settings
from qa.conversation import QuestionRewriter
from qa.definitions import DefinitionAnswer, DefinitionAnswerer
from qa.document_store import (
    DocumentNotFound,
    DocumentStore,
    DuplicateDocument,
    ProtectedDocument,
)
from qa.documents import Document, load_documents
from qa.embedding import Embedder, OnnxTextEmbedder, TextEmbedder, create_embedder, unwrap
from qa.indexing import IndexParameters, IndexStore, LoadedIndex, ProgressCallback
from qa.lifespans import LifespanAnswer, LifespanAnswerer, says_the_event
from qa.metadata import MetadataAnswer, MetadataAnswerer
from qa.punctuation import balanced_answers
from qa.question_forms import is_yes_no, without_document_reference
from qa.readers import Reader, create_reader
from qa.retrieval import HybridRetriever
from qa.spelling import DocumentSpelling

logger = logging.getLogger(__name__)

# Weight of the literal question beside its resolved form in retrieval (measured on the
# gold dev follow-ups: 1.0 ranked the evidence first for 11/16, 0.25 for 13/16).
LITERAL_QUERY_WEIGHT = 0.25


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str | None = None


@dataclass(frozen=True)
class _State:
    index: LoadedIndex
    retriever: HybridRetriever
    stamp: tuple[int, int] | None
    """``IndexStore.current_stamp()`` when this index was installed."""
    casing: ProperCasing
    """The case the index's documents write their names in."""
    spelling: DocumentSpelling
    """The spelling the index's documents write their words in."""


def _mentioning(index: LoadedIndex, document_id: str | None) -> Callable[[str], list[Sentence]]:
    """``index.sentences_mentioning`` limited to ``document_id`` (all documents if None), as
    the direct answerers take it."""
    return lambda word: index.sentences_mentioning(word, document_id)


class QAService:
    """Answer questions about the indexed documents with cited, extractive answers.

    Args:
        settings: configuration; the process settings by default.
        reader: the span extractor; chosen from the settings by default.
        embedder: the question encoder, which also builds the index and feeds the reader
            when it is a MiniLM encoder; by default the one `embedding_backend` names.

    Example:
        >>> service = QAService()
        >>> service.warm_up()  # doctest: +SKIP
        >>> service.ask("Who is the Turkish Defense Minister?").answer.text  # doctest: +SKIP
        'Hulusi Akar'
    """

    def __init__(
        self,
        settings: Settings | None = None,
        reader: Reader | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        # Process-wide, like the OpenMP pool it sizes; the service owns the process's search.
        # BLAS first: FAISS's own OpenBLAS runs on OpenMP, so limiting it resets the
        # OpenMP pool that FAISS searches with.
        threadpool_limits(self.settings.blas_threads, user_api="blas")
        faiss.omp_set_num_threads(self.settings.search_threads)
        self.rewriter = QuestionRewriter()
        self.metadata = MetadataAnswerer()
        self.lifespans = LifespanAnswerer()
        self.definitions = DefinitionAnswerer()
        # Questions go through the configured encoder (behind an LRU cache); the same
        # MiniLM builds the index, so one copy of the model serves both.
        self.embedder = embedder if embedder is not None else create_embedder(self.settings)
        encoder = unwrap(self.embedder)
        self.index_embedder = (
            encoder
            if isinstance(encoder, TextEmbedder | OnnxTextEmbedder)
            else TextEmbedder(threads=self.settings.embedding_threads)
        )
        # The learned reader shares that MiniLM (token alignment, filled questions).
        self.reader = reader or create_reader(self.settings, embedder=self.index_embedder)
        self.store = IndexStore(
            self.settings.index_dir,
            IndexParameters(
                chunk_sentences=self.settings.chunk_sentences,
                chunk_overlap=self.settings.chunk_overlap,
            ),
            self.index_embedder,
        )
        self._state: _State | None = None
        self._write_lock = threading.Lock()
        # Readers' question parses run here while the request's thread encodes the
        # question; two threads, as two requests may be in flight on the two cores.
        self._analysis_pool = (
            ThreadPoolExecutor(max_workers=2, thread_name_prefix="qa-parse")
            if self.settings.parallel_parse
            else None
        )
        self.user_documents = DocumentStore(self.settings.data_dir / "documents")

    # -- lifecycle -----------------------------------------------------------------------

    def source_documents(self) -> list[Document]:
        """The documents the index should hold: the seeds and the user's stored documents."""
        return load_documents([self.settings.seeds_dir, self.user_documents.root])

    def warm_up(self, progress: ProgressCallback | None = None) -> None:
        """Load (building if missing or stale) the index, and load the models."""
        if self._state is not None:
            return
        with self._write_lock, self.store.write_lock():
            if self._state is None:
                index = self.store.ensure(self.source_documents(), progress=progress)
                self.embedder.warm_up()
                self.reader.warm_up()
                self._install(index)

    def reload(self, progress: ProgressCallback | None = None) -> LoadedIndex:
        """Rebuild if the documents changed, then swap the new index in atomically."""
        with self._write_lock, self.store.write_lock():
            return self._reload_locked(progress)

    def _reload_locked(self, progress: ProgressCallback | None = None) -> LoadedIndex:
        # The new build is written beside the served one; questions keep using the old
        # state until `_install` swaps the reference.
        index = self.store.ensure(self.source_documents(), progress=progress)
        self._install(index)
        return index

    # -- writing -------------------------------------------------------------------------

    def add_document(
        self, document: Document, progress: ProgressCallback | None = None
    ) -> LoadedIndex:
        """Store ``document`` and serve a rebuilt index that holds it.

        Raises ``DuplicateDocument`` (naming the held one) when its id or its text is
        already held. If the rebuild fails the document is removed again and the old
        index stays in service.

        Example:
            >>> service.add_document(Document(id="note", text="Ganja is a city."))  # doctest: +SKIP
        """
        with self._write_lock, self.store.write_lock():
            for held in self.source_documents():
                if held.id == document.id or held.checksum == document.checksum:
                    raise DuplicateDocument(held.id, same_text=held.checksum == document.checksum)
            self.user_documents.add(document)
            try:
                return self._reload_locked(progress)
            except BaseException:
                self.user_documents.remove(document.id)
                raise

    def remove_document(
        self, document_id: str, progress: ProgressCallback | None = None
    ) -> LoadedIndex:
        """Delete one of the user's documents and serve a rebuilt index without it.

        Raises ``DocumentNotFound`` for an unknown id and ``ProtectedDocument`` for a seed.
        """
        with self._write_lock, self.store.write_lock():
            if document_id not in self.user_documents:
                seeds = {d.id for d in load_documents([self.settings.seeds_dir])}
                if document_id in seeds:
                    raise ProtectedDocument(document_id)
                raise DocumentNotFound(document_id)
            removed = self.user_documents.remove(document_id)
            try:
                return self._reload_locked(progress)
            except BaseException:
                self.user_documents.add(removed)
                raise

    def _install(self, index: LoadedIndex, stamp: tuple[int, int] | None = None) -> None:
        # Writers call this with the store's write lock held, so CURRENT still names ``index``.
        settings = self.settings
        retriever = HybridRetriever(
            index,
            self.embedder,
            rrf_k=settings.rrf_k,
            fusion=settings.fusion,
            chunk_weight=settings.chunk_weight,
            bm25_weight=settings.bm25_weight,
        )
        casing = ProperCasing(index.parses.values())
        spelling = DocumentSpelling(t.text for doc in index.parses.values() for t in doc)
        self._state = _State(
            index, retriever, stamp or self.store.current_stamp(), casing, spelling
        )
        logger.info(
            "serving index %s: %d documents, %d sentences",
            index.build_id,
            len(index.documents),
            len(index.sentences),
        )

    def follow_published(self) -> None:
        """Serve the build another process (``qa add``, ``qa remove``, ``qa index``) has
        published since ours was installed. One ``stat`` when nothing changed."""
        state = self._state
        if state is None or self.store.current_stamp() == state.stamp:
            return
        # A writer in this process installs its own build; questions meanwhile use the old.
        if not self._write_lock.acquire(blocking=False):
            return
        try:
            state = self._state  # another thread may have installed one meanwhile
            # No file lock: a build is complete before CURRENT names it, and waiting for a
            # writer in another process could hold this question for a whole build.
            stamp = self.store.current_stamp()
            path = self.store.current_path()
            if stamp == state.stamp or path is None:
                return
            try:
                index = self.store.load(path) if path != state.index.path else state.index
            except Exception:
                # Keep serving what we have; try again after the next publish.
                logger.exception("could not load the published build %s", path.name)
                self._state = _State(state.index, state.retriever, stamp)
                return
            self._install(index, stamp)
        finally:
            self._write_lock.release()

    @property
    def index(self) -> LoadedIndex:
        if self._state is None:
            self.warm_up()
        self.follow_published()
        assert self._state is not None
        return self._state.index

    @property
    def ready(self) -> bool:
        return self._state is not None

    # -- reading -------------------------------------------------------------------------

    def documents(self) -> list[Document]:
        return list(self.index.documents.values())

    def document(self, document_id: str) -> Document | None:
        return self.index.documents.get(document_id)

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int | None = None,
        document_id: str | None = None,
    ) -> QAResult:
        """Answer ``question``; abstain (``answer is None``) when the documents do not say.

        ``history`` holds the earlier turns of the conversation, oldest first.
        """
        if self._state is None:
            self.warm_up()
        self.follow_published()
        state = self._state
        assert state is not None
        top_k = top_k or self.settings.top_k
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        # "...quoted in the article?" names no fact: only the question's own words are read,
        # in the documents' spelling ("defense" of an article that writes "defence").
        asked = state.spelling.run(without_document_reference(question))
        # A follow-up is read as resolved against the history; the literal question stays a
        # second retrieval query. A question that does not refer back is left untouched.
        resolved = self.rewriter.run(asked, history).resolved if history else None
        queries = [resolved, asked] if resolved else [asked]
        # The literal follow-up ("And in Libya?") matches little on its own: it only nudges.
        weights = [1.0, LITERAL_QUERY_WEIGHT] if resolved else [1.0]
        read_as = resolved or asked
        # Some questions are answered without the reader: about the document itself (its
        # author, date, title), when a person was born or died, and who or what a name is.
        direct = (
            self._about_document(read_as, state, document_id)
            or self._lifespan(read_as, state, document_id)
            or self._definition(read_as, state, document_id)
        )
        if direct is not None:
            timings.update(understand=(time.perf_counter() - t0) * 1e3)
            answer = direct.answer
            return QAResult(
                question=question,
                answer=answer,
                citations=[] if answer is None else self._citations(answer, [answer.passage], 1),
                resolved_question=resolved,
                best_candidate=answer,
                timings_ms=timings,
            )
        # The reader parses the question with its names in the documents' case: "how did
        # pompeo describe it" is parsed as "how did Pompeo describe it".
        parsed_as = state.casing.run(read_as)
        analysis = self._analyze_meanwhile(parsed_as)
        t1 = time.perf_counter()
        # Retrieval encodes on this thread: the reader takes that pass's token states
        # from it (thread-local), so only the parse moves to the pool.
        passages = state.retriever.run(
            queries,
            top_k=max(top_k, self.settings.reader_passages),
            document_id=document_id,
            weights=weights,
        )
        t2 = time.perf_counter()
        analyzed = analysis.result() if analysis is not None else None
        candidates = self.reader.run(parsed_as, passages, analyzed) if passages else []
        # Token boundaries can cut a bracket or a quotation in half: "Ilham] Aliyev".
        candidates = balanced_answers(candidates)
        if resolved:
            # A follow-up asks for something new: a span that only repeats an earlier answer
            # ("13" again after "How many civilians died?") is passed over.
            candidates = [
                c for c in candidates if not self.rewriter.repeats_history(c.text, history)
            ]
        t3 = time.perf_counter()
        best = candidates[0] if candidates else None
        answer = best if best and best.confidence >= self.settings.min_confidence else None
        if answer is not None and not says_the_event(read_as, answer.passage.text):
            answer = None  # "When did Akar die?" from a sentence about his travels
        if answer is not None and self._holds_another_title(read_as, answer, state, document_id):
            answer = None  # "Who is the Armenian Defense Minister?" -> the Turkish one
        # A yes or a no is not a span: the passages that bear on it are cited instead.
        abstention = "yes_no" if is_yes_no(read_as) else None
        if abstention:
            answer = None
        timings.update(understand=(t1 - t0) * 1e3, retrieve=(t2 - t1) * 1e3, read=(t3 - t2) * 1e3)
        return QAResult(
            question=question,
            answer=answer,
            citations=self._citations(answer, passages, top_k),
            resolved_question=resolved,
            best_candidate=best,
            timings_ms=timings,
            abstention=abstention,
        )

    def _about_document(
        self, question: str, state: _State, document_id: str | None
    ) -> MetadataAnswer | None:
        """The answer to a question about the document itself (its author, date or title):
        the document asked about, or the only one; None for any other question."""
        documents = state.index.documents
        if document_id is None and len(documents) == 1:
            document_id = next(iter(documents))
        document = documents.get(document_id) if document_id is not None else None
        body_start = state.index.body_starts.get(document.id, 0) if document else 0
        return self.metadata.run(question, document, body_start)

    def _lifespan(
        self, question: str, state: _State, document_id: str | None
    ) -> LifespanAnswer | None:
        """The answer to "When was X born?" or "When did X die?" from X's dates in
        parentheses, in the document asked about or any; None for any other question."""
        index = state.index
        return self.lifespans.run(question, index.documents, _mentioning(index, document_id))

    def _definition(
        self, question: str, state: _State, document_id: str | None
    ) -> DefinitionAnswer | None:
        """The answer to "Who/What is X?" from a sentence that says what the name X is;
        None for any other question or when no sentence says it."""
        index = state.index
        return self.definitions.run(
            question, index.documents, _mentioning(index, document_id), index.sentence_parse
        )

    def _holds_another_title(
        self, question: str, answer: ExtractedAnswer, state: _State, document_id: str | None
    ) -> bool:
        """Whether ``answer`` is a person the documents give the asked office under another
        qualifier ("*Turkish* Defense Minister Hulusi Akar" for "the Armenian one"), or
        only other offices."""
        index = state.index
        mentioning = _mentioning(index, document_id)
        rivals = self.definitions.rivals(
            question, index.documents, mentioning, index.sentence_parse
        )
        if any(answer.text in name or name in answer.text for name in rivals):
            return True
        # Or another office altogether: "Russian Foreign Minister Sergey Lavrov" for "Who is
        # the Armenian prime minister?".
        return self.definitions.titled_otherwise(
            question, answer.text, index.documents, mentioning, index.sentence_parse
        )

    def _analyze_meanwhile(self, question: str) -> Future[object] | None:
        """Start the reader's question-only work on the pool (None when it is off)."""
        if self._analysis_pool is None:
            return None
        return self._analysis_pool.submit(self.reader.analyze, question)

    @staticmethod
    def _citations(
        answer: ExtractedAnswer | None, passages: list[Passage], top_k: int
    ) -> list[Citation]:
        """The answer's own sentence first, then the other passages in rank order."""
        ordered = list(passages)
        if answer is not None:
            ordered.sort(key=lambda p: p != answer.passage)
        return [
            Citation(p.document_id, p.text, p.start, p.end, round(p.score, 4))
            for p in ordered[:top_k]
        ]
