"""Progress bars for long work: one rich bar per stage (parse, embed, questions, fit, ...).

Index builds, reader training and the ablation report progress as ``progress(stage,
done, total)`` callbacks; :func:`stage_callback` turns that into bars.

Example:
    >>> from rich.console import Console
    >>> with stage_progress(Console(quiet=True)) as bars:
    ...     report = stage_callback(bars)
    ...     report("parse", 1, 2)
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def stage_progress(console: Console) -> Progress:
    """The bar layout shared by the commands: stage name, bar, done/total, time."""
    return Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def stage_callback(progress: Progress) -> Callable[[str, int, int], None]:
    """A ``progress(stage, done, total)`` callback that drives one bar per stage."""
    tasks: dict[str, int] = {}

    def callback(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return callback
