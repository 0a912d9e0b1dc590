"""spelling: British and American spellings compared as one word."""

from __future__ import annotations

import pytest

from qa.spelling import DocumentSpelling, american


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("defence", "defense"),
        ("centres", "centers"),
        ("labour's", "labor's"),
        ("defense", "defense"),  # already American
        # Not a rule on endings: these are no British spellings.
        ("four", "four"),
        ("hour", "hour"),
        ("acre", "acre"),
    ],
)
def test_british_spellings_in_american(word: str, expected: str) -> None:
    assert american(word) == expected


def test_a_question_takes_the_documents_spelling() -> None:
    spelling = DocumentSpelling(["The", "Centre", "for", "air", "defence", "and", "color"])
    assert spelling.run("Which center works on air defense?") == (
        "Which centre works on air defence?"
    )
    # A word the documents write as asked, or whose other spelling they never write, stays.
    assert spelling.run("What colour is the theater?") == "What color is the theater?"
    assert DocumentSpelling(["defense", "defence"]).run("the defence") == "the defence"
