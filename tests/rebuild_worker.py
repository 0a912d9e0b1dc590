"""A process that adds or removes a document, for the kill -9 tests to kill mid-rebuild.

Usage::

    python tests/rebuild_worker.py INDEX_DIR DATA_DIR SEEDS_DIR add|remove|loop

``QA_TEST_PAUSE_AT`` (read by this script only, never by the service) names a point of the
write where the process announces ``PAUSED <point>`` and sleeps, waiting to be killed:

- ``document-write``: the document's text is written to a temporary file, not renamed in;
- ``embedding``: the new build's folder is half written (tables, no vectors yet);
- ``publish``: the build is complete and renamed into ``builds/``, ``CURRENT`` not replaced;

``loop`` adds and removes the document until killed, printing ``READY`` first.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from qa.config import Settings
from qa.documents import Document

NOTE = Document(
    id="crash-note",
    text=(
        "The Tarsin dam holds back the river Oska. It was finished in 1964 by the "
        "engineer Petra Lund. Its turbines make 310 megawatts."
    ),
    title="Crash note",
    extra={"format": "text"},
)


def _pause(point: str) -> None:
    print(f"PAUSED {point}", flush=True)
    time.sleep(600)


def _install_pause(point: str, data_dir: Path) -> None:
    from qa.embedding import OnnxTextEmbedder, TextEmbedder

    real_replace = os.replace

    def replace(src: os.PathLike | str, dst: os.PathLike | str, *args: object) -> None:
        target = Path(dst)
        if point == "document-write" and target.suffix == ".txt" and data_dir in target.parents:
            _pause(point)
        if point == "publish" and target.name == "CURRENT":
            _pause(point)
        real_replace(src, dst, *args)  # type: ignore[arg-type]

    os.replace = replace  # type: ignore[assignment]

    if point == "embedding":
        for encoder in (TextEmbedder, OnnxTextEmbedder):
            _pause_before_run(encoder, point)


def _pause_before_run(encoder: type, point: str) -> None:
    real_run = encoder.run

    def run(self: object, *args: object, **kwargs: object) -> object:
        _pause(point)
        return real_run(self, *args, **kwargs)

    encoder.run = run  # type: ignore[attr-defined]


def main() -> None:
    index_dir, data_dir, seeds_dir, action = sys.argv[1:5]
    settings = Settings(
        index_dir=Path(index_dir), data_dir=Path(data_dir), seeds_dir=Path(seeds_dir)
    )
    point = os.environ.get("QA_TEST_PAUSE_AT", "")
    if point:
        _install_pause(point, settings.data_dir)

    from qa.service import QAService

    service = QAService(settings)
    if action == "add":
        service.add_document(NOTE)
    elif action == "remove":
        service.remove_document(NOTE.id)
    elif action == "loop":
        service.embedder.warm_up()
        print("READY", flush=True)
        while True:
            service.add_document(NOTE)
            print("ADDED", flush=True)
            service.remove_document(NOTE.id)
            print("REMOVED", flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
