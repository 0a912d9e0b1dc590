"""``qa bench``: how fast the service answers, how it holds up under load, how it scales.

One run measures, and writes ``bench.json``, ``bench.md`` and ``bench.png``:

- the floor: the median time to encode one question, with each embedding backend;
- ``/ask`` in-process (``QAService.ask``) and over HTTP (``qa serve`` on 127.0.0.1, one
  worker, started as a subprocess): p50/p95/p99 and requests/s at concurrency 1, 8 and 32.
  The load generator is a separate process (:func:`run_load`, keep-alive connections);
- cold start: process start to the first answered ``/ask``, with the index already built;
- the HTTP runs at c=1 and c=8 again with two worker processes, with the question parsed
  beside retrieval and after it; their RSS, and their PSS (shared pages counted once);
- index build time per 1,000 words, and the resident memory (RSS) of the serving process;
- scale: build time, query p50 and RSS at 1, 100, 1,000 and 10,000 documents. The article
  is document 1; the others recombine its sentences (2-3 each) into distinct documents.

The question-vector cache is off for every latency figure (each request encodes), and on
only for the row that says so. Everything runs in a temporary folder; ``index/`` is not
touched. The module's ``main`` serves the subprocesses (``python -m qa.bench loadgen|probe``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from qa.config import PROJECT_ROOT

console = Console(stderr=True)

GOLD = PROJECT_ROOT / "eval" / "gold" / "article.jsonl"
DEFAULT_SCALE = (1, 100, 1_000, 10_000)
CONCURRENCY = (1, 8, 32)
TARGETS = {
    "http_c1_p50_over_floor": 2.0,
    "throughput_c8_rps": 100.0,
    "cold_start_s": 5.0,
    "rss_mb": 700.0,
    "scale_p50_ratio": 3.0,
}


# -- small helpers (tested) ------------------------------------------------------------------


def latency_summary(values_ms: Sequence[float]) -> dict[str, float]:
    """Count, median, tail percentiles and mean of latencies in ms (empty -> count 0).

    Example:
        >>> latency_summary([1.0, 2.0, 3.0, 4.0])["p50"]
        2.5
    """
    if not values_ms:
        return {"n": 0}
    ordered = sorted(values_ms)

    def pct(q: float) -> float:
        # Linear interpolation between closest ranks (numpy's default).
        pos = (len(ordered) - 1) * q / 100
        low = int(pos)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)

    return {
        "n": len(ordered),
        "p50": round(pct(50), 3),
        "p95": round(pct(95), 3),
        "p99": round(pct(99), 3),
        "mean": round(statistics.fmean(ordered), 3),
        "min": round(ordered[0], 3),
        "max": round(ordered[-1], 3),
    }


def torch_loaded(pid: int | None = None) -> bool | None:
    """Whether a process has torch's library mapped (None when it cannot be read).

    Example:
        >>> torch_loaded(999_999_999) is None
        True
    """
    try:
        maps = Path(f"/proc/{pid or os.getpid()}/maps").read_text()
    except OSError:
        return None
    return "libtorch" in maps


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a server's workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


def proc_memory_mb(pid: int | None = None) -> dict[str, float]:
    """``{"rss_mb", "peak_rss_mb", "pss_mb"}`` of a process (empty if gone).

    RSS and its peak come from ``/proc/PID/status``; PSS from ``/proc/PID/smaps_rollup``,
    where a page shared by N processes counts 1/N in each, so that the PSS of a server's
    worker processes adds up to what they take together (their RSS counts the shared
    libraries once in every worker).

    Example:
        >>> proc_memory_mb()["rss_mb"] > 0
        True
    """
    pid = pid or os.getpid()
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for key, name in (("VmRSS", "rss_mb"), ("VmHWM", "peak_rss_mb")):
        match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
        if match:
            out[name] = round(int(match.group(1)) / 1024, 1)
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return out
    match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    if match:
        out["pss_mb"] = round(int(match.group(1)) / 1024, 1)
    return out


def recombined_documents(
    sentences: Sequence[str], count: int, seed: int = 0, sizes: tuple[int, int] = (2, 3)
) -> list[tuple[str, str]]:
    """``count`` distinct ``(id, text)`` documents, each a few of ``sentences`` in a new order.

    No two documents use the same sentences in the same order; whitespace inside a sentence
    is folded to single spaces. Deterministic for a given ``seed``.

    Example:
        >>> docs = recombined_documents(["A b.", "C d.", "E f."], 3, seed=1)
        >>> len({text for _, text in docs}), docs[0][0]
        (3, 'recombined-00001')
    """
    pool = [" ".join(s.split()) for s in sentences if s.strip()]
    low, high = sizes
    if len(pool) < high:
        raise ValueError(f"need at least {high} sentences, got {len(pool)}")
    rng = random.Random(seed)
    seen: set[tuple[int, ...]] = set()
    docs: list[tuple[str, str]] = []
    attempts = 0
    while len(docs) < count:
        attempts += 1
        if attempts > 50 * count + 1000:
            raise ValueError(f"cannot make {count} distinct documents from {len(pool)} sentences")
        pick = tuple(rng.sample(range(len(pool)), rng.randint(low, high)))
        if pick in seen:
            continue
        seen.add(pick)
        docs.append((f"recombined-{len(docs) + 1:05d}", " ".join(pool[i] for i in pick)))
    return docs


def write_corpus(folder: Path, documents: Sequence[tuple[str, str]], title: str = "") -> int:
    """Write ``<id>.txt`` (+ ``<id>.json`` metadata) files; returns the number of words."""
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for doc_id, text in documents:
        (folder / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
        meta = {"title": title or doc_id.replace("-", " ").capitalize(), "source": "qa bench"}
        (folder / f"{doc_id}.json").write_text(json.dumps(meta), encoding="utf-8")
        words += len(text.split())
    return words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets against the measured figures (``met`` is None when unmeasured).

    Example:
        >>> rows = check_targets({"cold_start": {"seconds": 3.2}})
        >>> [(r["name"], r["met"]) for r in rows if r["value"] is not None]
        [('cold start', True)]
    """
    floor = results.get("floor", {}).get("in_use_ms")
    http = results.get("http", {}).get("levels", {})
    c1 = http.get("1", {}).get("latency", {}).get("p50")
    c8 = http.get("8", {}).get("throughput_rps")
    workers = results.get("workers", {})
    c8_workers = workers.get("levels", {}).get("8", {}).get("throughput_rps")
    serial = results.get("workers_serial_parse", {})
    c8_serial = serial.get("levels", {}).get("8", {}).get("throughput_rps")
    cold = results.get("cold_start", {}).get("seconds")
    rss = results.get("memory", {}).get("serving_peak_rss_mb")
    scale = {str(p["documents"]): p for p in results.get("scale", []) if p.get("query")}
    ratio = None
    if "1" in scale and "10000" in scale:
        ratio = scale["10000"]["query"]["p50"] / scale["1"]["query"]["p50"]
    rows = [
        ("/ask over HTTP, c=1: p50 / encode floor", c1 / floor if c1 and floor else None,
         TARGETS["http_c1_p50_over_floor"], "<="),
        ("throughput at c=8 (req/s)", c8, TARGETS["throughput_c8_rps"], ">="),
        (f"throughput at c=8 with {workers.get('workers')} workers (req/s)", c8_workers,
         TARGETS["throughput_c8_rps"], ">="),
        (f"throughput at c=8 with {serial.get('workers')} workers, parse after retrieval "
         "(req/s)", c8_serial, TARGETS["throughput_c8_rps"], ">="),
        ("cold start", cold, TARGETS["cold_start_s"], "<="),
        ("serving RSS (peak, MB)", rss, TARGETS["rss_mb"], "<="),
        ("10k-document query p50 / 1-document p50", ratio, TARGETS["scale_p50_ratio"], "<="),
    ]  # fmt: skip
    out = []
    for name, value, target, op in rows:
        met = None if value is None else (value <= target if op == "<=" else value >= target)
        out.append(
            {
                "name": name,
                "value": None if value is None else round(value, 3),
                "target": f"{op} {target:g}",
                "met": met,
            }
        )
    return out


# -- the load generator (a separate process) -------------------------------------------------


class HttpConnection:
    """One keep-alive HTTP/1.1 connection; small enough to cost the server's cores little."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            # asyncio turns Nagle off for TCP streams (TCP_NODELAY), like a real client.
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        status, length, close = parse_response_head(header)
        payload = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, payload

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def parse_response_head(head: bytes) -> tuple[int, int, bool]:
    """``(status, content_length, connection_close)`` of an HTTP/1.1 response head.

    Example:
        >>> parse_response_head(b"HTTP/1.1 200 OK\\r\\ncontent-length: 12\\r\\n\\r\\n")
        (200, 12, False)
    """
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise ValueError("response without Content-Length (chunked bodies are not expected)")
    return status, int(headers["content-length"]), headers.get("connection") == "close"


async def run_load(
    host: str,
    port: int,
    bodies: Sequence[bytes],
    concurrency: int,
    requests: int,
    warmup: int = 10,
    max_seconds: float = 120.0,
) -> dict[str, Any]:
    """POST ``requests`` bodies to ``/ask`` from ``concurrency`` connections; latencies in ms."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    next_index = 0

    def take() -> int | None:
        nonlocal next_index
        if next_index >= requests:
            return None
        next_index += 1
        return next_index - 1

    async def worker(deadline: float) -> None:
        connection = HttpConnection(host, port)
        try:
            while time.perf_counter() < deadline:
                i = take()
                if i is None:
                    return
                started = time.perf_counter()
                try:
                    status, _ = await connection.post("/ask", bodies[i % len(bodies)])
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    await connection.close()
                    continue
                latencies.append((time.perf_counter() - started) * 1e3)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        finally:
            await connection.close()

    warm = HttpConnection(host, port)
    for i in range(warmup):
        await warm.post("/ask", bodies[i % len(bodies)])
    await warm.close()
    started = time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(*(worker(deadline) for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ok = statuses.get("200", 0)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "ok": ok,
        "statuses": statuses,
        "errors": errors[:5],
        "error_count": len(errors),
        "wall_s": round(wall, 3),
        "throughput_rps": round(ok / wall, 2) if wall > 0 else 0.0,
        "latency": latency_summary(latencies),
    }


# -- subprocess entry points -----------------------------------------------------------------


def _probe(args: argparse.Namespace) -> dict[str, Any]:
    """Load the service over a built index, ask questions at c=1, report latency and RSS."""
    started = time.perf_counter()
    from qa.config import get_settings
    from qa.runtime import keep_torch_out, needs_torch

    settings = get_settings()
    if not needs_torch(settings):
        keep_torch_out()  # as `qa serve` does
    from qa.service import QAService

    service = QAService(settings)
    service.warm_up()
    loaded = time.perf_counter() - started
    if service.store.current_path() is None or service.index.manifest.get("build_seconds") is None:
        raise SystemExit("probe: no built index")
    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    for question in questions[: args.warmup]:
        service.ask(question)
    totals, stages = [], {}
    for question in questions[: args.n]:
        t0 = time.perf_counter()
        result = service.ask(question)
        totals.append((time.perf_counter() - t0) * 1e3)
        for key, value in result.timings_ms.items():
            stages.setdefault(key, []).append(value)
    return {
        "load_s": round(loaded, 3),
        "query": latency_summary(totals),
        "stages_p50_ms": {k: round(statistics.median(v), 3) for k, v in stages.items()},
        "torch_loaded": torch_loaded(),
        **proc_memory_mb(),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m qa.bench loadgen|probe ...``: the parts that must run in their own process."""
    parser = argparse.ArgumentParser(prog="python -m qa.bench")
    sub = parser.add_subparsers(dest="mode", required=True)
    load = sub.add_parser("loadgen")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--questions", required=True)
    load.add_argument("--concurrency", type=int, default=1)
    load.add_argument("--requests", type=int, default=200)
    load.add_argument("--warmup", type=int, default=10)
    load.add_argument("--offset", type=int, default=0)
    probe = sub.add_parser("probe")
    probe.add_argument("--questions", required=True)
    probe.add_argument("--n", type=int, default=100)
    probe.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    if args.mode == "loadgen":
        questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
        questions = questions[args.offset :] + questions[: args.offset]
        bodies = [json.dumps({"question": q}).encode() for q in questions]
        result = asyncio.run(
            run_load("127.0.0.1", args.port, bodies, args.concurrency, args.requests, args.warmup)
        )
    else:
        result = _probe(args)
    print(json.dumps(result))


# -- the benchmark ---------------------------------------------------------------------------


class Bench:
    """Runs the measurements in order; every figure goes into ``self.results``."""

    def __init__(
        self,
        root: Path,
        backend: str | None,
        requests: int,
        scale: Sequence[int],
        progress: Callable[[str], None],
        compare: bool = True,
    ) -> None:
        self.root = root
        self.compare = compare
        self.requests = requests
        self.scale = sorted(set(scale) | {1})
        self.say = progress
        self.questions = [json.loads(line)["question"] for line in GOLD.open(encoding="utf-8")]
        self.questions_file = root / "questions.json"
        self.questions_file.write_text(json.dumps(self.questions), encoding="utf-8")
        from qa.config import Settings

        base = Settings()
        self.backend = backend or base.embedding_backend
        self.results: dict[str, Any] = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "load_average_start": [round(x, 2) for x in os.getloadavg()],
            },
            "embedding_backend": self.backend,
            # The reader is most of a request's time: say which one the figures are for.
            "reader": base.reader_model or base.reader,
            "corpus": (
                "1 document: the seed article. N documents: the article plus N-1 documents "
                "that each recombine 2-3 of its sentences (deterministic, no two alike)."
            ),
            "notes": [],
        }

    # -- environment -----------------------------------------------------------------------

    def env(self, documents: int, cache: int = 0) -> dict[str, str]:
        folder = self.root / f"docs-{documents}"
        env = dict(os.environ)
        env.update(
            QA_SEEDS_DIR=str(folder / "corpus"),
            QA_DATA_DIR=str(folder / "data"),
            QA_INDEX_DIR=str(folder / "index"),
            QA_EMBEDDING_BACKEND=self.backend,
            QA_EMBEDDING_CACHE_SIZE=str(cache),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            TOKENIZERS_PARALLELISM="false",
        )
        return env

    def settings(self, documents: int, cache: int = 0) -> Any:
        from qa.config import Settings

        folder = self.root / f"docs-{documents}"
        return Settings(
            seeds_dir=folder / "corpus",
            data_dir=folder / "data",
            index_dir=folder / "index",
            embedding_backend=self.backend,
            embedding_cache_size=cache,
        )

    # -- corpus and builds -----------------------------------------------------------------

    def article_sentences(self) -> list[str]:
        from qa.chunking import DocumentSplitter
        from qa.documents import load_documents

        article = load_documents([PROJECT_ROOT / "seeds"])[0]
        self.article = article
        return [s.text for s in DocumentSplitter().run(article).sentences]

    def make_corpus(self, documents: int, sentences: Sequence[str]) -> int:
        corpus = self.root / f"docs-{documents}" / "corpus"
        article = self.article
        shutil.rmtree(corpus, ignore_errors=True)
        words = write_corpus(corpus, [(article.id, article.text)], title=article.title)
        meta = PROJECT_ROOT / "seeds" / f"{article.id}.json"
        if meta.exists():
            shutil.copy(meta, corpus / meta.name)
        if documents > 1:
            words += write_corpus(corpus, recombined_documents(sentences, documents - 1))
        return words

    def build(self, documents: int, words: int) -> dict[str, Any]:
        """``qa index`` in its own process (its progress bar shows); time and peak memory."""
        self.say(f"building the index of {documents:,} documents ({words:,} words)")
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qa", "index"], env=self.env(documents))
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"qa index failed for {documents} documents")
        index_dir = self.root / f"docs-{documents}" / "index"
        name = (index_dir / "CURRENT").read_text().strip()
        manifest = json.loads((index_dir / "builds" / name / "manifest.json").read_text())
        seconds = manifest["build_seconds"]
        return {
            "documents": documents,
            "words": words,
            "build_s": seconds,
            "build_process_s": round(wall, 2),
            "build_s_per_1000_words": round(seconds / (words / 1000), 3),
            "build_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "counts": manifest.get("counts"),
            "embedded_texts": manifest.get("embedded_texts"),
            "faiss_index_type": manifest.get("faiss_index_type"),
            "index_mb": round(
                sum(p.stat().st_size for p in (index_dir / "builds" / name).rglob("*")) / 2**20, 1
            ),
        }

    def probe(self, documents: int, n: int) -> dict[str, Any]:
        self.say(f"querying {documents:,} documents in a fresh process")
        command = [
            sys.executable, "-m", "qa.bench", "probe",
            "--questions", str(self.questions_file), "--n", str(n),
        ]  # fmt: skip
        done = subprocess.run(
            command, env=self.env(documents), capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            raise RuntimeError(f"probe failed:\n{done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    # -- floor and in-process ----------------------------------------------------------------

    def floor(self) -> None:
        from qa.embedding import OnnxTextEmbedder, TextEmbedder, int8_model_path
        from qa.encoder_export import ensure_onnx_encoder

        self.say("encode floor: one question at a time, each backend")
        settings = self.settings(1)
        threads = settings.embedding_threads
        self.results["embedding_threads"] = threads
        ensure_onnx_encoder(settings.onnx_model)
        floors = {}
        encoders = (
            ("torch", TextEmbedder(threads=threads)),
            ("onnx", OnnxTextEmbedder(threads=threads, model_path=settings.onnx_model)),
            ("onnx-int8", OnnxTextEmbedder(threads=threads, model_path=int8_model_path())),
        )
        for name, encoder in encoders:
            encoder.warm_up()
            for question in self.questions[:20]:
                encoder.run([question])
            times = []
            for question in self.questions:
                started = time.perf_counter()
                encoder.run([question])
                times.append((time.perf_counter() - started) * 1e3)
            floors[name] = latency_summary(times)
        self.results["floor"] = {
            "backends": floors,
            "in_use": self.backend,
            "in_use_ms": floors[self.backend]["p50"],
            "onnx_speedup": round(floors["torch"]["p50"] / floors["onnx"]["p50"], 2),
            "model_files": {
                "onnx": str(settings.onnx_model),
                "onnx-int8": str(int8_model_path()),
            },
        }

    def in_process(self) -> None:
        from qa.service import QAService

        self.say("/ask in-process (QAService.ask), concurrency 1, 8, 32")
        service = QAService(self.settings(1))
        service.warm_up()
        for question in self.questions[:20]:
            service.ask(question)
        levels: dict[str, Any] = {}
        stages: dict[str, list[float]] = {}

        def ask(question: str) -> float:
            started = time.perf_counter()
            result = service.ask(question)
            elapsed = (time.perf_counter() - started) * 1e3
            for key, value in result.timings_ms.items():
                stages.setdefault(key, []).append(value)
            return elapsed

        for concurrency in CONCURRENCY:
            count = len(self.questions) if concurrency == 1 else self.requests
            batch = [self.questions[i % len(self.questions)] for i in range(count)]
            started = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                latencies = list(pool.map(ask, batch))
            wall = time.perf_counter() - started
            levels[str(concurrency)] = {
                "latency": latency_summary(latencies),
                "throughput_rps": round(count / wall, 2),
            }
            if concurrency == 1:
                self.results["stages_p50_ms"] = {
                    k: round(statistics.median(v), 3) for k, v in stages.items()
                }
        self.results["in_process"] = {"levels": levels}

    # -- HTTP ------------------------------------------------------------------------------

    def start_server(
        self,
        cache: int,
        backend: str | None = None,
        workers: int = 1,
        extra_env: dict[str, str] | None = None,
    ) -> tuple[subprocess.Popen[bytes], int, float]:
        port = free_port()
        env = self.env(1, cache=cache)
        env["QA_EMBEDDING_BACKEND"] = backend or self.backend
        env["QA_WORKERS"] = str(workers)
        env.update(extra_env or {})
        env.update(QA_HOST="127.0.0.1", QA_PORT=str(port))
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "qa", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        body = json.dumps({"question": self.questions[0]}).encode()

        async def first_answer() -> None:
            while True:
                if server.poll() is not None:
                    raise RuntimeError("the server exited during start-up")
                connection = HttpConnection("127.0.0.1", port)
                try:
                    status, _ = await connection.post("/ask", body)
                    if status == 200:
                        return
                except (OSError, asyncio.IncompleteReadError):
                    pass
                finally:
                    await connection.close()
                if time.perf_counter() - started > 120:
                    raise RuntimeError("the server did not answer within 120 s")
                await asyncio.sleep(0.02)

        try:
            asyncio.run(first_answer())
        except BaseException:
            self.stop_server(server)
            raise
        return server, port, time.perf_counter() - started

    @staticmethod
    def stop_server(server: subprocess.Popen[bytes]) -> None:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    def load(self, port: int, concurrency: int, requests: int, offset: int = 0) -> dict[str, Any]:
        command = [
            sys.executable, "-m", "qa.bench", "loadgen", "--port", str(port),
            "--questions", str(self.questions_file), "--concurrency", str(concurrency),
            "--requests", str(requests), "--offset", str(offset),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def load_levels(self, port: int, concurrency: Sequence[int]) -> dict[str, Any]:
        """One load run per level: every gold question once at c=1, else ``requests``."""
        return {
            str(c): self.load(port, c, len(self.questions) if c == 1 else self.requests)
            for c in concurrency
        }

    def http(self) -> None:
        self.say("/ask over HTTP: cold start, then concurrency 1, 8, 32 (cache off)")
        server, port, cold = self.start_server(cache=0)
        try:
            levels = self.load_levels(port, CONCURRENCY)
            memory = proc_memory_mb(server.pid)
            torch_in_server = torch_loaded(server.pid)
        finally:
            self.stop_server(server)
        self.say("/ask over HTTP with the question cache on (repeated questions)")
        server, port, cold_again = self.start_server(cache=1024)
        try:
            self.load(port, 1, len(self.questions))  # fills the cache
            cached = self.load(port, 1, len(self.questions))
        finally:
            self.stop_server(server)
        self.results["http"] = {"levels": levels, "cache_hits_c1": cached}
        self.results["cold_start"] = {
            "seconds": round(statistics.median([cold, cold_again]), 3),
            "samples": [round(cold, 3), round(cold_again, 3)],
        }
        self.results["memory"] = {
            "serving_rss_mb": memory.get("rss_mb"),
            "serving_peak_rss_mb": memory.get("peak_rss_mb"),
            "torch_loaded": torch_in_server,
        }

    def http_workers(self, workers: int = 2, parallel_parse: bool = True) -> None:
        """The c=1 and c=8 runs again with several serving processes (``--workers``);
        with ``parallel_parse`` off, each parses the question after retrieval, which
        leaves the other core to the other worker instead of a parse thread."""
        how = "" if parallel_parse else ", question parsed after retrieval"
        self.say(f"/ask over HTTP with {workers} worker processes{how}")
        server, port, cold = self.start_server(
            cache=0,
            workers=workers,
            extra_env=None if parallel_parse else {"QA_PARALLEL_PARSE": "0"},
        )
        try:
            levels = self.load_levels(port, (1, 8))
            children = child_pids(server.pid)
            memory = [proc_memory_mb(pid) for pid in children]
            supervisor = proc_memory_mb(server.pid)
            torch_in = [torch_loaded(pid) for pid in children]
        finally:
            self.stop_server(server)
        self.results["workers" if parallel_parse else "workers_serial_parse"] = {
            "workers": workers,
            "cold_start_s": round(cold, 3),
            "levels": levels,
            "worker_rss_mb": [m.get("rss_mb") for m in memory],
            "worker_peak_rss_mb": [m.get("peak_rss_mb") for m in memory],
            "total_rss_mb": round(sum(m.get("rss_mb", 0.0) for m in memory), 1),
            # Every process of the service, the supervisor included, shared pages once.
            "total_pss_mb": round(sum(m.get("pss_mb", 0.0) for m in [*memory, supervisor]), 1),
            "torch_loaded": any(t for t in torch_in),
        }

    def http_serial_parse(self) -> None:
        """c=1 and c=8 with the question parsed after retrieval, not beside it, to show
        what ``QA_PARALLEL_PARSE`` buys."""
        self.say("/ask over HTTP with the question parse after retrieval (QA_PARALLEL_PARSE=0)")
        server, port, _ = self.start_server(cache=0, extra_env={"QA_PARALLEL_PARSE": "0"})
        try:
            levels = self.load_levels(port, (1, 8))
        finally:
            self.stop_server(server)
        self.results["serial_parse"] = {"levels": levels}

    def http_other_backend(self) -> None:
        """The headline figures again with the other question encoder, for comparison."""
        other = "onnx" if self.backend == "torch" else "torch"
        self.say(f"/ask over HTTP with the {other} question encoder (comparison)")
        server, port, cold = self.start_server(cache=0, backend=other)
        try:
            levels = self.load_levels(port, (1, 8))
            memory = proc_memory_mb(server.pid)
            torch_in_server = torch_loaded(server.pid)
        finally:
            self.stop_server(server)
        self.results["other_backend"] = {
            "backend": other,
            "cold_start_s": round(cold, 3),
            "levels": levels,
            "torch_loaded": torch_in_server,
            **memory,
        }

    # -- all of it ---------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        sentences = self.article_sentences()
        scale: list[dict[str, Any]] = []
        words = self.make_corpus(1, sentences)
        scale.append(self.build(1, words))
        self.results["build"] = {
            "article_words": words,
            "seconds": scale[0]["build_s"],
            "seconds_per_1000_words": scale[0]["build_s_per_1000_words"],
        }
        self.floor()
        self.in_process()
        self.http()
        self.http_workers()
        self.http_workers(parallel_parse=False)
        self.http_serial_parse()
        if self.compare:
            self.http_other_backend()
        scale[0]["query"] = None
        for documents in self.scale:
            if documents > 1:
                words = self.make_corpus(documents, sentences)
                scale.append(self.build(documents, words))
            point = next(p for p in scale if p["documents"] == documents)
            point.update(self.probe(documents, n=100))
            if documents > 1:
                shutil.rmtree(self.root / f"docs-{documents}", ignore_errors=True)
        self.results["scale"] = scale
        self.results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        self.results["targets"] = check_targets(self.results)
        return self.results


# -- output ----------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_markdown(results: dict[str, Any]) -> str:
    """The report: headline, targets, latency tables, scale table and how it was measured."""
    floor = results["floor"]
    http = results["http"]["levels"]
    lines = ["# qa bench", ""]
    c1 = http["1"]["latency"]["p50"]
    lines += [
        f"**Headline: `/ask` p50 over HTTP at concurrency 1 is {c1:.1f} ms, "
        f"{c1 / floor['in_use_ms']:.2f}x the encode floor ({floor['in_use_ms']:.1f} ms, "
        f"{floor['in_use']} backend).**",
        "",
        *(
            [
                f"Against the torch encoder's floor ({torch_floor:.1f} ms), as runs before "
                f"the ONNX default quoted it: {c1 / torch_floor:.2f}x.",
                "",
            ]
            if (torch_floor := floor["backends"].get("torch", {}).get("p50"))
            and floor["in_use"] != "torch"
            else []
        ),
        f"Reader: {results.get('reader', 'not recorded')}.",
        "",
        f"Machine: {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"load average {results['machine']['load_average_start']} at the start, "
        f"{results['machine'].get('load_average_end')} at the end (a shared machine: "
        "read medians and ratios, not single figures).",
        "",
        "## Targets",
        "",
        "| target | measured | goal | met |",
        "| --- | ---: | --- | --- |",
    ]
    for row in results["targets"]:
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        lines.append(f"| {row['name']} | {_fmt(row['value'], 2)} | {row['target']} | {met} |")
    lines += ["", "## Encode floor (one question, median of the gold questions)", ""]
    lines += ["| backend | p50 ms | p95 ms |", "| --- | ---: | ---: |"]
    for name, summary in floor["backends"].items():
        mark = " (in use)" if name == floor["in_use"] else ""
        lines.append(f"| {name}{mark} | {summary['p50']:.2f} | {summary['p95']:.2f} |")
    lines += ["", "## /ask latency (ms) and throughput", ""]
    lines += [
        "| path | concurrency | p50 | p95 | p99 | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    several = results.get("workers")
    other = results.get("other_backend")
    runs = [
        ("in-process", results["in_process"]["levels"]),
        ("HTTP", results["http"]["levels"]),
        ("HTTP, repeated questions (cache on)", {"1": results["http"]["cache_hits_c1"]}),
    ]
    if several:
        runs.append((f"HTTP, {several['workers']} worker processes", several["levels"]))
    serial_workers = results.get("workers_serial_parse")
    if serial_workers:
        runs.append(
            (
                f"HTTP, {serial_workers['workers']} worker processes, parsed after retrieval",
                serial_workers["levels"],
            )
        )
    if results.get("serial_parse"):
        runs.append(("HTTP, question parsed after retrieval", results["serial_parse"]["levels"]))
    if other:
        runs.append((f"HTTP, {other['backend']} question encoder", other["levels"]))
    for path, levels in runs:
        for level, data in levels.items():
            lat = data["latency"]
            lines.append(
                f"| {path} | {level} | {lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} "
                f"| {data['throughput_rps']:.1f} |"
            )
    stages = results.get("stages_p50_ms", {})
    if stages:
        parts = ", ".join(f"{k} {v:.1f} ms" for k, v in stages.items())
        lines += ["", f"Where a request's time goes (in-process, c=1, medians): {parts}."]
    cold = results["cold_start"]
    memory = results["memory"]
    build = results["build"]
    lines += [
        "",
        "## Start-up, memory, build",
        "",
        f"- Cold start (process start to first answered `/ask`, index built): "
        f"{cold['seconds']:.2f} s (samples {cold['samples']}).",
        f"- Serving process RSS after the load runs: {_fmt(memory['serving_rss_mb'])} MB "
        f"(peak {_fmt(memory['serving_peak_rss_mb'])} MB); torch loaded in it: "
        f"{ {True: 'yes', False: 'no', None: 'unknown'}[memory.get('torch_loaded')] }.",
        *(
            [
                f"- With {several['workers']} worker processes: cold start "
                f"{several['cold_start_s']:.2f} s, RSS {several['total_rss_mb']} MB in all "
                f"({' + '.join(_fmt(m) for m in several['worker_rss_mb'])} MB), "
                f"PSS {_fmt(several.get('total_pss_mb'))} MB for the whole service "
                "(supervisor included; shared pages counted once); torch loaded: "
                f"{'yes' if several['torch_loaded'] else 'no'}."
            ]
            if several
            else []
        ),
        *(
            [
                f"- With the {other['backend']} question encoder: cold start "
                f"{other['cold_start_s']:.2f} s, RSS {_fmt(other.get('rss_mb'))} MB "
                f"(peak {_fmt(other.get('peak_rss_mb'))} MB)."
            ]
            if other
            else []
        ),
        f"- Index build of the article ({build['article_words']:,} words): "
        f"{build['seconds']:.2f} s, {build['seconds_per_1000_words']:.2f} s per 1,000 words.",
        "",
        "## Scale",
        "",
        results["corpus"],
        "",
        "| documents | words | sentences | FAISS | texts embedded | build s | s / 1k words "
        "| build peak MB | load s | query p50 ms | p95 ms | RSS MB |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in results["scale"]:
        query = p.get("query") or {}
        counts = p.get("counts") or {}
        lines.append(
            f"| {p['documents']:,} | {p['words']:,} | {_fmt(counts.get('sentences'))} "
            f"| {p.get('faiss_index_type') or '-'} | {_fmt(p.get('embedded_texts'))} "
            f"| {p['build_s']:.1f} | {p['build_s_per_1000_words']:.2f} "
            f"| {_fmt(p['build_peak_rss_mb'])} | {_fmt(p.get('load_s'), 2)} "
            f"| {_fmt(query.get('p50'))} | {_fmt(query.get('p95'))} | {_fmt(p.get('rss_mb'))} |"
        )
    lines += [
        "",
        "## How",
        "",
        "- Floor: `run([question])` of the encoder alone, each gold question once after 20 "
        "warm-up calls.",
        "- In-process: `QAService.ask` from a thread pool of the given size.",
        "- HTTP: `qa serve` (one uvicorn worker) on 127.0.0.1 in its own process; the load "
        "generator (`python -m qa.bench loadgen`, asyncio, one keep-alive connection per "
        "concurrent client) is another process on the same 2 cores. c=1 sends every gold "
        "question once; c=8 and c=32 send the requested count, cycling through them.",
        "- The question cache is off (`QA_EMBEDDING_CACHE_SIZE=0`) except in the row that says "
        "so, where every question is asked twice and the second pass is reported.",
        "- Worker processes: `qa serve --workers N` (`QA_WORKERS`); each spawned worker loads "
        "its own models and listens on the port with SO_REUSEPORT; their RSS is summed.",
        "- Scale: each size is built by `qa index` in its own process (peak memory from "
        "`wait4`), then a fresh process loads it and asks 100 gold questions one at a time; "
        "RSS is that process's after the questions. A document's identical sentences are "
        "embedded once (texts embedded < sentences + chunks), which flatters the build "
        "time of recombined documents; the article's s / 1k words is the rate for fresh text.",
    ]
    lines += [f"- {note}" for note in results.get("notes", [])]
    return "\n".join(lines) + "\n"


def plot(results: dict[str, Any], path: Path) -> Path:
    """Latency by concurrency (with the floor), throughput, and query p50 / build time by size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    levels = [str(c) for c in CONCURRENCY]
    ax = axes[0]
    for key, label, style in (("in_process", "in-process", "--"), ("http", "HTTP", "-")):
        data = results[key]["levels"]
        for pct, marker in (("p50", "o"), ("p95", "^")):
            ax.plot(
                levels,
                [data[c]["latency"][pct] for c in levels],
                style,
                marker=marker,
                label=f"{label} {pct}",
            )
    ax.axhline(results["floor"]["in_use_ms"], color="grey", lw=1, label="encode floor")
    ax.set(title="/ask latency", xlabel="concurrency", ylabel="ms", yscale="log")
    ax.legend(fontsize=8)
    ax = axes[1]
    xs = range(len(levels))
    series = [
        ("in-process", results["in_process"]["levels"]),
        ("HTTP", results["http"]["levels"]),
    ]
    if results.get("workers"):
        series.append(
            (f"HTTP, {results['workers']['workers']} workers", results["workers"]["levels"])
        )
    if results.get("workers_serial_parse"):
        serial_workers = results["workers_serial_parse"]
        series.append(
            (f"HTTP, {serial_workers['workers']} workers, parse after", serial_workers["levels"])
        )
    width = 0.8 / len(series)
    for n, (label, data) in enumerate(series):
        ax.bar(
            [x + (n - (len(series) - 1) / 2) * width for x in xs],
            [data[c]["throughput_rps"] if c in data else 0.0 for c in levels],
            width,
            label=label,
        )
    ax.axhline(TARGETS["throughput_c8_rps"], color="grey", lw=1, ls=":", label="target at c=8")
    ax.set(title="throughput", xlabel="concurrency", ylabel="requests/s")
    ax.set_xticks(list(xs), levels)
    ax.legend(fontsize=8)
    ax = axes[2]
    points = [p for p in results["scale"] if p.get("query")]
    docs = [p["documents"] for p in points]
    ax.plot(docs, [p["query"]["p50"] for p in points], "o-", label="query p50 (ms)")
    ax.set(title="scale", xlabel="documents", ylabel="query p50 ms", xscale="log")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(docs, [p["build_s"] for p in points], "s--", color="tab:red", label="build (s)")
    twin.set_ylabel("build s")
    twin.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=8, loc="center left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_outputs(results: dict[str, Any], out: Path) -> dict[str, Path]:
    """``bench.json``, ``bench.md`` and ``bench.png`` in ``out`` (each replaced atomically)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "bench.json", "markdown": out / "bench.md", "plot": out / "bench.png"}
    for key, text in (
        ("json", json.dumps(results, indent=2)),
        ("markdown", render_markdown(results)),
    ):
        tmp = paths[key].with_suffix(paths[key].suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, paths[key])
    tmp_png = out / ".bench.tmp.png"
    plot(results, tmp_png)
    os.replace(tmp_png, paths["plot"])
    return paths


def bench_command(
    out: Annotated[Path, typer.Option(help="Where bench.json, bench.md and bench.png go.")] = Path(
        "reports/bench"
    ),
    scale: Annotated[
        str, typer.Option(help="Collection sizes to build and query, comma-separated.")
    ] = ",".join(str(n) for n in DEFAULT_SCALE),
    requests: Annotated[
        int, typer.Option(min=20, help="Requests per run at concurrency 8 and 32.")
    ] = 400,
    backend: Annotated[
        str | None,
        typer.Option(help="Question encoder: torch or onnx (default: QA_EMBEDDING_BACKEND)."),
    ] = None,
    compare: Annotated[
        bool, typer.Option(help="Also serve with the other question encoder, for comparison.")
    ] = True,
) -> None:
    """Benchmark latency, throughput, cold start, memory and scale; write a report."""
    try:
        sizes = [int(part) for part in scale.split(",") if part.strip()]
    except ValueError as exc:
        raise typer.BadParameter("use comma-separated whole numbers, e.g. 1,100,1000") from exc
    if not sizes or min(sizes) < 1 or max(sizes) > 100_000:
        raise typer.BadParameter("sizes must be between 1 and 100000", param_hint="--scale")
    if backend not in (None, "torch", "onnx"):
        raise typer.BadParameter("use torch or onnx", param_hint="--backend")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        bench = Bench(Path(tmp), backend, requests, sizes, lambda m: console.log(m), compare)
        results = bench.run()
    results["bench_seconds"] = round(time.perf_counter() - started, 1)
    paths = write_outputs(results, out)
    for row in results["targets"]:
        met = {True: "[green]met[/green]", False: "[red]missed[/red]", None: "-"}[row["met"]]
        console.print(f"{row['name']}: {_fmt(row['value'], 2)} (goal {row['target']}) {met}")
    console.print(f"Report: {paths['markdown']}, {paths['json']}, {paths['plot']}")


if __name__ == "__main__":
    main()
