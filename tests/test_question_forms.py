"""question_forms: normalising, matching forms, and yes-or-no questions."""

from __future__ import annotations

import pytest

from qa.question_forms import (
    compile_forms,
    is_yes_no,
    match_form,
    normalized,
    spelled_out,
    without_document_reference,
)


def test_forms_match_after_a_polite_lead_in() -> None:
    forms = compile_forms({"born": [r"when was (?P<who>.+?) born\b"]})
    found = match_form(forms, "So,  when was Lincoln’s son born?")
    assert found is not None and found[1]["who"] == "lincoln's son"
    assert normalized("  A  B’s ") == "a b's"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is the ceasefire holding?", True),
        ("Did Russia intervene or not?", True),
        ("So, did the talks fail?", True),
        ("Do you know if the talks failed?", True),
        ("Hasn't the truce collapsed?", True),
        # A wh-word, offered alternatives, or no auxiliary in front: not yes-or-no.
        ("Can you tell me who wrote it?", False),
        ("Did Russia or France broker the truce?", False),
        ("Who is the minister?", False),
        ("Island of what?", False),
        ("Tell me the date of the truce.", False),
    ],
)
def test_yes_or_no_questions(question: str, expected: bool) -> None:
    assert is_yes_no(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who's Hulusi Akar?", "Who is Hulusi Akar?"),
        ("whats the capital of france", "what is the capital of france"),
        ("Where’s Ganja?", "Where is Ganja?"),
        # Not a contraction of "is".
        ("Whose forces won?", "Whose forces won?"),
        ("What shows it?", "What shows it?"),
    ],
)
def test_a_wh_words_contracted_is_is_written_out(question: str, expected: str) -> None:
    assert spelled_out(question) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is the analyst quoted in the article?", "Who is the analyst?"),
        # Only a reference that ends the question (or opens it) is one.
        ("Which sea, according to the piece, borders Iran?", None),
        ("Which sea borders Iran, according to this text?", "Which sea borders Iran?"),
        ("According to the article, who brokered it?", "who brokered it?"),
        ("In the story, who brokered it", "who brokered it"),
        ("What did Lee say, as reported in the article?", "What did Lee say?"),
        # A question about what the document holds keeps its reference.
        ("What is in the article?", None),
        ("Who is quoted in the article?", None),
        ("Who wrote the article?", None),
        ("What is the article about?", None),
        # Only the document: "according to Lee" is a fact of the question.
        ("What can radars not pick up, according to Lee?", None),
    ],
)
def test_a_reference_to_the_document_is_dropped(question: str, expected: str | None) -> None:
    # None: the question is kept as it is.
    assert without_document_reference(question) == (expected or question)
