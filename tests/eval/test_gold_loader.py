"""``qa.eval.gold``: reading gold files, splits and format errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.eval.gold import CATEGORIES, DEFAULT_GOLD_DIR, GoldFormatError, gold_files, load_gold


def write(path: Path, *rows: dict | str) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(id_: str = "fac-001", **changes) -> dict:
    data = {
        "id": id_,
        "document_id": "doc",
        "category": "factoid",
        "split": "dev",
        "question": "Who?",
        "answers": ["Russia"],
        "evidence": {"start": 0, "end": 28},
        "history": [],
    }
    data.update(changes)
    return data


def test_the_bundled_set_loads_with_both_splits() -> None:
    every = load_gold()
    dev, test = load_gold(split="dev"), load_gold(split="test")
    assert len(every) == len(dev) + len(test) > 0
    assert {c.split for c in dev} == {"dev"} and {c.split for c in test} == {"test"}
    assert {c.category for c in test} == set(CATEGORIES)
    followups = [c for c in every if c.category == "followup"]
    assert followups and all(c.history for c in followups)
    assert all(c.evidence is not None for c in every if c.answerable)
    assert gold_files() == sorted(DEFAULT_GOLD_DIR.glob("*.jsonl"))


def test_history_and_unanswerable(tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.jsonl",
        row(history=[{"question": "Who is Akar?", "answer": "the Turkish Defense Minister"}]),
        "",
        row("una-001", category="unanswerable", answers=[], evidence=None),
    )
    first, second = load_gold([path])
    assert first.history == (("Who is Akar?", "the Turkish Defense Minister"),)
    assert first.evidence == (0, 28) and first.answerable
    assert not second.answerable and second.evidence is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(row(split="train")), "split must be"),
        (json.dumps(row(category="trivia")), "unknown category"),
        (json.dumps(row(evidence=None)), "needs an evidence span"),
        (json.dumps({"id": "x"}), "missing or malformed"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_format_errors_name_the_line(tmp_path: Path, bad: str, message: str) -> None:
    path = write(tmp_path / "g.jsonl", row(), bad)
    with pytest.raises(GoldFormatError, match=message) as info:
        load_gold([path])
    assert f"{path}:2" in str(info.value)


def test_duplicate_ids_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(GoldFormatError, match="duplicate id"):
        load_gold([write(tmp_path / "g.jsonl", row(), row())])
    with pytest.raises(FileNotFoundError):
        load_gold([tmp_path / "nope.jsonl"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        load_gold([tmp_path / "empty"])
    with pytest.raises(ValueError, match="split"):
        load_gold(split="train")
