"""GET / and /static: the chat page is served from the package, ready for a strict CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from qa.web import STATIC_DIR


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script>/<style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_code: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.inline_code.append(data)


def _parse(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def test_root_serves_the_chat_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    tags = _parse(response.text)
    labelled = {a.get("for") for t, a in tags.tags if t == "label"}
    assert "question" in labelled  # the question box has a label for screen readers
    assert client.head("/").status_code == 200


def test_every_asset_the_page_names_is_served(client: TestClient) -> None:
    tags = _parse(client.get("/").text)
    refs = [a.get("src") or a.get("href") for t, a in tags.tags if t in ("script", "link")]
    assert "/static/app.js" in refs and "/static/styles.css" in refs
    kinds = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for ref in refs:
        assert ref and ref.startswith("/static/"), f"{ref!r} is not served by this app"
        response = client.get(ref)
        assert response.status_code == 200, ref
        assert kinds[ref[ref.rindex(".") :]] in response.headers["content-type"], ref
        assert response.headers["cache-control"] == "no-cache", ref


def test_page_has_no_inline_script_style_or_handlers(client: TestClient) -> None:
    tags = _parse(client.get("/").text)
    assert tags.inline_code == []
    assert all(t != "style" for t, _ in tags.tags)
    for tag, attrs in tags.tags:
        assert "style" not in attrs, tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "script":
            assert attrs.get("src"), "scripts must be files (CSP forbids inline script)"


@pytest.mark.parametrize("name", ["index.html", "app.js", "styles.css"])
def test_no_resources_from_other_sites(name: str) -> None:
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"')]+", text)) - {"http://www.w3.org/2000/svg"}
    assert urls == set()
    assert "@import" not in text


def test_script_never_builds_html_from_strings() -> None:
    # All user and document text goes in as text nodes; these sinks would parse it as HTML.
    code = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink
    assert "new Function" not in code


def test_static_files_stay_inside_the_folder(client: TestClient) -> None:
    # Encoded, so the client sends the dots as they are and the server must refuse them.
    assert client.get("/static/%2e%2e/__init__.py").status_code == 404
    assert client.get("/static/%2e%2e/%2e%2e/config.py").status_code == 404
    assert client.get("/static/missing.js").status_code == 404
