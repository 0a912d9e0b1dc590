"""``qa eval``: run the gold set, print the summary and write the report."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

if TYPE_CHECKING:
    from qa.eval.runner import Evaluation

console = Console()


def _print_summary(evaluation: Evaluation) -> None:
    from qa.eval.report import shown_splits, summary_rows

    splits = shown_splits(evaluation.summaries)
    table = Table(title="Evaluation", show_lines=False)
    table.add_column("figure")
    for split in splits:
        table.add_column(split, justify="right")
    rows = {s: summary_rows(evaluation.summaries[s]) for s in splits}
    for i, (label, _) in enumerate(rows[splits[0]]):
        table.add_row(label, *(rows[s][i][1] for s in splits))
    console.print(table)


def eval_command(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(help="Gold .jsonl files or folders; default: eval/gold/."),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Evaluate a running server (e.g. http://127.0.0.1:8000) over HTTP."),
    ] = None,
    out: Annotated[
        Path, typer.Option(help="Where report.json, report.md and the plots go.")
    ] = Path("reports/eval"),
    split: Annotated[
        str, typer.Option(help="Which cases: dev, test or all (reported per split).")
    ] = "all",
    top_k: Annotated[
        int, typer.Option(min=1, max=20, help="Citations asked for per question.")
    ] = 10,
    floors: Annotated[
        Path | None,
        typer.Option(
            help="Fail (exit 1) when a figure breaks a floor of this file, e.g. "
            "eval/floors.json (checked on the split the file names)."
        ),
    ] = None,
) -> None:
    """Evaluate answers, citations, retrieval, abstention and latency on the gold set."""
    from qa.eval.gold import GoldFormatError, load_gold
    from qa.eval.report import write_report
    from qa.eval.runner import EvalRunner, HttpBackend, InProcessBackend

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("use dev, test or all", param_hint="--split")
    try:
        cases = load_gold(gold or [], split=split)
    except (FileNotFoundError, GoldFormatError) as exc:
        raise typer.BadParameter(str(exc), param_hint="GOLD") from exc
    if not cases:
        raise typer.BadParameter(f"no {split} cases in the gold files", param_hint="GOLD")

    logging.basicConfig(level=logging.WARNING)
    if url:
        backend: Any = HttpBackend(url)
    else:
        from qa.config import get_settings
        from qa.service import QAService

        backend = InProcessBackend(QAService(get_settings()))
    runner = EvalRunner(backend, top_k=top_k)
    try:
        with console.status("Loading the index and models..." if not url else f"Reaching {url}"):
            runner.warm_up()
    except ConnectionError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc

    progress = Progress(
        TextColumn("[bold]eval"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[case]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task("eval", total=len(cases), case="")

        def advance(done: int, total: int, run: Any) -> None:
            progress.update(task, completed=done, case=run.case.id)

        evaluation = runner.run(cases, progress=advance)
    evaluation.meta["gold"] = sorted({str(p) for p in (gold or [Path("eval/gold")])})
    evaluation.meta["split"] = split

    _print_summary(evaluation)
    paths = write_report(evaluation, out)
    console.print(f"Report: {paths['markdown']} and {paths['json']}; plots in {out}/")

    if floors is not None:
        _check(evaluation, floors)


def _check(evaluation: Evaluation, floors_path: Path) -> None:
    from qa.eval.floors import check_floors, load_floors

    floors = load_floors(floors_path)
    split = floors.get("split", "test")
    if split not in evaluation.summaries:
        console.print(f"[red]{floors_path} guards the {split} split, which was not run[/red]")
        raise typer.Exit(1)
    failed = [c for c in check_floors(evaluation.summaries[split], floors) if not c.ok]
    for check in failed:
        console.print(f"[red]below floor[/red] ({split}): {check}")
    if failed:
        raise typer.Exit(1)
    console.print(f"[green]All floors of {floors_path} hold on {split}.[/green]")
