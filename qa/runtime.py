"""How ``qa serve`` runs: torch kept out when unused, and N worker processes done right.

spaCy's thinc imports torch whenever it is installed (``thinc/compat.py``), and torch is
installed here because index builds and training can use it. A server that encodes with
the ONNX MiniLM and reads with the built-in reader never calls torch, yet that import
alone costs it about a second of start-up and 300 MB of memory. :func:`keep_torch_out`
makes ``import torch`` fail in this process, which thinc handles as "no torch".

:func:`serve` runs uvicorn on :func:`serving_app` with one process or several. Several
use both cores for the GIL-bound reader. They are not uvicorn's own ``--workers``, which
shares one socket (the first worker to wake takes every waiting connection) and loses
TCP_NODELAY (its issue #3149, about 45 ms on every keep-alive request): see
:func:`reuse_port_listener`.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING

from qa.config import Settings, get_settings

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

logger = logging.getLogger(__name__)
# uvicorn's exit status when a server cannot start.
STARTUP_FAILURE = 3


def needs_torch(settings: Settings) -> bool:
    """Whether serving with ``settings`` runs anything on torch.

    Example:
        >>> needs_torch(Settings(embedding_backend="onnx", reader_model=""))
        False
        >>> needs_torch(Settings(embedding_backend="torch"))
        True
    """
    return settings.embedding_backend == "torch" or bool(settings.reader_model)


def keep_torch_out() -> bool:
    """Make ``import torch`` fail from now on in this process.

    A ``None`` in ``sys.modules`` is Python's own "this module is unavailable": imports
    raise ImportError and ``importlib.util.find_spec`` (transformers' check) says None.

    Returns:
        False when torch was already imported (then nothing is gained or changed).
    """
    if sys.modules.get("torch", None) is not None:
        return False
    sys.modules["torch"] = None  # type: ignore[assignment]
    return True


def serving_app() -> FastAPI:
    """The app as each serving process builds it (a uvicorn factory, by import string).

    torch is kept out first when the settings do not use it: this runs before anything
    imports spaCy, in the first process and in every spawned worker alike.
    """
    settings = get_settings()
    if not needs_torch(settings):
        keep_torch_out()
    from qa.api import create_app

    return create_app(settings=settings)


def reuse_port_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` that other workers may bind too.

    Each worker process listens on its own socket with SO_REUSEPORT, and the kernel
    spreads new connections over them. One shared socket would not: the worker that
    wakes first accepts every waiting connection, and the other stays idle. ``proto`` is
    IPPROTO_TCP, so asyncio sets TCP_NODELAY on accepted connections (uvicorn's own
    ``--workers`` leaves it 0 and loses TCP_NODELAY: its issue #3149).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # Not listening yet: uvicorn listens once the app has started (models loaded), so a
    # worker that is still starting is sent no connections.
    return sock


def check_port_free(host: str, port: int) -> None:
    """Fail now, not in every worker, when ``host:port`` is taken (by anyone).

    A plain bind (no SO_REUSEPORT) also fails where another ``qa serve`` has workers
    listening, so two servers never silently share a port.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _config(host: str, port: int) -> uvicorn.Config:
    import uvicorn

    return uvicorn.Config(
        "qa.runtime:serving_app", factory=True, host=host, port=port, log_level="info"
    )


def _worker(host: str, port: int) -> None:
    """One serving process: its own listener on the shared port, its own models."""
    import uvicorn

    try:
        listener = reuse_port_listener(host, port)
    except OSError as error:
        logger.error("cannot listen on %s:%d: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(_config(host, port))
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve :func:`serving_app` on ``host:port`` with ``workers`` processes.

    With several, each is a spawned process with its own models (about 400 MB each);
    they share the index on disk and follow each other's builds (``follow_published``).
    A worker that dies is started again; SIGINT or SIGTERM stops them all.
    """
    import uvicorn

    if workers <= 1:
        # uvicorn binds from host and port itself here, and asyncio sets TCP_NODELAY.
        server = uvicorn.Server(_config(host, port))
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    try:
        check_port_free(host, port)
    except OSError as error:
        raise SystemExit(f"cannot listen on {host}:{port}: {error.strerror}") from None
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start(slot: int) -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(host, port), name=f"qa-worker-{slot}")
        process.start()
        return process

    def stop(signum: int, frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(slot) for slot in range(workers)]
    logger.info("serving on http://%s:%d with %d worker processes", host, port, workers)
    try:
        while not stopping.wait(0.5):
            for slot, process in enumerate(processes):
                if not process.is_alive():
                    if process.exitcode == STARTUP_FAILURE:
                        # It could not start (port, index, model): starting it again won't help.
                        raise SystemExit(f"worker {slot} failed to start; see the log above")
                    logger.warning(
                        "worker %d exited (%s); starting it again", slot, process.exitcode
                    )
                    processes[slot] = start(slot)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
