"""``qa train-reader``: rebuild the learned reader's weights (see :mod:`qa.readers.training`).

Kept apart from the training code so that the ``qa`` command starts without loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# The defaults of :class:`qa.readers.training.TrainingConfig` (a test keeps them equal).
DEFAULT_QUESTIONS = 2500
DEFAULT_SEED = 13
DEFAULT_OBJECTIVE = "lambdarank"


def _one_thread_each() -> None:
    """Torch and NumPy's OpenBLAS on one thread: on a shared 2-core machine their spinning
    threads only slow training down, and spaCy's products are small (see `qa.nlp`)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1, user_api="blas")


def train_reader_command(
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the weights; default: the packaged reader.npz."),
    ] = None,
    questions: Annotated[
        int, typer.Option(min=10, help="Synthetic questions to generate.")
    ] = DEFAULT_QUESTIONS,
    seed: Annotated[int, typer.Option(help="Seed for every random choice.")] = DEFAULT_SEED,
    objective: Annotated[
        str,
        typer.Option(
            help="How the trees learn to choose: pointwise (a classifier), lambdarank or "
            "rank_xendcg (LightGBM, listwise over each question's candidates)."
        ),
    ] = DEFAULT_OBJECTIVE,
    docs: Annotated[
        list[Path] | None,
        typer.Option(help="Folders of extra .txt training documents (never the gold set)."),
    ] = None,
) -> None:
    """Train the learned reader on synthetic questions and write its weights."""
    from rich.console import Console

    from qa.progress import stage_callback, stage_progress
    from qa.readers.scorer import packaged_weights
    from qa.readers.training import TrainingConfig, train_reader, training_documents

    try:
        config = TrainingConfig(max_questions=questions, seed=seed, objective=objective)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--objective") from error
    _one_thread_each()
    console = Console()
    target = out or packaged_weights()
    with stage_progress(console) as progress:
        callback = stage_callback(progress)
        try:
            report = train_reader(
                target, config, documents=training_documents(docs or ()), progress=callback
            )
        except RuntimeError as exc:  # a missing training-only dependency: say which
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    console.print(f"[green]Wrote[/green] {target}")
    console.print_json(data=report)


def ablate_reader_command(
    out: Annotated[Path, typer.Option(help="Where the figures of every fit go (JSON).")] = Path(
        "reports/ablation.json"
    ),
    questions: Annotated[
        int, typer.Option(min=10, help="Synthetic questions to generate.")
    ] = DEFAULT_QUESTIONS,
    seed: Annotated[int, typer.Option(help="Seed for every random choice.")] = DEFAULT_SEED,
) -> None:
    """Refit the learned reader without each group of features; evaluate every fit on the
    gold dev and test splits (the shipped weights are not touched)."""
    import json

    from rich.console import Console

    from qa.progress import stage_callback, stage_progress
    from qa.readers.ablation import ablate, render_table
    from qa.readers.synthetic import load_wordnet
    from qa.readers.training import TrainingConfig

    _one_thread_each()
    console = Console()
    config = TrainingConfig(max_questions=questions, seed=seed)
    try:
        load_wordnet()  # fail now, not after the examples are built
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    with stage_progress(console) as progress:
        callback = stage_callback(progress)
        rows = ablate(config=config, progress=callback)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    for split in ("dev", "test"):
        console.print(render_table(rows, split))
    console.print(f"[green]Wrote[/green] {out}")
