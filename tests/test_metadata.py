"""Questions about a document itself, answered from its header (qa/metadata.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.documents import Document
from qa.metadata import MetadataAnswerer, metadata_field
from qa.service import QAService
from tests.conftest import assert_verbatim


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Who wrote the article?", "author"),
        ("So who actually wrote this story?", "author"),
        ("who's the writer of this piece", "author"),
        ("By whom was this article written?", "author"),
        ("What is the name of the author?", "author"),
        ("When was the article published?", "date"),
        ("What year was this article written?", "date"),
        ("When did the article come out?", "date"),
        ("When did Alex Lantier write the article?", "date"),
        ("What is the publication date?", "date"),
        ("How old is this article?", "date"),
        ("What is the title of this article?", "title"),
        ("What’s the headline?", "title"),
        ("What is the article called?", "title"),
        # Not about the document: another work, or a fact the article dates.
        ("Who wrote the novel War and Peace?", None),
        ("Who wrote the letter that the article quotes?", None),
        ("Who is the author of the report cited by Al Jazeera?", None),
        ("How long had the war been going on when the article was written?", None),
        ("When did the article say the report was published?", None),
        ("What is the title of Hulusi Akar?", None),
        ("Who is the Turkish Defense Minister?", None),
    ],
)
def test_questions_about_the_document_are_told_apart(question: str, field: str | None) -> None:
    assert metadata_field(question) == field


HEADER = "Ganja shelled again\n\nBy Alex Lantier, 5 October 2020\n\n"
BODY = "Ganja was shelled. Alex Lantier's colleague wrote on 6 October 2020 about it."


def document(**metadata: str) -> Document:
    return Document(id="d", text=HEADER + BODY, **metadata)


@pytest.mark.parametrize(
    ("question", "metadata", "expected"),
    [
        ("Who wrote this article?", {"author": "Alex Lantier"}, "Alex Lantier"),
        ("Who wrote this article?", {"author": "alex lantier"}, "Alex Lantier"),
        ("When was the article published?", {"date": "2020-10-05"}, "5 October 2020"),
        ("What is the title of this article?", {"title": "Ganja shelled again"}, None),
    ],
)
def test_the_value_is_quoted_from_the_header_with_its_line(
    question: str, metadata: dict[str, str], expected: str | None
) -> None:
    doc = document(**metadata)
    found = MetadataAnswerer().run(question, doc, body_start=len(HEADER))
    assert found is not None and found.answer is not None
    answer = found.answer
    assert_verbatim(doc.text, answer.start, answer.end, answer.text)
    assert answer.text == (expected or metadata["title"])
    # The citation is the header line the value is on, also verbatim.
    passage = answer.passage
    assert_verbatim(doc.text, passage.start, passage.end, passage.text)
    assert passage.start <= answer.start and answer.end <= passage.end
    assert "\n" not in passage.text


@pytest.mark.parametrize(
    ("question", "metadata"),
    [
        # The header does not state it; the body's mentions are not the byline.
        ("When was the article published?", {"date": "2020-10-06"}),
        ("Who wrote this article?", {"author": "Jane Doe"}),
        ("Who wrote this article?", {}),
        ("When was the article published?", {"date": "last autumn"}),
    ],
)
def test_no_answer_when_the_header_does_not_state_it(
    question: str, metadata: dict[str, str]
) -> None:
    found = MetadataAnswerer().run(question, document(**metadata), body_start=len(HEADER))
    assert found is not None and found.answer is None


def test_other_questions_are_left_to_the_reader() -> None:
    doc = document(author="Alex Lantier")
    assert MetadataAnswerer().run("Who shelled Ganja?", doc, body_start=len(HEADER)) is None


def test_the_service_answers_from_the_byline(service: QAService, article: Document) -> None:
    for question, expected in [
        ("Who wrote this article?", article.author),
        ("When was the article published?", "18 October 2020"),
        ("What is the title of the article?", article.title),
    ]:
        result = service.ask(question)
        assert result.answer is not None and result.answer.text == expected
        assert_verbatim(article.text, result.answer.start, result.answer.end, expected)
        [citation] = result.citations
        assert_verbatim(article.text, citation.start, citation.end, citation.quote)
        assert citation.start <= result.answer.start and result.answer.end <= citation.end


def test_with_several_documents_the_question_needs_one_chosen(
    make_service: Callable[..., QAService], article: Document
) -> None:
    service = make_service()
    service.warm_up()
    other = Document(
        id="note",
        text="A note on Ganja\n\nJane Doe 1 November 2020\n\nGanja was shelled again.",
        title="A note on Ganja",
        author="Jane Doe",
        date="2020-11-01",
    )
    service.add_document(other)
    # "This article" is no one document: the service abstains, not guesses from a body.
    unscoped = service.ask("Who wrote this article?")
    assert unscoped.answer is None and unscoped.best_candidate is None
    assert service.ask("Who wrote this article?", document_id="note").answer.text == "Jane Doe"  # type: ignore[union-attr]
    mine = service.ask("Who wrote this article?", document_id=article.id)
    assert mine.answer is not None and mine.answer.text == article.author
