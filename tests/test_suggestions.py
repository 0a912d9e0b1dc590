"""QuestionSuggester: suggested questions are ones the service really answers, verbatim."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from qa.documents import Document
from qa.service import QAService
from qa.suggestions import QuestionSuggester, Suggestion
from tests.conftest import assert_verbatim

LIBRARY = Document(
    id="riverside-library",
    title="The Riverside Library",
    text=(
        "The Riverside Library\n\n"
        "The Riverside Library opened in March 1998 in the town of Elmford. "
        "Its first director was Margaret Holloway, a former history teacher.\n\n"
        "The library holds about 40,000 books and 300 old maps of the river valley. "
        "In 2015 the town council approved a new reading room for children.\n\n"
        "The architect Daniel Reyes designed the building with a glass roof. "
        "Volunteers from the Elmford Historical Society lead free tours every Saturday.\n"
    ),
)


@pytest.fixture(scope="module")
def suggester() -> QuestionSuggester:
    return QuestionSuggester()


@pytest.fixture(scope="module")
def article_suggestions(
    suggester: QuestionSuggester, service: QAService, article: Document
) -> list[Suggestion]:
    return suggester.run(service, article.id)


@pytest.fixture(scope="module")
def library_service(make_service: Callable[..., QAService]) -> QAService:
    svc = make_service()
    svc.add_document(LIBRARY)
    return svc


def _assert_answered(service: QAService, document: Document, found: list[Suggestion]) -> None:
    for suggestion in found:
        assert_verbatim(document.text, suggestion.start, suggestion.end, suggestion.answer)
        result = service.ask(suggestion.question, document_id=document.id)
        assert result.answer is not None, suggestion
        assert (result.answer.start, result.answer.end) == (suggestion.start, suggestion.end)


def test_article_suggestions_are_answered_by_the_service_verbatim(
    article_suggestions: list[Suggestion], service: QAService, article: Document
) -> None:
    assert 1 <= len(article_suggestions) <= 4
    _assert_answered(service, article, article_suggestions)


def test_suggestions_read_as_distinct_short_questions(
    article_suggestions: list[Suggestion], article: Document
) -> None:
    questions = [s.question for s in article_suggestions]
    assert len(set(questions)) == len(questions)
    assert len({(s.start, s.end) for s in article_suggestions}) == len(questions)
    for question in questions:
        assert question.endswith("?") and question.count("?") == 1
        assert question.split()[0] in {
            "Who",
            "What",
            "When",
            "Where",
            "Which",
            "How",
            "Why",
            "In",
            "To",
            "From",
        }
        assert 4 <= len(question.split()) <= 12
        assert '"' not in question and "[" not in question
    # In the order of the document, from more than one part of it.
    starts = [s.start for s in article_suggestions]
    assert starts == sorted(starts)
    if len(starts) >= 2:
        assert starts[-1] - starts[0] > len(article.text) // 3


def test_suggestions_are_deterministic_and_cached(
    service: QAService, article: Document, article_suggestions: list[Suggestion]
) -> None:
    fresh = QuestionSuggester()
    assert fresh.run(service, article.id) == article_suggestions  # same seed, same list
    asked = fresh.asks
    assert 0 < asked <= fresh.max_asks
    assert fresh.run(service, article.id) == article_suggestions
    assert fresh.asks == asked  # the second call asked nothing


def test_concurrent_first_requests_compute_once(service: QAService, article: Document) -> None:
    fresh = QuestionSuggester(max_suggestions=2)
    results: list[list[Suggestion]] = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.run(service, article.id)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and results[0] == results[1] == results[2]
    assert len(results[0]) <= 2
    single = QuestionSuggester(max_suggestions=2)
    single.run(service, article.id)
    assert fresh.asks == single.asks  # the waiting requests reused the first one's work


def test_at_most_the_configured_number_and_asks(service: QAService, article: Document) -> None:
    one = QuestionSuggester(max_suggestions=1)
    assert len(one.run(service, article.id)) == 1
    bounded = QuestionSuggester(max_suggestions=4, max_asks=2)
    assert len(bounded.run(service, article.id)) <= 2
    assert bounded.asks <= 2


def test_unknown_document_has_no_suggestions(service: QAService) -> None:
    suggester = QuestionSuggester()
    assert suggester.run(service, "not-there") == []
    assert suggester.asks == 0


def test_the_cache_is_bounded(service: QAService, article: Document) -> None:
    suggester = QuestionSuggester(max_suggestions=1, cache_size=1)
    suggester.run(service, article.id)
    asked = suggester.asks
    suggester.run(service, article.id)
    assert suggester.asks == asked
    suggester._remember(("another-build", article.id), [])  # pushes the article's out
    suggester.run(service, article.id)
    assert len(suggester._cache) == 1
    assert suggester.asks > asked  # computed again once evicted


def test_a_new_document_of_ones_own_gets_answered_suggestions(
    library_service: QAService,
) -> None:
    suggester = QuestionSuggester()
    found = suggester.run(library_service, LIBRARY.id)
    assert found, "a plain factual document should yield at least one suggestion"
    _assert_answered(library_service, LIBRARY, found)
    # The title line is not answer material: every answer lies in the body.
    body_start = LIBRARY.text.index("The Riverside Library opened")
    assert all(s.start >= body_start for s in found)
