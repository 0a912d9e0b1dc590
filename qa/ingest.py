"""Turn uploaded bytes (plain text, Markdown or HTML) into a :class:`~qa.documents.Document`.

The stored text is what every offset refers to, so ingestion decides it once: bytes are
decoded strictly as UTF-8, line endings become ``\\n``, Markdown and HTML are reduced to
their readable text (paragraphs separated by blank lines; scripts and styles dropped), and
the id is a slug of the title plus a short hash of the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from qa.documents import DOCUMENT_ID_PATTERN, Document, checksum

Format = Literal["text", "markdown", "html"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "html")

# spaCy (en_core_web_sm) refuses longer texts; the index parses every document whole.
MAX_TEXT_CHARS = 1_000_000
MAX_TITLE_CHARS = 300
MAX_AUTHOR_CHARS = 200
MAX_DATE_CHARS = 64

CONTENT_TYPES: dict[str, Format] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}

# Controls other than tab, newline, carriage return and form feed: a few are stray bytes
# in a text file (removed); many mean the file is not text at all.
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BINARY_CONTROL_SHARE = 0.01
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


class IngestError(ValueError):
    """An upload that cannot become a document; ``status_code`` is the HTTP status to answer."""

    status_code = 422


class UnsupportedFormat(IngestError):
    status_code = 415


class TooLarge(IngestError):
    status_code = 413


class InvalidContent(IngestError):
    """Empty, binary or undecodable content."""

    status_code = 422


def format_for_content_type(content_type: str) -> Format:
    """The format a ``Content-Type`` header names; only UTF-8 text types are accepted.

    Example:
        >>> format_for_content_type("text/markdown; charset=utf-8")
        'markdown'
    """
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    fmt = CONTENT_TYPES.get(media_type)
    if fmt is None:
        accepted = ", ".join(["application/json", *CONTENT_TYPES])
        shown = media_type or "none"
        raise UnsupportedFormat(f"unsupported content type {shown!r}; send one of: {accepted}")
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in _UTF8_CHARSETS:
                raise UnsupportedFormat(
                    f"unsupported charset {charset!r}; documents must be sent as UTF-8"
                )
    return fmt


def format_for_path(path: Path) -> Format:
    """The format a file name suggests (``.txt``, ``.md``, ``.html`` and their variants)."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(
            f"cannot tell the format of {path.name!r}; use one of {', '.join(SUFFIXES)} "
            "or say --format text|markdown|html"
        )
    return fmt


def decode_text(data: bytes) -> str:
    """Decode ``data`` strictly as UTF-8, refusing binary content.

    Example:
        >>> decode_text("Ganja".encode())
        'Ganja'
    """
    if b"\x00" in data:
        raise InvalidContent("the content is binary (it holds NUL bytes); send UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidContent(
            f"the content is not valid UTF-8 (byte {exc.start}); send UTF-8 encoded text"
        ) from None
    return text.removeprefix("\ufeff")


def clean_text(text: str) -> str:
    """Normalise line endings and stray control characters; refuse binary-looking text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidContent(
            "the text holds unpaired surrogate code points; send valid Unicode text"
        ) from None
    if "\x00" in text:
        raise InvalidContent("the content is binary (it holds NUL characters); send text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    strays = len(_STRAY_CONTROLS.findall(text))
    if strays and strays > _BINARY_CONTROL_SHARE * len(text):
        raise InvalidContent("the content looks binary (many control characters); send text")
    return _STRAY_CONTROLS.sub("", text)


def clean_field(value: str | None, name: str, limit: int) -> str:
    """A metadata value on one line, without controls, at most ``limit`` characters."""
    if not value:
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidContent(f"{name} holds unpaired surrogate code points") from None
    value = _SPACES.sub(" ", _STRAY_CONTROLS.sub("", value)).strip()
    if len(value) > limit:
        raise InvalidContent(f"{name} is longer than {limit} characters")
    return value


# -- HTML --------------------------------------------------------------------------------

# Elements whose content is never text a reader sees.
_DROPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "svg",
    "math",
    "canvas",
    "title",
    "select",
    "datalist",
    "textarea",
}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
}
_CELLS = {"td", "th"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML page, one block element per paragraph.

    Event-driven (no tree, no recursion), so deeply nested hostile markup costs nothing
    more than flat markup.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self.first_heading = ""
        self._line: list[str] = []
        self._dropping: list[str] = []
        self._title_parts: list[str] = []
        self._heading: list[str] | None = None
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._dropping:
            if tag in _DROPPED and tag not in _VOID:
                self._dropping.append(tag)
            return
        if tag in _DROPPED:
            self._dropping.append(tag)
        elif tag == "br":
            self._line.append("\n")
        elif tag in _BLOCKS:
            self._break()
            if tag == "pre":
                self._pre += 1
            if tag in _HEADINGS and not self.first_heading:
                self._heading = []
        elif tag in _CELLS:
            self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <p/>, <script/>: a self-closed element has no content to drop.
        if tag in _DROPPED:
            return
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag in self._dropping:
                while self._dropping and self._dropping.pop() != tag:
                    pass
                if tag == "title" and not self._dropping:
                    self.title = " ".join("".join(self._title_parts).split())
            return
        if tag in _BLOCKS:
            if tag in _HEADINGS and self._heading is not None:
                self.first_heading = " ".join("".join(self._heading).split())
                self._heading = None
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._break()
        elif tag in _CELLS:
            self._line.append(" ")

    def handle_data(self, data: str) -> None:
        if self._dropping:
            if self._dropping == ["title"]:
                self._title_parts.append(data)
            return
        if not self._pre:
            # Source line breaks are layout; only <br> and <pre> make lines.
            data = _SPACES.sub(" ", data)
        self._line.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def _break(self) -> None:
        if not self._line:
            return
        raw = "".join(self._line)
        self._line = []
        # Whitespace inside a paragraph is layout, not content; <br> line breaks are kept.
        lines = (" ".join(line.split()) for line in raw.split("\n"))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.paragraphs.append(paragraph)

    def close(self) -> None:
        super().close()
        self._break()


def html_to_text(html: str) -> tuple[str, str]:
    """The readable text of ``html`` (paragraphs separated by blank lines) and its title.

    The title is the ``<title>``, else the first heading. Scripts, styles, embedded objects
    and comments are dropped.

    Example:
        >>> html_to_text("<title>T</title><h1>Ganja</h1><script>x()</script><p>A city.</p>")
        ('Ganja\\n\\nA city.', 'T')
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return "\n\n".join(parser.paragraphs), parser.title or parser.first_heading


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """The readable text of Markdown (rendered with markdown-it, then reduced like HTML).

    Example:
        >>> markdown_to_text("# Ganja\\n\\nA **city** in [Azerbaijan](https://x.az).")
        ('Ganja\\n\\nA city in Azerbaijan.', 'Ganja')
    """
    from markdown_it import MarkdownIt

    # Raw HTML inside Markdown is rendered too, then stripped of scripts like any HTML.
    renderer = MarkdownIt("commonmark").enable("table")
    return html_to_text(renderer.render(markdown))


# -- ids ---------------------------------------------------------------------------------


def slugify(value: str, limit: int = 48) -> str:
    """Lower-case ASCII words joined by ``-`` (accents folded, everything else dropped).

    Example:
        >>> slugify("Erdoğan's visit to Şanlıurfa!")
        'erdogan-s-visit-to-sanliurfa'
    """
    folded = unicodedata.normalize("NFKD", value.replace("ı", "i"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _SLUG_CHARS.sub("-", ascii_text).strip("-")
    return slug[:limit].rstrip("-")


def make_document_id(title: str, text: str) -> str:
    """A safe, stable id: a slug of the title (or first words) and 10 hex digits of the text.

    Example:
        >>> make_document_id("A note on Ganja", "Ganja is a city.")
        'a-note-on-ganja-7cf07d5414'
    """
    words = title or " ".join(text.split()[:8])
    slug = slugify(words) or "document"
    document_id = f"{slug}-{checksum(text)[:10]}"
    assert DOCUMENT_ID_PATTERN.match(document_id), document_id
    return document_id


# -- the component -----------------------------------------------------------------------


@dataclass(frozen=True)
class IngestRequest:
    """What a client sends: the content and optional metadata."""

    content: bytes | str
    format: Format = "text"
    title: str = ""
    author: str = ""
    date: str = ""
    source: str = ""
    filename: str = ""


class DocumentIngester:
    """Turn an upload into a :class:`Document`, or say precisely why it cannot be one.

    Args:
        max_bytes: largest accepted upload in bytes (``QA_MAX_UPLOAD_BYTES``).

    Example:
        >>> ingester = DocumentIngester(max_bytes=1000)
        >>> doc = ingester.run(IngestRequest(b"<h1>Ganja</h1><p>A city.</p>", format="html"))
        >>> doc.id, doc.title, doc.text
        ('ganja-38f61c05c0', 'Ganja', 'Ganja\\n\\nA city.')
    """

    def __init__(self, max_bytes: int = 5 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes

    def warm_up(self) -> None:
        """Nothing to load; present for the component interface."""

    def run(self, request: IngestRequest) -> Document:
        if request.format not in FORMATS:
            raise UnsupportedFormat(
                f"unknown format {request.format!r}; use one of: {', '.join(FORMATS)}"
            )
        content = request.content
        data = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
        size = len(data)
        if size > self.max_bytes:
            raise TooLarge(
                f"the document is {size} bytes; the limit is {self.max_bytes} (QA_MAX_UPLOAD_BYTES)"
            )
        raw = decode_text(content) if isinstance(content, bytes) else content
        raw = clean_text(raw)
        detected_title = ""
        if request.format == "html":
            text, detected_title = html_to_text(raw)
        elif request.format == "markdown":
            text, detected_title = markdown_to_text(raw)
        else:
            text = raw
        text = text.strip()
        if not text:
            what = "has no readable text" if request.format != "text" else "is empty"
            raise InvalidContent(f"the document {what}; send some text")
        if len(text) > MAX_TEXT_CHARS:
            raise TooLarge(
                f"the document has {len(text)} characters of text; the limit is {MAX_TEXT_CHARS}"
            )
        title = clean_field(request.title, "title", MAX_TITLE_CHARS)
        if not title:
            fallback = detected_title or _title_from_filename(request.filename)
            title = clean_field(fallback[:MAX_TITLE_CHARS], "title", MAX_TITLE_CHARS)
        return Document(
            id=make_document_id(title, text),
            text=text,
            title=title,
            author=clean_field(request.author, "author", MAX_AUTHOR_CHARS),
            date=clean_field(request.date, "date", MAX_DATE_CHARS),
            source=clean_field(request.source or request.filename, "source", MAX_TITLE_CHARS),
            extra={"format": request.format},
        )


def _title_from_filename(filename: str) -> str:
    stem = Path(filename).stem if filename else ""
    return " ".join(stem.replace("_", " ").replace("-", " ").split())
