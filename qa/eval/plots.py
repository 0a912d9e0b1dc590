"""PNG plots of an evaluation: F1 by category, recall@k, latency, reliability.

Figures are drawn with matplotlib's object API on the Agg canvas, never through pyplot, so
no display and no global backend state are involved.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qa.eval.gold import ANSWERABLE_CATEGORIES

if TYPE_CHECKING:
    from qa.eval.runner import Evaluation

PLOTS = {
    "f1_by_category": "f1-by-category.png",
    "recall_at_k": "recall-at-k.png",
    "latency": "latency.png",
    "reliability": "reliability.png",
}
_COLORS = {"dev": "#4C72B0", "test": "#DD8452", "all": "#55A868"}


def _splits(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """The splits to draw: dev and test side by side when both exist, else what there is."""
    named = [s for s in ("dev", "test") if s in summaries]
    return named or list(summaries)


def _save(figure: Figure, path: Path) -> Path:
    FigureCanvasAgg(figure)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Drawn beside the target and renamed over it, so a reader never sees half an image.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        figure.savefig(tmp, dpi=110, format="png")
        os.chmod(tmp, 0o644)  # mkstemp makes files private; a plot is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def plot_f1_by_category(summaries: dict[str, dict[str, Any]], path: Path) -> Path:
    """Grouped bars: token F1 per category and split (abstention accuracy for unanswerable)."""
    splits = _splits(summaries)
    labels = [*ANSWERABLE_CATEGORIES, "answerable", "unanswerable\n(abstention acc.)"]
    figure = Figure(figsize=(8, 4))
    ax = figure.add_subplot()
    width = 0.8 / max(len(splits), 1)
    x = np.arange(len(labels))
    for i, split in enumerate(splits):
        summary = summaries[split]
        values = [summary["categories"][c]["f1"] for c in ANSWERABLE_CATEGORIES]
        values += [
            summary["hasans"]["f1"],
            summary["categories"]["unanswerable"]["abstention_accuracy"],
        ]
        heights = [v if v is not None else 0.0 for v in values]
        bars = ax.bar(
            x + (i - (len(splits) - 1) / 2) * width,
            heights,
            width,
            label=split,
            color=_COLORS.get(split),
        )
        for bar, value in zip(bars, values, strict=True):
            text = "n/a" if value is None else f"{value:.2f}"
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=7,
            )
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylim(0, 1.2)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("token F1")
    ax.set_title("F1 by category")
    ax.legend(loc="upper right", ncols=max(len(splits), 1), fontsize=8)
    return _save(figure, path)


def plot_recall_at_k(summaries: dict[str, dict[str, Any]], path: Path) -> Path:
    """Recall@k of the evidence sentence among the citations, k = 1..10, per split."""
    figure = Figure(figsize=(5.5, 4))
    ax = figure.add_subplot()
    for split in _splits(summaries):
        curve = summaries[split]["retrieval"]["recall_curve"]
        ks = [k for k, v in enumerate(curve, 1) if v is not None]
        ax.plot(
            ks,
            [v for v in curve if v is not None],
            marker="o",
            label=split,
            color=_COLORS.get(split),
        )
    ax.set_xlabel("k (citations)")
    ax.set_ylabel("recall@k of the evidence sentence")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(range(1, 11))
    ax.grid(alpha=0.3)
    ax.set_title("Retrieval recall@k")
    ax.legend(loc="lower right", fontsize=8)
    return _save(figure, path)


def plot_latency(latencies_ms: list[float], percentiles: dict[str, float], path: Path) -> Path:
    """Histogram of per-question latency with the p50/p95/p99 marked."""
    figure = Figure(figsize=(5.5, 4))
    ax = figure.add_subplot()
    if latencies_ms:
        ax.hist(latencies_ms, bins=min(30, max(5, len(latencies_ms) // 4)), color="#4C72B0")
    for name, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
        if name in percentiles:
            value = percentiles[name]
            ax.axvline(value, color="black", linestyle=style, label=f"{name} {value:.0f} ms")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    if percentiles:
        ax.legend(fontsize=8)
    return _save(figure, path)


def plot_reliability(
    bins: list[dict[str, Any]], threshold: float | None, path: Path, ece: float | None = None
) -> Path:
    """Reliability diagram: accuracy of the best candidate per confidence bin vs. the diagonal."""
    figure = Figure(figsize=(5.5, 5))
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    filled = [b for b in bins if b["count"]]
    ax.bar(
        [b["lower"] for b in filled],
        [b["accuracy"] for b in filled],
        width=[b["upper"] - b["lower"] for b in filled],
        align="edge",
        edgecolor="black",
        color="#4C72B0",
        alpha=0.8,
        label="share correct",
    )
    for b in filled:
        ax.annotate(
            str(b["count"]),
            ((b["lower"] + b["upper"]) / 2, b["accuracy"]),
            ha="center",
            va="bottom",
            fontsize=7,
        )
    if threshold is not None:
        ax.axvline(threshold, color="#C44E52", label=f"threshold {threshold:.2f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("confidence of the best candidate")
    ax.set_ylabel("share correct (token F1 >= 0.5)")
    title = "Reliability (numbers: cases per bin)"
    ax.set_title(title if ece is None else f"{title}, ECE {ece:.3f}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    return _save(figure, path)


def write_plots(evaluation: Evaluation, out_dir: Path) -> dict[str, Path]:
    """Draw every plot of ``evaluation`` into ``out_dir``; returns name -> file."""
    summaries = evaluation.summaries
    overall = summaries["all"]
    latencies = [r.latency_ms for r in evaluation.runs if r.error is None]
    return {
        "f1_by_category": plot_f1_by_category(summaries, out_dir / PLOTS["f1_by_category"]),
        "recall_at_k": plot_recall_at_k(summaries, out_dir / PLOTS["recall_at_k"]),
        "latency": plot_latency(latencies, overall["latency_ms"], out_dir / PLOTS["latency"]),
        "reliability": plot_reliability(
            overall["calibration"]["bins"],
            overall["abstention"]["threshold"],
            out_dir / PLOTS["reliability"],
            ece=overall["calibration"]["ece"],
        ),
    }
