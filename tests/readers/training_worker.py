"""Build a few training examples and fit a tiny reader on them, in a process of its own.

Run by ``tests/readers/test_training.py`` under different ``PYTHONHASHSEED`` values (which
fix the order of every ``set`` of strings for one process), so that anything in training
that depends on such an order shows up as two different digests.

Usage::

    PYTHONHASHSEED=1 python -m tests.readers.training_worker OUT_DIR

It prints one JSON line: the examples' questions, a SHA-256 of everything in them and a
SHA-256 of the weights file written to ``OUT_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from qa.readers.training import Example, TrainingConfig, build_examples, lee_documents, train
from qa.readers.training_cli import DEFAULT_SEED

# Real training text (the first Lee documents) and every question paraphrased, so that the
# WordNet rewrites, the swaps and the no-answer variants are all exercised.
DOCUMENTS = 3
CONFIG = TrainingConfig(
    seed=DEFAULT_SEED,
    max_questions=24,
    max_iter=10,
    negatives=20,
    top_k=3,
    paraphrase_rate=1.0,
)


def digest(examples: list[Example]) -> str:
    """SHA-256 of every field of every example, in order."""
    h = hashlib.sha256()
    for ex in examples:
        head = [ex.question, ex.document_id, ex.variant, ex.rule, ex.fine_type.value]
        h.update(json.dumps([*head, ex.question_words, ex.texts]).encode())
        h.update(ex.features.tobytes())
        h.update(ex.labels.tobytes())
    return h.hexdigest()


def main(out_dir: Path) -> None:
    examples = build_examples(lee_documents()[:DOCUMENTS], CONFIG, workdir=out_dir)
    model, _ = train(examples, CONFIG)
    weights = out_dir / "reader.npz"
    model.save(weights)
    print(
        json.dumps(
            {
                "questions": [ex.question for ex in examples],
                "examples": digest(examples),
                "weights": hashlib.sha256(weights.read_bytes()).hexdigest(),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
