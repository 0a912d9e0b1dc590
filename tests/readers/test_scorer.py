"""The exported tree ensemble and calibrator: same numbers as scikit-learn, safe storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from qa.readers.features import FEATURE_NAMES
from qa.readers.scorer import Calibrator, ReaderModel, TreeEnsemble, packaged_weights


@pytest.fixture(scope="module")
def fitted() -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    x[rng.random(x.shape) < 0.1] = np.nan  # missing values take the learned side
    y = (np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1]) * x[:, 2] > 0.3).astype(int)
    model = HistGradientBoostingClassifier(max_iter=40, max_depth=5, random_state=0)
    model.fit(x, y)
    return model, x


def test_tree_export_reproduces_sklearn_scores(fitted) -> None:
    model, x = fitted
    ensemble = TreeEnsemble.from_sklearn(model)
    np.testing.assert_allclose(
        ensemble.decision_function(x), model.decision_function(x), rtol=1e-6, atol=1e-6
    )


def test_averaged_ensembles_score_the_mean(fitted) -> None:
    model, x = fitted
    other = HistGradientBoostingClassifier(max_iter=25, max_depth=3, random_state=0)
    other.fit(x[:300], model.predict(x[:300]))
    first, second = TreeEnsemble.from_sklearn(model), TreeEnsemble.from_sklearn(other)
    merged = TreeEnsemble.average([first, second])
    expected = (first.decision_function(x) + second.decision_function(x)) / 2
    np.testing.assert_allclose(merged.decision_function(x), expected, rtol=1e-9, atol=1e-9)


def test_empty_input_scores_nothing(fitted) -> None:
    ensemble = TreeEnsemble.from_sklearn(fitted[0])
    assert ensemble.decision_function(np.zeros((0, 6))).shape == (0,)


def test_model_round_trips_through_npz(fitted, tmp_path: Path) -> None:
    model, x = fitted
    calibrator = Calibrator(
        mean=np.zeros(2),
        scale=np.ones(2),
        coef=np.array([1.0, -2.0]),
        intercept=0.5,
        x_points=np.array([0.0, 0.5, 1.0]),
        y_points=np.array([0.0, 0.2, 0.9]),
    )
    saved = ReaderModel(
        ["a", "b"], TreeEnsemble.from_sklearn(model), calibrator, ["c1", "c2"], {"seed": 1}
    )
    path = tmp_path / "weights" / "reader.npz"
    saved.save(path)
    loaded = ReaderModel.load(path)
    assert loaded.feature_names == ["a", "b"]
    assert loaded.metadata == {"seed": 1}
    np.testing.assert_array_equal(
        loaded.ranker.decision_function(x), saved.ranker.decision_function(x)
    )
    rows = np.array([[0.3, 0.1], [-1.0, 2.0]])
    np.testing.assert_array_equal(loaded.calibrator.predict(rows), calibrator.predict(rows))
    assert not list(path.parent.glob("*.tmp"))


def test_calibrated_confidence_is_a_probability() -> None:
    calibrator = Calibrator(
        mean=np.zeros(1),
        scale=np.ones(1),
        coef=np.array([3.0]),
        intercept=0.0,
        x_points=np.array([0.0, 0.5, 1.0]),
        y_points=np.array([0.05, 0.3, 0.8]),
    )
    p = calibrator.predict(np.array([[-10.0], [0.0], [10.0], [np.nan]]))
    assert np.all((p >= 0.05) & (p <= 0.8))
    assert p[0] < p[1] < p[2]


def test_packaged_weights_load_and_match_the_features() -> None:
    path = packaged_weights()
    assert path.is_file(), "qa/readers/weights/reader.npz must ship with the package"
    model = ReaderModel.load()
    assert model.feature_names == FEATURE_NAMES
    assert path.stat().st_size < 20 * 1024 * 1024
    assert model.metadata["config"]["seed"] == 13


def _walked_scores(trees: TreeEnsemble, x: np.ndarray) -> np.ndarray:
    """Scores from a plain walk down each tree, leaf values added in tree order."""
    leaf_values = np.zeros((trees.feature.shape[0], len(x)))
    for t in range(trees.feature.shape[0]):
        for r, row in enumerate(x):
            node = 0
            while not trees.leaf[t, node]:
                value = row[trees.feature[t, node]]
                if np.isnan(value):
                    left = trees.missing_left[t, node]
                else:
                    left = value <= trees.threshold[t, node]
                node = trees.left[t, node] if left else trees.right[t, node]
            leaf_values[t, r] = trees.value[t, node]
    return trees.baseline + leaf_values.sum(axis=0)


def test_flat_scoring_is_bit_identical_to_walking_each_tree(fitted) -> None:
    model, x = fitted
    ensemble = TreeEnsemble.from_sklearn(model)
    # Values exactly on the thresholds, and NaN, must go the way the trees say.
    edges = x[:50].copy()
    inner = ~ensemble.leaf
    for r in range(len(edges)):
        t, node = np.argwhere(inner)[r % inner.sum()]
        edges[r, ensemble.feature[t, node]] = ensemble.threshold[t, node]
    edges[::7, 0] = np.nan
    edges[1::9, 1] = -np.inf
    for rows in (x, edges, x.astype(np.float32)):
        np.testing.assert_array_equal(
            ensemble.decision_function(rows), _walked_scores(ensemble, rows)
        )


def test_nan_sent_right_by_an_infinite_threshold_goes_right() -> None:
    # scikit-learn's "missing values only" split: every number left, NaN right.
    trees = TreeEnsemble(
        feature=np.array([[0, 0, 0]], dtype=np.int32),
        threshold=np.array([[np.inf, 0.0, 0.0]]),
        left=np.array([[1, 0, 0]], dtype=np.int32),
        right=np.array([[2, 0, 0]], dtype=np.int32),
        missing_left=np.array([[False, True, True]]),
        leaf=np.array([[False, True, True]]),
        value=np.array([[0.0, -1.0, 1.0]]),
        baseline=0.0,
        depth=2,
    )
    x = np.array([[3.0], [np.nan], [-1e30], [0.0]], dtype=np.float32)
    np.testing.assert_array_equal(trees.decision_function(x), [-1.0, 1.0, -1.0, -1.0])


def test_packaged_ranker_scores_like_walking_each_tree() -> None:
    ranker = ReaderModel.load().ranker
    rng = np.random.default_rng(1)
    x = rng.normal(scale=3.0, size=(20, len(FEATURE_NAMES))).astype(np.float32)
    x[rng.random(x.shape) < 0.2] = np.nan
    np.testing.assert_array_equal(ranker.decision_function(x), _walked_scores(ranker, x))
