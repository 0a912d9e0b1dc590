"""Write an evaluation out: ``report.json``, ``report.md`` and the PNG plots.

``report.md`` opens with one summary table (dev, test, all side by side), then the figures
per category, the plots, and every miss with what the service returned.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from qa.eval.gold import ANSWERABLE_CATEGORIES
from qa.eval.metrics import RECALL_KS
from qa.eval.plots import write_plots
from qa.eval.results import CaseRun, CaseScore
from qa.eval.runner import Evaluation

DEFAULT_OUT = Path("reports") / "eval"
QUOTE_CHARS = 160


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; a report is for everyone
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def miss_reasons(run: CaseRun, score: CaseScore) -> list[str]:
    """What went wrong in one case; empty when nothing did.

    Example:
        >>> from qa.eval.gold import GoldCase
        >>> from qa.eval.metrics import score_case
        >>> case = GoldCase("una-1", "d", "unanswerable", "dev", "Why?", (), None)
        >>> miss_reasons(CaseRun(case, None, []), score_case(CaseRun(case, None, [])))
        []
    """
    reasons = []
    if run.error is not None:
        reasons.append(f"error: {run.error}")
    if score.answerable:
        if score.abstained:
            reasons.append("false abstention")
        elif score.em < 1:
            reasons.append(f"answer (F1 {score.f1:.2f})")
        if score.evidence_rank is None:
            reasons.append("evidence not cited")
        elif score.evidence_rank > 3:
            reasons.append(f"evidence at rank {score.evidence_rank}")
        if not score.citation_hit:
            reasons.append("first citation lacks the answer")
    elif not score.abstained:
        reasons.append("answered an unanswerable question")
    if run.offsets_exact is False:
        reasons.extend(f"offsets: {p}" for p in run.offset_errors)
    return reasons


def case_record(run: CaseRun, score: CaseScore) -> dict[str, Any]:
    """One case as it goes into ``report.json``."""
    case = run.case
    return {
        "id": case.id,
        "split": case.split,
        "category": case.category,
        "question": case.question,
        "history": [{"question": q, "answer": a} for q, a in case.history],
        "answers": list(case.answers),
        "evidence": list(case.evidence) if case.evidence else None,
        "returned": asdict(run.answer) if run.answer else None,
        "best_candidate": asdict(run.best) if run.best else None,
        "resolved_question": run.resolved_question,
        "citations": [asdict(c) for c in run.citations],
        "latency_ms": round(run.latency_ms, 3),
        "offset_errors": run.offset_errors,
        "error": run.error,
        "score": asdict(score),
        "misses": miss_reasons(run, score),
    }


def report_json(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "meta": evaluation.meta,
        "summaries": evaluation.summaries,
        "cases": [
            case_record(r, s) for r, s in zip(evaluation.runs, evaluation.scores, strict=True)
        ],
    }


# -- markdown -------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _cell(text: str, limit: int | None = None) -> str:
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    retrieval = summary["retrieval"]
    latency = summary["latency_ms"]
    abstention = summary["abstention"]
    rows = [
        (
            "cases (answerable / unanswerable)",
            f"{summary['cases']} ({summary['answerable']} / {summary['unanswerable']})",
        ),
        ("EM, answerable (HasAns)", _fmt(summary["hasans"]["em"])),
        ("F1, answerable (HasAns)", _fmt(summary["hasans"]["f1"])),
        ("EM, all (correct abstention = 1)", _fmt(summary["all"]["em"])),
        ("F1, all (correct abstention = 1)", _fmt(summary["all"]["f1"])),
    ]
    for category in ANSWERABLE_CATEGORIES:
        figures = summary["categories"][category]
        rows.append(
            (
                f"F1 / EM {category}",
                f"{_fmt(figures['f1'])} / {_fmt(figures['em'])}",
            )
        )
    rows += [(f"recall@{k}", _fmt(retrieval[f"recall@{k}"])) for k in RECALL_KS]
    rows += [
        ("MRR@10", _fmt(retrieval["mrr@10"])),
        ("citation accuracy", _fmt(summary["citation_accuracy"])),
        ("offsets exact", _fmt(summary["offsets_exact"])),
        ("abstention accuracy (unanswerable)", _fmt(abstention["accuracy"])),
        ("false abstentions (answerable)", _fmt(abstention["false_abstention_rate"])),
        ("confidence threshold", _fmt(abstention["threshold"], 2)),
        (
            "latency p50 / p95 / p99 (ms)",
            " / ".join(_fmt(latency.get(p), 0) for p in ("p50", "p95", "p99")),
        ),
        ("calibration error (ECE)", _fmt(summary["calibration"]["ece"])),
        ("errors", str(summary["errors"])),
    ]
    return rows


def shown_splits(summaries: dict[str, dict[str, Any]]) -> list[str]:
    """The summary columns worth showing: "all" only beside two or more splits."""
    named = [s for s in summaries if s != "all"]
    if len(named) == 1:
        return named
    return [*named, "all"] if "all" in summaries else named


def summary_table(summaries: dict[str, dict[str, Any]]) -> str:
    """A markdown table: one row per figure, one column per split."""
    splits = shown_splits(summaries)
    rows = {name: summary_rows(summaries[name]) for name in splits}
    lines = ["| figure | " + " | ".join(splits) + " |", "|---|" + "---:|" * len(splits)]
    for i, (label, _) in enumerate(rows[splits[0]]):
        lines.append(f"| {label} | " + " | ".join(rows[s][i][1] for s in splits) + " |")
    return "\n".join(lines)


def _returned(run: CaseRun) -> str:
    if run.error is not None:
        return "(error)"
    if run.answer is not None:
        return f"{run.answer.text!r} ({run.answer.confidence:.2f})"
    if run.best is not None:
        return f"(abstained; best {run.best.text!r} {run.best.confidence:.2f})"
    return "(abstained)"


def misses_table(evaluation: Evaluation) -> str:
    """Every case with a miss, with what the service returned and its first citation."""
    lines = [
        "| id | split | category | question | expected | returned (confidence) | F1 "
        "| first citation | what failed |",
        "|---|---|---|---|---|---|---:|---|---|",
    ]
    count = 0
    for run, score in zip(evaluation.runs, evaluation.scores, strict=True):
        reasons = miss_reasons(run, score)
        if not reasons:
            continue
        count += 1
        case = run.case
        question = case.question
        if case.history:
            question = f"[after: {case.history[-1][0]}] {question}"
        expected = " / ".join(repr(a) for a in case.answers) if case.answers else "(abstain)"
        first = run.citations[0] if run.citations else None
        citation = f"{first.start}-{first.end}: {first.quote}" if first else "(none)"
        f1 = _fmt(score.f1, 2) if score.answerable else "-"
        cells = [
            case.id,
            case.split,
            case.category,
            _cell(question),
            _cell(expected),
            _cell(_returned(run)),
            f1,
            _cell(citation, QUOTE_CHARS),
            _cell("; ".join(reasons)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if count == 0:
        return "No misses."
    return f"{count} cases with at least one miss.\n\n" + "\n".join(lines)


def report_markdown(evaluation: Evaluation, plots: dict[str, Path]) -> str:
    meta = evaluation.meta
    source = f"{meta.get('mode')} ({meta['url']})" if meta.get("url") else meta.get("mode")
    lines = [
        "# Evaluation report",
        "",
        f"{meta.get('created', '')} · {source} · reader "
        f"`{meta.get('reader')}` · index `{meta.get('index_build')}` · "
        f"top_k {meta.get('top_k')} · gold: {', '.join(meta.get('gold', [])) or 'n/a'}",
        "",
        "EM/F1 use SQuAD normalisation and the best gold answer; an abstention on an "
        "answerable case scores 0. Recall@k: the evidence sentence among the first k "
        "citations (overlap >= half the shorter span). Citation accuracy: the first citation "
        "holds a gold answer inside the evidence. Confidence on abstention: "
        f"{meta.get('confidence_on_abstention')}.",
        "",
        "## Summary",
        "",
        summary_table(evaluation.summaries),
        "",
        "## Plots",
        "",
    ]
    lines += [f"![{name}]({path.name})" for name, path in plots.items()]
    lines += ["", "## Misses", "", misses_table(evaluation), ""]
    return "\n".join(lines)


def write_report(evaluation: Evaluation, out_dir: Path = DEFAULT_OUT) -> dict[str, Path]:
    """Write ``report.json``, ``report.md`` and the plots into ``out_dir``; name -> file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = write_plots(evaluation, out_dir)
    json_path = out_dir / "report.json"
    md_path = out_dir / "report.md"
    _atomic_write(json_path, json.dumps(report_json(evaluation), indent=1, ensure_ascii=False))
    _atomic_write(md_path, report_markdown(evaluation, plots))
    return {"json": json_path, "markdown": md_path, **plots}
