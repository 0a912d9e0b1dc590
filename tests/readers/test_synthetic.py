"""Rule-made training questions: each has an answer span inside its sentence."""

from __future__ import annotations

import random

import pytest

from qa.nlp import load_spacy
from qa.readers.synthetic import Paraphraser, QuestionGenerator, load_wordnet

TEXT = (
    "On Tuesday, firefighters rescued 14 residents from a burning apartment block in Leeds. "
    "Fire chief Sarah Mills said the blaze had started in a kitchen. "
    "The council praised the crews, who worked quickly through the night."
)


def generated() -> list:
    doc = load_spacy()(TEXT)
    generator = QuestionGenerator(max_per_sentence=50)
    rng = random.Random(0)
    return [(q, doc.text) for sentence in doc.sents for q in generator.run(sentence, rng)]


def test_answers_lie_in_the_text_and_questions_do_not_contain_them() -> None:
    questions = generated()
    assert len(questions) >= 6
    for q, text in questions:
        answer = q.answer(text)
        assert answer and answer == answer.strip()
        assert q.question.endswith("?")
        assert answer.lower() not in q.question.lower()


def test_rules_cover_subject_object_number_time_place_and_title() -> None:
    by_rule: dict[str, list[tuple[str, str]]] = {}
    for q, text in generated():
        by_rule.setdefault(q.rule, []).append((q.question, q.answer(text)))
    assert {"subject", "number", "title", "statement"} <= set(by_rule)
    assert ("Who is the Fire chief?", "Sarah Mills") in by_rule["title"]
    assert any(answer == "14" for _, answer in by_rule["number"])
    assert any(answer == "firefighters" for _, answer in by_rule["subject"])


def test_generation_is_seeded() -> None:
    first = [q.question for q, _ in generated()]
    second = [q.question for q, _ in generated()]
    assert first == second


def test_a_modified_noun_is_sometimes_asked_for_by_its_head() -> None:
    # "from a burning apartment block": real questions say "which block" and expect the
    # whole phrase, so some generated ones do too.
    doc = load_spacy()(TEXT)
    generator = QuestionGenerator(max_per_sentence=50)
    found = []
    for seed in range(20):
        rng = random.Random(seed)
        for sentence in doc.sents:
            for q in generator.run(sentence, rng):
                if q.question.startswith(("Which block", "What kind of block", "What block")):
                    found.append(q.answer(doc.text))
    assert found and all("block" in answer for answer in found)


def test_a_title_is_asked_for_by_the_name() -> None:
    doc = load_spacy()(TEXT)
    generator = QuestionGenerator(max_per_sentence=50)
    pairs = {
        (q.question, q.answer(doc.text))
        for seed in range(10)
        for sentence in doc.sents
        for q in generator.run(sentence, random.Random(seed))
        if q.rule == "title"
    }
    assert any(
        question.startswith("What is Sarah Mills's") and answer == "Fire chief"
        for question, answer in pairs
    )


@pytest.fixture(scope="module")
def paraphraser() -> Paraphraser:
    """Fails (not skips) without WordNet: `make test` installs it (`make train-deps`)."""
    try:
        return Paraphraser()
    except RuntimeError as exc:
        pytest.fail(f"{exc} (or run `make train-deps`)")


def test_paraphrases_change_words_but_keep_names_and_wh(paraphraser: Paraphraser) -> None:
    nlp = load_spacy()
    question = "Who fired missiles on the city of Leeds on Tuesday?"
    outputs = {paraphraser.run(nlp(question), random.Random(seed)) for seed in range(8)}
    outputs.discard(None)
    assert outputs and question not in outputs
    for text in outputs:
        assert text.startswith("Who ") and text.endswith("?")
        assert "Leeds" in text and "Tuesday" in text


def test_paraphrase_is_seeded_and_rewrites_possessives(paraphraser: Paraphraser) -> None:
    nlp = load_spacy()
    question = "What did Armenia's ministry report?"
    first = [paraphraser.run(nlp(question), random.Random(s)) for s in range(10)]
    second = [paraphraser.run(nlp(question), random.Random(s)) for s in range(10)]
    assert first == second
    assert any(text and " of Armenia" in text for text in first)


def test_missing_wordnet_fails_with_a_clear_message(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="wordnet"):
        load_wordnet(tmp_path)


def test_metonymy_names_a_country_by_its_capital(paraphraser: Paraphraser) -> None:
    nlp = load_spacy()
    swapping = Paraphraser(paraphraser.wordnet, rate=0.0, metonymy=1.0)
    text = swapping.run(nlp("Who accused Turkey of arming Azerbaijan?"), random.Random(0))
    assert text is not None and text.startswith("Who accused Ankara of arming")
    assert paraphraser.metonymy == 0.0  # off by default
