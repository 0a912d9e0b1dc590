"""QuestionAnalyzer: answer types, the wh-phrase, its role and the filled question."""

from __future__ import annotations

import pytest

from qa.readers.question import AnswerType, FineType, QuestionAnalyzer, WhRole


@pytest.fixture(scope="module")
def analyzer() -> QuestionAnalyzer:
    return QuestionAnalyzer()


@pytest.mark.parametrize(
    ("question", "fine_type"),
    [
        ("Who runs the bakery on Mill Street?", FineType.PERSON),
        ("When did the storm reach the coast?", FineType.TIME),
        ("Where was the new bridge built?", FineType.PLACE),
        ("How many apples did the farmer sell?", FineType.NUMBER),
        ("Why did the council close the road?", FineType.REASON),
        ("What was the purpose of the meeting?", FineType.REASON),
        # The "of" phrase names the kind: water is a place, a body alone an organisation.
        ("Which body of water did the ferry cross?", FineType.PLACE),
        ("Which body runs the ferry?", FineType.ORGANIZATION),
        ("Which airline flew the crew home?", FineType.ORGANIZATION),
        ("How did the mayor open the meeting?", FineType.MANNER),
        ("Which city hosted the fair?", FineType.PLACE),
        ("To which Spanish city did the team travel?", FineType.PLACE),
        ("Which American defence expert praised the plan?", FineType.PERSON),
        ("What did the board decide to do?", FineType.ACTION),
        ("What word did the critic use to describe the film?", FineType.ADJECTIVE),
        ("What did the spokesman say?", FineType.STATEMENT),
        ("What did the farmer sell at the market?", FineType.THING),
        # The small tagger reads "does" as the verb and "plant" as a noun here: the question
        # still asks for a thing, not an action.
        ("What kind of seeds does Marlow plant?", FineType.THING),
        ("What does the company do?", FineType.ACTION),
        # The parser hangs "doing" on the subject here; it still asks for an action.
        ("What are Turkish representatives doing among the militias?", FineType.ACTION),
        # What someone warned or spoke "about" is what they said.
        ("What did the ministry warn about?", FineType.STATEMENT),
        # What a clause after "say" lacks is a thing, not what was said.
        ("What did the mayor say he wanted the council to get right?", FineType.THING),
        ("What did the critic say the film was missing?", FineType.THING),
    ],
)
def test_fine_answer_types(analyzer: QuestionAnalyzer, question: str, fine_type) -> None:
    assert analyzer.run(question).fine_type is fine_type


def test_the_coarse_type_the_rule_reader_uses_is_kept(analyzer: QuestionAnalyzer) -> None:
    q = analyzer.run("How many apples did the farmer sell?")
    assert q.answer_type is AnswerType.NUMBER
    assert q.type_word == "apple"


@pytest.mark.parametrize(
    ("question", "role", "preposition", "wh_phrase"),
    [
        ("Who opened the new library?", WhRole.SUBJECT, "", "Who"),
        ("What did the fire destroy?", WhRole.OBJECT, "", "What"),
        ("In which town did the fire start?", WhRole.PREP_OBJECT, "in", "In which town"),
        ("What did the police blame the driver for?", WhRole.PREP_OBJECT, "for", "What"),
        ("Who is the chairman of the club?", WhRole.ATTRIBUTE, "", "Who"),
        ("How many houses were destroyed by the fire?", WhRole.SUBJECT, "", "How many houses"),
        # The preposition without an object, not the closing particle.
        (
            "What could the war escalate into as it drags on?",
            WhRole.PREP_OBJECT,
            "into",
            "What",
        ),
        # "has" with no verb after it is the verb: the wh-phrase is its subject.
        ("Which outlet has ties to the council?", WhRole.SUBJECT, "", "Which outlet"),
        ("Which city has the army attacked?", WhRole.OBJECT, "", "Which city"),
        # A participle on the object is no verb of the question's own.
        ("Which town has troops stationed there?", WhRole.SUBJECT, "", "Which town"),
        # The object of an adjective's preposition, not what the subject is.
        ("Who are the rebels loyal to?", WhRole.PREP_OBJECT, "to", "Who"),
        # Or of a noun's, itself a preposition's object ("in charge of").
        ("What is the general in charge of?", WhRole.PREP_OBJECT, "of", "What"),
    ],
)
def test_wh_phrase_and_role(
    analyzer: QuestionAnalyzer, question: str, role: WhRole, preposition: str, wh_phrase: str
) -> None:
    q = analyzer.run(question)
    assert q.role is role
    assert q.preposition == preposition
    assert q.doc[q.wh_start : q.wh_end].text == wh_phrase


def test_governor_is_the_questions_verb(analyzer: QuestionAnalyzer) -> None:
    q = analyzer.run("Who opened the new library?")
    assert q.doc[q.governor].lemma_ == "open"


def test_governor_of_a_stranded_preposition_is_its_adjective(analyzer: QuestionAnalyzer) -> None:
    q = analyzer.run("Who are the rebels loyal to?")
    assert q.doc[q.governor].text == "loyal"


def test_filled_question_puts_the_answer_in_place_of_the_wh_phrase(
    analyzer: QuestionAnalyzer,
) -> None:
    q = analyzer.run("How many houses were destroyed by the fire?")
    assert q.filled("twelve") == "twelve were destroyed by the fire"
    assert analyzer.run("What did the fire destroy?").filled("the mill") == (
        "the mill the fire destroy"
    )


def test_statement_without_wh_word(analyzer: QuestionAnalyzer) -> None:
    q = analyzer.run("Tell me about the fire.")
    assert q.fine_type is FineType.NONE
    assert q.wh_start == -1


@pytest.mark.parametrize(
    ("question", "fine_type", "type_word"),
    [
        # The tagger reads "hopeful" as a modifier of "House": the run of nouns ends at it.
        (
            "Which White House hopeful condemned Madrid for helping Lisbon?",
            FineType.PERSON,
            "hopeful",
        ),
        # An adverb on the adjective does not hide the noun.
        ("Which predominantly rural provinces rejected the reform?", FineType.PLACE, "province"),
        # A toll or a tally is a count.
        ("What was the death toll of the earthquake?", FineType.NUMBER, "toll"),
        ("What is the final tally of votes?", FineType.NUMBER, "tally"),
    ],
)
def test_the_wh_phrase_noun_gives_the_type(
    analyzer: QuestionAnalyzer, question: str, fine_type: FineType, type_word: str
) -> None:
    q = analyzer.run(question)
    assert (q.fine_type, q.type_word) == (fine_type, type_word)


def test_an_adverb_on_an_adjective_stays_in_the_wh_phrase(analyzer: QuestionAnalyzer) -> None:
    q = analyzer.run("Which mostly agricultural regions suffered from the drought?")
    assert q.doc[q.wh_start : q.wh_end].text == "Which mostly agricultural regions"
    assert q.doc[q.focus].text == "regions"


def test_questions_are_parsed_without_the_entity_recognizer(analyzer: QuestionAnalyzer) -> None:
    # Nothing reads a question's entities, and the recognizer was most of the parse's time;
    # the tags and the tree the analysis does read are still there.
    q = analyzer.run("When did Hulusi Akar travel to Azerbaijan?")
    assert not q.doc.has_annotation("ENT_IOB")
    assert q.doc.has_annotation("DEP") and q.doc.has_annotation("TAG")
    assert [t.pos_ for t in q.doc[2:4]] == ["PROPN", "PROPN"]
    assert q.fine_type is FineType.TIME


def test_a_contracted_is_is_read_as_is(analyzer: QuestionAnalyzer) -> None:
    # "whats" is a noun to the parser; written out, "capital" is the attribute asked for.
    question = analyzer.run("whats the capital of france")
    assert question.role is WhRole.ATTRIBUTE
    assert question.doc[question.governor].lower_ == "capital"
