"""Token vectors for the learned reader: one forward pass per question, sentences cached."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from qa.embedding import BatchStates, TextEmbedder, TokenStates
from qa.nlp import load_spacy
from qa.readers.token_encoder import TokenEncoder

QUESTION = "Which city did Armenian forces shell?"
SENTENCES = [
    "Armenian forces fired missiles on Ganja, Azerbaijan's second-largest city.",
    "Turkey has openly called for Azerbaijan to expel Armenians from the Karabakh.",
]


@pytest.fixture
def encoder(embedder: TextEmbedder) -> TokenEncoder:
    return TokenEncoder(embedder)


def spans(*texts: str) -> list:
    return [load_spacy()(text)[:] for text in texts]


def test_one_unit_vector_per_spacy_token(encoder: TokenEncoder) -> None:
    (vectors,) = encoder.run(spans("Ganja's mayor was shelled."))
    assert vectors.shape == (6, 384)  # Ganja 's mayor was shelled .
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


class Spy:
    """The shared encoder, counting the forward passes the token encoder asks for."""

    def __init__(self, embedder: TextEmbedder) -> None:
        self.embedder = embedder
        self.calls: list[int] = []

    def forward(self, texts: Sequence[str], max_length: int = 256) -> BatchStates:
        self.calls.append(len(texts))
        return self.embedder.forward(texts, max_length=max_length)

    def take_states(self, text: str) -> TokenStates | None:
        return self.embedder.take_states(text)


def test_the_question_reuses_the_retrieval_forward_pass(embedder: TextEmbedder) -> None:
    spy = Spy(embedder)
    encoder = TokenEncoder(spy)  # type: ignore[arg-type]
    question, *sentences = spans(QUESTION, *SENTENCES)
    encoder.run_with_sentences(sentences, cached=[True, True])  # the sentences are cached
    fresh, fresh_pooled = encoder.run_with_sentences(
        [question, *sentences], cached=[False, True, True]
    )
    assert spy.calls == [1, 1, 1]  # each text alone: no padding to the longest
    embedder.run([QUESTION])  # what retrieval does first
    reused, reused_pooled = encoder.run_with_sentences(
        [question, *sentences], cached=[False, True, True]
    )
    assert spy.calls == [1, 1, 1]  # no forward pass: the question's states were reused
    for a, b in zip(fresh, reused, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fresh_pooled, reused_pooled)


def test_new_sentences_are_encoded_alone_beside_the_reused_question(
    embedder: TextEmbedder,
) -> None:
    spy = Spy(embedder)
    question, *sentences = spans(QUESTION, *SENTENCES)
    embedder.run([QUESTION])  # what retrieval does first
    vectors, pooled = TokenEncoder(spy).run_with_sentences(  # type: ignore[arg-type]
        [question, *sentences], cached=[False, True, True]
    )
    assert embedder.take_states(QUESTION) is None  # handed out once
    assert spy.calls == [1, 1]  # the two sentences; the question's pass was reused
    assert [v.shape[0] for v in vectors] == [len(s) for s in (question, *sentences)]
    assert pooled.shape == (3, 384)
    # The same numbers as encoding every text afresh.
    again, again_pooled = TokenEncoder(embedder).run_with_sentences([question, *sentences])
    for a, b in zip(vectors, again, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pooled, again_pooled)


def test_sentences_are_cached_by_text(encoder: TokenEncoder) -> None:
    (sentence,) = spans(SENTENCES[0])
    first, _ = encoder.run_with_sentences([sentence], cached=[True])
    assert SENTENCES[0] in encoder._cache
    again, _ = encoder.run_with_sentences([sentence], cached=[True])
    assert again[0] is first[0]
