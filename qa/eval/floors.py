"""Regression floors: the figures the evaluation must keep (``eval/floors.json``).

The file is the single place to raise or lower a guard when the reader changes:

```json
{"split": "test",
 "floors": {"hasans.f1": 0.8, "categories.phrase.f1": 0.6},
 "ceilings": {"abstention.false_abstention_rate": 0.1}}
```

Keys are dotted paths into a split's summary (see ``qa.eval.metrics.summarize``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.config import PROJECT_ROOT
from qa.eval.metrics import lookup

DEFAULT_FLOORS = PROJECT_ROOT / "eval" / "floors.json"


@dataclass(frozen=True)
class FloorCheck:
    """One guarded figure: its value against a floor (at least) or a ceiling (at most)."""

    path: str
    kind: str
    limit: float
    value: float | None

    @property
    def ok(self) -> bool:
        if self.value is None:
            return False
        # A hair of tolerance so that a figure equal to its limit is not lost to rounding.
        if self.kind == "floor":
            return self.value >= self.limit - 1e-9
        return self.value <= self.limit + 1e-9

    def __str__(self) -> str:
        sign = ">=" if self.kind == "floor" else "<="
        value = "not measured" if self.value is None else f"{self.value:.4f}"
        return f"{self.path} = {value} (needs {sign} {self.limit})"


def load_floors(path: Path = DEFAULT_FLOORS) -> dict[str, Any]:
    """Read and check a floors file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    for section in ("floors", "ceilings"):
        for key, limit in (data.get(section) or {}).items():
            if not isinstance(limit, int | float) or isinstance(limit, bool):
                raise ValueError(f"{path}: {section}.{key} must be a number")
    return data


def check_floors(summary: dict[str, Any], floors: dict[str, Any]) -> list[FloorCheck]:
    """Every floor and ceiling of ``floors`` checked against one split's ``summary``.

    Example:
        >>> checks = check_floors({"hasans": {"f1": 0.8}}, {"floors": {"hasans.f1": 0.75}})
        >>> [c.ok for c in checks]
        [True]
    """
    checks = []
    for kind, section in (("floor", "floors"), ("ceiling", "ceilings")):
        for path, limit in (floors.get(section) or {}).items():
            value = lookup(summary, path)
            checks.append(
                FloorCheck(path, kind, float(limit), None if value is None else float(value))
            )
    return checks
