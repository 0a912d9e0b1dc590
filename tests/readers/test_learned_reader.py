"""The learned reader on small hand-made passages (never gold questions)."""

from __future__ import annotations

import re
import string

import pytest

from qa.answers import Passage
from qa.config import Settings
from qa.embedding import TextEmbedder
from qa.readers.base import Reader, create_reader
from qa.readers.learned_reader import LearnedReader
from tests.conftest import assert_verbatim

pytestmark = pytest.mark.slow

DOCUMENT = (
    "The Riverside bakery was founded by Anna Keller in 1998. "
    "It employs 14 bakers and sells bread, cakes and pies. "
    "On Monday, the town council praised the owner of the bakery for her charity work. "
    "Food critics said that the new menu was bland. "
    "The bakery closed for two weeks because a water pipe burst in the kitchen. "
    "Health inspectors later visited the shop in Dover."
)


def sentences(text: str) -> list[Passage]:
    out = []
    for rank, match in enumerate(re.finditer(r"[^.]+\.", text)):
        start = match.start() + (len(match.group()) - len(match.group().lstrip()))
        out.append(Passage("bakery", start, match.end(), text[start : match.end()], rank=rank))
    return out


def normalize(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def one_passage(document_id: str, text: str) -> list[Passage]:
    """``text`` as the one retrieved passage of a document that holds nothing else."""
    return [Passage(document_id, 0, len(text), text, score=1.0, rank=0)]


@pytest.fixture(scope="module")
def reader(embedder: TextEmbedder) -> LearnedReader:
    model = LearnedReader(embedder=embedder)
    model.warm_up()
    return model


def ranked(passages: list[Passage], question: str) -> list[Passage]:
    """Put the passages that share most words with the question first, as retrieval would."""
    words = set(normalize(question).split())
    order = sorted(passages, key=lambda p: -len(words & set(normalize(p.text).split())))
    return [
        Passage(p.document_id, p.start, p.end, p.text, score=1.0 / (i + 1), rank=i)
        for i, p in enumerate(order)
    ]


@pytest.mark.parametrize(
    ("question", "accepted"),
    [
        ("Who founded the Riverside bakery?", {"anna keller"}),
        ("When was the Riverside bakery founded?", {"1998", "in 1998"}),
        ("How many bakers does the bakery employ?", {"14", "14 bakers"}),
        ("Where did the health inspectors visit the shop?", {"dover", "in dover"}),
        ("Which body praised the owner of the bakery?", {"town council"}),
        (
            "Why did the bakery close for two weeks?",
            {
                "water pipe burst",
                "because water pipe burst",
                "water pipe burst in kitchen",
                "because water pipe burst in kitchen",
            },
        ),
        ("What word did food critics use to describe the new menu?", {"bland"}),
    ],
)
def test_answer_spans_by_type(reader: LearnedReader, question: str, accepted: set[str]) -> None:
    answers = reader.run(question, ranked(sentences(DOCUMENT), question))
    assert answers, question
    best = answers[0]
    assert normalize(best.text) in accepted, (question, best.text)
    assert_verbatim(DOCUMENT, best.start, best.end, best.text)
    assert 0.0 <= best.confidence <= 1.0


@pytest.mark.parametrize("kind", ["learned", "rules"])
def test_an_analysis_made_beforehand_reads_the_same(embedder: TextEmbedder, kind: str) -> None:
    """The service parses the question on another thread and hands the parse to ``run``."""
    model = create_reader(Settings(reader=kind), embedder=embedder)
    model.warm_up()
    for question in ("Who founded the Riverside bakery?", "How many bakers does it employ?"):
        passages = ranked(sentences(DOCUMENT), question)
        analysis = model.analyze(question)
        assert analysis.text == question
        assert model.run(question, passages, analysis) == model.run(question, passages)


def test_every_offset_is_exact(reader: LearnedReader) -> None:
    text = "  Header line\n\n" + DOCUMENT  # passages that do not start at 0
    passages = [
        Passage(p.document_id, p.start + 15, p.end + 15, p.text, rank=p.rank)
        for p in sentences(DOCUMENT)
    ]
    for question in ("Who founded the bakery?", "What does the bakery sell?"):
        for answer in reader.run(question, passages):
            assert_verbatim(text, answer.start, answer.end, answer.text)


def test_coordination_items_are_separate_candidates(reader: LearnedReader) -> None:
    answers = reader.run("What does the bakery sell?", ranked(sentences(DOCUMENT), "sell"))
    texts = {normalize(a.text) for a in answers}
    assert texts & {"bread cakes and pies", "bread", "cakes", "pies"}


@pytest.mark.parametrize(
    "question",
    [
        "How many customers visit the bakery each day?",  # no number in the passages
        "Who repaired the water pipe?",  # no person or organisation in the passages
    ],
)
def test_abstains_when_the_answer_type_is_unavailable(reader: LearnedReader, question) -> None:
    text = "The bakery closed because a water pipe burst. The kitchen was flooded."
    assert reader.run(question, sentences(text)) == []


def test_confidence_is_lower_for_a_near_miss(reader: LearnedReader) -> None:
    passages = sentences(DOCUMENT)
    hit = reader.run("Who founded the Riverside bakery?", ranked(passages, "founded bakery"))
    miss = reader.run("Who founded the Riverside garage?", ranked(passages, "founded"))
    assert hit and (not miss or miss[0].confidence < hit[0].confidence)


def test_a_name_of_the_asked_kind_is_preferred(reader: LearnedReader) -> None:
    # The trees like the city for "which radio station"; the radio is of the asked kind.
    text = '"We will rebuild the dam," Agriculture Secretary Ann Cole told KXR radio in Denver.'
    passage = one_passage("radio", text)
    station = reader.run("Which radio station did Ann Cole speak to?", passage)
    assert station[0].text == "KXR radio"
    assert station[0].confidence >= Settings().min_confidence
    assert reader.run("Which city did Ann Cole speak in?", passage)[0].text == "Denver"


def test_an_action_is_done_by_the_questions_actor(reader: LearnedReader) -> None:
    # "has a large harbour" is the city's too, but only "would ... repair" is what the city
    # would do; the council's own actions are not the city's.
    text = (
        "The council also urged both sides to stay calm and said that the city, which has a "
        "large harbour, would quickly repair the bridge."
    )
    passage = one_passage("city", text)
    city = reader.run("What did the council say the city would do?", passage)
    assert city[0].text == "quickly repair the bridge"
    rescue = "Speaking on Monday, the mayor praised the firefighters, who had rescued six children."
    passage = one_passage("mayor", rescue)
    assert reader.run("What did the mayor do?", passage)[0].text.startswith("praised")
    firefighters = reader.run("According to the mayor, what have the firefighters done?", passage)
    assert firefighters[0].text.startswith("rescued six children")


def test_coordinated_actions_answer_together(reader: LearnedReader) -> None:
    # The rebels try both things: "seize the airport" alone is half the answer.
    text = "The rebels are trying to seize the airport and cut the road to the capital."
    passage = one_passage("rebels", text)
    answers = reader.run("What are the rebels trying to do?", passage)
    assert answers[0].text == "seize the airport and cut the road to the capital"


def test_a_count_of_something_else_gets_no_confidence(reader: LearnedReader) -> None:
    # "two" counts kingdoms and "40" lorries: neither answers how many people or soldiers,
    # while "trucks" is near enough to "lorries" to keep its answer.
    text = "On March 3, the two neighbouring kingdoms signed a trade pact, and 40 lorries crossed."
    passage = one_passage("pact", text)
    threshold = Settings().min_confidence
    trucks = reader.run("How many trucks crossed the border?", passage)
    assert trucks[0].text == "40" and trucks[0].confidence > 0.2
    for question in ("How many people live in the kingdoms?", "How many soldiers guarded it?"):
        answers = reader.run(question, passage)
        assert not answers or answers[0].confidence < threshold, question


def test_a_count_of_years_is_a_length_of_time_never_a_year(reader: LearnedReader) -> None:
    # "30,000" counts people and "1988" is a year: neither says how many years it lasted.
    text = "The war, which killed 30,000 people, broke out in 1988 and ended in 1994."
    passage = one_passage("war", text)
    threshold = Settings().min_confidence
    people = reader.run("How many people did the war kill?", passage)
    assert people[0].text == "30,000" and people[0].confidence > 0.2
    for question in ("How many years did the war last?", "How many tanks did the war cost?"):
        answers = [a for a in reader.run(question, passage) if a.confidence >= threshold]
        assert not answers or not answers[0].text.startswith(("30,000", "19")), question
    # With only a year for a number, there is no count at all.
    bridge = one_passage("bridge", "The old bridge over the river opened to traffic in 1988.")
    assert reader.run("How many cars cross the bridge?", bridge) == []


def test_a_phrase_is_not_cut_inside_its_modifier(reader: LearnedReader) -> None:
    # "a return of refugees" stops half-way through "refugees and prisoners".
    text = (
        "The agreement was signed as a temporary truce to allow a return of refugees and "
        "prisoners to their villages."
    )
    passage = one_passage("truce", text)
    answers = reader.run("What was the temporary truce meant to allow?", passage)
    assert answers[0].text.startswith("a return of refugees and prisoners")
    assert reader.run("What was signed?", passage)[0].text == "The agreement"


def test_the_day_of_a_date_is_no_age(reader: LearnedReader) -> None:
    threshold = Settings().min_confidence
    for text, age in (
        ("Tom Reyes, the new coach, will meet the players on June 14 in Lyon.", None),
        ("Tom Reyes, 52, the new coach, will meet the players on June 14 in Lyon.", "52"),
    ):
        passage = one_passage("coach", text)
        answers = [
            a for a in reader.run("How old is Tom Reyes?", passage) if a.confidence >= threshold
        ]
        assert (answers[0].text if answers else None) == age


def test_another_numbered_one_gets_no_confidence(reader: LearnedReader) -> None:
    # The sentence is about the first week; it says nothing of the second.
    text = "In the first week of the trial alone, 12 witnesses testified for the defence."
    passage = one_passage("trial", text)
    first = reader.run("How many witnesses testified in the first week?", passage)
    second = reader.run("How many witnesses testified in the second week?", passage)
    assert first[0].text == "12" and first[0].confidence > 0.5
    assert not second or second[0].confidence < Settings().min_confidence


def test_created_from_settings(settings, embedder: TextEmbedder) -> None:
    chosen = create_reader(settings.model_copy(update={"reader": "learned"}), embedder=embedder)
    assert isinstance(chosen, Reader)
    assert chosen.name == "learned"
    assert create_reader(settings.model_copy(update={"reader": "rules"})).name == "rules"
