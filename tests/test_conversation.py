"""Follow-up resolution: hand-made conversations, not the gold questions."""

from __future__ import annotations

import pytest

from qa.conversation import QuestionRewriter, Rewrite
from qa.service import QAService, Turn


@pytest.fixture(scope="module")
def rewriter() -> QuestionRewriter:
    component = QuestionRewriter()
    component.warm_up()
    return component


MINISTER = [Turn("Who is Russia's foreign minister?", "Sergey Lavrov")]
CITY = [Turn("Which city was hit by Armenian missiles?", "Ganja")]
DRONES = [Turn("Which drones did Turkey supply to Azerbaijan?", "Bayraktar TB2 drones")]
SEA = [Turn("Where did the Russian navy hold drills?", "the Caspian Sea")]


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # he / his: the person the previous answer named
        (
            [Turn("Who blamed Turkey for the escalation?", "Pompeo")],
            "Which radio station did he speak to?",
            "Which radio station did Pompeo speak to?",
        ),
        (MINISTER, "Who were his counterparts?", "Who were Sergey Lavrov's counterparts?"),
        # it: a singular non-person; they / their: a plural
        (SEA, "Which countries border it?", "Which countries border the Caspian Sea?"),
        (DRONES, "What did they destroy first?", "What did Bayraktar TB2 drones destroy first?"),
        (
            DRONES,
            "Where were their pilots trained?",
            "Where were Bayraktar TB2 drones' pilots trained?",
        ),
        # there: a place; then: a date
        (
            [Turn("Which country has a large Armenian population?", "France")],
            "Who called for a truce there?",
            "Who called for a truce in France?",
        ),
        (
            [Turn("When did Russia hold drills in the Caspian Sea?", "October 16")],
            "What happened then?",
            "What happened on October 16?",
        ),
        # a demonstrative noun phrase
        (
            CITY,
            "How many people were wounded in that city?",
            "How many people were wounded in Ganja?",
        ),
        # "where" makes the answer a place, whatever the tagger calls the name
        (
            [Turn("Where did the fighting start?", "Nagorno-Karabakh")],
            "Who lives there?",
            "Who lives in Nagorno-Karabakh?",
        ),
        # a proper name keeps its article
        (
            [Turn("Which countries border the Caspian Sea?", "Russia, Iran and Azerbaijan")],
            "Which of them has a navy there?",
            "Which of Russia, Iran and Azerbaijan has a navy in the Caspian Sea?",
        ),
        # "what" is not what "them" refers to
        (
            [Turn("Whom did Lavrov call?", "his Armenian and Azeri counterparts")],
            "What did he ask them to do?",
            "What did Lavrov ask his Armenian and Azeri counterparts to do?",
        ),
        # the answer describes the name asked about: the name is the referent
        (
            [Turn("Who was Albert Einstein?", "a German-born theoretical physicist")],
            "When did he die?",
            "When did Albert Einstein die?",
        ),
        # the answer is the name asked for: the answer is the referent
        (
            [Turn("Who is the Turkish Defense Minister?", "Hulusi Akar")],
            "Where did he travel?",
            "Where did Hulusi Akar travel?",
        ),
        # no answer in the history: the previous question's phrase stands in
        (
            [Turn("Which Turkish drones affected Armenian forces?", None)],
            "What did they target first?",
            "What did Turkish drones target first?",
        ),
    ],
)
def test_pronouns_and_demonstratives_are_resolved(
    rewriter: QuestionRewriter, history: list[Turn], question: str, resolved: str
) -> None:
    rewrite = rewriter.run(question, history)
    assert rewrite.resolved == resolved
    assert rewrite.kind in {"pronoun", "demonstrative"}
    assert rewrite.replacements


@pytest.mark.parametrize(
    ("history", "question", "resolved"),
    [
        # a prepositional phrase replaces the one it contrasts with
        (
            [Turn("Which countries have backed Assad's regime in Syria?", "Russia and Iran")],
            "And in Libya?",
            "Which countries have backed Assad's regime in Libya?",
        ),
        # a name replaces the entity of the same kind
        (
            [Turn("What did Pompeo say about Turkey?", "it stepped in")],
            "What about Russia?",
            "What did Pompeo say about Russia?",
        ),
        # an ordinal replaces an ordinal
        (
            [Turn("Who was the first to call for a truce?", "Lavrov")],
            "And the second?",
            "Who was the second to call for a truce?",
        ),
        (
            [Turn("What did the drones target in the first phase?", "air defence systems")],
            "And in the second?",
            "What did the drones target in the second phase?",
        ),
        # "one" stands for the noun itself
        (
            [Turn("Who brokered the first truce?", "Russia")],
            "And the second one?",
            "Who brokered the second truce?",
        ),
        # a new wh-phrase asks about the previous question with its answer filled in
        (
            [Turn("Which outlet did Rob Lee speak to?", "Al Jazeera")],
            "On which day?",
            "On which day did Rob Lee speak to Al Jazeera?",
        ),
        # "how many" without a noun counts what the previous "how many" counted, in the
        # same setting (place, time) but not with the previous verb's other roles ("to")
        (
            [Turn("How many civilians died in Ganja?", "13")],
            "And how many were wounded?",
            "How many civilians were wounded in Ganja?",
        ),
        (
            [Turn("How many soldiers from Russian units died in the war on Sunday?", "40")],
            "And how many were wounded?",
            "How many soldiers from Russian units were wounded in the war on Sunday?",
        ),
        (
            [Turn("How many fighters deployed to Karabakh in the first week?", "1,300")],
            "And how many were killed?",
            "How many fighters were killed in the first week?",
        ),
        # the question's own setting wins over the previous one
        (
            [Turn("How many civilians died in Ganja?", "13")],
            "And how many were wounded in Barda?",
            "How many civilians were wounded in Barda?",
        ),
        # "how many X" after "how many Y": the same question about another thing
        (
            [Turn("How many soldiers did Russia send to Syria?", "5,000")],
            "And how many tanks?",
            "How many tanks did Russia send to Syria?",
        ),
        (
            [Turn("How many drones did Turkey sell to Azerbaijan?", "12")],
            "What about tanks?",
            "How many tanks did Turkey sell to Azerbaijan?",
        ),
        (
            [Turn("Which city did the drones hit?", "Ganja")],
            "And which village?",
            "Which village did the drones hit?",
        ),
        # the same preposition: a source replaces a source of another kind, but a time is
        # added beside a place
        (
            [Turn("How many fighters came from Syria?", "1,300")],
            "And from Libyan militias?",
            "How many fighters came from Libyan militias?",
        ),
        (
            [Turn("How many fighters deployed to Karabakh in the first week?", "1,300")],
            "And to Libya?",
            "How many fighters deployed to Libya in the first week?",
        ),
        (
            [Turn("Which countries sent troops to Syria?", "Russia and Iran")],
            "And in 2015?",
            "Which countries sent troops to Syria in 2015?",
        ),
        # another participle
        (
            [Turn("How many civilians were killed in Ganja?", "13")],
            "And wounded?",
            "How many civilians were wounded in Ganja?",
        ),
        # a possessive for a possessive
        (
            [Turn("Who is Turkey's president?", "Erdogan")],
            "And Russia's?",
            "Who is Russia's president?",
        ),
    ],
)
def test_elliptical_questions_are_rebuilt(
    rewriter: QuestionRewriter, history: list[Turn], question: str, resolved: str
) -> None:
    rewrite = rewriter.run(question, history)
    assert rewrite.resolved == resolved
    assert rewrite.kind == "ellipsis"


def test_pronouns_of_different_kinds_take_different_referents(
    rewriter: QuestionRewriter,
) -> None:
    # "there" takes the place; "it" may not take the same one.
    history = [Turn("Where did the fighting start?", "in Nagorno-Karabakh")]
    rewrite = rewriter.run("When did it start there?", history)
    assert rewrite.resolved == "When did it start in Nagorno-Karabakh?"


def test_how_much_is_not_read_as_the_previous_how_many(rewriter: QuestionRewriter) -> None:
    history = [Turn("How many drones did Turkey sell to Azerbaijan?", "12")]
    rewrite = rewriter.run("How much did they cost?", history)
    assert rewrite.resolved == "How much did the drones cost?"
    assert rewrite.kind == "pronoun"


def test_they_can_refer_to_what_a_how_many_question_counted(rewriter: QuestionRewriter) -> None:
    # The answer is a number, so the counted people are what "them" points back to.
    history = [Turn("How many people were killed in the 1990s war?", "30,000")]
    rewrite = rewriter.run("And how many of them were children?", history)
    assert rewrite.resolved == "How many of the people were children?"


@pytest.mark.parametrize(
    ("answer", "given", "repeats"),
    [
        ("13", "13", True),
        ("1300", "over 1,300", True),
        ("the Caspian Sea", "Caspian Sea", True),
        ("Russia", "Russia and Iran", False),
        ("Iran", "Iran's", True),
        ("two", "13", False),
        ("Ganja", "Armenian forces fired missiles on Ganja on Saturday", False),
        ("Russia and Turkey", "Russia and Iran", False),
        ("13 civilians", "13", False),
        ("Ganja", None, False),
    ],
)
def test_repeats_history_spots_an_answer_already_given(
    rewriter: QuestionRewriter, answer: str, given: str | None, repeats: bool
) -> None:
    history = [Turn("How many civilians died?", given)]
    assert rewriter.repeats_history(answer, history) is repeats


def test_earlier_turns_are_resolved_before_they_are_used(rewriter: QuestionRewriter) -> None:
    history = [
        Turn("Who is the US Secretary of State?", "Mike Pompeo"),
        Turn("Which radio station did he talk to?", "WBS radio"),
    ]
    rewrite = rewriter.run("Where is it based?", history)
    assert rewrite.context == "Which radio station did Mike Pompeo talk to?"
    assert rewrite.resolved == "Where is WBS radio based?"


def test_a_subject_pronoun_keeps_the_previous_subject_when_the_answer_was_an_object(
    rewriter: QuestionRewriter,
) -> None:
    history = [
        Turn("Which drones hit Armenian positions?", "Bayraktar TB2 drones"),
        Turn("What did they target first?", "air defence systems"),
    ]
    rewrite = rewriter.run("What do they target now?", history)
    assert rewrite.resolved == "What do Bayraktar TB2 drones target now?"


@pytest.mark.parametrize(
    ("history", "question"),
    [
        (MINISTER, "Who is Rob Lee?"),
        (DRONES, "Who is Rob Lee?"),
        (MINISTER, "What did Pompeo say?"),
        # the pronoun's antecedent is in the question itself
        (MINISTER, "Did Pompeo say he wanted a ceasefire?"),
        (MINISTER, "What did Lavrov ask his counterparts to do?"),
        (MINISTER, "How many people lost their lives in the 1990s war?"),
        (DRONES, "Who increased their confirmed military losses?"),
        # existential "there", complementizer "that"
        (CITY, "Is there a ceasefire?"),
        (CITY, "Did Pompeo say that Turkey stepped in?"),
        (CITY, "Which city did Armenian forces hit?"),
        # nothing in the history agrees with the pronoun
        ([Turn("How many civilians died?", "13")], "When did he resign?"),
        ([Turn("Who criticized Ankara?", None)], "What did he say?"),
        # "those drills" -> "the drills" would add nothing
        (SEA, "How many warships took part in those drills?"),
    ],
)
def test_self_contained_questions_are_not_rewritten(
    rewriter: QuestionRewriter, history: list[Turn], question: str
) -> None:
    assert rewriter.run(question, history).resolved is None


def test_no_history_no_rewrite(rewriter: QuestionRewriter) -> None:
    assert rewriter.run("When did he travel to Azerbaijan?", []) == Rewrite(None)
    assert rewriter.run("And in Libya?", []).resolved is None


# -- in the service ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    ["Who is Rob Lee?", "What did Pompeo say?", "How many civilians died in Ganja?"],
)
def test_service_gives_the_same_result_with_or_without_history(
    service: QAService, question: str
) -> None:
    history = [
        Turn("Who is Turkey's defence minister?", "Hulusi Akar"),
        Turn("Which country has a large Armenian population?", "France"),
    ]
    alone = service.ask(question)
    followed = service.ask(question, history)
    assert followed.resolved_question is None
    assert followed.answer == alone.answer
    assert followed.citations == alone.citations


def test_service_does_not_give_an_earlier_answer_again_to_a_follow_up(
    service: QAService,
) -> None:
    question = "How many warships took part in the Russian drills in the Caspian Sea?"
    first = service.ask(question)
    assert first.best_candidate is not None
    given = first.best_candidate.text
    followed = service.ask("And how many in the Black Sea?", [Turn(question, given)])
    assert followed.resolved_question is not None
    assert followed.answer is None or followed.answer.text != given
    assert followed.best_candidate is None or followed.best_candidate.text != given


def test_service_resolves_a_follow_up_for_retrieval_and_reading(service: QAService) -> None:
    history = [Turn("Who is Turkey's defence minister?", "Hulusi Akar")]
    result = service.ask("Where did he travel with the army chief of staff?", history)
    assert result.resolved_question == "Where did Hulusi Akar travel with the army chief of staff?"
    assert result.question == "Where did he travel with the army chief of staff?"
    # The literal question names nobody; the resolved one finds the sentence about him.
    assert "Hulusi Akar" in result.citations[0].quote
