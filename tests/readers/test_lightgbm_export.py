"""LightGBM rankers exported to the serving trees: the same scores, NaN routed LightGBM's way,
and no LightGBM import when serving."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qa.config import PROJECT_ROOT
from qa.eval.metrics import token_f1
from qa.readers.question import FineType
from qa.readers.scorer import TreeEnsemble
from qa.readers.training import Example, relevance_labels

lightgbm = pytest.importorskip("lightgbm")  # a training dependency (the `train` extra)


def _data(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, 6))
    x[rng.random(x.shape) < 0.15] = np.nan  # missing_type "NaN": learned side
    x[:, 4] = np.where(rng.random(n) < 0.4, 0.0, x[:, 4])
    x[:, 5] = np.nan_to_num(x[:, 5])  # no NaN in training: missing_type "None"
    return x


def _booster(objective: str, params: dict[str, object] | None = None) -> object:
    rng = np.random.default_rng(3)
    x = _data(rng, 1200)
    signal = np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1], nan=1.5) - 0.5 * x[:, 5]
    y = np.digitize(signal + rng.normal(scale=0.5, size=len(x)), [0.0, 1.0, 2.0])
    if objective == "binary":
        y = (y > 1).astype(int)
    settings = {
        "objective": objective,
        "num_leaves": 15,
        "max_depth": 5,
        "min_data_in_leaf": 5,
        "learning_rate": 0.2,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "seed": 1,
        "verbosity": -1,
        **(params or {}),
    }
    data = lightgbm.Dataset(x, y, group=[40] * 30, params={"verbosity": -1})
    return lightgbm.train(settings, data, num_boost_round=25)


@pytest.mark.parametrize("objective", ["lambdarank", "rank_xendcg", "binary"])
def test_exported_booster_scores_like_lightgbm(objective: str) -> None:
    booster = _booster(objective)
    trees = TreeEnsemble.from_lightgbm(booster)
    dump = booster.dump_model()
    kinds = set()
    stack = [info["tree_structure"] for info in dump["tree_info"]]
    while stack:
        node = stack.pop()
        if "split_index" in node:
            kinds.add(node["missing_type"])
            stack += [node["left_child"], node["right_child"]]
    assert "NaN" in kinds  # both ways of reading NaN are exercised
    rng = np.random.default_rng(11)
    x = _data(rng, 2000)
    x[rng.random(x.shape) < 0.2] = np.nan  # NaN in column 5 too, unseen in training
    x[rng.random(x.shape) < 0.05] = 0.0
    # Values exactly on thresholds go left, as LightGBM's `<=` sends them.
    inner = np.argwhere(~trees.leaf)
    for r in range(200):
        t, node = inner[r % len(inner)]
        x[r, trees.feature[t, node]] = trees.threshold[t, node]
    # LightGBM reads values within 1e-35 of zero as zero.
    tiny = np.array([1e-36, -1e-36, np.float32(1e-35), -np.float32(1e-35), -2e-35, 2e-35])
    x[200:320] = tiny[rng.integers(0, len(tiny), size=(120, 6))]
    np.testing.assert_allclose(
        trees.decision_function(x), booster.predict(x, raw_score=True), rtol=1e-9, atol=1e-9
    )
    assert trees.depth <= 6  # max_depth 5: six levels of nodes at most


def test_a_column_without_nan_in_training_reads_nan_as_zero() -> None:
    booster = _booster("lambdarank")
    trees = TreeEnsemble.from_lightgbm(booster)
    x = np.zeros((1, 6))
    x[0, 5] = np.nan
    zero = np.zeros((1, 6))
    np.testing.assert_allclose(trees.decision_function(x), booster.predict(x, raw_score=True))
    np.testing.assert_allclose(trees.decision_function(x), trees.decision_function(zero))


def test_zero_as_missing_is_refused() -> None:
    booster = _booster("lambdarank", {"zero_as_missing": True})
    with pytest.raises(ValueError, match="missing type"):
        TreeEnsemble.from_lightgbm(booster)


def test_scaled_ensemble_scores_an_affine_map() -> None:
    trees = TreeEnsemble.from_lightgbm(_booster("lambdarank"))
    x = _data(np.random.default_rng(5), 300)
    np.testing.assert_allclose(
        trees.scaled(2.5, -1.0).decision_function(x), 2.5 * trees.decision_function(x) - 1.0
    )


def test_graded_relevance_rewards_near_misses() -> None:
    texts = ["the Portsmouth ferry terminal", "ferry terminal", "Portsmouth", "Monday"]
    example = Example(
        question="What did the authority open?",
        document_id="d",
        variant="answerable",
        rule="object",
        fine_type=FineType.THING,
        question_words=2,
        texts=texts,
        features=np.zeros((4, 1)),
        labels=np.array([0, 1, 0, 0], dtype=np.int8),
    )
    keep = np.array([1, 0, 2, 3])
    assert token_f1(texts[0], texts[1]) == pytest.approx(0.8)
    assert relevance_labels(example, keep, "graded").tolist() == [3, 2, 0, 0]
    assert relevance_labels(example, keep, "binary").tolist() == [1, 0, 0, 0]


def test_serving_does_not_import_lightgbm() -> None:
    code = (
        "import sys, numpy as np\n"
        "from qa.readers.learned_reader import LearnedReader\n"
        "from qa.readers.scorer import ReaderModel\n"
        "model = ReaderModel.load()\n"
        "model.ranker.decision_function(np.zeros((2, len(model.feature_names))))\n"
        "assert 'lightgbm' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)
