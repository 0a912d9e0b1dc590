"""Split documents into sentences and overlapping retrieval chunks with exact offsets.

Every unit carries ``start``/``end`` character offsets into ``Document.text`` and the
invariant ``document.text[unit.start:unit.end] == unit.text`` always holds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from qa.documents import Document
from qa.nlp import load_spacy

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A sentence is finished when it ends in . ! ? or … possibly followed by closing quotes/brackets.
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
_FOOTER = re.compile(
    r"^(to contact|contact us|visit |subscribe|follow us|sign up|copyright|©|all rights reserved"
    r"|share this|read more)|^\S+\.[a-z]{2,}(/\S*)?$",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}"
    r"|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4}"
    r"|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document; ``index`` is its position within the document."""

    document_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A retrieval window of consecutive sentences ``sentence_ids`` (document positions)."""

    document_id: str
    index: int
    start: int
    end: int
    text: str
    first_sentence: int
    last_sentence: int


@dataclass
class SplitDocument:
    """What the splitter makes of one document: its answerable body, sentences and chunks."""

    document: Document
    body_start: int
    body_end: int
    sentences: list[Sentence]
    chunks: list[Chunk]
    parse: Doc
    """spaCy parse of ``text[body_start:body_end]``; readers reuse it instead of re-parsing."""


def paragraph_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank paragraphs of ``text[start:end]`` as trimmed (start, end) offsets."""
    spans = []
    pos = start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    trimmed = []
    for a, b in spans:
        segment = text[a:b]
        stripped = segment.strip()
        if stripped:
            lead = len(segment) - len(segment.lstrip())
            trimmed.append((a + lead, a + lead + len(stripped)))
    return trimmed


def _looks_like_heading(text: str) -> bool:
    words = text.split()
    if text.endswith(":"):
        return True
    if len(words) > 14:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return capitalised >= 0.6 * len(words)


def find_body(document: Document) -> tuple[int, int]:
    """Offsets of the answerable body: without the title, byline and trailing footer.

    A leading paragraph is header material when it repeats the title, names the author,
    or is a short dated line; trailing paragraphs are footer material when they look like
    contact, subscription or copyright notes or a bare web address.
    """
    text = document.text
    paragraphs = paragraph_spans(text, 0, len(text))
    if not paragraphs:
        return 0, 0
    first = 0
    title = document.title.strip().lower()
    author = document.author.strip().lower()
    for a, b in paragraphs[:3]:
        para = text[a:b].strip()
        lower = para.lower()
        short = len(para.split()) <= 12
        is_title = bool(title) and lower == title
        is_byline = short and (
            (bool(author) and author in lower)
            or bool(_DATE.search(para))
            or lower.startswith("by ")
        )
        if (is_title or is_byline) and first < len(paragraphs) - 1:
            first += 1
        else:
            break
    last = len(paragraphs)
    while last - 1 > first and _FOOTER.search(
        text[paragraphs[last - 1][0] : paragraphs[last - 1][1]]
    ):
        last -= 1
    return paragraphs[first][0], paragraphs[last - 1][1]


class DocumentSplitter:
    """Split a document into sentences (spaCy) and overlapping chunks of sentences.

    A sentence continues across a paragraph break when the text before the break has no
    closing punctuation (articles often break paragraphs mid-sentence), and spaCy's own
    splits after non-final punctuation are undone the same way.

    Args:
        chunk_sentences: sentences per retrieval chunk.
        chunk_overlap: sentences shared by consecutive chunks.

    Example:
        >>> splitter = DocumentSplitter(chunk_sentences=2, chunk_overlap=1)
        >>> doc = Document(id="d", text="Ganja was hit. It is a city\\n\\nin Azerbaijan.")
        >>> [s.text for s in splitter.run(doc).sentences]
        ['Ganja was hit.', 'It is a city\\n\\nin Azerbaijan.']
    """

    def __init__(self, chunk_sentences: int = 3, chunk_overlap: int = 1) -> None:
        if chunk_overlap >= chunk_sentences:
            raise ValueError("chunk_overlap must be smaller than chunk_sentences")
        self.chunk_sentences = chunk_sentences
        self.chunk_overlap = chunk_overlap

    @staticmethod
    def body_of(document: Document) -> tuple[int, int]:
        """Offsets of the answerable body (see :func:`find_body`)."""
        return find_body(document)

    def run(self, document: Document, parse: Doc | None = None) -> SplitDocument:
        """Split ``document``; pass ``parse`` (spaCy over its body) to skip re-parsing."""
        text = document.text
        body_start, body_end = find_body(document)
        if parse is None:
            parse = load_spacy()(text[body_start:body_end])
        bounds = self._sentence_bounds(text, body_start, body_end, parse)
        sentences = [Sentence(document.id, i, a, b, text[a:b]) for i, (a, b) in enumerate(bounds)]
        return SplitDocument(
            document=document,
            body_start=body_start,
            body_end=body_end,
            sentences=sentences,
            chunks=self._chunks(document, sentences),
            parse=parse,
        )

    def _sentence_bounds(
        self, text: str, body_start: int, body_end: int, parse: Doc
    ) -> list[tuple[int, int]]:
        paragraph_starts = {a for a, _ in paragraph_spans(text, body_start, body_end)}
        cuts = {body_start + sent.start_char for sent in parse.sents} | paragraph_starts
        pieces = []
        ordered = [*sorted(c for c in cuts if body_start <= c < body_end), body_end]
        for a, b in itertools.pairwise(ordered):
            segment = text[a:b]
            stripped = segment.strip()
            if stripped:
                lead = len(segment) - len(segment.lstrip())
                pieces.append((a + lead, a + lead + len(stripped)))
        merged: list[tuple[int, int]] = []
        for a, b in pieces:
            if merged and self._continues(text, merged[-1], (a, b), a in paragraph_starts):
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        return merged

    @staticmethod
    def _continues(
        text: str, previous: tuple[int, int], current: tuple[int, int], new_paragraph: bool
    ) -> bool:
        before = text[previous[0] : previous[1]]
        after = text[current[0] : current[1]]
        if not any(ch.isalnum() for ch in after):
            return True  # a stray closing quote or bracket that spaCy split off
        if _TERMINAL.search(before):
            # Closed sentence; only a lower-case start betrays a bad split inside a paragraph.
            return not new_paragraph and after[:1].islower()
        return not (new_paragraph and _looks_like_heading(before))

    def _chunks(self, document: Document, sentences: list[Sentence]) -> list[Chunk]:
        chunks: list[Chunk] = []
        step = self.chunk_sentences - self.chunk_overlap
        for first in range(0, max(len(sentences), 1), step):
            window = sentences[first : first + self.chunk_sentences]
            if not window:
                break
            start, end = window[0].start, window[-1].end
            chunks.append(
                Chunk(
                    document_id=document.id,
                    index=len(chunks),
                    start=start,
                    end=end,
                    text=document.text[start:end],
                    first_sentence=window[0].index,
                    last_sentence=window[-1].index,
                )
            )
            if first + self.chunk_sentences >= len(sentences):
                break
        return chunks
