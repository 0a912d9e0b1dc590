"""The candidate cache: a sentence's candidates are computed once, whatever the question."""

from __future__ import annotations

from qa.nlp import load_spacy
from qa.readers.candidates import CachedCandidates, CandidateGenerator

TEXT = "Armenian forces fired missiles on Ganja. Turkey called for a ceasefire in Karabakh."


def test_same_candidates_as_the_generator_and_computed_once() -> None:
    doc = load_spacy()(TEXT)
    generator = CandidateGenerator(extended=True)
    cached = CachedCandidates(generator)
    for sentence in doc.sents:
        expected = generator.run(sentence)
        assert cached.run(sentence) == expected
        # A new Span object over the same tokens of the same parse is the same sentence.
        assert cached.run(doc[sentence.start : sentence.end]) == expected
    assert cached.hits == 2


def test_another_parse_of_the_same_text_is_another_sentence() -> None:
    cached = CachedCandidates(CandidateGenerator(extended=True))
    first = load_spacy()(TEXT)[:]
    second = load_spacy()(TEXT)[:]
    cached.run(first)
    found = cached.run(second)
    assert cached.hits == 0
    assert all(c.span.doc is second.doc for c in found)


def test_callers_get_copies_and_the_cache_is_bounded() -> None:
    cached = CachedCandidates(CandidateGenerator(extended=True), maxsize=1)
    doc = load_spacy()(TEXT)
    one, two = list(doc.sents)
    cached.run(one).clear()
    assert cached.run(one)  # what the caller cleared was a copy
    cached.run(two)  # evicts the first sentence
    cached.run(one)
    assert cached.hits == 1
