"""Shared fixtures: one real index of the seed article per session, built in a temp dir."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qa.config import PROJECT_ROOT, Settings
from qa.documents import Document, load_documents
from qa.embedding import BatchStates, MiniLMEncoder, TextEmbedder
from qa.service import QAService

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(scope="session")
def article() -> Document:
    """The seed article, exactly as stored."""
    return load_documents([SEEDS])[0]


@pytest.fixture(scope="session")
def embedder() -> TextEmbedder:
    """The packaged MiniLM, loaded once for the whole session."""
    model = TextEmbedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def onnx_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh fp32 ONNX export of the packaged MiniLM (so the export is tested too)."""
    from qa.encoder_export import export_onnx_encoder

    return export_onnx_encoder(tmp_path_factory.mktemp("encoder") / "minilm.onnx")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a private index and data folder (the real seeds)."""
    root = tmp_path_factory.mktemp("qa")
    return Settings(index_dir=root / "index", data_dir=root / "data", seeds_dir=SEEDS)


@pytest.fixture(scope="session")
def service(settings: Settings, embedder: TextEmbedder) -> QAService:
    """A warmed-up service over the seed article, shared by read-only tests."""
    svc = QAService(settings, embedder=embedder)
    svc.warm_up()
    return svc


@pytest.fixture(scope="session")
def client(service: QAService, settings: Settings) -> Iterator[TestClient]:
    """A TestClient of the app around the shared service."""
    from qa.api import create_app

    with TestClient(create_app(service=service, settings=settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def make_service(
    service: QAService,
    settings: Settings,
    embedder: TextEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., QAService]:
    """A factory of writable services, each with its own data and index folders.

    The shared seed index is copied in (no rebuild needed); keyword arguments override
    settings, e.g. ``make_service(api_key="k")``.
    """

    def factory(**overrides: Any) -> QAService:
        root = tmp_path_factory.mktemp("qa-rw")
        shutil.copytree(settings.index_dir, root / "index")
        private = settings.model_copy(
            update={"index_dir": root / "index", "data_dir": root / "data", **overrides}
        )
        return QAService(private, reader=service.reader, embedder=embedder)

    return factory


def record_passes(encoder: MiniLMEncoder, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts of every MiniLM forward pass ``encoder`` runs from now on (this test)."""
    passes: list[list[str]] = []
    forward = encoder.forward

    def counted(texts: Sequence[str], max_length: int = 256) -> BatchStates:
        passes.append(list(texts))
        return forward(texts, max_length=max_length)

    monkeypatch.setattr(encoder, "forward", counted)
    return passes


def assert_verbatim(text: str, start: int, end: int, quote: str) -> None:
    """The central guarantee: a quote is exactly the document text at its offsets."""
    assert 0 <= start <= end <= len(text), (start, end, len(text))
    assert text[start:end] == quote, (text[start:end], quote)


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT
