"""Candidate features that need no MiniLM: how a span relates to the question's words."""

from __future__ import annotations

import pytest

from qa.answers import Passage
from qa.readers.features import FeatureExtractor
from qa.readers.question import QuestionAnalyzer

TEXT = "The fighters are flown to the Turkish city of Gaziantep, officials told WBS radio."


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, float]]:
    question = QuestionAnalyzer().run("To which Turkish city are the fighters flown?")
    extractor = FeatureExtractor(use_embeddings=False)
    found = extractor.run(question, [Passage("d", 0, len(TEXT), TEXT)])
    names = ("focus_overlap", "novel_words", "overlap_lexical")
    return {
        text: {name: float(found.column(name)[i]) for name in names}
        for i, text in enumerate(found.texts)
    }


def test_a_span_that_only_repeats_the_wh_phrase_adds_nothing(rows) -> None:
    assert rows["Turkish"]["focus_overlap"] == 1.0
    assert rows["Turkish"]["novel_words"] == 0.0
    assert rows["the Turkish city of Gaziantep"]["novel_words"] == 1.0


def test_the_answer_adds_words_of_its_own(rows) -> None:
    assert rows["Gaziantep"]["focus_overlap"] == 0.0
    assert rows["Gaziantep"]["novel_words"] == 1.0
    assert rows["WBS radio"]["novel_words"] == 2.0
    assert rows["The fighters"]["overlap_lexical"] == 1.0
    assert rows["The fighters"]["novel_words"] == 0.0
