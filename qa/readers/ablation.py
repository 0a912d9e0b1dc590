"""Feature ablation of the learned reader: what each group of features is worth.

The synthetic training examples are built once; the reader is then fitted again with each
group of features left out (zeroed in training and at reading time, as
``TrainingConfig.drop_features`` does) and every fit is evaluated on the gold set with the
whole service (retrieval, readings after ranking, abstention threshold). Fitting reuses
the examples, so an ablation costs one example build plus a few seconds per group.

Example:
    >>> rows = ablate(FEATURE_GROUPS, splits=("test",))  # doctest: +SKIP
    >>> rows[0]["group"], rows[0]["test"]["hasans"]["f1"]  # doctest: +SKIP
    ('all features', 0.598)
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

# Feature names or name prefixes per group (see ``qa.readers.features.FEATURE_NAMES``).
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "all features": (),
    "answer type": ("q_type=", "type_"),
    "dependency tree and roles": (
        "q_role=",
        "role",
        "dep_dist",
        "gov_dist_rank",
        "gov_is_aligned",
        "prep_match",
    ),
    "MiniLM similarities": ("gov_sim", "focus_sim", "focus_neighbour_sim", "overlap_soft"),
    # By prefix: the lexical and the MiniLM (soft) coverage of the question's words.
    "question-word coverage": ("coverage", "key_coverage"),
    "word overlap": (
        "gov_lexical",
        "focus_lexical",
        "overlap_lexical",
        "any_overlap",
        "focus_overlap",
        "novel_words",
    ),
    "retrieval rank and scores": ("rank", "retrieval", "similarity"),
}

_SUMMARY_KEYS = ("hasans", "categories", "abstention", "calibration")


def ablate(
    groups: Mapping[str, Sequence[str]] = FEATURE_GROUPS,
    splits: Sequence[str] = ("dev", "test"),
    config: Any = None,
    documents: Sequence[Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    service: Any = None,
) -> list[dict[str, Any]]:
    """Fit and evaluate the reader once per group of left-out features.

    Args:
        groups: group name -> feature names or prefixes to leave out (besides those the
            training config already leaves out).
        splits: gold splits to evaluate.
        config: the ``TrainingConfig`` (the shipped weights' by default).
        documents: training documents (the shipped weights' by default; never the gold).
        progress: ``progress(stage, done, total)`` for the example build and the fits.
        service: the ``QAService`` to evaluate with (its reader is replaced); one over
            the configured index by default.

    Returns:
        One row per group: ``{"group", "dropped", split: summary}``.
    """
    from qa.config import get_settings
    from qa.eval.gold import load_gold
    from qa.eval.runner import EvalRunner, InProcessBackend
    from qa.readers.learned_reader import LearnedReader
    from qa.readers.training import TrainingConfig, build_examples, train, training_documents
    from qa.service import QAService

    config = config or TrainingConfig()
    documents = list(documents) if documents is not None else training_documents()
    examples = build_examples(documents, config, progress=progress)
    service = service or QAService(get_settings())
    service.warm_up()
    cases = [case for split in splits for case in load_gold(split=split)]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n, (name, dropped) in enumerate(groups.items()):
            if progress:
                progress("fit", n, len(groups))
            fitted = dataclasses.replace(config, drop_features=(*config.drop_features, *dropped))
            model, _ = train(examples, fitted)
            weights = Path(folder) / f"ablation-{n}.npz"
            model.save(weights)
            reader = LearnedReader(
                embedder=service.index_embedder,
                weights=weights,
                max_passages=service.settings.reader_passages,
                use_embeddings=config.use_embeddings,
            )
            reader.warm_up()
            service.reader = reader
            evaluation = EvalRunner(InProcessBackend(service)).run(cases)
            row: dict[str, Any] = {"group": name, "dropped": list(dropped)}
            for split in splits:
                summary = evaluation.summaries[split]
                row[split] = {key: summary[key] for key in _SUMMARY_KEYS}
            rows.append(row)
        if progress:
            progress("fit", len(groups), len(groups))
    return rows


def render_table(rows: Sequence[Mapping[str, Any]], split: str) -> str:
    """A Markdown table of ``rows`` on ``split``: F1 answerable and per category,
    abstention accuracy and false abstentions."""
    lines = [
        f"| left out ({split}) | EM / F1 | F1 factoid / paraphrase / phrase / follow-up "
        "| abstention / false abstentions | ECE |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        s = row[split]
        cats = s["categories"]
        per = " / ".join(
            f"{cats[c]['f1']:.3f}" for c in ("factoid", "paraphrase", "phrase", "followup")
        )
        lines.append(
            f"| {row['group']} | {s['hasans']['em']:.3f} / {s['hasans']['f1']:.3f} | {per} "
            f"| {s['abstention']['accuracy']:.3f} / {s['abstention']['false_abstention_rate']:.3f}"
            f" | {s['calibration']['ece']:.3f} |"
        )
    return "\n".join(lines)
