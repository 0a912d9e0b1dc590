"""POST/DELETE /documents: every format, every refusal, and answers naming their document."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.documents import Document
from qa.service import QAService
from tests.conftest import assert_verbatim

KEY = "test-key-7f3a"
AUTH = {"Authorization": f"Bearer {KEY}"}

BRIDGE_TEXT = (
    "The Zorvath Bridge\n\n"
    "The Zorvath Bridge was opened in 1911 by the engineer Mila Kostova. "
    "It crosses the river Elna in 14 stone arches. "
    "In 1987 the bridge was closed to lorries after a flood damaged two of its piers."
)
LIGHTHOUSE_MD = (
    "# Pellan Lighthouse\n\n"
    "The **Pellan Lighthouse** stands on the island of Orv. "
    "Its lamp was lit for the first time in 1872 by the keeper *Ansel Dray*.\n\n"
    "- The tower is 38 metres tall.\n- It was automated in 1994.\n"
)
OBSERVATORY_HTML = (
    "<!doctype html><html><head><title>Kestrin Observatory</title>"
    "<style>body { background: url(javascript:alert(1)) }</style>"
    "<script>document.cookie = 'stolen'</script></head><body>"
    "<h1>Kestrin Observatory</h1><p>The Kestrin Observatory was founded in 1903 by the "
    "astronomer Ida Vell.</p><p>Its largest telescope has a mirror of 2.4 metres."
    "<img src=x onerror=alert(2)></p><noscript>Enable scripts</noscript></body></html>"
)


@pytest.fixture(scope="module")
def writer(make_service: Callable[..., QAService]) -> Iterator[tuple[TestClient, QAService]]:
    """A client of a private, writable service with an API key."""
    service = make_service(api_key=KEY)
    with TestClient(create_app(service=service, settings=service.settings)) as client:
        yield client, service


@pytest.fixture(scope="module")
def strict(make_service: Callable[..., QAService]) -> Iterator[tuple[TestClient, QAService]]:
    """A client of a private service with a small upload limit (2048 bytes)."""
    service = make_service(api_key=KEY, max_upload_bytes=2048)
    with TestClient(create_app(service=service, settings=service.settings)) as client:
        yield client, service


def _add(client: TestClient, **kwargs: object) -> dict:
    kwargs["headers"] = {**AUTH, **kwargs.get("headers", {})}  # type: ignore[dict-item]
    response = client.post("/documents", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    return response.json()


def _check_citations(client: TestClient, payload: dict) -> None:
    texts: dict[str, str] = {}
    for item in [payload["answer"], *payload["citations"]]:
        if item is None:
            continue
        doc_id = item["document_id"]
        if doc_id not in texts:
            texts[doc_id] = client.get(f"/documents/{doc_id}").json()["text"]
        quote = item.get("quote", item.get("text"))
        assert_verbatim(texts[doc_id], item["start"], item["end"], quote)


def test_add_plain_text_then_ask_and_delete(writer: tuple[TestClient, QAService]) -> None:
    client, service = writer
    created = _add(
        client,
        content=BRIDGE_TEXT.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        params={"title": "The Zorvath Bridge", "author": "A. Writer", "date": "2024-05-01"},
    )
    doc_id = created["id"]
    assert created["title"] == "The Zorvath Bridge"
    assert created["format"] == "text"
    assert created["index_build"] == service.index.build_id
    assert doc_id in {d["id"] for d in client.get("/documents").json()}
    assert client.get(f"/documents/{doc_id}").json()["text"] == BRIDGE_TEXT

    # The answer and its citation name the new document, with exact offsets.
    payload = client.post("/ask", json={"question": "Who opened the Zorvath Bridge?"}).json()
    assert payload["citations"][0]["document_id"] == doc_id
    assert payload["answer"] is None or payload["answer"]["document_id"] == doc_id
    _check_citations(client, payload)

    assert client.delete(f"/documents/{doc_id}", headers=AUTH).status_code == 204
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.delete(f"/documents/{doc_id}", headers=AUTH).status_code == 404
    payload = client.post("/ask", json={"question": "Who opened the Zorvath Bridge?"}).json()
    assert all(c["document_id"] != doc_id for c in payload["citations"])


def test_add_markdown_as_json(writer: tuple[TestClient, QAService]) -> None:
    client, _ = writer
    created = _add(client, json={"text": LIGHTHOUSE_MD, "format": "markdown", "author": "K."})
    text = client.get(f"/documents/{created['id']}").json()["text"]
    assert created["title"] == "Pellan Lighthouse"
    assert created["id"].startswith("pellan-lighthouse-")
    assert "**" not in text and "*Ansel" not in text and "- The tower" not in text
    assert "Its lamp was lit for the first time in 1872 by the keeper Ansel Dray." in text


def test_add_html_drops_scripts_and_styles(writer: tuple[TestClient, QAService]) -> None:
    client, _ = writer
    created = _add(client, content=OBSERVATORY_HTML, headers={"Content-Type": "text/html"})
    doc = client.get(f"/documents/{created['id']}").json()
    assert doc["title"] == "Kestrin Observatory"
    assert doc["text"] == (
        "Kestrin Observatory\n\nThe Kestrin Observatory was founded in 1903 by the astronomer "
        "Ida Vell.\n\nIts largest telescope has a mirror of 2.4 metres."
    )
    for hostile in ("script", "cookie", "alert", "background", "onerror", "Enable scripts"):
        assert hostile not in doc["text"]


def test_document_id_filters_ask(writer: tuple[TestClient, QAService], article: Document) -> None:
    client, _ = writer
    created = _add(
        client,
        json={"text": "The Varo mill grinds barley. It was built by Oren Sallis in 1820."},
    )
    question = {"question": "Who is the Turkish Defense Minister?"}
    own = client.post("/ask", json={**question, "document_id": created["id"]}).json()
    assert own["citations"]
    assert {c["document_id"] for c in own["citations"]} == {created["id"]}
    assert own["answer"] is None or own["answer"]["document_id"] == created["id"]
    _check_citations(client, own)

    seed = client.post("/ask", json={**question, "document_id": article.id}).json()
    assert {c["document_id"] for c in seed["citations"]} == {article.id}
    assert seed["answer"]["document_id"] == article.id
    _check_citations(client, seed)

    missing = client.post("/ask", json={**question, "document_id": "no-such-doc"})
    assert missing.status_code == 404


def test_duplicate_is_409_naming_the_held_document(writer: tuple[TestClient, QAService]) -> None:
    client, service = writer
    body = {"text": "Quill Street is paved with basalt.", "title": "Quill Street"}
    first = _add(client, json=body)
    build = service.index.build_id
    # Same text under another title, or as a raw body: still the same document.
    for kwargs in (
        {"json": {**body, "title": "Another title"}, "headers": AUTH},
        {"content": body["text"], "headers": {**AUTH, "Content-Type": "text/plain"}},
    ):
        response = client.post("/documents", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 409, response.text
        assert response.json()["document_id"] == first["id"]
        assert first["id"] in response.json()["detail"]
    # The seed article is held too.
    seed_text = service.document("armenian-azeri-war-2020-10-18").text  # type: ignore[union-attr]
    response = client.post("/documents", headers=AUTH, json={"text": seed_text})
    assert response.status_code == 409
    assert response.json()["document_id"] == "armenian-azeri-war-2020-10-18"
    assert service.index.build_id == build


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"content": b"", "headers": {"Content-Type": "text/plain"}}, 422, "empty"),
        ({"content": b" \n\t", "headers": {"Content-Type": "text/plain"}}, 422, "empty"),
        ({"json": {"text": "   "}}, 422, "empty"),
        ({"json": {"text": ""}}, 422, "text"),
        ({"json": {"text": "a\x00b"}}, 422, "binary"),
        (
            {"content": b"\x89PNG\r\n\x1a\n\x00\x00", "headers": {"Content-Type": "text/plain"}},
            422,
            "binary",
        ),
        (
            {"content": "caf\xe9".encode("latin-1"), "headers": {"Content-Type": "text/plain"}},
            422,
            "UTF-8",
        ),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422, "JSON"),
        ({"json": {"text": "x", "format": "pdf"}}, 422, "format"),
        ({"json": {"text": "x", "colour": "red"}}, 422, "colour"),
        ({"json": ["text"]}, 422, "object"),
        ({"json": {"text": "\ud800"}}, 422, "unicode"),
        ({"content": b"<script>x()</script>", "headers": {"Content-Type": "text/html"}}, 422, ""),
        ({"content": b"%PDF-1.7", "headers": {"Content-Type": "application/pdf"}}, 415, "pdf"),
        ({"content": b"text", "headers": {"Content-Type": "image/png"}}, 415, "image/png"),
        ({"content": b"text", "headers": {"Content-Type": ""}}, 415, "content type"),
        (
            {"content": b"text", "headers": {"Content-Type": "text/plain; charset=latin-1"}},
            415,
            "UTF-8",
        ),
        ({"content": b"x" * 2049, "headers": {"Content-Type": "text/plain"}}, 413, "2048"),
        ({"json": {"text": "x" * 2100}}, 413, "2048"),
        ({"json": {"text": "x", "title": "t" * 301}}, 422, "title"),
        (
            {
                "content": b"x",
                "headers": {"Content-Type": "text/plain"},
                "params": {"date": "d" * 65},
            },
            422,
            "date",
        ),
    ],
)
def test_bad_uploads_get_a_clear_4xx_and_change_nothing(
    strict: tuple[TestClient, QAService], kwargs: dict, status: int, message: str
) -> None:
    client, service = strict
    build = service.index.build_id
    kwargs = dict(kwargs)
    headers = {**AUTH, **kwargs.pop("headers", {})}
    if "json" in kwargs:  # httpx refuses lone surrogates; send the JSON escapes ourselves
        kwargs = {"content": json.dumps(kwargs.pop("json")), **kwargs}
        headers.setdefault("Content-Type", "application/json")
    response = client.post("/documents", headers=headers, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    text = body.get("message") or body["detail"]
    assert message in text
    assert service.index.build_id == build
    assert service.user_documents.list() == []


def test_body_over_the_limit_without_content_length_is_413(
    strict: tuple[TestClient, QAService],
) -> None:
    client, service = strict

    def chunks() -> Iterator[bytes]:
        for _ in range(50):
            yield b"y" * 100

    response = client.post(
        "/documents", headers={**AUTH, "Content-Type": "text/plain"}, content=chunks()
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert service.user_documents.list() == []


def test_seed_documents_cannot_be_deleted(
    writer: tuple[TestClient, QAService], article: Document
) -> None:
    client, service = writer
    response = client.delete(f"/documents/{article.id}", headers=AUTH)
    assert response.status_code == 403
    assert "seed" in response.json()["detail"]
    assert service.document(article.id) is not None


@pytest.mark.parametrize(
    "path",
    [
        "/documents/%2E%2E",
        "/documents/..%2F..%2Fetc%2Fpasswd",
        "/documents/%2E%2E%2Fseeds%2Farmenian-azeri-war-2020-10-18",
        "/documents/..%5C..%5Cwindows",
        "/documents/armenian-azeri-war-2020-10-18.txt%00",
        "/documents/ARMENIAN-AZERI-WAR-2020-10-18",
        "/documents/" + "a" * 300,
        "/documents/.hidden",
    ],
)
def test_ids_cannot_reach_files(writer: tuple[TestClient, QAService], path: str) -> None:
    client, service = writer
    build = service.index.build_id
    assert client.get(path).status_code == 404
    assert client.delete(path, headers=AUTH).status_code == 404
    assert service.index.build_id == build
