"""POST /ask: the response contract and every 422 case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qa.documents import Document
from tests.conftest import assert_verbatim


def test_answer_with_verbatim_citations(client: TestClient, article: Document) -> None:
    response = client.post("/ask", json={"question": "Who is the Turkish Defense Minister?"})
    assert response.status_code == 200
    body = response.json()
    answer = body["answer"]
    assert answer["text"] == "Hulusi Akar"
    assert answer["document_id"] == article.id
    assert 0.0 <= answer["confidence"] <= 1.0
    assert_verbatim(article.text, answer["start"], answer["end"], answer["text"])
    first = body["citations"][0]
    assert first["start"] <= answer["start"] and answer["end"] <= first["end"]
    assert "Turkish Defense Minister Hulusi Akar" in first["quote"]
    for citation in body["citations"]:
        assert set(citation) == {"document_id", "quote", "start", "end", "score"}
        assert_verbatim(article.text, citation["start"], citation["end"], citation["quote"])


def test_history_and_top_k_are_accepted(client: TestClient) -> None:
    response = client.post(
        "/ask",
        json={
            "question": "What did Rob Lee tell Al Jazeera?",
            "history": [{"question": "Who is the Turkish Defense Minister?", "answer": None}],
            "top_k": 2,
        },
    )
    assert response.status_code == 200
    assert len(response.json()["citations"]) == 2


def test_abstention_still_returns_passages(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "What is the boiling point of water?"}).json()
    assert body["answer"] is None
    assert body["citations"]


def test_a_yes_or_no_question_says_why_there_is_no_answer(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "Did Russia intervene?"}).json()
    assert (body["answer"], body["abstention"]) == (None, "yes_no")
    assert body["citations"]
    other = client.post("/ask", json={"question": "What is the boiling point of water?"})
    assert other.json()["abstention"] is None


def test_unknown_document_filter_is_404(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "Who is Rob Lee?", "document_id": "nope"})
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t "}, "empty"),
        ({"question": "x" * 1001}, "1000"),
        ({"question": "Who?", "top_k": 0}, "top_k"),
        ({"question": "Who?", "top_k": 21}, "top_k"),
        ({"question": "Who?", "top_k": "many"}, "top_k"),
        ({"question": "Who?", "history": [{"question": "q", "answer": "a"}] * 21}, "history"),
        ({"question": "Who?", "history": "earlier"}, "history"),
        ({"question": "Who?", "history": [{"answer": "a"}]}, "question"),
        ({"question": 42}, "question"),
        ({}, "question"),
        ([], "object"),
        ({"question": "Who?", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_gets_a_readable_422(client: TestClient, payload: object, fragment: str) -> None:
    response = client.post("/ask", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert fragment in body["message"].lower() or fragment in body["message"]
    assert body["detail"]


def test_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/ask", content=b"question=hello", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["message"]


def test_question_of_exactly_1000_characters_is_accepted(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "Who " + "x" * 996})
    assert response.status_code == 200


def test_body_that_is_not_utf8_is_422(client: TestClient) -> None:
    response = client.post(
        "/ask", content=b'{"question": "\xff"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["message"]
