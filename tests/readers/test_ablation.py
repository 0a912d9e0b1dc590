"""The feature ablation: one fit per left-out group, each evaluated with the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.readers.ablation import FEATURE_GROUPS, ablate, render_table
from qa.readers.features import FEATURE_NAMES
from qa.readers.learned_reader import dropped_columns
from qa.service import QAService
from tests.readers.test_training import DOCUMENTS, TINY

pytestmark = pytest.mark.slow


def test_every_group_names_features_and_no_feature_is_in_two_groups() -> None:
    seen: set[int] = set()
    for name, names in FEATURE_GROUPS.items():
        columns = set(dropped_columns(names))
        assert bool(columns) == bool(names), name
        assert not columns & seen, name
        seen |= columns
    assert len(seen) < len(FEATURE_NAMES)


def test_each_group_is_fitted_without_its_features_and_evaluated(
    make_service: Callable[..., QAService],
) -> None:
    service = make_service()
    shared = service.reader
    groups = {"all features": (), "answer type": FEATURE_GROUPS["answer type"]}
    rows = ablate(groups, splits=("test",), config=TINY, documents=DOCUMENTS, service=service)
    assert [row["group"] for row in rows] == list(groups)
    assert rows[1]["dropped"] == list(FEATURE_GROUPS["answer type"])
    # The fitted reader left the answer-type columns out, as training did.
    assert service.reader is not shared
    assert set(dropped_columns(FEATURE_GROUPS["answer type"])) <= set(service.reader._dropped)
    for row in rows:
        summary = row["test"]
        assert 0.0 <= summary["hasans"]["f1"] <= 1.0
        assert set(summary["categories"]) >= {"factoid", "paraphrase", "phrase", "followup"}
    table = render_table(rows, "test")
    assert table.count("\n") == 3 and "| answer type |" in table
