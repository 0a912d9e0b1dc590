"""The benchmark's helpers on tiny inputs (no timing is asserted anywhere)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from qa.bench import (
    check_targets,
    latency_summary,
    parse_response_head,
    plot,
    proc_memory_mb,
    recombined_documents,
    render_markdown,
    run_load,
    write_corpus,
    write_outputs,
)
from qa.cli import app
from qa.documents import load_documents

SENTENCES = [f"Sentence number {i} says something\n\nabout Ganja." for i in range(10)]


def test_latency_summary_matches_numpy_percentiles() -> None:
    values = [float(v) for v in np.random.default_rng(0).gamma(2.0, 10.0, size=101)]
    summary = latency_summary(values)
    assert summary["n"] == 101
    for q in (50, 95, 99):
        assert summary[f"p{q}"] == pytest.approx(np.percentile(values, q), abs=1e-3)
    assert summary["min"] <= summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]
    assert latency_summary([]) == {"n": 0}


def test_proc_memory_reads_this_process_and_tolerates_a_gone_one() -> None:
    memory = proc_memory_mb()
    assert 0 < memory["rss_mb"] <= memory["peak_rss_mb"]
    # Shared pages count a share in each process that maps them: never more than RSS.
    assert 0 < memory["pss_mb"] <= memory["rss_mb"]
    assert proc_memory_mb(2**22 + 12345) == {}


def test_recombined_documents_are_distinct_deterministic_and_made_of_the_sentences() -> None:
    docs = recombined_documents(SENTENCES, 50, seed=3)
    assert docs == recombined_documents(SENTENCES, 50, seed=3)
    assert docs != recombined_documents(SENTENCES, 50, seed=4)
    assert len({text for _, text in docs}) == 50
    assert len({doc_id for doc_id, _ in docs}) == 50
    folded = {" ".join(s.split()) for s in SENTENCES}
    for _, text in docs:
        parts = [p + "." for p in text.split(". ") if p]
        parts[-1] = parts[-1].removesuffix(".")
        assert 2 <= len(parts) <= 3
        assert set(parts) <= folded
        assert "\n" not in text


def test_recombined_documents_refuse_what_cannot_be_distinct() -> None:
    with pytest.raises(ValueError, match="distinct"):
        recombined_documents(SENTENCES[:3], 100, sizes=(3, 3))


def test_written_corpus_loads_back_as_documents(tmp_path: Path) -> None:
    docs = recombined_documents(SENTENCES, 5)
    words = write_corpus(tmp_path, docs)
    loaded = load_documents([tmp_path])
    assert [d.id for d in loaded] == [doc_id for doc_id, _ in docs]
    assert [d.text for d in loaded] == [text for _, text in docs]
    assert loaded[0].title == "Recombined 00001"
    assert words == sum(len(text.split()) for _, text in docs)


def test_parse_response_head() -> None:
    head = b"HTTP/1.1 422 Unprocessable Entity\r\nContent-Length: 7\r\nConnection: close\r\n\r\n"
    assert parse_response_head(head) == (422, 7, True)
    with pytest.raises(ValueError, match="Content-Length"):
        parse_response_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")


async def _serve_and_load(concurrency: int, requests: int) -> tuple[dict[str, Any], int]:
    """A tiny keep-alive HTTP server that echoes the question; returns the load result."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                body = json.loads(await reader.readexactly(length))
                status = 200 if body["question"] != "bad" else 422
                payload = json.dumps({"echo": body["question"]}).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    bodies = [json.dumps({"question": q}).encode() for q in ("a", "b", "bad")]
    async with server:
        result = await run_load("127.0.0.1", port, bodies, concurrency, requests, warmup=2)
    return result, connections


def test_load_generator_counts_requests_statuses_and_reuses_connections() -> None:
    result, connections = asyncio.run(_serve_and_load(concurrency=4, requests=30))
    assert result["requests"] == 30 and result["latency"]["n"] == 30
    assert result["statuses"] == {"200": 20, "422": 10}
    assert result["ok"] == 20 and result["error_count"] == 0
    assert result["throughput_rps"] > 0
    assert connections == 4 + 1  # one per client plus the warm-up connection: keep-alive


def _fake_results() -> dict[str, Any]:
    def level(p50: float, rps: float) -> dict[str, Any]:
        return {"latency": latency_summary([p50 * 0.9, p50, p50 * 1.5]), "throughput_rps": rps}

    levels = {"1": level(12.0, 80.0), "8": level(60.0, 120.0), "32": level(250.0, 125.0)}
    scale = [
        {"documents": n, "words": n * 60, "build_s": n * 0.05 + 1, "build_s_per_1000_words": 1.0,
         "build_peak_rss_mb": 500.0, "counts": {"sentences": n * 3}, "embedded_texts": n,
         "faiss_index_type": "IndexFlatIP", "load_s": 2.0, "rss_mb": 400.0 + n / 100,
         "query": latency_summary([10.0 + n / 1000, 11.0, 12.0])}
        for n in (1, 100, 10000)
    ]  # fmt: skip
    results: dict[str, Any] = {
        "machine": {"cpus": 2, "python": "3.11", "load_average_start": [0.5, 0.4, 0.3]},
        "corpus": "recombined sentences",
        "reader": "learned",
        "floor": {
            "backends": {"torch": latency_summary([8.0]), "onnx": latency_summary([5.0])},
            "in_use": "onnx",
            "in_use_ms": 5.0,
        },
        "in_process": {"levels": levels},
        "http": {"levels": levels, "cache_hits_c1": level(4.0, 200.0)},
        "other_backend": {
            "backend": "torch",
            "cold_start_s": 7.0,
            "levels": {"1": level(15.0, 60.0)},
            "rss_mb": 800.0,
        },
        "workers": {
            "workers": 2,
            "cold_start_s": 3.0,
            "levels": {"1": level(12.0, 80.0), "8": level(60.0, 130.0)},
            "worker_rss_mb": [410.0, 395.5],
            "total_rss_mb": 805.5,
            "total_pss_mb": 700.1,
            "torch_loaded": False,
        },
        "workers_serial_parse": {
            "workers": 2,
            "cold_start_s": 3.1,
            "levels": {"1": level(14.0, 70.0), "8": level(55.0, 140.0)},
            "worker_rss_mb": [405.0, 390.0],
            "total_rss_mb": 795.0,
            "total_pss_mb": 690.0,
            "torch_loaded": False,
        },
        "serial_parse": {"levels": {"1": level(17.0, 55.0), "8": level(70.0, 100.0)}},
        "stages_p50_ms": {"retrieve": 6.0, "read": 5.0},
        "cold_start": {"seconds": 4.0, "samples": [3.9, 4.1]},
        "memory": {"serving_rss_mb": 650.0, "serving_peak_rss_mb": 720.0},
        "build": {"article_words": 1376, "seconds": 3.0, "seconds_per_1000_words": 2.2},
        "scale": scale,
    }
    results["targets"] = check_targets(results)
    return results


def test_targets_are_judged_from_the_figures() -> None:
    rows = {row["name"]: row for row in _fake_results()["targets"]}
    assert rows["/ask over HTTP, c=1: p50 / encode floor"]["value"] == pytest.approx(2.4)
    assert rows["/ask over HTTP, c=1: p50 / encode floor"]["met"] is False
    assert rows["throughput at c=8 (req/s)"]["met"] is True
    assert rows["throughput at c=8 with 2 workers (req/s)"]["value"] == 130.0
    assert rows["throughput at c=8 with 2 workers (req/s)"]["met"] is True
    serial = rows["throughput at c=8 with 2 workers, parse after retrieval (req/s)"]
    assert serial["value"] == 140.0 and serial["met"] is True
    assert rows["cold start"]["met"] is True
    assert rows["serving RSS (peak, MB)"]["met"] is False
    ratio = rows["10k-document query p50 / 1-document p50"]
    assert ratio["value"] == pytest.approx(12.0 / 11.0, abs=1e-3) and ratio["met"] is True
    assert all(row["met"] is None for row in check_targets({}))


def test_report_and_plot_are_written(tmp_path: Path) -> None:
    results = _fake_results()
    markdown = render_markdown(results)
    assert "2.40x the encode floor" in markdown
    assert "torch encoder's floor (8.0 ms), as runs before the ONNX default quoted it: 1.50x" in (
        markdown
    )
    assert "Reader: learned." in markdown
    assert "| HTTP, 2 worker processes | 8 |" in markdown
    assert "| HTTP, question parsed after retrieval | 1 | 17.0 |" in markdown
    assert "RSS 805.5 MB in all (410.0 + 395.5 MB), PSS 700.1 MB for the whole service" in (
        markdown
    )
    assert "| HTTP, 2 worker processes, parsed after retrieval | 8 | 55.0 |" in markdown
    assert "| 10,000 |" in markdown and "torch question encoder" in markdown
    paths = write_outputs(results, tmp_path / "out")
    assert json.loads(paths["json"].read_text())["floor"]["in_use"] == "onnx"
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(os.listdir(tmp_path / "out")) == ["bench.json", "bench.md", "bench.png"]
    assert plot(results, tmp_path / "again.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "ten"], "comma-separated"),
        (["--scale", "0,5"], "between 1 and"),
        (["--backend", "tensorflow"], "torch or onnx"),
    ],
)
def test_bench_rejects_bad_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["bench", *args])
    assert result.exit_code == 2
    assert message in result.output
