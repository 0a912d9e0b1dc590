"""Fixtures for the browser tests: a live server in a subprocess and Debian's Chromium.

The server runs ``python -m qa serve`` on a free local port over a private copy of the
session's seed index (so nothing is rebuilt and the repo's ``index/`` is never touched).
Chromium is Debian's (``make browser-deps`` installs it); Playwright cannot download a
browser here. When it is missing the tests fail and say how to install it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from qa.config import Settings
from qa.service import QAService

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 180.0
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A ``qa serve`` subprocess on 127.0.0.1; ``stop()`` ends it (idempotent).

    Example:
        >>> server = LiveServer.launch(index, data, seeds, log).wait_until_ready()  # doctest: +SKIP
        >>> httpx.get(server.url + "/healthz").status_code  # doctest: +SKIP
        200
    """

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    def launch(cls, index_dir: Path, data_dir: Path, seeds_dir: Path, log: Path) -> LiveServer:
        """Start the process; ``wait_until_ready()`` waits for ``/healthz``."""
        port = _free_port()
        env = {
            **os.environ,
            "QA_INDEX_DIR": str(index_dir),
            "QA_DATA_DIR": str(data_dir),
            "QA_SEEDS_DIR": str(seeds_dir),
            "QA_HOST": "127.0.0.1",
            "QA_PORT": str(port),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "qa", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return cls(url=f"http://127.0.0.1:{port}", process=process, log=log)

    def wait_until_ready(self) -> LiveServer:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"the server was not ready after {STARTUP_TIMEOUT_S:.0f}s:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture(scope="module")
def servers(
    service: QAService, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, LiveServer]]:
    """Two servers over private copies of the (already built) session index.

    ``main`` serves the tests that only read; ``spare`` is for the test that stops its
    server. The spare starts once the main one is up, so it loads (2 cores) while the
    other tests run.
    """
    service.warm_up()  # the session index exists before it is copied
    launched: dict[str, LiveServer] = {}

    def launch(name: str) -> LiveServer:
        root = tmp_path_factory.mktemp(f"live-{name}")
        shutil.copytree(settings.index_dir, root / "index")
        launched[name] = LiveServer.launch(
            root / "index", root / "data", settings.seeds_dir, root / "server.log"
        )
        return launched[name]

    try:
        launch("main").wait_until_ready()
        launch("spare")
        yield launched
    finally:
        for server in launched.values():
            server.stop()


@pytest.fixture(scope="module")
def live_server(servers: dict[str, LiveServer]) -> LiveServer:
    """The server shared by the module's tests (they only read)."""
    return servers["main"].wait_until_ready()


@pytest.fixture
def spare_server(servers: dict[str, LiveServer]) -> LiveServer:
    """A server of its own, for a test that stops it."""
    return servers["spare"].wait_until_ready()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright; fails (not skips) when it is missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
            "chromium. Install it with `make browser-deps` (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Problems:
    """What the browser reported that no page should: script errors, CSP violations."""

    items: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.items.append(f"uncaught: {error}"))
        page.on(
            "console",
            lambda msg: (
                self.items.append(f"console: {msg.text}")
                if "Content Security Policy" in msg.text or "Refused to" in msg.text
                else None
            ),
        )


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def page(browser, problems: Problems) -> Iterator[object]:
    """A fresh desktop-sized page; at the end, no script error or CSP violation happened."""
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems.watch(tab)
    yield tab
    context.close()
    assert problems.items == [], "the page reported problems:\n" + "\n".join(problems.items)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``test-output/screenshots/`` (git-ignored)."""
    from qa.config import PROJECT_ROOT

    folder = PROJECT_ROOT / "test-output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
