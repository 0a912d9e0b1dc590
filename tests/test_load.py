"""Load: 32 concurrent clients against a live server while a document is added and removed.

``qa serve`` runs in a subprocess on a free loopback port over a private copy of the seed
index. For at least 20 s (and until the writer has added, queried and removed its document
once) 32 clients ask mixed questions; every response must be a success and every answer
and citation must be exactly the document text at its offsets. Throughput and latency are
printed, never asserted.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from qa.config import PROJECT_ROOT, Settings
from qa.documents import Document
from qa.ingest import DocumentIngester, IngestRequest
from qa.service import QAService

CLIENTS = 32
MIN_SECONDS = 20.0
KEY = "load-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
GOLD = PROJECT_ROOT / "eval" / "gold" / "article.jsonl"
NOTE_MARKDOWN = (
    "# The Tarsin dam\n\n"
    "The Tarsin dam holds back the river Oska. It was finished in 1964 by the engineer "
    "**Petra Lund**. Its turbines make 310 megawatts.\n\n"
    "The reservoir behind the dam is 42 kilometres long."
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    settings: Settings,
    service: QAService,
) -> Iterator[str]:
    """A live ``qa serve`` on loopback with writes enabled; yields its base URL.

    With two worker processes, a document one of them adds must be answered by both.
    """
    assert service.ready  # the shared index exists, so the copy below needs no rebuild
    root = tmp_path_factory.mktemp("load")
    shutil.copytree(settings.index_dir, root / "index")
    port = _free_port()
    env = {
        **os.environ,
        "QA_INDEX_DIR": str(root / "index"),
        "QA_DATA_DIR": str(root / "data"),
        "QA_SEEDS_DIR": str(settings.seeds_dir),
        "QA_API_KEY": KEY,
        "QA_CORS_ORIGINS": "[]",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    log = (root / "server.log").open("w")
    command = [sys.executable, "-m", "qa", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(request.param)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (root / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "server did not start in 300 s"
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)
        log.close()


def _gold_requests() -> list[dict]:
    cases = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    return [{"question": c["question"], "history": c["history"]} for c in cases]


class Tally:
    """What the clients saw, shared by all threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.wrong_offsets: list[str] = []
        self.quotes_checked = 0

    def record(self, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def _check_answer(payload: dict, texts: dict[str, str], tally: Tally) -> None:
    items = [payload["answer"], *payload["citations"]]
    for item in items:
        if item is None:
            continue
        quote = item.get("quote", item.get("text"))
        text = texts.get(item["document_id"])
        ok = text is not None and text[item["start"] : item["end"]] == quote
        with tally.lock:
            tally.quotes_checked += 1
            if not ok:
                tally.wrong_offsets.append(json.dumps(item)[:300])


@pytest.mark.slow
def test_32_clients_while_a_document_is_added_and_removed(server: str, article: Document) -> None:
    note = DocumentIngester().run(IngestRequest(NOTE_MARKDOWN.encode(), format="markdown"))
    texts = {article.id: article.text, note.id: note.text}
    requests = _gold_requests()
    tally = Tally()
    started = time.monotonic()
    writer_cycles = 0
    writer_done = threading.Event()
    per_client = [0] * CLIENTS

    def finished() -> bool:
        return time.monotonic() - started >= MIN_SECONDS and writer_done.is_set()

    def client(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=server, timeout=180) as http:
            while not finished():
                kind = rng.random()
                began = time.perf_counter()
                try:
                    if kind < 0.7:
                        body = {**rng.choice(requests), "top_k": rng.randint(1, 5)}
                        if rng.random() < 0.2:
                            body["document_id"] = article.id
                        response = http.post("/ask", json=body)
                    elif kind < 0.8:
                        response = http.get("/documents")
                    elif kind < 0.9:
                        response = http.get("/healthz")
                    else:
                        response = http.get(f"/documents/{article.id}")
                except httpx.HTTPError as exc:
                    tally.error(f"client {number}: {type(exc).__name__}: {exc}")
                    continue
                tally.record(time.perf_counter() - began)
                per_client[number] += 1
                if response.status_code != 200:
                    tally.error(f"{response.request.url.path} {response.status_code}")
                elif kind < 0.7:
                    _check_answer(response.json(), texts, tally)

    def writer() -> None:
        nonlocal writer_cycles
        try:
            with httpx.Client(base_url=server, timeout=300, headers=AUTH) as http:
                while True:
                    created = http.post(
                        "/documents",
                        content=NOTE_MARKDOWN.encode(),
                        headers={"Content-Type": "text/markdown"},
                    )
                    if created.status_code != 201 or created.json()["id"] != note.id:
                        tally.error(f"add: {created.status_code} {created.text[:200]}")
                        return
                    # New connections: with several workers, the kernel spreads them, so
                    # workers other than the one that added the note must answer it too.
                    for _ in range(3):
                        with httpx.Client(base_url=server, timeout=300) as fresh:
                            asked = fresh.post(
                                "/ask",
                                json={
                                    "question": "Who finished the Tarsin dam?",
                                    "document_id": note.id,
                                },
                            )
                        if asked.status_code != 200 or not asked.json()["citations"]:
                            tally.error(f"ask the note: {asked.status_code} {asked.text[:200]}")
                            continue
                        _check_answer(asked.json(), texts, tally)
                        cited = {c["document_id"] for c in asked.json()["citations"]}
                        if cited != {note.id}:
                            tally.error(f"document_id filter leaked: {cited}")
                    removed = http.delete(f"/documents/{note.id}")
                    if removed.status_code != 204:
                        tally.error(f"remove: {removed.status_code} {removed.text[:200]}")
                        return
                    writer_cycles += 1
                    if time.monotonic() - started >= MIN_SECONDS:
                        return
        except httpx.HTTPError as exc:
            tally.error(f"writer: {type(exc).__name__}: {exc}")
        finally:
            writer_done.set()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(900)
    elapsed = time.monotonic() - started

    latencies = sorted(tally.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(
        f"\nload: {tally.requests} requests from {CLIENTS} clients in {elapsed:.1f}s "
        f"({tally.requests / elapsed:.1f}/s), median {statistics.median(latencies) * 1e3:.0f} ms, "
        f"p95 {p95 * 1e3:.0f} ms; {writer_cycles} add/remove cycles; "
        f"{tally.quotes_checked} quotes checked"
    )
    assert not any(thread.is_alive() for thread in threads)
    assert tally.errors == []
    assert tally.wrong_offsets == []
    assert writer_cycles >= 1
    assert min(per_client) >= 1
    assert tally.quotes_checked > CLIENTS
