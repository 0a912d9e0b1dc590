"""The ``qa`` command line: build the index, ask questions, serve, evaluate."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from qa.bench import bench_command
from qa.config import get_settings
from qa.documents import load_document, load_documents
from qa.documents_cli import add as add_command
from qa.documents_cli import remove as remove_command
from qa.eval.cli import eval_command
from qa.progress import stage_callback, stage_progress
from qa.readers.training_cli import ablate_reader_command, train_reader_command

app = typer.Typer(help="Extractive question answering over documents, with cited answers.")
console = Console()


@app.command()
def index(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Document files (.txt) or folders; default: seeds/ and data/."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when the index is fresh.")] = False,
) -> None:
    """Build the index (only when documents or parameters changed, unless --force)."""
    from qa.encoder_export import ensure_onnx_encoder
    from qa.service import QAService

    settings = get_settings()
    if settings.embedding_backend == "onnx" and ensure_onnx_encoder(settings.onnx_model):
        console.print(f"[green]Exported[/green] the MiniLM encoder to {settings.onnx_model}")
    # The service owns the store and its parameters; constructing it loads no model.
    service = QAService(settings)
    if paths:
        documents = []
        for path in paths:
            if path.is_dir():
                documents.extend(load_documents([path]))
            elif path.is_file():
                documents.append(load_document(path))
            else:
                raise typer.BadParameter(f"{path} does not exist")
    else:
        documents = service.source_documents()
    store = service.store
    # A running server or `qa add` may be writing too: one writer at a time.
    with store.write_lock():
        if store.is_fresh(documents) and not store.verify() and not force:
            manifest = store.read_manifest() or {}
            console.print(f"Index is up to date: {manifest.get('counts')} ({store.current_path()})")
            return
        with stage_progress(console) as progress:
            path = store.build(documents, progress=stage_callback(progress))
        manifest = store.read_manifest() or {}
    console.print(f"[green]Built[/green] {path} {manifest.get('counts')}")
    resumed = manifest.get("resumed") or {}
    if any(resumed.values()):
        console.print(
            f"Resumed an unfinished build ({store.resume_dir}); taken over: documents "
            f"parsed {resumed.get('parses', 0):,}, texts embedded {resumed.get('vectors', 0):,}"
        )


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    top_k: Annotated[int, typer.Option(min=1, max=20, help="Citations to show.")] = 3,
) -> None:
    """Answer one question and show the quote it came from."""
    from qa.service import QAService

    logging.basicConfig(level=logging.WARNING)
    service = QAService(get_settings())
    with console.status("Loading the index and models..."):
        service.warm_up()
    result = service.ask(question, top_k=top_k)
    if result.answer is None:
        console.print("[yellow]The document does not answer this.[/yellow] Closest passages:")
    else:
        a = result.answer
        console.print(f"[bold green]{a.text}[/bold green]  (confidence {a.confidence:.0%})")
    for i, citation in enumerate(result.citations, 1):
        quote = Text(citation.quote.replace("\n", " "))
        if i == 1 and result.answer is not None:
            rel = result.answer.start - citation.start
            quote.stylize("bold reverse", rel, rel + len(result.answer.text))
        console.print(
            Text(f"[{i}] {citation.document_id} {citation.start}-{citation.end}: ", style="dim")
            + quote
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default: QA_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: QA_PORT or 8000.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="Serving processes. Default: QA_WORKERS or 1."),
    ] = None,
) -> None:
    """Serve the HTTP API and the chat page."""
    from qa.encoder_export import ensure_onnx_encoder
    from qa.runtime import serve as run_server

    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if settings.embedding_backend == "onnx":
        # Once, here: the serving processes themselves never load torch.
        ensure_onnx_encoder(settings.onnx_model)
    run_server(
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
    )


app.command("eval")(eval_command)
app.command("add")(add_command)
app.command("remove")(remove_command)
app.command("bench")(bench_command)
app.command("train-reader")(train_reader_command)
app.command("ablate-reader")(ablate_reader_command)

if __name__ == "__main__":
    app()
