"""``qa eval`` end to end: in-process and against a live server, on a few gold cases."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.eval.gold import DEFAULT_GOLD_DIR

# Wide enough that rich never wraps an error message (a long temp path would split
# "does not exist" across two lines of the box, depending on where pytest puts tmp_path).
runner = CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def small_gold(tmp_path: Path) -> Path:
    """Two dev and two test cases of the bundled set, one of them unanswerable."""
    lines = (DEFAULT_GOLD_DIR / "article.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    picked = [r for r in rows if r["id"] in ("fac-001", "fac-003", "fol-003", "una-001")]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in picked) + "\n", encoding="utf-8")
    return path


def test_bad_split_and_missing_gold_are_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--split", "train", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "dev, test or all" in result.output
    result = runner.invoke(app, ["eval", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_eval_in_process_writes_the_report(service, small_gold, tmp_path, monkeypatch) -> None:
    # The command builds its service from the settings; hand it the test's (temp index).
    monkeypatch.setattr("qa.service.QAService", lambda *args, **kwargs: service)
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"split": "test", "floors": {"offsets_exact": 1.0}}))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["eval", str(small_gold), "--out", str(out), "--floors", str(floors)]
    )
    assert result.exit_code == 0, result.output
    assert "All floors" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["mode"] == "in-process"
    assert report["meta"]["threshold"] == service.settings.min_confidence
    assert [c["id"] for c in report["cases"]] == ["fac-001", "fac-003", "fol-003", "una-001"]
    assert report["summaries"]["test"]["cases"] == 2
    assert (out / "report.md").is_file() and (out / "reliability.png").is_file()

    impossible = tmp_path / "impossible.json"
    impossible.write_text(json.dumps({"split": "test", "ceilings": {"latency_ms.p50": 0}}))
    result = runner.invoke(
        app,
        [
            "eval",
            str(small_gold),
            "--split",
            "test",
            "--out",
            str(out),
            "--floors",
            str(impossible),
        ],
    )
    assert result.exit_code == 1 and "below floor" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(service, settings) -> Iterator[str]:
    import uvicorn

    from qa.api import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(service=service, settings=settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.slow
def test_eval_over_http(live_server, small_gold, tmp_path) -> None:
    out = tmp_path / "http"
    result = runner.invoke(
        app, ["eval", str(small_gold), "--url", live_server, "--split", "test", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["mode"] == "http" and report["meta"]["url"] == live_server
    assert set(report["summaries"]) == {"test", "all"}
    assert report["summaries"]["test"]["errors"] == 0
    assert report["summaries"]["test"]["offsets_exact"] == 1.0
    assert all(len(c["citations"]) == 10 for c in report["cases"])


def test_eval_reports_an_unreachable_server(small_gold, tmp_path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    result = runner.invoke(app, ["eval", str(small_gold), "--url", url, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "cannot reach" in result.output
