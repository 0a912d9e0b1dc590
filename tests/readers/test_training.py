"""Training: seeded and reproducible on a tiny sample, never fed the gold article."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.config import PROJECT_ROOT
from qa.documents import Document
from qa.embedding import TextEmbedder
from qa.readers import training_cli
from qa.readers.features import FEATURE_NAMES
from qa.readers.learned_reader import dropped_columns
from qa.readers.scorer import ReaderModel
from qa.readers.training import (
    TrainingConfig,
    build_examples,
    lee_documents,
    train,
    train_reader,
)

pytestmark = pytest.mark.slow

DOCUMENTS = [
    Document(
        id="harbour",
        text=(
            "The harbour authority opened a new ferry terminal in Portsmouth on Monday. "
            "Officials said 40 ferries would use the terminal each week. "
            "Mayor Helen Ward praised the builders, who finished the work in March. "
            "The old terminal closed because its pier had become unsafe."
        ),
    ),
    Document(
        id="orchard",
        text=(
            "Farmers in the valley picked 12 tonnes of apples last week. "
            "The cooperative sold the apples to three supermarkets in Bristol. "
            "Its chairman, Tom Reed, said the harvest was excellent. "
            "Heavy rain delayed the work in September."
        ),
    ),
]
TINY = TrainingConfig(
    max_questions=40,
    max_iter=15,
    negatives=20,
    use_embeddings=False,
    top_k=3,
    paraphrase_rate=0.0,
)


def test_same_seed_same_weights(tmp_path: Path, embedder: TextEmbedder) -> None:
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    report = train_reader(first, TINY, documents=DOCUMENTS, embedder=embedder)
    train_reader(second, TINY, documents=DOCUMENTS, embedder=embedder)
    assert report["examples"] > 20
    a, b = ReaderModel.load(first), ReaderModel.load(second)
    assert a.feature_names == FEATURE_NAMES
    for name in ("feature", "threshold", "value", "left", "right"):
        np.testing.assert_array_equal(getattr(a.ranker, name), getattr(b.ranker, name))
    np.testing.assert_array_equal(a.calibrator.coef, b.calibrator.coef)
    np.testing.assert_array_equal(a.calibrator.y_points, b.calibrator.y_points)


def test_ranking_objective_is_reproducible_and_keeps_the_pointwise_header(
    embedder: TextEmbedder,
) -> None:
    pytest.importorskip("lightgbm")
    examples = build_examples(DOCUMENTS, TINY, embedder=embedder)
    listwise = dataclasses.replace(TINY, objective="lambdarank")
    first, _ = train(examples, listwise)
    second, _ = train(examples, listwise)
    for name in ("feature", "threshold", "value", "left", "right", "missing_left"):
        np.testing.assert_array_equal(getattr(first.ranker, name), getattr(second.ranker, name))
    assert first.ranker.baseline == second.ranker.baseline
    assert first.metadata["config"]["objective"] == "lambdarank"
    # The trees rank: the generated answer is usually the best of its question.
    answerable = [ex for ex in examples if ex.variant == "answerable" and ex.labels.any()]
    hits = [ex.labels[np.argmax(first.ranker.decision_function(ex.features))] for ex in answerable]
    assert np.mean(hits) > 0.5
    # The pointwise weights' header names none of the ranking settings (same bytes as
    # before they existed).
    pointwise, _ = train(examples, dataclasses.replace(TINY, objective="pointwise"))
    assert "objective" not in pointwise.metadata["config"]


def test_unknown_objective_or_relevance_fails_when_the_config_is_made() -> None:
    with pytest.raises(ValueError, match="unknown objective 'listwise'"):
        TrainingConfig(objective="listwise")
    with pytest.raises(ValueError, match="unknown relevance 'partial'"):
        dataclasses.replace(TINY, relevance="partial")


def test_examples_label_the_generated_answer(embedder: TextEmbedder) -> None:
    examples = build_examples(DOCUMENTS, TINY, embedder=embedder)
    answerable = [ex for ex in examples if ex.variant == "answerable"]
    unanswerable = [ex for ex in examples if ex.variant != "answerable"]
    assert answerable and unanswerable
    # Most generated answers are among the candidates; no-answer variants have no positive.
    assert np.mean([ex.labels.any() for ex in answerable]) > 0.7
    assert not any(ex.labels.any() for ex in unanswerable)
    for ex in answerable:
        assert ex.features.shape == (len(ex.texts), len(FEATURE_NAMES))


def test_features_left_to_the_calibrator_are_never_tested_by_the_ranker(
    embedder: TextEmbedder,
) -> None:
    examples = build_examples(DOCUMENTS, TINY, embedder=embedder)

    def tested(model: ReaderModel) -> set[int]:
        return set(model.ranker.feature[~model.ranker.leaf].tolist())

    everything, _ = train(examples, TINY)
    # Two features the trees do split on when they have them.
    names = tuple(FEATURE_NAMES[i] for i in sorted(tested(everything))[:2])
    model, _ = train(examples, dataclasses.replace(TINY, ranker_drop_features=names))
    assert not tested(model) & set(dropped_columns(names))
    assert model.metadata["config"]["ranker_drop_features"] == list(names)
    # The calibrator still reads them: the examples are not changed.
    assert any(ex.features[:, dropped_columns(names)].any() for ex in examples)


def test_cli_defaults_match_the_config() -> None:
    defaults = TrainingConfig()
    assert defaults.max_questions == training_cli.DEFAULT_QUESTIONS
    assert defaults.seed == training_cli.DEFAULT_SEED
    assert defaults.objective == training_cli.DEFAULT_OBJECTIVE
    # The shipped weights were trained with the default objective (pointwise weights do
    # not name theirs).
    shipped = ReaderModel.load().metadata["config"]
    assert shipped.get("objective", "pointwise") == defaults.objective
    assert dataclasses.asdict(defaults)["use_embeddings"] is True


def test_training_text_is_not_the_gold_article(article: Document) -> None:
    documents = lee_documents()
    assert len(documents) > 200
    assert all("Nagorno-Karabakh" not in d.text and "Azerbaijan" not in d.text for d in documents)
    assert all(d.text[:80] not in article.text for d in documents)


def test_examples_and_weights_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Two processes with different string hashing (so every ``set`` of strings iterates
    in another order) build the same examples and write byte-identical weights.

    Before the fix, WordNet's hypernyms and similar words came in set order (nltk keeps a
    synset's pointers in a set), so paraphrases and everything after them differed, and the
    weights recorded the date they were trained."""
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / f"hashseed-{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1"}
        runs.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.readers.training_worker", str(out)],
                cwd=PROJECT_ROOT,  # `-m` puts it first on sys.path: this tree's `qa`
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    results = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    first, second = results
    assert len(first["questions"]) > 20
    assert first["questions"] == second["questions"]
    assert first["examples"] == second["examples"]
    assert first["weights"] == second["weights"]
