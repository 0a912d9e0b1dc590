"""``qa add FILE`` and ``qa remove ID``: the user's documents from the command line.

Both write ``data/documents`` and rebuild the index on disk, exactly as the HTTP API does,
holding the index's write lock, so they wait for (and never undo) a server's own writes.
A server that is already running serves the new build from its next question on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from qa.config import get_settings
from qa.document_store import DocumentNotFound, DuplicateDocument, ProtectedDocument
from qa.ingest import FORMATS, DocumentIngester, IngestError, IngestRequest, format_for_path

console = Console()


def _service():
    """The service the commands write through (a seam for tests)."""
    from qa.service import QAService

    return QAService(get_settings())


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(1)


def add(
    file: Annotated[Path, typer.Argument(help="A .txt, .md or .html file (UTF-8).", exists=False)],
    title: Annotated[str, typer.Option(help="Default: the HTML/Markdown title or file name.")] = "",
    author: Annotated[str, typer.Option()] = "",
    date: Annotated[str, typer.Option(help="e.g. 2020-10-18")] = "",
    format: Annotated[
        str | None,
        typer.Option("--format", help=f"One of {', '.join(FORMATS)}; default: by the suffix."),
    ] = None,
) -> None:
    """Add a document (text, Markdown or HTML) and rebuild the index."""
    settings = get_settings()
    if not file.is_file():
        raise _fail(f"{file} is not a file")
    try:
        fmt = format or format_for_path(file)
        size = file.stat().st_size
        if size > settings.max_upload_bytes:
            raise _fail(
                f"{file} is {size} bytes; the limit is {settings.max_upload_bytes} "
                "(raise QA_MAX_UPLOAD_BYTES to allow it)"
            )
        request = IngestRequest(
            file.read_bytes(), fmt, title=title, author=author, date=date, filename=file.name
        )
        document = DocumentIngester(settings.max_upload_bytes).run(request)  # type: ignore[arg-type]
    except IngestError as exc:
        raise _fail(str(exc)) from None
    service = _service()
    try:
        with console.status(f"Indexing {document.id}..."):
            index = service.add_document(document)
    except DuplicateDocument as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"[green]Added[/green] {document.id} ({len(document.text)} characters); "
        f"index {index.build_id} holds {len(index.documents)} documents"
    )


def remove(
    id: Annotated[str, typer.Argument(help="The document id (see GET /documents).")],
) -> None:
    """Delete one of your documents and rebuild the index."""
    service = _service()
    try:
        with console.status(f"Removing {id}..."):
            index = service.remove_document(id)
    except (DocumentNotFound, ProtectedDocument) as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"[green]Removed[/green] {id}; index {index.build_id} holds {len(index.documents)} "
        "documents"
    )
