"""The ``qa`` command line, driven through typer's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa import cli
from qa.config import Settings

runner = CliRunner()


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # The session service fixture already built this index: the CLI must find it fresh.
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    return settings


def test_index_is_up_to_date(cli_settings: Settings, service: object) -> None:
    result = runner.invoke(cli.app, ["index"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_index_of_given_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Rob Lee is a US military analyst. He spoke to Al Jazeera.", encoding="utf-8")
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(index_dir=tmp_path / "index"))
    result = runner.invoke(cli.app, ["index", str(doc)])
    assert result.exit_code == 0, result.output
    assert "'documents': 1" in result.output
    assert "'sentences': 2" in result.output


def test_index_says_when_it_resumed_an_unfinished_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "note.txt"
    doc.write_text("Rob Lee is a US military analyst. He spoke to Al Jazeera.", encoding="utf-8")
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(index_dir=tmp_path / "index"))

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("qa.indexing.bm25s.BM25.save", stop)  # after parsing and embedding
        assert runner.invoke(cli.app, ["index", str(doc)]).exit_code != 0
    result = runner.invoke(cli.app, ["index", str(doc)])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Resumed an unfinished build" in flat
    assert "documents parsed 1, texts embedded 3" in flat


def test_index_of_a_missing_path_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["index", str(tmp_path / "absent.txt")])
    assert result.exit_code != 0
    flat = " ".join(result.output.replace("│", " ").split())
    assert "does not exist" in flat


def test_ask_prints_answer_and_quote(cli_settings: Settings, service: object) -> None:
    result = runner.invoke(cli.app, ["ask", "Who is the Russian Foreign Minister?"])
    assert result.exit_code == 0, result.output
    assert "Sergey Lavrov" in result.output
    assert "confidence" in result.output
    assert "Russian Foreign Minister Sergey Lavrov called" in " ".join(result.output.split())
