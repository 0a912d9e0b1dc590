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


# A wh-word run into "is", with or without its apostrophe ("who's", "whats").
_WH_IS = re.compile(r"\b(who|what|where|when|how)(?:'s|s)\b", re.IGNORECASE)


def spelled_out(question: str) -> str:
    """``question`` with a wh-word's contracted "is" written out ("Who's X?", "whats the
    capital") and curly apostrophes made straight: the parser reads "whats" as a noun,
    and the forms are written for "who is".

    Example:
        >>> spelled_out("whats the capital? Who’s he?")
        'what is the capital? Who is he?'
    """
    return _WH_IS.sub(r"\1 is", question.replace("’", "'"))


def normalized(question: str) -> str:
    """Lower case, single spaces, a straight apostrophe, a wh-word's "is" written out:
    what the patterns are written for.

    Example:
        >>> normalized("  When did  Einstein’s   wife die? What's it?")
        "when did einstein's wife die? what is it?"
    """
    return " ".join(spelled_out(question).lower().split())


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


# A yes-or-no question opens with an auxiliary or a modal ("Is the truce holding?").
_POLAR_START = re.compile(
    QUESTION_LEAD
    + r"(?:is|are|was|were|am|do|does|did|has|have|had|can|could|will|would|shall|should"
    r"|may|might|must|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|hasn't|haven't"
    r"|hadn't|can't|couldn't|won't|wouldn't|shouldn't)\b"
)
_WH_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b")
# "Was it Russia or Turkey that brokered it?" offers its answers: a span can be one.
_ALTERNATIVE = re.compile(r"\bor\b(?!\s+not\b)")


def is_yes_no(question: str) -> bool:
    """Whether ``question`` asks for a yes or a no, which no quoted span of a document is.

    A question that holds a wh-word ("Can you tell me who wrote it?") or offers
    alternatives ("Did Russia or Turkey broker the truce?") is not one.

    Example:
        >>> is_yes_no("Is the ceasefire holding?"), is_yes_no("Do you know who wrote it?")
        (True, False)
    """
    text = normalized(question)
    return bool(_POLAR_START.match(text)) and not (
        _WH_WORD.search(text) or _ALTERNATIVE.search(text)
    )


# The document a question points at ("quoted in the article", "according to the piece"):
# it names no fact, and its words pull the reader and the retriever off the question's own.
_THE_DOCUMENT = r"(?:the|this)\s+(?:article|piece|text|story|report|document|passage|author)"
_DOCUMENT_TAIL = re.compile(
    r"[\s,]*(?:according\s+to\s+"
    + _THE_DOCUMENT
    + r"|(?:(?:as\s+)?(?:quoted|mentioned|cited|named|described|discussed|reported|stated"
    r"|given|featured|referred\s+to)\s+)?in\s+"
    + _THE_DOCUMENT
    + r")(?=\s*[?.!]*\s*$)",
    re.IGNORECASE,
)
_DOCUMENT_LEAD = re.compile(
    r"^\s*(?:according\s+to|in)\s+" + _THE_DOCUMENT + r"\s*,\s*", re.IGNORECASE
)
# What may not be left last: "What is in the article?" asks what the article holds.
_BARE_ENDING = re.compile(
    r"(?:\b(?:is|are|was|were|be|been|do|does|did|has|have|had)|'s)$", re.IGNORECASE
)


def without_document_reference(question: str) -> str:
    """``question`` without a phrase that only points at the document it is asked of.

    A question that is about the document itself ("Who wrote the article?", "What is in
    the article?") is returned as it is.

    Example:
        >>> without_document_reference("Who is the analyst quoted in the article?")
        'Who is the analyst?'
        >>> without_document_reference("According to the piece, who brokered the truce?")
        'who brokered the truce?'
        >>> without_document_reference("What is in the article?")
        'What is in the article?'
    """
    stripped = _DOCUMENT_LEAD.sub("", question, count=1)
    found = _DOCUMENT_TAIL.search(stripped)
    if found:
        head = stripped[: found.start()]
        if len(head.split()) >= 2 and not _BARE_ENDING.search(head.rstrip()):
            stripped = head + stripped[found.end():]
    return stripped if len(stripped.split()) >= 2 else question
