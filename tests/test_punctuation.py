"""Answer spans never show half a bracket or quotation (qa/punctuation.py)."""

from __future__ import annotations

import pytest

from qa.answers import ExtractedAnswer, Passage
from qa.punctuation import balance_marks, balanced_answer, balanced_answers, unpaired_mark
from qa.readers.candidates import CandidateGenerator, document_offsets
from qa.service import QAService
from tests.conftest import assert_verbatim


def mended(text: str, span: str) -> str:
    start = text.index(span)
    new_start, new_end = balance_marks(text, start, start + len(span))
    return text[new_start:new_end]


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        # Widening adds no word: the closing mark joins the span.
        ("pick up these small [drones] at all", "these small [drones", "these small [drones]"),
        ("the Minsk Group (OSCE) met", "Minsk Group (OSCE", "Minsk Group (OSCE)"),
        ("a (b) c", "b) c", "(b) c"),
        (
            'wanted the two sides to "get the ceasefire right," he said',
            'the two sides to "get the ceasefire right',
            'the two sides to "get the ceasefire right,"',
        ),
        # Widening and dropping both change no word: widening comes first.
        (
            '"TB2s are sitting overhead," he said.',
            'TB2s are sitting overhead,"',
            '"TB2s are sitting overhead,"',
        ),
        # Cutting takes one word away where widening would add two.
        ("by [Azeri President Ilham] Aliyev's forces", "Ilham] Aliyev", "Aliyev"),
        ("nothing to mend here", "to mend", "to mend"),
    ],
)
def test_spans_are_mended_by_the_smallest_change(text: str, span: str, expected: str) -> None:
    assert mended(text, span) == expected


def test_an_edge_quote_without_a_partner_is_dropped_and_an_inner_one_kept() -> None:
    # A quotation that runs on into the next sentence: its mark has no partner here.
    text = 'Lee said: "TB2s initially targeted air defence'
    assert mended(text, '"TB2s initially targeted') == "TB2s initially targeted"
    assert mended(text, 'said: "TB2s initially') == 'said: "TB2s initially'


def test_a_mark_alone_is_left_as_it_is() -> None:
    # Nothing with a word in it can be made of it.
    assert mended("a ) b", ")") == ")"


def test_answers_keep_verbatim_offsets_and_lose_duplicates() -> None:
    text = "It was captured by [Azeri President Ilham] Aliyev's forces."
    passage = Passage("doc", 100, 100 + len(text), text)
    document = " " * 100 + text

    def answer(span: str, confidence: float) -> ExtractedAnswer:
        start = 100 + text.index(span)
        return ExtractedAnswer(span, "doc", start, start + len(span), confidence, passage)

    broken, whole = answer("Ilham] Aliyev", 0.8), answer("Aliyev", 0.5)
    fixed = balanced_answer(broken)
    assert fixed.text == "Aliyev" and fixed.confidence == 0.8
    assert_verbatim(document, fixed.start, fixed.end, fixed.text)
    assert balanced_answer(whole) is whole
    # The mended best answer and the old second one are the same span: one is kept.
    assert [a.confidence for a in balanced_answers([broken, whole])] == [0.8]


def test_every_candidate_of_the_article_is_mended_verbatim(service: QAService) -> None:
    assert service._state is not None
    index = service._state.retriever.index
    generator = CandidateGenerator(extended=True)
    seen = mended_count = 0
    for sentence in index.sentences:
        span = index.sentence_parse(sentence)
        passage = Passage(
            sentence.document_id, sentence.start, sentence.end, sentence.text, parse=span
        )
        text = passage.text
        for candidate in generator.run(span):
            start, end = document_offsets(candidate.span, passage)
            answer = ExtractedAnswer(
                text[start - passage.start : end - passage.start],
                passage.document_id,
                start,
                end,
                0.5,
                passage,
            )
            fixed = balanced_answer(answer)
            seen += 1
            mended_count += fixed is not answer
            assert text[fixed.start - passage.start : fixed.end - passage.start] == fixed.text
            # Whatever is still unpaired has no partner anywhere in the sentence.
            mark = unpaired_mark(text, fixed.start - passage.start, fixed.end - passage.start)
            assert mark is None or mark[1] < 0, (answer.text, fixed.text)
    # The article has such spans (e.g. "Ilham] Aliyev"), so the test reads some.
    assert seen > 1000 and mended_count > 0
