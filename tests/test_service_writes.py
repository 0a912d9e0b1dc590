"""QAService.add_document / remove_document: rebuild beside, swap atomically, roll back."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from qa.document_store import DocumentNotFound, DuplicateDocument, ProtectedDocument
from qa.documents import Document
from qa.indexing import IndexStore
from qa.service import QAService
from tests.conftest import assert_verbatim

NOTE = Document(
    id="harbour-note",
    text="The Lenna harbour was dredged in 1958. Its breakwater is 600 metres long.",
    title="Harbour note",
)


def _add_in_background(
    service: QAService, document: Document
) -> tuple[threading.Thread, list[BaseException]]:
    """Start ``service.add_document(document)`` in a thread; its errors land in the list."""
    errors: list[BaseException] = []

    def add() -> None:
        try:
            service.add_document(document)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=add)
    writer.start()
    return writer, errors


def test_add_then_remove(make_service: Callable[..., QAService], article: Document) -> None:
    service = make_service()
    service.warm_up()
    old_build = service.index.build_id
    index = service.add_document(NOTE)
    assert index is service.index and index.build_id != old_build
    assert set(index.documents) == {article.id, NOTE.id}
    assert service.store.verify() == []

    result = service.ask("When was the Lenna harbour dredged?")
    assert result.citations[0].document_id == NOTE.id
    for citation in result.citations:
        text = service.document(citation.document_id).text  # type: ignore[union-attr]
        assert_verbatim(text, citation.start, citation.end, citation.quote)

    with pytest.raises(DuplicateDocument) as duplicate:
        service.add_document(Document(id="other-id", text=NOTE.text))
    assert duplicate.value.existing_id == NOTE.id

    index = service.remove_document(NOTE.id)
    assert set(index.documents) == {article.id}
    assert service.user_documents.list() == []
    with pytest.raises(DocumentNotFound):
        service.remove_document(NOTE.id)
    with pytest.raises(ProtectedDocument):
        service.remove_document(article.id)
    with pytest.raises(DocumentNotFound):
        service.remove_document("../seeds/" + article.id)


def test_a_failed_rebuild_rolls_the_document_back(
    make_service: Callable[..., QAService], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    service.warm_up()
    old_build = service.index.build_id

    def broken_build(self: IndexStore, *args: object, **kwargs: object) -> None:
        raise RuntimeError("embedding failed")

    monkeypatch.setattr(IndexStore, "build", broken_build)
    with pytest.raises(RuntimeError, match="embedding failed"):
        service.add_document(NOTE)
    assert service.user_documents.list() == []
    assert service.index.build_id == old_build
    assert service.ask("Who is the Turkish Defense Minister?").answer is not None


def test_questions_during_a_rebuild_are_answered_from_the_old_index(
    make_service: Callable[..., QAService], monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    service.warm_up()
    old_build = service.index.build_id
    inside_build = threading.Event()
    release = threading.Event()
    original = IndexStore._write_build

    def slow_write_build(self: IndexStore, *args: object, **kwargs: object) -> object:
        inside_build.set()
        assert release.wait(120)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(IndexStore, "_write_build", slow_write_build)
    writer, errors = _add_in_background(service, NOTE)
    try:
        assert inside_build.wait(120)
        # The document is stored, the new build is being written: the old index answers.
        assert service.user_documents.get(NOTE.id) == NOTE
        for question in ("Who is the Turkish Defense Minister?", "When was Lenna dredged?"):
            result = service.ask(question)
            assert service.index.build_id == old_build
            assert {c.document_id for c in result.citations} <= {"armenian-azeri-war-2020-10-18"}
    finally:
        release.set()
        writer.join(300)
    assert not errors
    assert service.index.build_id != old_build
    assert service.ask("When was the Lenna harbour dredged?").citations[0].document_id == NOTE.id


def test_a_build_another_process_publishes_is_served_from_the_next_question(
    make_service: Callable[..., QAService], article: Document
) -> None:
    server = make_service()
    server.warm_up()
    # `qa add` in another process: its own service over the same folders.
    command_line = QAService(server.settings, reader=server.reader, embedder=server.embedder)
    added = command_line.add_document(NOTE)

    result = server.ask("When was the Lenna harbour dredged?")
    assert server.index.build_id == added.build_id
    assert result.citations[0].document_id == NOTE.id
    assert_verbatim(
        NOTE.text, result.citations[0].start, result.citations[0].end, result.citations[0].quote
    )

    command_line.remove_document(NOTE.id)
    assert {d.id for d in server.documents()} == {article.id}


def test_writers_in_other_processes_wait_for_the_index_lock(
    make_service: Callable[..., QAService],
) -> None:
    from filelock import FileLock

    service = make_service()
    service.warm_up()
    # A separate lock object stands for another process (flock is per open file).
    other_process = FileLock(service.store.root / ".write.lock")
    with other_process:
        writer, errors = _add_in_background(service, NOTE)
        writer.join(1.0)
        # Still waiting: nothing stored, nothing built while the other writer holds it.
        assert writer.is_alive()
        assert service.user_documents.get(NOTE.id) is None
    writer.join(300)
    assert not errors
    assert NOTE.id in service.index.documents
