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
        # a new wh-phrase asks about the previous question with its answer filled in
        (
            [Turn("Which outlet did Rob Lee speak to?", "Al Jazeera")],
            "On which day?",
            "On which day did Rob Lee speak to Al Jazeera?",
        ),
        # "how many" without a noun counts what the previous "how many" counted
        (
            [Turn("How many civilians died in Ganja?", "13")],
            "And how many were wounded?",
            "How many civilians were wounded?",
        ),
    ],
)
def test_elliptical_questions_are_rebuilt(
    rewriter: QuestionRewriter, history: list[Turn], question: str, resolved: str
) -> None:
    rewrite = rewriter.run(question, history)
    assert rewrite.resolved == resolved
    assert rewrite.kind == "ellipsis"


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


def test_service_resolves_a_follow_up_for_retrieval_and_reading(service: QAService) -> None:
    history = [Turn("Who is Turkey's defence minister?", "Hulusi Akar")]
    result = service.ask("Where did he travel with the army chief of staff?", history)
    assert result.resolved_question == "Where did Hulusi Akar travel with the army chief of staff?"
    assert result.question == "Where did he travel with the army chief of staff?"
    # The literal question names nobody; the resolved one finds the sentence about him.
    assert "Hulusi Akar" in result.citations[0].quote
