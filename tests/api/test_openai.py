"""The OpenAI-compatible endpoint: the official client against a live server, and errors."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from fastapi.testclient import TestClient

from qa.answers import Citation, ExtractedAnswer, Passage, QAResult
from qa.api import create_app
from qa.api.openai_schemas import MODEL_ID, ChatMessage
from qa.api.routes.openai import ABSTENTION, YES_NO, _conversation, _pieces, render
from qa.config import Settings
from qa.documents import Document
from qa.service import QAService
from tests.conftest import assert_verbatim

QUESTION = "How many civilians were killed when missiles hit Ganja?"
MINISTER_TURN = [
    {"role": "user", "content": "Who is Turkey's defence minister?"},
    {
        "role": "assistant",
        "content": "Hulusi Akar\n\n> It also alleged that Turkish Defense Minister Hulusi Akar "
        "...\n\nSource: Danger of Russian-Turkish conflict grows, characters 7608-7842",
    },
]


@pytest.fixture(scope="module")
def base_url(service: QAService, settings: Settings) -> Iterator[str]:
    """A real uvicorn server on a free local port, around the session's service."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(service=service, settings=settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the server stopped during start-up"
        assert time.monotonic() < deadline, "the server did not start in 60 s"
        time.sleep(0.05)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def openai_client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="any-key", max_retries=0, timeout=60)


def _check_cited(completion: Any, article: Document) -> None:
    """The answer, its quote and every citation are verbatim spans of the article."""
    extra = completion.model_extra
    answer, citations = extra["answer"], extra["citations"]
    assert answer is not None and citations
    assert_verbatim(article.text, answer["start"], answer["end"], answer["text"])
    for citation in citations:
        assert citation["document_id"] == article.id
        assert citation["document_title"] == article.title
        assert_verbatim(article.text, citation["start"], citation["end"], citation["quote"])
    first = citations[0]
    assert first["start"] <= answer["start"] and answer["end"] <= first["end"]
    block = "\n".join(f"> {line}" if line.strip() else ">" for line in first["quote"].splitlines())
    source = f"Source: {article.title}, characters {first['start']}-{first['end']}"
    assert completion.choices[0].message.content == f"{answer['text']}\n\n{block}\n\n{source}"


def test_the_official_client_gets_a_cited_answer(
    openai_client: openai.OpenAI, article: Document
) -> None:
    completion = openai_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": QUESTION}], temperature=0.2
    )
    assert completion.model == MODEL_ID
    assert completion.object == "chat.completion"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.role == "assistant"
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    _check_cited(completion, article)
    assert "Ganja" in completion.model_extra["citations"][0]["quote"]


def test_the_official_client_streams_the_same_answer(
    openai_client: openai.OpenAI, article: Document
) -> None:
    whole = openai_client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}]
    )
    chunks = list(
        openai_client.chat.completions.create(
            model=MODEL_ID,
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(c.object == "chat.completion.chunk" and c.model == MODEL_ID for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    content_chunks = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) > 1
    text = "".join(c.choices[0].delta.content for c in content_chunks)
    assert text == whole.choices[0].message.content
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finals] == ["stop"]
    assert finals[0].model_extra["citations"] == whole.model_extra["citations"]
    assert finals[0].model_extra["answer"] == whole.model_extra["answer"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_a_follow_up_in_a_multi_message_conversation(
    openai_client: openai.OpenAI, article: Document
) -> None:
    messages = [
        {"role": "system", "content": "Answer from the article."},
        *MINISTER_TURN,
        {"role": "user", "content": "Where did he travel with the army chief of staff?"},
    ]
    completion = openai_client.chat.completions.create(model=MODEL_ID, messages=messages)
    extra = completion.model_extra
    assert extra["resolved_question"] == (
        "Where did Hulusi Akar travel with the army chief of staff?"
    )
    assert "Hulusi Akar" in extra["citations"][0]["quote"]
    if extra["answer"] is not None:
        _check_cited(completion, article)


def test_the_official_client_lists_the_model(openai_client: openai.OpenAI) -> None:
    assert [m.id for m in openai_client.models.list()] == [MODEL_ID]
    assert openai_client.models.retrieve(MODEL_ID).id == MODEL_ID
    with pytest.raises(openai.NotFoundError):
        openai_client.models.retrieve("gpt-4o")


def test_the_official_client_raises_on_unsupported_parameters(
    openai_client: openai.OpenAI,
) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], tools=[tool]
        )
    assert caught.value.status_code == 400
    assert caught.value.param == "tools"
    assert caught.value.code == "unsupported_parameter"


# -- through TestClient ----------------------------------------------------------------------


def _ask(**fields: Any) -> dict[str, Any]:
    return {"model": "any", "messages": [{"role": "user", "content": QUESTION}], **fields}


def _events(response: httpx.Response) -> list[str]:
    blocks = [b for b in response.text.split("\n\n") if b]
    assert all(b.startswith("data: ") for b in blocks)
    return [b.removeprefix("data: ") for b in blocks]


def test_stream_is_server_sent_events_ending_with_done(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json=_ask(stream=True))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    whole = client.post("/v1/chat/completions", json=_ask()).json()
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert streamed == whole["choices"][0]["message"]["content"]
    # No usage chunk unless asked for.
    assert all(c["choices"] for c in chunks)


@pytest.mark.parametrize(
    "fields",
    [
        {"temperature": 0.7, "top_p": 0.9, "max_tokens": 5, "seed": 1, "user": "u"},
        {"n": 1, "response_format": {"type": "text"}, "tool_choice": "none"},
        {"stream": False, "presence_penalty": 0.5, "some_future_parameter": {"x": 1}},
    ],
)
def test_harmless_parameters_are_accepted(client: TestClient, fields: dict[str, Any]) -> None:
    response = client.post("/v1/chat/completions", json=_ask(**fields))
    assert response.status_code == 200, response.text
    assert response.json()["model"] == MODEL_ID


def test_content_parts_are_read_as_text(client: TestClient) -> None:
    parts = [{"type": "text", "text": "How many civilians were killed"}, {"type": "text"}]
    parts[1]["text"] = "when missiles hit Ganja?"
    body = {"model": "m", "messages": [{"role": "user", "content": parts}]}
    by_parts = client.post("/v1/chat/completions", json=body).json()
    plain = client.post("/v1/chat/completions", json=_ask()).json()
    assert by_parts["citations"] == plain["citations"]


def test_unknown_document_is_a_404_in_openai_shape(client: TestClient) -> None:
    response = client.post("/v1/chat/completions", json=_ask(document_id="no-such-doc"))
    assert response.status_code == 404
    assert response.json()["error"]["param"] == "document_id"


TOOL = {"type": "function", "function": {"name": "f"}}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (_ask(tools=[TOOL]), "tools"),
        (_ask(tool_choice="auto"), "tool_choice"),
        (_ask(functions=[{"name": "f"}]), "functions"),
        (_ask(function_call="auto"), "function_call"),
        (_ask(n=2), "n"),
        (_ask(response_format={"type": "json_object"}), "response_format"),
        (_ask(logprobs=True), "logprobs"),
        (_ask(modalities=["text", "audio"]), "modalities"),
        (_ask(stream="yes please"), "stream"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m"}, "messages"),
        ({"messages": [{"role": "user", "content": QUESTION}]}, "model"),
        ({"model": "m", "messages": "hello"}, "messages"),
        ({"model": "m", "messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"content": "hi"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"role": "user", "content": 42}]}, "messages[0].content"),
        ({"model": "m", "messages": [{"role": "user", "content": "   "}]}, "messages[0].content"),
        ({"model": "m", "messages": [{"role": "user"}]}, "messages[0].content"),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x" * 1001}]},
            "messages[0].content",
        ),
        ({"model": "m", "messages": [*MINISTER_TURN]}, "messages[1].role"),
        (
            {
                "model": "m",
                "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
            },
            "messages[0].content[0]",
        ),
        (
            {
                "model": "m",
                "messages": [
                    {"role": "tool", "content": "42", "tool_call_id": "c"},
                    {"role": "user", "content": QUESTION},
                ],
            },
            "messages[0].role",
        ),
    ],
)
def test_bad_requests_are_400_in_openai_shape(
    client: TestClient, body: Any, param: str | None
) -> None:
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert error["message"]
    if param is not None:
        assert error["param"] == param


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b"", b"[1, 2]", b"null"])
def test_body_that_is_not_a_json_object_is_400_in_openai_shape(
    client: TestClient, content: bytes
) -> None:
    response = client.post(
        "/v1/chat/completions", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_json"
    assert error["type"] == "invalid_request_error"


def test_ask_keeps_its_own_422_format(client: TestClient) -> None:
    response = client.post("/ask", json={"question": ""})
    assert response.status_code == 422
    assert "message" in response.json() and "error" not in response.json()


def test_models_endpoint(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == [MODEL_ID]
    missing = client.get("/v1/models/gpt-4o")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"


# -- units -------------------------------------------------------------------------------------


def test_history_pairs_user_and_assistant_messages() -> None:
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Who is Turkey's defence minister?"),
        ChatMessage(role="assistant", content="Hulusi Akar\n\n> quote\n\nSource: x"),
        ChatMessage(role="user", content="And Russia's?"),
        ChatMessage(role="assistant", content=ABSTENTION),
        ChatMessage(role="user", content="Who did he call?"),
        ChatMessage(role="user", content="  Where did he travel?  "),
    ]
    question, history = _conversation(messages)
    assert question == "Where did he travel?"
    assert [(t.question, t.answer) for t in history] == [
        ("Who is Turkey's defence minister?", "Hulusi Akar"),
        ("And Russia's?", None),
        ("Who did he call?", None),
    ]


def test_history_keeps_the_latest_twenty_turns() -> None:
    messages = [ChatMessage(role="user", content=f"Question {i}?") for i in range(30)]
    _, history = _conversation(messages)
    assert len(history) == 20
    assert history[-1].question == "Question 28?"


@pytest.mark.parametrize("content", ["13\n\n> On Saturday...\n\nSource: t", "a b  c\n", ""])
def test_stream_pieces_join_to_the_content(content: str) -> None:
    assert "".join(_pieces(content)) == content


def test_render_abstention_and_multi_paragraph_quotes(
    service: QAService, article: Document
) -> None:
    abstained = QAResult(question="q", answer=None, citations=[])
    assert render(abstained, service) == ABSTENTION
    polar = QAResult(question="Is it over?", answer=None, citations=[], abstention="yes_no")
    assert render(polar, service) == YES_NO
    start = article.text.index("They have to do\n\nsomething")
    end = article.text.index("hitting them.") + len("hitting them.")
    quote = article.text[start:end]
    passage = Passage(article.id, start, end, quote)
    answer = ExtractedAnswer("something", article.id, start + 17, start + 26, 0.9, passage)
    result = QAResult("q", answer, [Citation(article.id, quote, start, end, 1.0)])
    content = render(result, service)
    assert content.startswith("something\n\n> They have to do\n>\n> something or Azerbaijan")
    assert content.endswith(f"Source: {article.title}, characters {start}-{end}")
