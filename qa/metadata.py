"""Questions about a document itself: who wrote it, when, and its title.

The title and byline are not answer material for the reader (`qa.chunking.find_body`), so
"Who wrote this article?" used to get whatever name the body offered ("the Karabakh"). A
question about the document's author, date or title is answered here instead, from the
document's own header (the text before its body), quoted verbatim; when the header does not
state it, the service abstains rather than answer from the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as Date

from qa.answers import ExtractedAnswer, quoted_answer
from qa.chunking import paragraph_spans
from qa.documents import Document
from qa.question_forms import WHAT_IS, compile_forms, match_form

_DOCUMENT = r"(?:article|piece|story|report|document|text|post|essay|column|op-?ed|page)"
_THIS = rf"(?:this|the|that)\s+(?:news\s+)?{_DOCUMENT}"

# A pattern matches from the question's start (its wh-word is the question's own: "How
# long had the war gone on when the article was written?" asks about the war) and needs the
# document named ("this article") or a role only a document has ("the author"), so "Who
# wrote the novel War and Peace?" and "What is the title of Hulusi Akar?" are not theirs.
_PATTERNS: dict[str, list[str]] = {
    "author": [
        rf"who\s+(?:\w+\s+){{0,2}}(?:wrote|writes|written|authored|penned)\s+{_THIS}\b",
        rf"(?:who|by\s+whom)\s+(?:is|was)\s+{_THIS}\s+(?:written|authored|penned)\b",
        rf"who(?:'s|\s+is|\s+was)\s+the\s+(?:author|writer)(?:\s+of\s+{_THIS})?\s*\??$",
        rf"{WHAT_IS}\s+the\s+name\s+of\s+the\s+(?:author|writer)(?:\s+of\s+{_THIS})?\s*\??$",
    ],
    "date": [
        rf"(?:when|what\s+(?:date|day|year))\s+(?:was|is|did|has|had)\s+{_THIS}\s+"
        r"(?:first\s+|originally\s+)?(?:been\s+)?(?:written|published|posted|dated|released"
        r"|issued|printed|come\s+out|appear(?:ed)?|publish)\b",
        rf"when\s+did\s+(?:\S+\s+){{0,4}}(?:write|publish|post)\s+{_THIS}\b",
        rf"{WHAT_IS}\s+the\s+(?:publication|publishing|release)\s+date\b",
        rf"{WHAT_IS}\s+the\s+date\s+of\s+{_THIS}\b",
        rf"how\s+old\s+is\s+{_THIS}\b",
    ],
    "title": [
        rf"{WHAT_IS}\s+the\s+(?:title|headline)(?:\s+of\s+{_THIS})?\s*\??$",
        rf"{WHAT_IS}\s+{_THIS}(?:'s)?\s+(?:title|headline)\b",
        rf"what\s+is\s+{_THIS}\s+(?:called|titled|entitled)\b",
    ],
}
_COMPILED = compile_forms(_PATTERNS)

_DATE_FORMATS = ("{d} {B} {Y}", "{B} {d}, {Y}", "{B} {d} {Y}", "{d} {b} {Y}", "{b} {d}, {Y}")


def metadata_field(question: str) -> str | None:
    """Which field of the document ``question`` asks for: "author", "date", "title" or None.

    Example:
        >>> metadata_field("Who wrote this article?")
        'author'
        >>> metadata_field("When was the article published?")
        'date'
        >>> metadata_field("Who wrote the novel War and Peace?") is None
        True
    """
    matched = match_form(_COMPILED, question)
    return matched[0] if matched is not None else None


def _date_renderings(value: str) -> list[str]:
    """Ways an ISO date ("2020-10-18") is written in a byline, the ISO form last."""
    try:
        day = Date.fromisoformat(value.strip())
    except ValueError:
        return [value.strip()] if value.strip() else []
    days = dict.fromkeys([str(day.day), f"{day.day:02d}"])  # "5" and "05"
    forms = [
        f.format(d=d, B=day.strftime("%B"), b=day.strftime("%b"), Y=day.year)
        for f in _DATE_FORMATS
        for d in days
    ]
    return [*forms, day.isoformat()]


@dataclass(frozen=True)
class MetadataAnswer:
    """What :class:`MetadataAnswerer` found for a question about the document itself.

    Attributes:
        field: "author", "date" or "title".
        answer: the value quoted from the document's header, or None when the header does
            not state it (the service then abstains).
    """

    field: str
    answer: ExtractedAnswer | None


class MetadataAnswerer:
    """Answer questions about a document's author, date and title from its header.

    The value comes from the document's metadata and is quoted only where the header
    (``text[:body_start]``: title and byline) states it, so the answer is a verbatim span
    with offsets like any other, and its citation is the header line it is on.

    Example:
        >>> doc = Document(id="d", text="Ganja shelled\\n\\nAlex Lantier 18 October 2020\\n\\n"
        ...                "Ganja was shelled.", title="Ganja shelled", author="Alex Lantier",
        ...                date="2020-10-18")
        >>> found = MetadataAnswerer().run("Who wrote this article?", doc, body_start=44)
        >>> found.answer.text, found.answer.passage.text
        ('Alex Lantier', 'Alex Lantier 18 October 2020')
    """

    confidence = 0.95

    def run(
        self, question: str, document: Document | None, body_start: int
    ) -> MetadataAnswer | None:
        """The answer to ``question`` if it asks about ``document`` itself, else None.

        ``document`` is None when the question names no one document (several indexed,
        none chosen): a question about "the article" then has no answer.
        """
        field = metadata_field(question)
        if field is None:
            return None
        if document is None:
            return MetadataAnswer(field, None)
        header = document.text[:body_start]
        if field == "author":
            values = [document.author.strip()]
        elif field == "title":
            values = [document.title.strip()]
        else:
            values = _date_renderings(document.date)
        for value in values:
            start = _find(header, value)
            if start >= 0:
                answer = self._answer(document, body_start, start, start + len(value))
                return MetadataAnswer(field, answer)
        return MetadataAnswer(field, None)

    def _answer(self, document: Document, body_start: int, start: int, end: int) -> ExtractedAnswer:
        text = document.text
        # Cited by its header paragraph, as `find_body` reads the header (by the value
        # alone should it run across a paragraph break).
        first, last = next(
            ((a, b) for a, b in paragraph_spans(text, 0, body_start) if a <= start and end <= b),
            (start, end),
        )
        return quoted_answer(
            document.id, text, (start, end), (first, last), self.confidence, "metadata"
        )


def _find(header: str, value: str) -> int:
    """Where ``value`` starts in ``header`` (exact case first, then any case), or -1."""
    if not value:
        return -1
    found = header.find(value)
    lower = header.lower()
    if found >= 0 or len(lower) != len(header):
        # Lower-casing changed some lengths ("İ"): its offsets would not be the text's.
        return found
    return lower.find(value.lower())
