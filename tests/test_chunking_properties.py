"""Property-based tests of DocumentSplitter: the offset guarantee on arbitrary Unicode text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.chunking import DocumentSplitter, find_body
from qa.documents import Document

# Pieces that exercise the splitter's rules: terminal punctuation, closing quotes,
# paragraph breaks (also with CR and odd whitespace), headings and footer-like lines.
_PIECES = st.sampled_from(
    [
        ". ",
        "? ",
        "! ",
        "… ",
        '." ',
        "”) ",
        "\n\n",
        "\r\n\r\n",
        "\n \t\n",
        "\n",
        " ",
        "\u2028",
        "\u00a0",
        "\x1c",
        "Mr. ",
        "U.S. ",
        "By Alex Lantier\n\n",
        "18 October 2020\n\n",
        "To contact the WSWS\n\n",
        "wsws.org\n",
        "Heading Like This:\n\n",
        "e\u0301",
        "👩‍👩‍👧",
        "İ",
    ]
)
_WORDS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=1,
    max_size=12,
)
_TEXTS = st.lists(st.one_of(_PIECES, _WORDS), max_size=60).map("".join)


def _document(text: str, title: str, author: str) -> Document:
    return Document(id="doc", text=text, title=title, author=author)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    text=_TEXTS,
    title=st.one_of(st.just(""), _WORDS),
    author=st.sampled_from(["", "Alex Lantier"]),
    chunk_sentences=st.integers(1, 4),
    overlap=st.integers(0, 3),
)
def test_every_unit_is_the_text_at_its_offsets(
    text: str, title: str, author: str, chunk_sentences: int, overlap: int
) -> None:
    overlap = min(overlap, chunk_sentences - 1)
    document = _document(text, title, author)
    split = DocumentSplitter(chunk_sentences, overlap).run(document)
    body_start, body_end = find_body(document)
    assert (split.body_start, split.body_end) == (body_start, body_end)
    assert 0 <= body_start <= body_end <= len(text)

    previous_end = body_start
    for position, sentence in enumerate(split.sentences):
        assert sentence.index == position
        assert sentence.document_id == "doc"
        assert text[sentence.start : sentence.end] == sentence.text
        # Inside the body, in order, not overlapping, not empty, trimmed.
        assert previous_end <= sentence.start < sentence.end <= body_end
        assert sentence.text == sentence.text.strip()
        previous_end = sentence.end

    # Every visible character of the body belongs to some sentence.
    covered = set()
    for sentence in split.sentences:
        covered.update(range(sentence.start, sentence.end))
    for offset in range(body_start, body_end):
        if not text[offset].isspace():
            assert offset in covered, (offset, text[offset])

    if not split.sentences:
        return
    step = chunk_sentences - overlap
    for position, chunk in enumerate(split.chunks):
        assert chunk.index == position
        assert text[chunk.start : chunk.end] == chunk.text
        first = split.sentences[chunk.first_sentence]
        last = split.sentences[chunk.last_sentence]
        assert (chunk.start, chunk.end) == (first.start, last.end)
        assert chunk.first_sentence == position * step
        assert chunk.last_sentence - chunk.first_sentence < chunk_sentences
    # The chunks together cover every sentence, the last one included.
    assert split.chunks[0].first_sentence == 0
    assert split.chunks[-1].last_sentence == len(split.sentences) - 1


@settings(max_examples=100, deadline=None, derandomize=True)
@given(text=_TEXTS, title=_WORDS)
def test_body_bounds_are_paragraph_edges(text: str, title: str) -> None:
    document = _document(text, title, "")
    start, end = find_body(document)
    if start == end:
        assert not text.strip() or start == 0
        return
    assert not text[start].isspace() and not text[end - 1].isspace()
