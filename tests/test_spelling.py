"""spelling: British and American spellings compared as one word."""

from __future__ import annotations

import pytest

from qa.spelling import american


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
