"""Rule-made training questions: each has an answer span inside its sentence."""

from __future__ import annotations

import random

from qa.nlp import load_spacy
from qa.readers.synthetic import QuestionGenerator

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
