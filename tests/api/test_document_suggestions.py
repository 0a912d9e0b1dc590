"""GET /documents/{id}/suggestions: answered questions with verbatim answers, 404 otherwise."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qa.documents import Document


def test_suggestions_are_questions_the_api_answers(client: TestClient, article: Document) -> None:
    response = client.get(f"/documents/{article.id}/suggestions")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"document_id", "questions"}
    assert body["document_id"] == article.id
    assert 1 <= len(body["questions"]) <= 4
    for item in body["questions"]:
        assert set(item) == {"question", "answer", "start", "end"}
        assert article.text[item["start"] : item["end"]] == item["answer"]
        asked = client.post(
            "/ask", json={"question": item["question"], "document_id": article.id}
        ).json()
        assert asked["answer"] is not None, item
        assert asked["answer"]["text"] == item["answer"]
    # Cached: the same list again.
    assert client.get(f"/documents/{article.id}/suggestions").json() == body


def test_unknown_document_is_404_in_the_usual_shape(client: TestClient) -> None:
    response = client.get("/documents/not-there/suggestions")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert "not-there" in response.json()["detail"]
    assert client.get("/documents/..%2Fetc/suggestions").status_code == 404
