"""Readings after ranking, on hand-made sentences and made-up logits (no trained trees).

The readers' own end-to-end tests of these readings are in ``test_learned_reader.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from qa.answers import Passage
from qa.readers.features import FeatureExtractor
from qa.readers.question import QuestionAnalyzer
from qa.readers.readings import (
    masked_logits,
    prefer_counted,
    prefer_measured,
    prefer_whole_list,
)

TEXT = "The fighters are flown to the Turkish city of Gaziantep, officials told WBS radio."
FIGHTERS = (
    "In the first week, 1,300 fighters from Syrian militias and 150 fighters from"
    " Libyan militias deployed."
)


def test_a_span_that_only_restates_the_wh_phrase_is_never_ranked_first() -> None:
    question = QuestionAnalyzer().run("To which Turkish city are the fighters flown?")
    found = FeatureExtractor(use_embeddings=False).run(question, [Passage("d", 0, len(TEXT), TEXT)])
    logits = np.zeros(len(found))
    logits[found.texts.index("Turkish")] = 5.0
    masked = masked_logits(logits, found.features, question.fine_type)
    assert found.texts[int(np.argmax(masked))] != "Turkish"
    assert masked[found.texts.index("Gaziantep")] == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "How many fighters from Libyan militias deployed?",
        "How many militiamen from Libya deployed?",  # matched by stem
    ],
)
def test_the_count_of_what_is_asked_takes_the_place_of_another_near_it(question: str) -> None:
    parsed = QuestionAnalyzer().run(question)
    found = FeatureExtractor(use_embeddings=False).run(
        parsed, [Passage("d", 0, len(FIGHTERS), FIGHTERS)]
    )
    logits = np.full(len(found), -10.0)
    logits[found.texts.index("1,300")] = 2.0
    logits[found.texts.index("150")] = 1.0
    ranked = prefer_counted(logits, found)
    assert found.texts[int(np.argmax(ranked))] == "150"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored
    # Far below the best, a count keeps its place.
    logits[found.texts.index("150")] = -5.0
    assert found.texts[int(np.argmax(prefer_counted(logits, found)))] == "1,300"


def test_a_measure_keeps_its_unit() -> None:
    text = "Three weeks into the war, the danger is mounting."
    question = QuestionAnalyzer().run("How long has the war been going on?")
    found = FeatureExtractor(use_embeddings=False).run(question, [Passage("d", 0, len(text), text)])
    logits = np.full(len(found), -10.0)
    logits[found.texts.index("Three")] = 2.0
    assert found.texts[int(np.argmax(prefer_measured(logits, found)))] == "Three weeks"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which countries lead the group?", "the United States, Russia and France"),
        ("Which country leads the group?", "the United States"),
    ],
)
def test_a_plural_question_takes_the_whole_list(question: str, expected: str) -> None:
    text = "The group is led by the United States, Russia and France."
    parsed = QuestionAnalyzer().run(question)
    found = FeatureExtractor(use_embeddings=False).run(parsed, [Passage("d", 0, len(text), text)])
    logits = np.full(len(found), -10.0)
    logits[found.texts.index("the United States")] = 2.0
    logits[found.texts.index("the United States, Russia and France")] = 0.0
    assert found.texts[int(np.argmax(prefer_whole_list(logits, found)))] == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many soldiers came from northern villages?", "90"),  # the verb's "from"
        ("How many soldiers arrived in May?", "400"),  # "in May" names no one counted
    ],
)
def test_the_verbs_from_phrase_says_which_ones_are_counted(question: str, expected: str) -> None:
    text = "In May, 400 soldiers from southern towns and 90 soldiers from northern villages came."
    parsed = QuestionAnalyzer().run(question)
    found = FeatureExtractor(use_embeddings=False).run(parsed, [Passage("d", 0, len(text), text)])
    logits = np.full(len(found), -10.0)
    logits[found.texts.index("400")] = 2.0
    logits[found.texts.index("90")] = 1.0
    assert found.texts[int(np.argmax(prefer_counted(logits, found)))] == expected
