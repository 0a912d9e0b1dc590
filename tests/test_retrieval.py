"""HybridRetriever: the sentence that answers comes first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.answers import Passage
from qa.documents import Document
from qa.embedding import TextEmbedder
from qa.indexing import IndexStore, LoadedIndex
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


# A made-up harbour town: several sentences share the word "navy" with the questions
# below, and one (the spokeswoman's) answers a paraphrase without sharing it.
HARBOUR = Document(
    id="velmora",
    text=(
        "The harbour of Velmora is the largest on the northern coast. "
        "Fishing boats leave the harbour before dawn every morning. "
        "Last spring the navy bought three new patrol ships for the harbour. "
        "A spokeswoman, Ilse Marten, told reporters that the admirals were satisfied "
        "with the vessels. "
        "The navy museum opened near the harbour in 1994. "
        "Tourists visit the old lighthouse and the fish market. "
        "Navy sailors march through the town on the first Sunday of May."
    ),
)


@pytest.fixture(scope="module")
def harbour_index(embedder: TextEmbedder, tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    store = IndexStore(tmp_path_factory.mktemp("harbour") / "index", embedder=embedder)
    return store.ensure([HARBOUR])


def _texts(passages: list[Passage]) -> list[str]:
    return [p.text for p in passages]


def test_score_fusion_lets_a_paraphrase_outrank_shared_words(
    harbour_index: LoadedIndex, embedder: TextEmbedder
) -> None:
    question = ["Who talks to the press on behalf of the navy?"]
    by_score = HybridRetriever(harbour_index, embedder, fusion="score").run(question, top_k=3)
    by_rank = HybridRetriever(harbour_index, embedder, fusion="rrf").run(question, top_k=3)
    # Reciprocal ranks let BM25's order among the "navy" sentences outvote the cosine.
    assert not any("spokeswoman" in text for text in _texts(by_rank))
    assert any("spokeswoman" in text for text in _texts(by_score)[:2])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many patrol ships did the navy buy?", "three new patrol ships"),
        ("When did the navy museum open?", "museum opened"),
    ],
)
def test_score_fusion_keeps_strong_word_matches_first(
    harbour_index: LoadedIndex, embedder: TextEmbedder, question: str, expected: str
) -> None:
    passages = HybridRetriever(harbour_index, embedder).run([question], top_k=3)
    assert expected in passages[0].text
    # Scores are normalised by the best possible fusion and follow the ranking.
    assert all(0.0 <= p.score <= 1.0 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for p in passages:
        assert_verbatim(HARBOUR.text, p.start, p.end, p.text)


def test_score_fusion_without_weights_is_the_sentence_cosine(
    harbour_index: LoadedIndex, embedder: TextEmbedder
) -> None:
    retriever = HybridRetriever(harbour_index, embedder, chunk_weight=0.0, bm25_weight=0.0)
    passages = retriever.run(["Which woman speaks for the navy?"], top_k=7)
    assert len(passages) == 7
    assert [p.similarity for p in passages] == sorted(
        (p.similarity for p in passages), reverse=True
    )
    assert passages[0].score == pytest.approx(max(passages[0].similarity, 0.0))


def test_service_builds_the_configured_fusion(
    make_service: Callable[..., QAService],
) -> None:
    service = make_service(fusion="rrf", rrf_k=10, chunk_weight=0.3, bm25_weight=0.4)
    service.warm_up()
    retriever = service._state.retriever if service._state else None
    assert retriever is not None
    assert (retriever.fusion, retriever.rrf_k) == ("rrf", 10)
    assert (retriever.chunk_weight, retriever.bm25_weight) == (0.3, 0.4)
