"""Nothing lost: kill -9 in the middle of a rebuild, and damaged index files at start-up.

The kill tests run ``tests/rebuild_worker.py`` in a subprocess, stop it at a chosen point
of a write (or after a random delay) with SIGKILL, then check that what is on disk is the
previous state or the next one, never a mix, and that the next start serves a clean index.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qa.config import PROJECT_ROOT, Settings
from qa.document_store import DocumentStore
from qa.documents import Document
from qa.embedding import TextEmbedder
from qa.indexing import IndexStore
from qa.service import QAService
from tests.conftest import assert_verbatim
from tests.rebuild_worker import NOTE

WORKER = PROJECT_ROOT / "tests" / "rebuild_worker.py"
STARTUP_TIMEOUT = 240


class Worker:
    """The subprocess, with its output read on a thread so waits can time out."""

    def __init__(self, settings: Settings, action: str, pause_at: str = "") -> None:
        env = {**os.environ, "QA_TEST_PAUSE_AT": pause_at, "HF_HUB_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(settings.index_dir),
                str(settings.data_dir),
                str(settings.seeds_dir),
                action,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line.strip())
        self.lines.put("<EOF>")

    def wait_for(self, prefix: str, timeout: float = STARTUP_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line.startswith(prefix):
                return line
            if line == "<EOF>":
                break
        self.kill()
        raise AssertionError(f"worker never printed {prefix!r}:\n{''.join(self.output)[-3000:]}")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


def _assert_intact(settings: Settings, article: Document, expected_build: str | None) -> None:
    """The served build passes its checksums, loads, and holds exact texts; documents load."""
    store = IndexStore(settings.index_dir)
    current = store.current_path()
    assert current is not None
    if expected_build is not None:
        assert current.name == expected_build
    assert store.verify() == []
    index = store.load()
    assert set(index.documents) <= {article.id, NOTE.id}
    assert index.documents[article.id].text == article.text
    if NOTE.id in index.documents:
        assert index.documents[NOTE.id].text == NOTE.text
    for sentence in index.sentences:
        text = index.documents[sentence.document_id].text
        assert_verbatim(text, sentence.start, sentence.end, sentence.text)
    stored = DocumentStore(settings.data_dir / "documents").list()
    assert stored in ([], [NOTE])


def _restart(settings: Settings, service: QAService, embedder: TextEmbedder) -> QAService:
    """A fresh process's view: serves exactly the stored documents, from a verified build."""
    restarted = QAService(settings, reader=service.reader, embedder=embedder)
    restarted.warm_up()
    expected = {d.id for d in restarted.source_documents()}
    assert set(restarted.index.documents) == expected
    assert restarted.store.verify() == []
    if NOTE.id in expected:
        result = restarted.ask("Who finished the Tarsin dam?")
        assert result.citations[0].document_id == NOTE.id
        for citation in result.citations:
            text = restarted.index.documents[citation.document_id].text
            assert_verbatim(text, citation.start, citation.end, citation.quote)
    return restarted


@pytest.mark.slow
@pytest.mark.parametrize(
    ("action", "pause_at", "stored_after"),
    [
        ("add", "document-write", False),
        ("add", "embedding", True),
        ("add", "publish", True),
        ("remove", "publish", False),
    ],
)
def test_kill_at_each_point_of_a_write_keeps_the_previous_index(
    make_service: Callable[..., QAService],
    embedder: TextEmbedder,
    service: QAService,
    article: Document,
    action: str,
    pause_at: str,
    stored_after: bool,
) -> None:
    writable = make_service()
    if action == "remove":
        writable.add_document(NOTE)
    settings = writable.settings
    before = IndexStore(settings.index_dir).current_path()
    assert before is not None

    worker = Worker(settings, action, pause_at)
    worker.wait_for(f"PAUSED {pause_at}")
    worker.kill()

    _assert_intact(settings, article, expected_build=before.name)
    assert (DocumentStore(settings.data_dir / "documents").get(NOTE.id) == NOTE) is stored_after
    _restart(settings, service, embedder)


@pytest.mark.slow
def test_kill_after_a_random_delay_during_adds_and_removes(
    make_service: Callable[..., QAService],
    embedder: TextEmbedder,
    service: QAService,
    article: Document,
) -> None:
    settings = make_service().settings
    delay = random.uniform(0.0, 8.0)
    worker = Worker(settings, "loop")
    worker.wait_for("READY")
    time.sleep(delay)
    worker.kill()
    steps = [line.strip() for line in worker.output if line.strip() in ("ADDED", "REMOVED")]
    try:
        _assert_intact(settings, article, expected_build=None)
        restarted = _restart(settings, service, embedder)
        # And it keeps working: the next write builds cleanly on whatever was left.
        if NOTE.id in restarted.index.documents:
            restarted.remove_document(NOTE.id)
        else:
            restarted.add_document(NOTE)
        assert restarted.store.verify() == []
    except AssertionError as exc:
        raise AssertionError(f"killed {delay:.2f}s after READY, after {steps}: {exc}") from exc


@pytest.fixture(scope="module")
def damaged(make_service: Callable[..., QAService]) -> Settings:
    """Settings of a service whose index holds the seed and one stored document."""
    writable = make_service()
    writable.add_document(NOTE)
    return writable.settings


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _change_one_character(path: Path) -> None:
    # The kind of damage nothing else would notice: a quote no longer at its offsets.
    data = path.read_bytes()
    at = data.index(b"Tarsin")
    path.write_bytes(data[:at] + b"Tarsun" + data[at + 6 :])


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff not json")


@pytest.mark.parametrize(
    ("name", "damage", "log"),
    [
        ("sentences.faiss", _truncate, "fail their checksums (sentences.faiss)"),
        ("documents.jsonl", _change_one_character, "fail their checksums (documents.jsonl)"),
        ("bm25", None, "fail their checksums (bm25/"),
        ("manifest.json", _garbage, "manifest is unreadable"),
    ],
)
def test_a_damaged_index_is_detected_and_rebuilt_from_the_stored_documents(
    damaged: Settings,
    service: QAService,
    embedder: TextEmbedder,
    caplog: pytest.LogCaptureFixture,
    name: str,
    damage: Callable[[Path], None] | None,
    log: str,
) -> None:
    store = IndexStore(damaged.index_dir)
    current = store.current_path()
    assert current is not None and store.verify() == []
    if damage is None:  # a folder: truncate its first file
        target = sorted(p for p in (current / name).iterdir() if p.is_file())[0]
        _truncate(target)
    else:
        damage(current / name)

    with caplog.at_level(logging.INFO, logger="qa.indexing"):
        restarted = _restart(damaged, service, embedder)
    assert any(log in record.getMessage() for record in caplog.records), caplog.text
    assert restarted.index.build_id != current.name
    assert restarted.index.documents[NOTE.id].text == NOTE.text
