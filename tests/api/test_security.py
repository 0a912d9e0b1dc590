"""Who may write, what every response tells the browser, and CORS only when configured."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from qa.api import create_app
from qa.api import security as security_module
from qa.api.security import CONTENT_SECURITY_POLICY
from qa.config import Settings
from qa.service import QAService
from qa.web import STATIC_DIR

KEY = "s3cret-key"


def _client(service: QAService) -> TestClient:
    return TestClient(create_app(service=service, settings=service.settings))


@pytest.fixture(scope="module")
def open_client(make_service: Callable[..., QAService]):
    """No API key configured and no CORS origins (the defaults)."""
    with _client(make_service(api_key="", cors_origins=[])) as client:
        yield client


@pytest.fixture(scope="module")
def keyed(make_service: Callable[..., QAService]):
    service = make_service(api_key=KEY, cors_origins=[])
    with _client(service) as client:
        yield client, service


def test_writes_are_off_without_a_key_and_say_how_to_enable_them(open_client: TestClient) -> None:
    for response in (
        open_client.post("/documents", json={"text": "Hello."}),
        open_client.post(
            "/documents", json={"text": "Hello."}, headers={"Authorization": "Bearer x"}
        ),
        open_client.delete("/documents/anything"),
    ):
        assert response.status_code == 403
        assert "QA_API_KEY" in response.json()["detail"]


def test_reads_stay_open(keyed: tuple[TestClient, QAService]) -> None:
    client, _ = keyed
    assert client.get("/documents").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/ask", json={"question": "Who is Rob Lee?"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {KEY}x"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"Authorization": "Bearer "},
    ],
)
def test_a_missing_or_wrong_key_is_401(keyed: tuple[TestClient, QAService], headers: dict) -> None:
    client, service = keyed
    build = service.index.build_id
    response = client.post("/documents", json={"text": "Hello there."}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "API key" in response.json()["detail"]
    assert client.delete("/documents/x", headers=headers).status_code == 401
    assert service.index.build_id == build and service.user_documents.list() == []


def test_the_right_key_writes_and_is_compared_in_constant_time(
    keyed: tuple[TestClient, QAService], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, service = keyed
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(security_module.hmac, "compare_digest", spy)
    response = client.post(
        "/documents",
        json={"text": "The Ostra canal links two lakes."},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 201, response.text
    assert calls == [(KEY.encode(), KEY.encode())]
    assert service.document(response.json()["id"]) is not None


def _script_problems(html: str) -> list[str]:
    """Inline script, inline handlers or inline styles: everything the CSP would block."""
    problems: list[str] = []

    class Checker(HTMLParser):
        in_script = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names = {name for name, _ in attrs}
            if tag == "script":
                self.in_script = True
                if "src" not in names:
                    problems.append("inline <script>")
            if tag == "style":
                problems.append("inline <style>")
            problems.extend(f"{tag}[{n}]" for n in names if n.startswith("on") or n == "style")
            if any((v or "").strip().lower().startswith("javascript:") for _, v in attrs):
                problems.append(f"{tag} javascript: URL")

        def handle_endtag(self, tag: str) -> None:
            self.in_script = self.in_script and tag != "script"

        def handle_data(self, data: str) -> None:
            if self.in_script and data.strip():
                problems.append("script body")

    Checker().feed(html)
    return problems


def test_the_page_sends_a_csp_forbidding_inline_script(open_client: TestClient) -> None:
    response = open_client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    # The page must work under that policy: no inline script, handlers or styles.
    assert _script_problems(response.text) == []


def test_the_page_never_renders_text_as_html() -> None:
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script.replace("never innerHTML", ""), sink


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/healthz", None),
        ("GET", "/documents", None),
        ("GET", "/documents/nope", None),
        ("POST", "/ask", {"question": "Who is Rob Lee?"}),
        ("POST", "/ask", {"question": ""}),
        ("GET", "/openapi.json", None),
        ("GET", "/static/app.js", None),
    ],
)
def test_every_api_response_carries_the_security_headers(
    open_client: TestClient, method: str, path: str, body: dict | None
) -> None:
    response = open_client.request(method, path, json=body)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    if path != "/static/app.js":
        assert response.headers["content-type"].startswith("application/json")


def test_api_docs_get_their_own_policy_without_weakening_the_page(
    open_client: TestClient,
) -> None:
    docs = open_client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_cors_is_off_by_default(open_client: TestClient) -> None:
    origin = {"Origin": "https://evil.example"}
    assert (
        "access-control-allow-origin" not in open_client.get("/documents", headers=origin).headers
    )
    preflight = open_client.options(
        "/documents",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins(make_service: Callable[..., QAService]) -> None:
    service = make_service(cors_origins=["https://app.example"])
    with _client(service) as client:
        allowed = client.get("/documents", headers={"Origin": "https://app.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        preflight = client.options(
            "/documents",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        other = client.get("/documents", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("https://a.example", ["https://a.example"]),
        ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
        ('["https://a.example"]', ["https://a.example"]),
    ],
)
def test_cors_origins_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]
) -> None:
    monkeypatch.setenv("QA_CORS_ORIGINS", value)
    assert Settings().cors_origins == expected
