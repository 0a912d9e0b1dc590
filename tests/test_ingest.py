"""DocumentIngester: formats, strict decoding, hostile markup, safe ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.documents import DOCUMENT_ID_PATTERN
from qa.ingest import (
    MAX_TEXT_CHARS,
    DocumentIngester,
    IngestRequest,
    InvalidContent,
    TooLarge,
    UnsupportedFormat,
    format_for_content_type,
    format_for_path,
    html_to_text,
    make_document_id,
    markdown_to_text,
)

ingester = DocumentIngester(max_bytes=100_000)


def test_plain_text_keeps_its_words_and_normalises_line_endings() -> None:
    doc = ingester.run(IngestRequest("\ufeffFirst line.\r\nSecond line.\r\rThird.".encode()))
    assert doc.text == "First line.\nSecond line.\n\nThird."
    assert doc.extra == {"format": "text"}


def test_html_is_reduced_to_paragraphs_without_scripts_or_styles() -> None:
    html = """<!doctype html><html><head><title>The  page</title>
    <style>p { color: red }</style><script>alert("steal")</script></head>
    <body><h1>Ganja</h1><p>Ganja is a <b>city</b>
    in Azerbaijan.<br>Second line.</p><!-- hidden --><noscript>no js</noscript>
    <ul><li>one</li><li>two &amp; three</li></ul><p>&lt;script&gt; stays text</p>
    <svg><text>drawn</text></svg><template><p>never shown</p></template></body></html>"""
    text, title = html_to_text(html)
    assert title == "The page"
    assert text == (
        "Ganja\n\nGanja is a city in Azerbaijan.\nSecond line.\n\none\n\ntwo & three"
        "\n\n<script> stays text"
    )
    for hidden in ("alert", "color", "hidden", "no js", "drawn", "never shown"):
        assert hidden not in text


def test_html_title_falls_back_to_the_first_heading() -> None:
    assert html_to_text("<h2>Report</h2><p>Body.</p>") == ("Report\n\nBody.", "Report")


def test_deeply_nested_html_costs_no_recursion() -> None:
    text, _ = html_to_text("<div>" * 50_000 + "deep" + "</div>" * 50_000)
    assert text == "deep"


def test_unclosed_script_drops_the_rest_only() -> None:
    assert html_to_text("<p>kept</p><script>var s = '</p>';")[0] == "kept"


def test_markdown_is_rendered_to_plain_text() -> None:
    md = "# Ganja\n\nA **city** in [Azerbaijan](https://x.az) <script>x()</script>.\n\n- a\n- b\n"
    assert markdown_to_text(md) == ("Ganja\n\nA city in Azerbaijan .\n\na\n\nb", "Ganja")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("caf\xe9".encode("latin-1"), "UTF-8"),
        (bytes(range(1, 32)) * 3 + b"abc", "binary"),
    ],
)
def test_unusable_content_is_refused_with_a_reason(content: bytes, message: str) -> None:
    with pytest.raises(InvalidContent, match=message):
        ingester.run(IngestRequest(content))


def test_html_without_readable_text_is_refused() -> None:
    with pytest.raises(InvalidContent, match="no readable text"):
        ingester.run(IngestRequest(b"<script>only()</script><style></style>", format="html"))


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(InvalidContent, match="surrogate"):
        ingester.run(IngestRequest("text \ud800 here"))
    with pytest.raises(InvalidContent, match="title"):
        ingester.run(IngestRequest("text", title="bad \udc00"))


def test_a_few_stray_controls_are_removed() -> None:
    doc = ingester.run(IngestRequest(("Ganja\x07 is a city. " + "It is old. " * 20).encode()))
    assert "\x07" not in doc.text
    assert doc.text.startswith("Ganja is a city.")


def test_size_limits() -> None:
    with pytest.raises(TooLarge, match="limit is 10"):
        DocumentIngester(max_bytes=10).run(IngestRequest(b"x" * 11))
    with pytest.raises(TooLarge, match="characters"):
        DocumentIngester(max_bytes=10**8).run(IngestRequest(b"a" * (MAX_TEXT_CHARS + 1)))


def test_metadata_is_cleaned_and_bounded() -> None:
    doc = ingester.run(IngestRequest(b"Body.", title="  A\n title\t", author="Me", date="2024"))
    assert (doc.title, doc.author, doc.date) == ("A title", "Me", "2024")
    with pytest.raises(InvalidContent, match="title is longer"):
        ingester.run(IngestRequest(b"Body.", title="t" * 301))


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/plain", "text"),
        ("TEXT/PLAIN; charset=UTF-8", "text"),
        ("text/markdown", "markdown"),
        ('text/html; charset="utf-8"', "html"),
    ],
)
def test_content_types(content_type: str, expected: str) -> None:
    assert format_for_content_type(content_type) == expected


@pytest.mark.parametrize(
    "content_type", ["", "application/pdf", "image/png", "text/plain; charset=latin-1"]
)
def test_unsupported_content_types(content_type: str) -> None:
    with pytest.raises(UnsupportedFormat):
        format_for_content_type(content_type)


def test_formats_by_file_suffix() -> None:
    assert format_for_path(Path("a/Notes.MD")) == "markdown"
    assert format_for_path(Path("page.htm")) == "html"
    with pytest.raises(UnsupportedFormat, match="--format"):
        format_for_path(Path("report.pdf"))


@pytest.mark.parametrize(
    "title",
    ["../../etc/passwd", "Şanlıurfa – Erdoğan’s “visit”", "", "...", "A" * 500, "日本語のタイトル"],
)
def test_ids_are_safe_file_names(title: str) -> None:
    document_id = make_document_id(title, "Some text.")
    assert DOCUMENT_ID_PATTERN.match(document_id)
    assert "/" not in document_id and ".." not in document_id
    assert len(document_id) <= 60


def test_id_is_stable_and_depends_on_the_text() -> None:
    assert make_document_id("T", "one") == make_document_id("T", "one")
    assert make_document_id("T", "one") != make_document_id("T", "two")


def test_title_comes_from_the_filename_when_nothing_else_names_it() -> None:
    doc = ingester.run(IngestRequest(b"Body text.", filename="war_report-2020.txt"))
    assert doc.title == "war report 2020"
    assert doc.id.startswith("war-report-2020-")
    assert doc.source == "war_report-2020.txt"
