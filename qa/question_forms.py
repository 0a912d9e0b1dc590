"""Question forms matched by patterns from the question's start, for the answerers that
skip the reader (`qa.metadata`, `qa.lifespans`, `qa.definitions`).

Each answerer keeps its own forms as named lists of patterns; this module holds what they
share: how a question is normalised before matching, the polite lead-ins a pattern may
follow ("So who wrote this article?"), and the matching itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Words a question may open with before its own wh-word.
QUESTION_LEAD = r"^(?:(?:and|so|ok|okay|please|tell me|can you tell me|do you know)[,\s]+)*"

# "What is", however it is written (after `normalized`).
WHAT_IS = r"(?:what\s+is|what's|what\s+was)"

Forms = Mapping[str, Sequence[re.Pattern[str]]]


def normalized(question: str) -> str:
    """Lower case, single spaces, a straight apostrophe: what the patterns are written for.

    Example:
        >>> normalized("  When did  Einstein’s   wife die?")
        "when did einstein's wife die?"
    """
    return " ".join(question.lower().split()).replace("’", "'")


def compile_forms(forms: Mapping[str, Sequence[str]]) -> dict[str, list[re.Pattern[str]]]:
    """Each form's patterns compiled to match from the question's start (after a lead-in)."""
    return {
        name: [re.compile(QUESTION_LEAD + p) for p in patterns] for name, patterns in forms.items()
    }


def match_form(forms: Forms, question: str) -> tuple[str, re.Match[str]] | None:
    """The first form (in order) with a pattern that matches ``question``, and the match.

    Example:
        >>> forms = compile_forms({"born": [r"when was (?P<who>.+?) born\\b"]})
        >>> name, found = match_form(forms, "So, when was Lincoln born?")
        >>> name, found["who"]
        ('born', 'lincoln')
    """
    text = normalized(question)
    for name, patterns in forms.items():
        for pattern in patterns:
            found = pattern.search(text)
            if found:
                return name, found
    return None
