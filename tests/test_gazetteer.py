"""Capitals and countries standing for each other (qa/gazetteer.py)."""

from __future__ import annotations

import csv

import pytest

from qa.gazetteer import CAPITALS_FILE, country_of, place_aliases


def test_a_capital_stands_for_its_country_and_back() -> None:
    assert place_aliases("Ankara") == {"turkey"}
    assert place_aliases("TURKEY") == {"ankara"}
    assert "syria" in place_aliases("damascus")


def test_other_words_stand_for_nothing() -> None:
    assert place_aliases("drone") == frozenset()
    assert place_aliases("") == frozenset()


def test_the_shipped_table_has_a_capital_and_a_country_per_row() -> None:
    with CAPITALS_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert len(rows) > 200
    assert all(len(row) == 2 and all(row) for row in rows)


@pytest.mark.parametrize(
    ("word", "country"),
    [
        ("Turkish", "turkey"),  # the longest shared start: not Turkmenistan
        ("Azeri", "azerbaijan"),
        ("Azerbaijani", "azerbaijan"),
        ("Syrian", "syria"),
        ("Iran", "iran"),
        # Irregular nationalities and words of many-word names name none.
        ("Polish", None),
        ("Democratic", None),
        ("US", None),
    ],
)
def test_the_country_a_nationality_names(word: str, country: str | None) -> None:
    assert country_of(word) == country
