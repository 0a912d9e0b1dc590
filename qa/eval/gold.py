"""Gold cases: hand-written questions with every acceptable answer and the evidence sentence.

The format is described in ``eval/gold/README.md``; one JSON object per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qa.config import PROJECT_ROOT

DEFAULT_GOLD_DIR = PROJECT_ROOT / "eval" / "gold"
SPLITS = ("dev", "test")
CATEGORIES = ("factoid", "paraphrase", "phrase", "followup", "unanswerable")
ANSWERABLE_CATEGORIES = CATEGORIES[:-1]


@dataclass(frozen=True)
class GoldCase:
    """One question of the gold set.

    Example:
        >>> case = GoldCase("fac-036", "doc", "factoid", "test", "How many?", ("13",), (5, 9))
        >>> case.answerable
        True
    """

    id: str
    document_id: str
    category: str
    split: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[int, int] | None
    history: tuple[tuple[str, str | None], ...] = field(default=())
    """Earlier turns, oldest first, as ``(question, answer)``."""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


class GoldFormatError(ValueError):
    """A gold file that does not follow the documented format."""


def _case(data: object, where: str) -> GoldCase:
    if not isinstance(data, dict):
        raise GoldFormatError(f"{where}: expected a JSON object")
    try:
        evidence = data.get("evidence")
        case = GoldCase(
            id=str(data["id"]),
            document_id=str(data["document_id"]),
            category=str(data["category"]),
            split=str(data["split"]),
            question=str(data["question"]),
            answers=tuple(str(a) for a in data.get("answers") or ()),
            evidence=(int(evidence["start"]), int(evidence["end"])) if evidence else None,
            history=tuple(
                (str(t["question"]), None if t.get("answer") is None else str(t["answer"]))
                for t in data.get("history") or ()
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GoldFormatError(f"{where}: missing or malformed field ({exc})") from exc
    if case.split not in SPLITS:
        raise GoldFormatError(f"{where}: split must be one of {SPLITS}, not {case.split!r}")
    if case.category not in CATEGORIES:
        raise GoldFormatError(f"{where}: unknown category {case.category!r}")
    if case.answerable and case.evidence is None:
        raise GoldFormatError(f"{where}: an answerable case needs an evidence span")
    return case


def gold_files(paths: Iterable[Path] = ()) -> list[Path]:
    """The ``.jsonl`` files named by ``paths`` (files or folders); the bundled set by default."""
    files: list[Path] = []
    for path in list(paths) or [DEFAULT_GOLD_DIR]:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist")
    if not files:
        raise FileNotFoundError("no gold .jsonl files found")
    return files


def load_gold(paths: Iterable[Path] = (), split: str = "all") -> list[GoldCase]:
    """Read the gold cases from ``paths`` and keep those of ``split`` (``dev``, ``test``, ``all``).

    Example:
        >>> cases = load_gold(split="test")  # doctest: +SKIP
        >>> {c.split for c in cases}  # doctest: +SKIP
        {'test'}
    """
    if split not in (*SPLITS, "all"):
        raise ValueError(f"split must be dev, test or all, not {split!r}")
    cases: list[GoldCase] = []
    seen: set[str] = set()
    for path in gold_files(paths):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFormatError(f"{where}: not valid JSON ({exc.msg})") from exc
            case = _case(data, where)
            if case.id in seen:
                raise GoldFormatError(f"{where}: duplicate id {case.id!r}")
            seen.add(case.id)
            if split in ("all", case.split):
                cases.append(case)
    return cases
