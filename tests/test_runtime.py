"""A server on the ONNX encoder and the built-in reader runs without torch."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import uvloop

from qa.config import Settings
from qa.runtime import check_port_free, needs_torch, reuse_port_listener, serve
from qa.service import QAService

ASK_WITHOUT_TORCH = """
import json, sys
from qa.runtime import keep_torch_out
assert keep_torch_out()
from qa.config import Settings
from qa.service import QAService
service = QAService(Settings())
service.warm_up()
result = service.ask(sys.argv[1])
text = service.document(result.answer.document_id).text
try:
    import torch  # noqa: F401
    blocked = False
except ImportError:
    blocked = True
print(json.dumps({
    "answer": [result.answer.text, result.answer.start, result.answer.end],
    "verbatim": text[result.answer.start:result.answer.end] == result.answer.text,
    "torch_loaded": sys.modules.get("torch") is not None,
    "built_with": service.index.manifest["embedding"]["backend"],
    "spacy_loaded": "spacy" in sys.modules,
    "blocked": blocked,
}))
"""


def test_needs_torch_only_for_the_torch_encoder_or_a_transformers_reader() -> None:
    assert not needs_torch(Settings(embedding_backend="onnx"))
    assert needs_torch(Settings(embedding_backend="torch"))
    assert needs_torch(Settings(embedding_backend="onnx", reader_model="some/checkpoint"))


@pytest.mark.slow
def test_the_service_builds_and_answers_in_a_process_that_never_imports_torch(
    service: QAService, settings: Settings, onnx_file: Path, tmp_path: Path
) -> None:
    question = "Which Turkish general traveled to Azerbaijan with the defense minister?"
    expected = service.ask(question).answer
    assert expected is not None
    env = dict(
        os.environ,
        # An empty index folder: the index is built in that process too.
        QA_INDEX_DIR=str(tmp_path / "index"),
        QA_DATA_DIR=str(tmp_path / "data"),
        QA_SEEDS_DIR=str(settings.seeds_dir),
        QA_ONNX_MODEL=str(onnx_file),
        QA_EMBEDDING_BACKEND="onnx",
        QA_READER_MODEL="",
    )
    done = subprocess.run(
        [sys.executable, "-c", ASK_WITHOUT_TORCH, question],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # The same answer as the torch service in this process gives.
    assert report == {
        "answer": [expected.text, expected.start, expected.end],
        "verbatim": True,
        "torch_loaded": False,
        "built_with": "onnx",
        "spacy_loaded": True,
        "blocked": True,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# uvicorn runs on uvloop when it is installed (it is a dependency), else on asyncio.
@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_workers_share_a_port_and_accepted_connections_get_tcp_nodelay(loop: str) -> None:
    port = _free_port()
    first, second = reuse_port_listener("127.0.0.1", port), reuse_port_listener("127.0.0.1", port)
    try:
        assert first.proto == second.proto == socket.IPPROTO_TCP
        seen: list[int] = []

        async def accept_one() -> None:
            def made() -> asyncio.Protocol:
                class Probe(asyncio.Protocol):
                    def connection_made(self, transport: asyncio.BaseTransport) -> None:
                        sock = transport.get_extra_info("socket")
                        seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                        transport.close()

                return Probe()

            server = await asyncio.get_running_loop().create_server(made, sock=first)
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()
            server.close()

        factory = uvloop.new_event_loop if loop == "uvloop" else None
        with asyncio.Runner(loop_factory=factory) as runner:
            runner.run(accept_one())
        assert seen == [1]
    finally:
        first.close()
        second.close()


def test_a_taken_port_is_reported_before_any_worker_starts() -> None:
    port = _free_port()
    listener = reuse_port_listener("127.0.0.1", port)
    listener.listen()
    try:
        with pytest.raises(OSError):
            check_port_free("127.0.0.1", port)
    finally:
        listener.close()
    check_port_free("127.0.0.1", port)


def test_serving_several_workers_on_a_taken_port_stops_with_a_clear_message() -> None:
    port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with pytest.raises(SystemExit, match=f"cannot listen on 127.0.0.1:{port}"):
            serve("127.0.0.1", port, workers=2)
