"""GET /documents, GET /documents/{id} and GET /healthz."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qa.documents import Document


def test_list_documents(client: TestClient, article: Document) -> None:
    response = client.get("/documents")
    assert response.status_code == 200
    (doc,) = [d for d in response.json() if d["id"] == article.id]
    assert doc["title"] == article.title
    assert doc["author"] == "Alex Lantier"
    assert doc["date"] == "2020-10-18"
    assert doc["length"] == len(article.text)


def test_document_text_is_exactly_what_offsets_refer_to(
    client: TestClient, article: Document
) -> None:
    body = client.get(f"/documents/{article.id}").json()
    assert body["text"] == article.text
    answer = client.post("/ask", json={"question": "Who is Rob Lee?"}).json()
    for citation in answer["citations"]:
        assert body["text"][citation["start"] : citation["end"]] == citation["quote"]


def test_unknown_document_is_404(client: TestClient) -> None:
    response = client.get("/documents/not-there")
    assert response.status_code == 404
    assert "not-there" in response.json()["detail"]


def test_healthz_reports_counts(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["documents"] == 1
    assert body["chunks"] > 10 and body["sentences"] > body["chunks"]
