"""ProperCasing: a question's lower-case names in the case the documents write them."""

from __future__ import annotations

import pytest

from qa.casing import ProperCasing
from qa.nlp import load_spacy

TEXT = (
    "On Monday, Mayor Anna Lund met Peter Vik in Tarvo, near the town centre. The Nordic"
    " Group and the US envoy met there too. We ate turkey, and later Turkey voted."
)


@pytest.fixture(scope="module")
def casing() -> ProperCasing:
    return ProperCasing([load_spacy()(TEXT)])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A person's name, and a name the documents capitalise on its own.
        ("did anna lund's team meet peter vik?", "did Anna Lund's team meet Peter Vik?"),
        ("where is tarvo", "where is Tarvo"),
        # A word the documents also write in lower case, one capitalised only inside a
        # longer name, and an acronym are left as typed.
        ("what did turkey vote for?", "what did turkey vote for?"),
        ("which group met near the centre?", "which group met near the centre?"),
        ("did the us envoy meet them?", "did the us envoy meet them?"),
        # What the user capitalised stays so.
        ("Where is TARVO?", "Where is TARVO?"),
    ],
)
def test_lower_case_names_take_the_documents_case(
    casing: ProperCasing, question: str, expected: str
) -> None:
    assert casing.run(question) == expected
