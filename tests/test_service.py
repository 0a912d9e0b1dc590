"""QAService end to end: answers, abstention and verbatim citations."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.answers import QAResult
from qa.config import Settings
from qa.documents import Document
from qa.embedding import CachedEmbedder, TextEmbedder
from qa.punctuation import unpaired_mark
from qa.readers import Reader
from qa.service import QAService, Turn
from tests.conftest import assert_verbatim, record_passes

QUESTIONS = [
    ("How many civilians were killed in Ganja?", "13"),
    ("Who is the Turkish Defense Minister?", "Hulusi Akar"),
    ("Who is the Russian Foreign Minister?", "Sergey Lavrov"),
]


@pytest.mark.parametrize(("question", "answer"), QUESTIONS)
def test_answers_with_its_sentence_quoted_first(
    service: QAService, article: Document, question: str, answer: str
) -> None:
    result = service.ask(question)
    assert result.answer is not None
    assert result.answer.text == answer
    assert_verbatim(article.text, result.answer.start, result.answer.end, result.answer.text)
    first = result.citations[0]
    assert first.start <= result.answer.start and result.answer.end <= first.end
    for citation in result.citations:
        assert_verbatim(article.text, citation.start, citation.end, citation.quote)
    assert 0.0 <= result.answer.confidence <= 1.0


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of Armenia?",
        "How many drones has Azerbaijan bought?",
        "What is the boiling point of water?",
    ],
)
def test_abstains_when_the_article_does_not_say(service: QAService, question: str) -> None:
    result = service.ask(question)
    assert result.answer is None
    assert result.citations  # still shows the closest passages


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("Who is the military analyst mentioned in the text?", "Who is the military analyst?"),
        (
            "Which sea borders Russia and Iran, as described in the story?",
            "Which sea borders Russia and Iran?",
        ),
    ],
)
def test_a_reference_to_the_article_does_not_change_the_answer(
    service: QAService, question: str, plain: str
) -> None:
    # "mentioned in the text" names no fact: its words would only pull the reader off.
    result, expected = service.ask(question), service.ask(plain)
    assert result.answer is not None
    assert result.answer == expected.answer
    assert result.question == question


def test_a_lower_case_question_is_read_with_the_articles_names(service: QAService) -> None:
    # Typed in lower case, "biden" and "turkey's" parse as common words, and the reader
    # answered with Biden's title instead of the word he used.
    lower, cased = "what did biden call turkey's rhetoric", "What did Biden call Turkey's rhetoric?"
    result, expected = service.ask(lower), service.ask(cased)
    assert expected.answer is not None and result.answer is not None
    assert result.answer.text == expected.answer.text
    assert result.question == lower


def test_a_question_is_read_in_the_articles_spelling(service: QAService) -> None:
    # The article writes "Centre"; asked as "center", BM25 missed the word.
    american = service.ask("Which center does Fuad Shahbaz work for?")
    british = service.ask("Which centre does Fuad Shahbaz work for?")
    assert british.answer is not None
    assert american.answer == british.answer


def test_a_yes_or_no_question_is_not_answered_with_a_span(service: QAService) -> None:
    result = service.ask("Is the ceasefire holding?")
    assert result.answer is None
    assert result.abstention == "yes_no"
    assert result.citations  # the passages that bear on it
    # Offered alternatives are answerable with a span; a plain question says nothing more.
    assert service.ask("Did Russia or France negotiate the first truce?").abstention is None
    assert service.ask("What is the capital of Armenia?").abstention is None


def test_top_k_bounds_the_citations(service: QAService) -> None:
    assert len(service.ask("What did Rob Lee tell Al Jazeera?", top_k=2).citations) == 2
    assert len(service.ask("What did Rob Lee tell Al Jazeera?", top_k=7).citations) == 7
    # An answer found without retrieval ("Who is X?" from "US military analyst Rob Lee")
    # is cited by the one sentence it comes from.
    direct = service.ask("Who is Rob Lee?", top_k=7)
    assert direct.answer is not None and direct.answer.details["source"] == "definition"
    assert [c.quote for c in direct.citations] == [direct.answer.passage.text]


def test_self_contained_question_ignores_history(service: QAService) -> None:
    alone = service.ask("Who is the Russian Foreign Minister?")
    with_history = service.ask(
        "Who is the Russian Foreign Minister?",
        history=[Turn("How many civilians were killed in Ganja?", "13")],
    )
    assert alone.answer == with_history.answer
    assert alone.citations == with_history.citations


class _ThreadRecordingReader:
    """The shared reader, noting which thread analysed each question."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.name = reader.name
        self.analyzed_on: list[str] = []

    def warm_up(self) -> None:
        self.reader.warm_up()

    def analyze(self, question: str) -> object:
        self.analyzed_on.append(threading.current_thread().name)
        return self.reader.analyze(question)

    def run(self, question: str, passages: list, analysis: object = None) -> list:
        return self.reader.run(question, passages, analysis)


def _outcome(result: QAResult) -> tuple[object, ...]:
    answer = result.best_candidate
    span = None if answer is None else (answer.text, answer.start, answer.end, answer.confidence)
    return span, result.resolved_question, [(c.start, c.end, c.score) for c in result.citations]


def test_question_parse_runs_beside_retrieval_with_the_same_answers(
    service: QAService, make_service: Callable[..., QAService]
) -> None:
    parallel = make_service(parallel_parse=True)
    recorder = _ThreadRecordingReader(service.reader)
    parallel.reader = recorder
    serial = make_service(parallel_parse=False)
    asked = [
        ("Which city did Armenian forces fire missiles on?", []),
        ("When did the Soviet Union dissolve?", []),
        ("What is the population of Ganja?", []),
        ("How many civilians died there?", [Turn("Which city was shelled?", "Ganja")]),
    ]
    for question, history in asked:
        assert _outcome(parallel.ask(question, history)) == _outcome(serial.ask(question, history))
    # The parse ran on the service's pool, not on the asking thread.
    assert len(recorder.analyzed_on) == len(asked)
    assert all(name.startswith("qa-parse") for name in recorder.analyzed_on)


def test_question_parse_stays_on_the_asking_thread_when_off(
    service: QAService, make_service: Callable[..., QAService]
) -> None:
    serial = make_service(parallel_parse=False)
    recorder = _ThreadRecordingReader(service.reader)
    serial.reader = recorder
    # A question the reader answers (a title question is answered without it).
    assert serial.ask("How many civilians were killed in Ganja?").answer is not None
    assert recorder.analyzed_on == []  # the reader analysed the question itself


def test_the_service_sizes_faiss_threads(make_service: Callable[..., QAService]) -> None:
    import faiss

    before = faiss.omp_get_max_threads()
    try:
        make_service(search_threads=2)
        assert faiss.omp_get_max_threads() == 2
        make_service()  # the default: one, so idle OpenMP threads never spin beside a request
        assert faiss.omp_get_max_threads() == 1
    finally:
        faiss.omp_set_num_threads(before)


def test_the_service_sizes_blas_threads(make_service: Callable[..., QAService]) -> None:
    import faiss
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        # NumPy's OpenBLAS (FAISS's own runs on the OpenMP pool sized by search_threads).
        pools = threadpool_info()
        return {p["num_threads"] for p in pools if "numpy" in p["filepath"]}

    before = faiss.omp_get_max_threads()
    try:
        with threadpool_limits(user_api="blas"):  # restores the process's limits afterwards
            make_service(blas_threads=2)
            assert blas_threads() == {2}
            make_service()  # the default: one, for spaCy's small products (see qa.nlp)
            assert blas_threads() == {1}
            assert faiss.omp_get_max_threads() == 1  # FAISS's pool is still its own setting
    finally:
        faiss.omp_set_num_threads(before)


def test_a_repeated_question_is_answered_without_encoding_it_again(
    service: QAService,
    settings: Settings,
    embedder: TextEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    passes = record_passes(embedder, monkeypatch)
    shutil.copytree(settings.index_dir, tmp_path / "index")
    private = settings.model_copy(
        update={"index_dir": tmp_path / "index", "data_dir": tmp_path / "data"}
    )
    cached = QAService(private, reader=service.reader, embedder=CachedEmbedder(embedder))
    question = "How many civilians were killed in Ganja?"  # one the reader answers
    first = cached.ask(question)
    encoded = len(passes)
    assert encoded >= 1
    second = cached.ask(question)
    # Neither retrieval nor the reader ran MiniLM: the cache held the vector and states.
    assert len(passes) == encoded
    assert second.answer is not None and first.answer is not None
    assert second.answer == first.answer
    assert second.citations == first.citations


@pytest.mark.parametrize(
    "question",
    ["Who is the president of Azerbaijan?", "What can radars not pick up, according to Lee?"],
)
def test_answers_never_show_half_a_bracket_or_quotation(
    service: QAService, article: Document, question: str
) -> None:
    result = service.ask(question)
    best = result.best_candidate
    assert best is not None
    assert_verbatim(article.text, best.start, best.end, best.text)
    local = (best.start - best.passage.start, best.end - best.passage.start)
    mark = unpaired_mark(best.passage.text, *local)
    # Anything still unpaired has no partner in the sentence (a quotation running on).
    assert mark is None or mark[1] < 0, best.text


def test_the_answer_does_not_depend_on_how_many_citations_are_asked(service: QAService) -> None:
    # The reader reads `reader_passages` sentences however few citations come back.
    assert service.reader.extractor.max_passages == service.settings.reader_passages  # type: ignore[attr-defined]
    for question in ["How many civilians were killed in Ganja?", "What did Pompeo say?"]:
        one, many = service.ask(question, top_k=1), service.ask(question, top_k=10)
        assert len(one.citations) == 1 and len(many.citations) == 10
        assert one.best_candidate == many.best_candidate
