"""Documents and where they live: a folder of ``<id>.txt`` files with ``<id>.json`` metadata."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Ids double as file names, so they are restricted to a safe alphabet (no "/" or "..").
DOCUMENT_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


def checksum(text: str) -> str:
    """SHA-256 of the document text, the identity of its content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One document: the exact text that every offset refers to, plus metadata.

    Example:
        >>> doc = Document(id="note", text="Ganja is a city.", title="A note")
        >>> doc.text[0:5]
        'Ganja'
    """

    id: str
    text: str
    title: str = ""
    author: str = ""
    date: str = ""
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def checksum(self) -> str:
        return checksum(self.text)

    def metadata(self) -> dict[str, object]:
        data = asdict(self)
        del data["text"]
        data["length"] = len(self.text)
        return data


def is_valid_document_id(document_id: str) -> bool:
    return bool(DOCUMENT_ID_PATTERN.match(document_id))


def load_document(path: Path) -> Document:
    """Read ``path`` (UTF-8 text) and the ``.json`` metadata beside it, if any."""
    # Decoding the bytes ourselves keeps "\r\n" as stored: offsets refer to the exact text.
    text = path.read_bytes().decode("utf-8")
    meta_path = path.with_suffix(".json")
    meta: dict[str, str] = {}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    known = {k: str(meta.pop(k, "")) for k in ("title", "author", "date", "source")}
    return Document(
        id=path.stem.lower(),
        text=text,
        extra={k: str(v) for k, v in meta.items()},
        **known,
    )


def load_documents(folders: Iterable[Path]) -> list[Document]:
    """Every ``*.txt`` document in ``folders``, sorted by id; later folders cannot shadow ids."""
    documents: dict[str, Document] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.txt")):
            doc = load_document(path)
            documents.setdefault(doc.id, doc)
    return [documents[k] for k in sorted(documents)]
