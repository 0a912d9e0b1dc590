"""HybridRetriever: the sentence that answers comes first."""

from __future__ import annotations

import pytest

from qa.documents import Document
from qa.retrieval import HybridRetriever
from qa.service import QAService
from tests.conftest import assert_verbatim


@pytest.fixture(scope="module")
def retriever(service: QAService) -> HybridRetriever:
    return HybridRetriever(service.index, service.embedder)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many civilians were killed in Ganja?", "leaving 13 civilians dead"),
        ("Who is the Turkish Defense Minister?", "Turkish Defense Minister Hulusi Akar"),
        ("Where did Russia hold military exercises on October 16?", "held military exercises"),
        ("Which newspaper published allegations of Turkish involvement?", "Kommersant published"),
        ("What did Joe Biden call irresponsible?", "are irresponsible"),
        ("How many fighters from Libyan militias deployed?", "150 fighters from Libyan"),
    ],
)
def test_answering_sentence_ranks_first(
    retriever: HybridRetriever, question: str, expected: str
) -> None:
    passages = retriever.run([question], top_k=3)
    assert expected in passages[0].text


def test_passages_are_verbatim_ranked_and_scored(
    retriever: HybridRetriever, article: Document
) -> None:
    passages = retriever.run(["Who brokered the truce?"], top_k=5)
    assert len(passages) == 5
    assert [p.rank for p in passages] == list(range(5))
    assert all(0.0 <= p.score <= 1.0 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for p in passages:
        assert_verbatim(article.text, p.start, p.end, p.text)
        assert p.parse is not None and p.parse.text == p.text


def test_several_queries_are_fused(retriever: HybridRetriever) -> None:
    passages = retriever.run(
        ["When did he travel to Azerbaijan?", "When did Hulusi Akar travel to Azerbaijan?"],
        top_k=3,
    )
    assert "September 28-30" in passages[0].text


def test_filter_to_an_unknown_document_returns_nothing(retriever: HybridRetriever) -> None:
    assert retriever.run(["Who is Rob Lee?"], document_id="no-such-doc") == []


def test_filter_to_the_article(retriever: HybridRetriever, article: Document) -> None:
    passages = retriever.run(["Who is Rob Lee?"], top_k=4, document_id=article.id)
    assert passages and all(p.document_id == article.id for p in passages)
