"""The regression guard: the gold test split must keep the figures in eval/floors.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.eval.floors import DEFAULT_FLOORS, check_floors, load_floors
from qa.eval.gold import load_gold
from qa.eval.metrics import summarize
from qa.eval.runner import EvalRunner, InProcessBackend


def test_check_floors_floors_and_ceilings() -> None:
    summary = {"hasans": {"f1": 0.80, "em": None}, "abstention": {"false": 0.1}}
    floors = {
        "floors": {"hasans.f1": 0.80, "hasans.em": 0.5},
        "ceilings": {"abstention.false": 0.05},
    }
    checks = {c.path: c for c in check_floors(summary, floors)}
    assert checks["hasans.f1"].ok  # equal to the floor holds
    assert not checks["hasans.em"].ok and "not measured" in str(checks["hasans.em"])
    assert not checks["abstention.false"].ok
    assert str(checks["abstention.false"]) == "abstention.false = 0.1000 (needs <= 0.05)"
    with pytest.raises(KeyError, match=r"hasans\.f2"):
        check_floors(summary, {"floors": {"hasans.f2": 0.1}})


def test_load_floors_rejects_non_numbers(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    path.write_text(json.dumps({"floors": {"hasans.f1": "high"}}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"hasans\.f1 must be a number"):
        load_floors(path)


def test_the_floors_file_names_real_figures() -> None:
    floors = load_floors(DEFAULT_FLOORS)
    assert floors["split"] in ("dev", "test")
    # Every key is a path of the summary (a typo would raise KeyError here, not in CI).
    paths = [*floors["floors"], *floors["ceilings"]]
    assert len(check_floors(summarize([]), floors)) == len(paths)
    assert floors["floors"]["offsets_exact"] == 1.0
    assert all(0 <= v <= 1 for v in floors["floors"].values())


@pytest.mark.slow
def test_test_split_keeps_its_floors(service) -> None:
    floors = load_floors(DEFAULT_FLOORS)
    cases = load_gold(split=floors["split"])
    evaluation = EvalRunner(InProcessBackend(service)).run(cases)
    summary = evaluation.summaries[floors["split"]]
    checks = check_floors(summary, floors)
    assert len(checks) == len(floors["floors"]) + len(floors["ceilings"])
    failed = [str(c) for c in checks if not c.ok]
    assert not failed, "below the floors of eval/floors.json: " + "; ".join(failed)
