"""``qa add FILE`` / ``qa remove ID``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa import documents_cli
from qa.cli import app
from qa.documents import Document
from qa.service import QAService

runner = CliRunner()


@pytest.fixture
def cli_service(
    make_service: Callable[..., QAService], monkeypatch: pytest.MonkeyPatch
) -> QAService:
    service = make_service(max_upload_bytes=4096)
    monkeypatch.setattr(documents_cli, "_service", lambda: service)
    monkeypatch.setattr(documents_cli, "get_settings", lambda: service.settings)
    return service


def test_add_then_remove_a_markdown_file(
    cli_service: QAService, tmp_path: Path, article: Document
) -> None:
    path = tmp_path / "dam_notes.md"
    path.write_text("# Tarsin dam\n\nThe dam was finished in **1964**.\n", encoding="utf-8")
    result = runner.invoke(app, ["add", str(path), "--author", "P. Lund"])
    assert result.exit_code == 0, result.output
    (stored,) = cli_service.user_documents.list()
    assert stored.id in result.output
    assert (stored.title, stored.author, stored.source) == ("Tarsin dam", "P. Lund", path.name)
    assert stored.text == "Tarsin dam\n\nThe dam was finished in 1964."
    assert set(cli_service.index.documents) == {article.id, stored.id}

    again = runner.invoke(app, ["add", str(path)])
    assert again.exit_code == 1
    assert "already held" in again.output and stored.id in again.output

    removed = runner.invoke(app, ["remove", stored.id])
    assert removed.exit_code == 0, removed.output
    assert cli_service.user_documents.list() == []
    assert set(cli_service.index.documents) == {article.id}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.7", "--format"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("empty.md", b"\n\n", "no readable text"),
        ("big.txt", b"x" * 5000, "QA_MAX_UPLOAD_BYTES"),
    ],
)
def test_add_refuses_bad_files(
    cli_service: QAService, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["add", str(path)])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert cli_service.user_documents.list() == []


def test_remove_refuses_seeds_and_unknown_ids(cli_service: QAService, article: Document) -> None:
    seed = runner.invoke(app, ["remove", article.id])
    assert seed.exit_code == 1 and "seed" in seed.output
    unknown = runner.invoke(app, ["remove", "../../etc/passwd"])
    assert unknown.exit_code == 1 and "no document" in unknown.output
    assert article.id in cli_service.index.documents
