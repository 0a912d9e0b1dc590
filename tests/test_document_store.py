"""DocumentStore: atomic files, safe ids, the same layout the loader reads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qa.document_store import DocumentNotFound, DocumentStore, DuplicateDocument, atomic_write
from qa.documents import Document, load_documents


def _doc(doc_id: str = "note-1", text: str = "Ganja is a city.\r\nIt is old.") -> Document:
    return Document(
        id=doc_id,
        text=text,
        title="A note",
        author="Me",
        date="2024-01-02",
        extra={"format": "text"},
    )


def test_round_trip_is_exact(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path / "documents")
    store.add(_doc())
    # The loader the service uses reads back the same document, "\r\n" included.
    assert load_documents([store.root]) == [_doc()]
    assert store.get("note-1") == _doc()
    assert "note-1" in store


def test_remove_deletes_both_files(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    store.add(_doc())
    assert store.remove("note-1") == _doc()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DocumentNotFound):
        store.remove("note-1")


def test_an_id_cannot_be_stored_twice(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    store.add(_doc())
    with pytest.raises(DuplicateDocument, match="note-1"):
        store.add(_doc(text="Other text."))
    assert store.get("note-1") == _doc()


@pytest.mark.parametrize("bad_id", ["../seeds/x", "..", "a/b", "", "UPPER", "x\x00", "-x"])
def test_ids_outside_the_safe_alphabet_never_reach_the_file_system(
    tmp_path: Path, bad_id: str
) -> None:
    store = DocumentStore(tmp_path / "documents")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "x.txt").write_text("seed")
    assert store.get(bad_id) is None
    assert bad_id not in store
    with pytest.raises(DocumentNotFound):
        store.remove(bad_id)
    with pytest.raises(ValueError, match="not a safe document id"):
        store.add(Document(id=bad_id, text="t"))
    assert (tmp_path / "seeds" / "x.txt").read_text() == "seed"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    atomic_write(target, b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_cleanup_removes_only_stale_leftovers(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    store.add(_doc())
    stale_tmp = tmp_path / ".x.txt.0123.tmp"
    orphan = tmp_path / "gone.json"
    fresh_tmp = tmp_path / ".y.txt.4567.tmp"
    for path in (stale_tmp, orphan, fresh_tmp):
        path.write_text("{}")
    old = time.time() - 2 * 3600
    os.utime(stale_tmp, (old, old))
    os.utime(orphan, (old, old))
    assert sorted(store.cleanup()) == sorted([stale_tmp, orphan])
    assert fresh_tmp.exists()
    assert store.get("note-1") == _doc()
