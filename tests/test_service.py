"""QAService end to end: answers, abstention and verbatim citations."""

from __future__ import annotations

import pytest

from qa.documents import Document
from qa.service import QAService, Turn
from tests.conftest import assert_verbatim

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


def test_top_k_bounds_the_citations(service: QAService) -> None:
    assert len(service.ask("Who is Rob Lee?", top_k=2).citations) == 2
    assert len(service.ask("Who is Rob Lee?", top_k=7).citations) == 7


def test_self_contained_question_ignores_history(service: QAService) -> None:
    alone = service.ask("Who is the Russian Foreign Minister?")
    with_history = service.ask(
        "Who is the Russian Foreign Minister?",
        history=[Turn("How many civilians were killed in Ganja?", "13")],
    )
    assert alone.answer == with_history.answer
    assert alone.citations == with_history.citations
