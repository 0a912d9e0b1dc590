"""DocumentSplitter: exact offsets, mid-sentence paragraph breaks, body boundaries."""

from __future__ import annotations

import pytest

from qa.chunking import DocumentSplitter, find_body
from qa.documents import Document
from tests.conftest import assert_verbatim


@pytest.fixture(scope="module")
def split(article: Document):
    return DocumentSplitter(chunk_sentences=3, chunk_overlap=1).run(article)


def test_every_sentence_and_chunk_is_verbatim(split, article: Document) -> None:
    assert len(split.sentences) > 40
    for sentence in split.sentences:
        assert_verbatim(article.text, sentence.start, sentence.end, sentence.text)
        assert sentence.text == sentence.text.strip()
    for chunk in split.chunks:
        assert_verbatim(article.text, chunk.start, chunk.end, chunk.text)


def test_sentences_are_ordered_and_disjoint(split) -> None:
    ends = [s.end for s in split.sentences]
    starts = [s.start for s in split.sentences]
    assert all(e <= s for e, s in zip(ends, starts[1:], strict=False))
    assert [s.index for s in split.sentences] == list(range(len(split.sentences)))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("lend their firepower", "to what is already a powder keg"),
        ("They have to do", "something or Azerbaijan will keep hitting them."),
        ("As the Russian drills began in the Caspian Sea, Russia's", "Kommersant published"),
    ],
)
def test_sentence_continues_across_a_paragraph_break(split, before: str, after: str) -> None:
    holding = [s for s in split.sentences if before in s.text]
    assert len(holding) == 1
    assert after in holding[0].text
    assert "\n\n" in holding[0].text


def test_closing_quotes_stay_with_their_sentence(split) -> None:
    assert not [s for s in split.sentences if not any(ch.isalnum() for ch in s.text)]
    assert any(s.text.endswith('irresponsible."') for s in split.sentences)


def test_title_byline_and_footer_are_not_answer_material(split, article: Document) -> None:
    body = article.text[split.body_start : split.body_end]
    assert body.startswith("Three weeks into a bloody war")
    assert body.endswith("against war and capitalism.")
    texts = " ".join(s.text for s in split.sentences)
    assert "Alex Lantier" not in texts
    assert "wsws.org/contact" not in texts
    assert article.title not in texts


def test_chunks_overlap_by_the_configured_number_of_sentences(split) -> None:
    for first, second in zip(split.chunks, split.chunks[1:], strict=False):
        assert second.first_sentence == first.last_sentence  # overlap of 1
        assert first.last_sentence - first.first_sentence + 1 <= 3
    assert split.chunks[-1].last_sentence == split.sentences[-1].index


def test_a_heading_does_not_swallow_the_next_paragraph() -> None:
    text = "Background\n\nGanja is a city in Azerbaijan. It was hit on Saturday."
    split = DocumentSplitter().run(Document(id="d", text=text))
    assert split.sentences[0].text == "Background"
    assert split.sentences[1].text == "Ganja is a city in Azerbaijan."


def test_plain_text_without_metadata_keeps_everything() -> None:
    doc = Document(id="d", text="  Rob Lee is an analyst.\r\n\r\nHe spoke to Al Jazeera.  ")
    split = DocumentSplitter().run(doc)
    assert [s.text for s in split.sentences] == [
        "Rob Lee is an analyst.",
        "He spoke to Al Jazeera.",
    ]
    for s in split.sentences:
        assert_verbatim(doc.text, s.start, s.end, s.text)


def test_find_body_on_empty_text() -> None:
    assert find_body(Document(id="e", text="")) == (0, 0)
    assert DocumentSplitter().run(Document(id="e", text="   ")).sentences == []


def test_overlap_must_be_smaller_than_window() -> None:
    with pytest.raises(ValueError):
        DocumentSplitter(chunk_sentences=2, chunk_overlap=2)
