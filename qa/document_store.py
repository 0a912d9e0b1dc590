"""The user's own documents on disk (``data/documents``), written atomically.

Each document is ``<id>.txt`` (the exact text) with ``<id>.json`` (metadata) beside it, the
same layout as ``seeds/``. Every file is written to a temporary name, flushed to disk and
renamed into place, so a crash leaves either the old file or the new one, never a part.
The ``.txt`` file is what makes a document exist: it is written last and removed first.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from pathlib import Path

from qa.documents import Document, is_valid_document_id, load_document, load_documents

# Temporary files older than this belong to writes that died; younger ones may be in flight
# in another process (the CLI and the server share the folder).
_STALE_SECONDS = 3600


class DocumentNotFound(KeyError):
    """No stored document has this id."""

    def __init__(self, document_id: str) -> None:
        super().__init__(document_id)
        self.document_id = document_id

    def __str__(self) -> str:
        return f"no document with id {self.document_id!r}"


class DuplicateDocument(ValueError):
    """The document (same id or same text) is already held, as ``existing_id``."""

    def __init__(self, existing_id: str, same_text: bool = True) -> None:
        what = "this text is already held" if same_text else "this id is already taken"
        super().__init__(f"{what} as document {existing_id!r}")
        self.existing_id = existing_id


class ProtectedDocument(PermissionError):
    """A seed document: part of the service, not the user's to delete."""

    def __init__(self, document_id: str) -> None:
        super().__init__(
            f"{document_id!r} is a seed document shipped with the service; it cannot be deleted"
        )
        self.document_id = document_id


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the new, never a mix.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "note.txt"
        >>> atomic_write(target, b"Ganja")
        >>> target.read_bytes()
        b'Ganja'
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


class DocumentStore:
    """The folder of the user's documents: add, list, get and remove, each atomic.

    Args:
        root: the folder (``data_dir / "documents"``); created on the first write.

    Example:
        >>> import tempfile
        >>> store = DocumentStore(Path(tempfile.mkdtemp()))
        >>> _ = store.add(Document(id="note", text="Ganja is a city.", title="A note"))
        >>> [d.title for d in store.list()]
        ['A note']
        >>> store.remove("note").text
        'Ganja is a city.'
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _paths(self, document_id: str) -> tuple[Path, Path]:
        # Ids become file names: anything outside the safe alphabet is simply not here.
        if not is_valid_document_id(document_id):
            raise DocumentNotFound(document_id)
        return self.root / f"{document_id}.txt", self.root / f"{document_id}.json"

    def list(self) -> list[Document]:
        """Every stored document, sorted by id."""
        return load_documents([self.root])

    def get(self, document_id: str) -> Document | None:
        try:
            text_path, _ = self._paths(document_id)
        except DocumentNotFound:
            return None
        return load_document(text_path) if text_path.is_file() else None

    def __contains__(self, document_id: object) -> bool:
        return isinstance(document_id, str) and self.get(document_id) is not None

    def add(self, document: Document) -> Path:
        """Store ``document`` (metadata first, then the text that makes it visible)."""
        if not is_valid_document_id(document.id):
            raise ValueError(f"{document.id!r} is not a safe document id")
        text_path, meta_path = self._paths(document.id)
        if text_path.exists():
            raise DuplicateDocument(document.id, same_text=False)
        self.root.mkdir(parents=True, exist_ok=True)
        meta = {
            "title": document.title,
            "author": document.author,
            "date": document.date,
            "source": document.source,
            **document.extra,
        }
        atomic_write(meta_path, json.dumps(meta, ensure_ascii=False, indent=2).encode("utf-8"))
        atomic_write(text_path, document.text.encode("utf-8"))
        return text_path

    def remove(self, document_id: str) -> Document:
        """Delete a stored document and return what it was."""
        text_path, meta_path = self._paths(document_id)
        if not text_path.is_file():
            raise DocumentNotFound(document_id)
        document = load_document(text_path)
        text_path.unlink()
        fsync_dir(self.root)
        with contextlib.suppress(FileNotFoundError):
            meta_path.unlink()
        fsync_dir(self.root)
        return document

    def cleanup(self) -> list[Path]:
        """Remove leftovers of writes that died: old temporary files and orphaned metadata."""
        removed: list[Path] = []
        if not self.root.is_dir():
            return removed
        now = time.time()
        for path in self.root.iterdir():
            orphan = path.suffix == ".json" and not path.with_suffix(".txt").exists()
            temporary = path.name.startswith(".") and path.name.endswith(".tmp")
            if (orphan or temporary) and now - path.stat().st_mtime > _STALE_SECONDS:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
        return removed
