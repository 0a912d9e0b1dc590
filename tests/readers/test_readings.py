"""Readings after ranking, on hand-made sentences and made-up logits (no trained trees).

The readers' own end-to-end tests of these readings are in ``test_learned_reader.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from spacy.tokens import Doc

from qa.answers import Passage
from qa.nlp import load_spacy, vocab
from qa.readers.features import FEATURE_INDEX, CandidateSet, FeatureExtractor
from qa.readers.question import FineType, QuestionAnalyzer
from qa.readers.readings import (
    _described_lemmas,
    _names_uncounted,
    _of_another_country,
    allowed,
    confidence_factor,
    counts_something_else,
    done_by_another_country,
    masked_logits,
    names_a_participant,
    names_a_thing,
    names_the_asked_country,
    no_place,
    of_another_one,
    of_other_ones,
    only_tells,
    other_ordinal,
    other_rank,
    people_for_a_place,
    prefer_all_adjectives,
    prefer_asked_infinitive,
    prefer_asked_place,
    prefer_bare_name,
    prefer_called_adjective,
    prefer_counted,
    prefer_described_adjective,
    prefer_description,
    prefer_doer,
    prefer_fitting_kind,
    prefer_kind_modifier,
    prefer_labelled_name,
    prefer_means,
    prefer_measured,
    prefer_modified_noun,
    prefer_name_of_kind,
    prefer_name_on_kind,
    prefer_own_setting,
    prefer_possessor,
    prefer_sayer,
    prefer_speaker,
    prefer_stranded_object,
    prefer_whole_list,
    repeats_for_a_place,
    rerank,
    stated_in_question,
    unmeasured,
    unnamed,
    unreasoned,
    unsaid,
    untimed,
    untyped,
)
from qa.readers.readings.counts import _of_the_opposite, _untold_casualties

TEXT = "The fighters are flown to the Turkish city of Gaziantep, officials told WBS radio."
FIGHTERS = (
    "In the first week, 1,300 fighters from Syrian militias and 150 fighters from"
    " Libyan militias deployed."
)


def candidates(question: str, text: str) -> CandidateSet:
    """The candidates of ``text`` (one passage) for ``question``, without MiniLM."""
    parsed = QuestionAnalyzer().run(question)
    return FeatureExtractor(use_embeddings=False).run(parsed, [Passage("d", 0, len(text), text)])


def top(found: CandidateSet, logits: np.ndarray) -> str:
    """The text of the candidate ranked first by ``logits``."""
    return found.texts[int(np.argmax(logits))]


def logits_for(found: CandidateSet, scores: dict[str, float]) -> np.ndarray:
    """Made-up ranker scores: those named by candidate text, -10 for the rest."""
    logits = np.full(len(found), -10.0)
    for text, score in scores.items():
        logits[found.texts.index(text)] = score
    return logits


def test_a_span_that_only_restates_the_wh_phrase_is_never_ranked_first() -> None:
    found = candidates("To which Turkish city are the fighters flown?", TEXT)
    logits = np.zeros(len(found))
    logits[found.texts.index("Turkish")] = 5.0
    masked = masked_logits(logits, found.features, found.question.fine_type)
    assert top(found, masked) != "Turkish"
    assert masked[found.texts.index("Gaziantep")] == 0.0


@pytest.mark.parametrize(
    ("question", "text", "dated", "placed"),
    [
        (
            "Where did Huxley die?",
            "Huxley died in Los Angeles in 1963, the same year as Kennedy.",
            "1963",
            "Los Angeles",
        ),
        (
            "Who was Agassi's father?",
            "At 9 years old, Agassi was coached by his father Mike.",
            "9 years old",
            "Mike",
        ),
    ],
)
def test_who_and_where_never_take_a_date_or_a_number(
    question: str, text: str, dated: str, placed: str
) -> None:
    found = candidates(question, text)
    logits = logits_for(found, {dated: 5.0, placed: 1.0})
    masked = masked_logits(logits, found.features, found.question.fine_type)
    assert top(found, masked) == placed
    assert masked[found.texts.index(placed)] == 1.0


@pytest.mark.parametrize(
    "question",
    [
        "How many fighters from Libyan militias deployed?",
        "How many militiamen from Libya deployed?",  # matched by stem
    ],
)
def test_the_count_of_what_is_asked_takes_the_place_of_another_near_it(question: str) -> None:
    found = candidates(question, FIGHTERS)
    logits = logits_for(found, {"1,300": 2.0, "150": 1.0})
    ranked = prefer_counted(logits, found)
    assert top(found, ranked) == "150"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored
    # Far below the best, a count keeps its place.
    logits[found.texts.index("150")] = -5.0
    assert top(found, prefer_counted(logits, found)) == "1,300"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many children died?", "three"),  # the nested count, from well below
        ("How many passengers died?", "40"),  # the children are among them, not them
    ],
)
def test_a_count_inside_another_counts_its_own_noun(question: str, expected: str) -> None:
    text = "The crash left 40 passengers dead, including three children, and dozens hurt."
    found = candidates(question, text)
    logits = logits_for(found, {"40": 5.0, "three": 0.5})
    assert top(found, prefer_counted(logits, found)) == expected
    # Beyond the wider margin, the best keeps its place.
    logits[found.texts.index("three")] = -2.0
    assert top(found, prefer_counted(logits, found)) == "40"


def test_a_count_naming_all_of_what_is_asked_comes_from_further_below() -> None:
    found = candidates("How many fighters from Libyan militias deployed?", FIGHTERS)
    # "1,300" names the fighters and militias but not "Libyan": "150" names all three.
    logits = logits_for(found, {"1,300": 5.0, "150": 1.0})
    assert top(found, prefer_counted(logits, found)) == "150"


def test_a_measure_keeps_its_unit() -> None:
    text = "Three weeks into the war, the danger is mounting."
    found = candidates("How long has the war been going on?", text)
    logits = logits_for(found, {"Three": 2.0})
    assert top(found, prefer_measured(logits, found)) == "Three weeks"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which countries lead the group?", "the United States, Russia and France"),
        ("Which country leads the group?", "the United States"),
    ],
)
def test_a_plural_question_takes_the_whole_list(question: str, expected: str) -> None:
    text = "The group is led by the United States, Russia and France."
    found = candidates(question, text)
    logits = logits_for(
        found, {"the United States": 2.0, "the United States, Russia and France": 0.0}
    )
    assert top(found, prefer_whole_list(logits, found)) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many soldiers came from northern villages?", "90"),  # the verb's "from"
        ("How many soldiers arrived in May?", "400"),  # "in May" names no one counted
    ],
)
def test_the_verbs_from_phrase_says_which_ones_are_counted(question: str, expected: str) -> None:
    text = "In May, 400 soldiers from southern towns and 90 soldiers from northern villages came."
    found = candidates(question, text)
    logits = logits_for(found, {"400": 2.0, "90": 1.0})
    assert top(found, prefer_counted(logits, found)) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("To which Turkish city are the fighters flown?", "Gaziantep"),
        # The kind asked is not the phrase's head: the phrase keeps its place.
        ("Which country are the fighters flown to?", "the Turkish city of Gaziantep"),
    ],
)
def test_the_kind_of_a_name_gives_way_to_the_name(question: str, expected: str) -> None:
    found = candidates(question, TEXT)
    logits = logits_for(found, {"the Turkish city of Gaziantep": 2.0, "Gaziantep": 0.0})
    ranked = prefer_name_of_kind(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The kind word and its name: the name is what "which <kind>" asks for.
        ("In which Spanish province do militias recruit fighters?", "Navarra"),
        # A question that names no kind of answer leaves the phrase whole.
        ("Where do militias recruit fighters?", "Spain's Navarra province"),
    ],
)
def test_the_kind_word_with_a_name_on_it_gives_way_to_the_name(
    question: str, expected: str
) -> None:
    found = candidates(question, "Militias recruit fighters in Spain's Navarra province.")
    logits = logits_for(found, {"Spain's Navarra province": 2.0, "Navarra": 0.0})
    ranked = prefer_name_on_kind(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored


THINK_TANK = (
    "Anna Berg, a researcher at the Nordic Policy Institute think-tank in Oslo, told Radio"
    " North that the talks had stalled."
)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        # The sentence calls a name the asked kind, before or after it.
        ("Which think-tank does Anna Berg work for?", THINK_TANK, "the Nordic Policy Institute"),
        (
            "Which newspaper wrote that the talks stalled?",
            "The talks stalled, the newspaper Dagens Nyheter wrote, citing Radio North.",
            "Dagens Nyheter",
        ),
        # No name is called so, or the kind is not what the wh-phrase names.
        ("Which radio station did Anna Berg talk to?", THINK_TANK, "Radio North"),
        ("Who does Anna Berg work for?", THINK_TANK, "Radio North"),
    ],
)
def test_a_name_the_sentence_calls_the_asked_kind_takes_the_place_of_another(
    question: str, text: str, expected: str
) -> None:
    found = candidates(question, text)
    names = [t for t in found.texts if t in {"the Nordic Policy Institute", "Dagens Nyheter"}]
    logits = logits_for(found, {"Radio North": 2.0, **dict.fromkeys(names, -5.0)})
    ranked = prefer_labelled_name(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored


def test_a_name_the_question_holds_is_never_swapped_in() -> None:
    # "areas of Chile" calls Chile an area, but the question names it already.
    found = candidates(
        "Which border areas of Chile saw unrest?",
        "Unrest spread to the border areas of Chile, like Tarvo.",
    )
    logits = logits_for(found, {"Tarvo": 2.0, "Chile": 1.0})
    assert top(found, prefer_labelled_name(logits, found)) == "Tarvo"


def test_a_name_inside_the_best_phrase_of_the_asked_kind_stays_there() -> None:
    found = candidates(
        "Which militias did Russia back?", "Russia backed NATO-backed Islamist militias."
    )
    logits = logits_for(found, {"NATO-backed Islamist militias": 2.0, "Islamist": 0.0})
    ranked = prefer_labelled_name(logits, found)
    assert top(found, ranked) == "NATO-backed Islamist militias"


QUOTED = (
    "Senator Jane Holt also criticized the council's plan for the northern suburbs, stating,"
    " \"The town's sale of land to developers and careless rhetoric encouraging growth are"
    ' reckless."'
)


@pytest.mark.parametrize(("reckless", "expected"), [(0.0, "reckless"), (-7.0, "northern")])
def test_an_adjective_question_takes_the_adjective_said_of_what_it_names(
    reckless: float, expected: str
) -> None:
    found = candidates("What word did the senator use to describe the town's sale of land?", QUOTED)
    logits = logits_for(found, {"northern": 3.0, "reckless": reckless})
    ranked = prefer_described_adjective(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The adjective said of what the question calls, far below the best phrase.
        ("What did Holt call the town's sale of land?", "reckless"),
        ("What did Holt call the careless rhetoric?", "reckless"),
        # Said of something else, or not asked what it was called.
        ("What did Holt call the council's plan?", "the council's plan"),
        ("What did Holt criticize about the town's sale of land?", "the council's plan"),
    ],
)
def test_what_x_called_y_takes_the_adjective_said_of_y(question: str, expected: str) -> None:
    found = candidates(question, QUOTED)
    logits = logits_for(found, {"the council's plan": 3.0, "reckless": -12.0})
    ranked = prefer_called_adjective(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)


def test_a_predicate_adjective_whose_subject_the_parser_lost_is_said_of_the_words_before() -> None:
    words = ["He", "said", ",", '"', "the", "sale", "of", "land", "are", "reckless", "."]
    doc = Doc(
        vocab(),
        words=words,
        lemmas=[w.lower() for w in words],
        heads=[1, 1, 1, 1, 5, 1, 5, 6, 1, 8, 1],
        deps=[
            "nsubj",
            "ROOT",
            "punct",
            "punct",
            "det",
            "dobj",
            "prep",
            "pobj",
            "ccomp",
            "acomp",
            "punct",
        ],
    )
    assert _described_lemmas(doc[9]) == {"the", "sale", "of", "land"}


@pytest.mark.parametrize(("phrase", "expected"), [(0.0, "Russian troops"), (-5.0, "Russian")])
def test_who_takes_the_phrase_a_nationality_word_modifies(phrase: float, expected: str) -> None:
    found = candidates("Who surrounded the city?", "Russian troops surrounded the city in March.")
    logits = logits_for(found, {"Russian": 1.0, "Russian troops": phrase})
    ranked = prefer_modified_noun(logits, found)
    assert top(found, ranked) == expected


RIFLES = "Scouts saw old rifles used in the valley by the mountain rangers against Omar Tal."


WANTED = 'Omar Tal said the council does not want "outside firms taking over the port."'


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The subject of the asked verb's clause is who the verb is about.
        ("Who does the council not want taking over the port?", "outside firms"),
        # Asked without a clause, or of another subject: the trees' answer stands.
        ("Who does the council not want?", "Omar Tal"),
        ("Who does the mayor not want taking over the port?", "Omar Tal"),
    ],
)
def test_the_object_of_a_verb_with_a_clause_is_the_clauses_subject(
    question: str, expected: str
) -> None:
    found = candidates(question, WANTED)
    logits = logits_for(found, {"Omar Tal": 3.0, "outside firms": -6.0})
    assert top(found, prefer_doer(logits, found)) == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The passive's agent does the asked verb to the asked object, far below the name.
        ("Who used old rifles in the valley?", "the mountain rangers"),
        # Another verb, or another object: the agent is not the one asked about.
        ("Who fought old rifles in the valley?", "Omar Tal"),
        ("Who used the horses in the valley?", "Omar Tal"),
    ],
)
def test_who_takes_the_doer_of_the_asked_verb_and_object(question: str, expected: str) -> None:
    found = candidates(question, RIFLES)
    logits = logits_for(found, {"Omar Tal": 3.0, "the mountain rangers": -8.0})
    assert top(found, prefer_doer(logits, found)) == expected


def test_the_doer_of_a_participle_is_its_agent() -> None:
    text = "The wars led by Washington in the region lasted for decades, Omar Tal said."
    found = candidates("Who led the wars?", text)
    logits = logits_for(found, {"Omar Tal": 3.0, "Washington": -5.0})
    assert top(found, prefer_doer(logits, found)) == "Washington"


BACKERS = (
    "In Norway, Oslo and Bergen have backed Mayor Ivo Marek's plan against the new port,"
    " while Oslo and Lund have backed rival ports in Sweden."
)


@pytest.mark.parametrize(
    "question",
    [
        # The subject the parser hung on the fronted "In Norway,", and the object's
        # possessor as the object.
        "Who backed Mayor Ivo Marek's plan?",
        "Who backs Marek?",
    ],
)
def test_the_doer_of_a_sentence_with_a_fronted_phrase_and_a_possessor(question: str) -> None:
    found = candidates(question, BACKERS)
    doers = next(t for t in found.texts if t.startswith("Oslo and Bergen"))
    logits = logits_for(found, {"Oslo and Lund": 3.0, doers: -6.0})
    assert top(found, prefer_doer(logits, found)) == doers


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The asked verb as a noun: "in control of" the asked object.
        ("Who controls the northern valley?", "Rebel units"),
        # Of another object: not said to control it.
        ("Who controls Lake Town?", "army troops"),
    ],
)
def test_the_doer_of_the_asked_verb_said_as_a_noun(question: str, expected: str) -> None:
    text = (
        "Rebel units ended up in control of the northern valley, while army troops held Lake Town."
    )
    found = candidates(question, text)
    logits = logits_for(found, {"army troops": 3.0, "Rebel units": -6.0})
    assert top(found, prefer_doer(logits, found)) == expected


def test_the_doer_of_the_asked_verb_somewhere_else_is_not_the_one_asked_about() -> None:
    found = candidates("Who backed Mayor Ivo Marek's plan in Denmark?", BACKERS)
    doers = next(t for t in found.texts if t.startswith("Oslo and Bergen"))
    logits = logits_for(found, {"Oslo and Lund": 3.0, doers: -6.0})
    assert top(found, prefer_doer(logits, found)) == "Oslo and Lund"


@pytest.mark.parametrize(
    ("question", "named"),
    [
        # The one backed is named in the question: never the one backing.
        ("Who backs Marek?", {"Mayor Ivo Marek", "Ivo Marek"}),
        ("Who did Ivo Marek call?", {"Mayor Ivo Marek", "Ivo Marek"}),
        # "Who is" asks what a name is, and the names of the wh-phrase are what is asked.
        ("Who is Marek?", set()),
    ],
)
def test_a_name_of_the_questions_other_participant_never_answers(
    question: str, named: set[str]
) -> None:
    found = candidates(question, BACKERS)
    masked = {found.texts[i] for i in np.flatnonzero(names_a_participant(found))}
    assert named <= masked and not masked & {"Lund", "Bergen", "Sweden", "Norway"}


DEPUTIES = "Foreign Minister Ivo Marek called his two deputies before the vote."


@pytest.mark.parametrize(
    ("question", "text", "scores", "expected"),
    [
        # The object of the asked verb whose subject is the asked one, far below.
        (
            "Who did Marek call?",
            DEPUTIES,
            {"Foreign Minister": 3.0, "his two deputies": -6.0},
            "his two deputies",
        ),
        # The passive's subject, and the noun a participle hangs on.
        (
            "What did the army build?",
            "The old bridge was built by the army in May.",
            {"May": 3.0, "The old bridge": -6.0},
            "The old bridge",
        ),
        (
            "What did the army build?",
            "Floods hit the bridge built by the army in May.",
            {"May": 3.0, "the bridge": -6.0},
            "the bridge",
        ),
        # Another subject: not the one asked about.
        (
            "Who did Sanna call?",
            DEPUTIES,
            {"Foreign Minister": 3.0, "his two deputies": -6.0},
            "Foreign Minister",
        ),
    ],
)
def test_what_x_did_takes_the_object_of_the_asked_verb(
    question: str, text: str, scores: dict[str, float], expected: str
) -> None:
    found = candidates(question, text)
    logits = logits_for(found, scores)
    assert top(found, prefer_doer(logits, found)) == expected


@pytest.mark.parametrize(
    ("question", "uncounted"),
    [
        # The sentence names the warplanes with no number: "two" counts the ships.
        ("How many warplanes took part in the drill?", True),
        ("How many escort ships took part in the drill?", False),
        ("How many tanks took part in the drill?", False),  # not named at all
    ],
)
def test_a_sentence_naming_the_counted_noun_without_a_number(
    question: str, uncounted: bool
) -> None:
    text = "The drill involved four warships, two escort ships, warplanes and troops."
    found = candidates(question, text)
    best = found.texts.index("two")
    focus = found.question.doc[found.question.focus]
    assert _names_uncounted(found, best, focus) is uncounted


CEASEFIRES = "A first ceasefire was signed in May, and then a new ceasefire took effect at noon."


@pytest.mark.parametrize(
    ("question", "answer", "another"),
    [
        # "noon" is the new ceasefire's, not the first one's.
        ("When did the first ceasefire take effect?", "noon", True),
        ("When was the first ceasefire signed?", "May", False),
        ("When did the new ceasefire take effect?", "noon", False),
        ("When was the new ceasefire signed?", "May", True),
        # Nothing tells the ceasefires apart in the question.
        ("When did the ceasefire take effect?", "noon", False),
    ],
)
def test_an_answer_of_another_of_the_things_the_question_tells_apart(
    question: str, answer: str, another: bool
) -> None:
    doc = load_spacy()(CEASEFIRES)
    start = CEASEFIRES.index(answer)
    span = doc.char_span(start, start + len(answer))
    assert of_another_one(QuestionAnalyzer().run(question), doc[:], span) is another


@pytest.mark.parametrize(
    ("question", "passed_over", "kept"),
    [
        # "May" is when the first ceasefire was signed, not the new one.
        ("When was the new ceasefire signed?", {"May"}, {"noon"}),
        ("When did the first ceasefire take effect?", {"noon"}, {"May"}),
        # Nothing tells the ceasefires apart: nothing is passed over.
        ("When did the ceasefire take effect?", set(), {"May", "noon"}),
    ],
)
def test_candidates_of_another_of_the_things_told_apart_are_passed_over(
    question: str, passed_over: set[str], kept: set[str]
) -> None:
    found = candidates(question, CEASEFIRES)
    masked = {found.texts[i] for i in np.flatnonzero(of_other_ones(found))}
    assert passed_over <= masked and not kept & masked
    assert bool(masked) is bool(passed_over)


@pytest.mark.parametrize(
    ("question", "text", "scores", "expected"),
    [
        # The relative clause is Moscow's, though the parser hangs it on "the Karabakh".
        (
            "Where does Moscow have troops stationed?",
            "While Lund has called for Sweden to expel the envoys from the Karabakh, Moscow,"
            " which has troops stationed in Norway, has not yet intervened.",
            {"the Karabakh": 3.0, "Norway": 1.0},
            "Norway",
        ),
        (
            "Where did Marek stay?",
            "Lund held talks in Bergen, while Marek stayed in Oslo.",
            {"Bergen": 3.0, "Oslo": 0.0},
            "Oslo",
        ),
        (
            "When did Marek arrive?",
            "Lund left on Monday, and Marek, who was delayed, arrived on Friday.",
            {"Monday": 3.0, "Friday": 0.0},
            "Friday",
        ),
        # Said of the one asked about already: it stays.
        (
            "When did Lund leave?",
            "Lund left on Monday, and Marek, who was delayed, arrived on Friday.",
            {"Monday": 3.0, "Friday": 2.5},
            "Monday",
        ),
        # Too far below to outweigh the trees.
        (
            "Where did Marek stay?",
            "Lund held talks in Bergen, while Marek stayed in Oslo.",
            {"Bergen": 3.0, "Oslo": -6.0},
            "Bergen",
        ),
    ],
)
def test_where_and_when_take_the_setting_of_the_questions_subject(
    question: str, text: str, scores: dict[str, float], expected: str
) -> None:
    found = candidates(question, text)
    reranked = prefer_own_setting(logits_for(found, scores), found)
    assert top(found, reranked) == expected


FERRIES = (
    "The ferry was booked a week ago and left at 9:30 on Sunday, before the midnight storm."
    " Its first trip was in the first week of May, and it was built in May 2019."
)


@pytest.mark.parametrize(
    ("question", "passed_over", "kept"),
    [
        # A time of day is asked: a day or "a week ago" does not say one.
        ("At what time did the ferry leave?", {"a week ago", "Sunday"}, {"9:30"}),
        ("At what hour did the ferry leave?", {"a week ago", "Sunday"}, {"9:30"}),
        ("What time did the storm break?", {"a week ago"}, {"9:30", "the midnight storm"}),
        ("When did the ferry leave?", set(), {"a week ago", "Sunday", "9:30"}),
        # A day, a month or a year asked: what names no such unit is passed over.
        ("On what day did the ferry leave?", {"a week ago", "9:30"}, {"Sunday"}),
        ("In what month was the ferry booked?", {"a week ago", "Sunday"}, {"May 2019"}),
        ("In which year was the ferry booked?", {"a week ago", "Sunday"}, {"May 2019"}),
        ("On what date was the ferry booked?", {"the first week of May"}, {"May 2019"}),
    ],
)
def test_a_unit_of_time_asked_passes_over_what_says_none(
    question: str, passed_over: set[str], kept: set[str]
) -> None:
    found = candidates(question, FERRIES)
    masked = {found.texts[i] for i in np.flatnonzero(untimed(found))}
    assert passed_over <= masked and not kept & masked


def test_who_never_takes_a_verb_phrase() -> None:
    found = candidates(
        "Who are the militias loyal to?",
        "Militias loyal to Marek were fighting in Lund and Bergen.",
    )
    keep = allowed(found.features, found.question.fine_type)
    ok = {text for text, kept in zip(found.texts, keep, strict=True) if kept}
    assert "Marek" in ok
    assert not {"fighting in Lund and Bergen", "were fighting in Lund and Bergen"} & ok


@pytest.mark.parametrize(
    ("answer", "factor"),
    [
        # A purpose, though the sentence has no word for "purpose".
        ("to settle the border dispute", 1.0),
        # No purpose: the sentence names no purpose of the meeting's, so it is about
        # something else, as for any "what is the X of Y" without an X.
        ("Monday", 0.02),
        ("The meeting", 0.02),
    ],
)
def test_the_purpose_of_something_is_said_by_a_purpose_clause(answer: str, factor: float) -> None:
    found = candidates(
        "What was the purpose of the meeting?",
        "The meeting was held on Monday to settle the border dispute.",
    )
    assert confidence_factor(found, found.texts.index(answer), False) == pytest.approx(factor)


ALLIES = (
    "While Lund has called for Sweden to expel the envoys from the Karabakh, Moscow, which"
    " has an alliance with Norway, has not yet intervened."
)


def test_the_doer_of_a_relative_clause_the_parser_hung_on_the_noun_before() -> None:
    # "which has an alliance" is Moscow's, though the parser hangs it on "the Karabakh".
    found = candidates("Who has an alliance with Norway?", ALLIES)
    logits = logits_for(found, {"Lund": 3.0, "Moscow": 0.0})
    assert top(found, prefer_doer(logits, found)) == "Moscow"


SUPPORTERS = (
    "In Syria, Oslo and Bergen have backed the regime against the rebels, while Oslo and"
    " Lund have backed opposed factions in Libya."
)


def test_a_doer_set_in_the_asked_place_whatever_the_verb() -> None:
    # "support" is not "back"; Damascus is the capital of Syria.
    found = candidates("Which cities support the regime in Damascus?", SUPPORTERS)
    doers = next(t for t in found.texts if t.startswith("Oslo and Bergen"))
    logits = logits_for(found, {"Oslo and Lund": 3.0, doers: 0.0})
    assert top(found, prefer_asked_place(logits, found)) == doers
    # Asked about Libya: the best already is set there.
    found = candidates("Which cities support factions in Tripoli?", SUPPORTERS)
    logits = logits_for(found, {"Oslo and Lund": 3.0, doers: 0.0})
    assert top(found, prefer_asked_place(logits, found)) == "Oslo and Lund"


def test_a_participle_on_the_counted_noun_is_part_of_its_phrase() -> None:
    found = candidates(
        "How many ships armed with missiles took part?",
        "The drill involved four warships armed with cruise missiles, two escort ships and troops.",
    )
    logits = logits_for(found, {"two": 3.0, "four": 2.0})
    assert top(found, prefer_counted(logits, found)) == "four"


RECORDS = "Relying on access to Latvian officials' records of flights, the paper named the pilots."


def test_whose_takes_the_possessor_of_the_asked_noun() -> None:
    found = candidates("Whose records of flights did the paper rely on?", RECORDS)
    logits = logits_for(found, {"access": 6.0, "Latvian officials": -9.0})
    assert top(found, prefer_possessor(logits, found)) == "Latvian officials"
    # Not for another question: "who" asks for no possessor.
    found = candidates("Who relied on records of flights?", RECORDS)
    logits = logits_for(found, {"access": 6.0, "Latvian officials": -9.0})
    assert top(found, prefer_possessor(logits, found)) == "access"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Called by the whole wh-phrase, though in another passage and ranked far down
        # on its own: the phrase that holds it is near.
        ("To which Danish port are the fighters taken?", "Esbjerg"),
        # A port called otherwise than the question asks stays in its passage.
        ("To which Swedish port are the fighters taken?", "Oslo"),
    ],
)
def test_a_name_the_whole_wh_phrase_calls_in_another_passage(question: str, expected: str) -> None:
    first = "The fighters travel through Oslo by ferry."
    second = "They are taken to the Danish port of Esbjerg by bus."
    text = f"{first} {second}"
    parsed = QuestionAnalyzer().run(question)
    passages = [
        Passage("d", 0, len(first), first),
        Passage("d", len(first) + 1, len(text), second),
    ]
    found = FeatureExtractor(use_embeddings=False).run(parsed, passages)
    phrase = found.texts.index("the Danish port of Esbjerg")
    logits = logits_for(found, {"Oslo": 5.0, "Esbjerg": -12.0})
    logits[phrase] = 3.0
    reranked = prefer_labelled_name(logits, found)
    assert top(found, reranked) == expected


KINDS = "The army is buying drones from Lund, where small drones and Falcon drones are made."


@pytest.mark.parametrize(
    ("question", "scores", "expected"),
    [
        # The words that say which drones, a name before a mere description.
        (
            "What kind of drones is the army buying?",
            {"Lund": 5.0, "small drones": -3.0, "Falcon drones": -6.0},
            "Falcon drones",
        ),
        ("What type of drones is the army buying?", {"Lund": 5.0, "Falcon": -9.0}, "Falcon"),
        # Not asked for a kind: the trees' answer stands.
        ("Where is the army buying drones?", {"Lund": 5.0, "Falcon drones": -6.0}, "Lund"),
    ],
)
def test_what_kind_of_n_takes_the_words_that_say_which_n(
    question: str, scores: dict[str, float], expected: str
) -> None:
    found = candidates(question, KINDS)
    reranked = prefer_kind_modifier(logits_for(found, scores), found)
    assert top(found, reranked) == expected


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # "drone" only says which pilots: 600 counts troops.
        ("How many drones were shot down?", True),
        ("How many troops stayed behind?", False),
    ],
)
def test_a_count_naming_the_asked_noun_only_as_a_modifier_counts_something_else(
    question: str, other: bool
) -> None:
    found = candidates(question, "In July, 600 troops including drone pilots stayed behind.")
    assert counts_something_else(found, found.texts.index("600")) is other


@pytest.mark.parametrize(
    ("question", "number", "other"),
    [
        # The asked noun of another country: "Turkish troops" are not the Syrian ones.
        ("How many Syrian troops stayed behind?", "600", True),
        ("How many Turkish troops stayed behind?", "600", False),
        # Whose the fighters are, said in their "from" phrase.
        ("How many Iranian fighters deployed?", "1,300", True),
        ("How many Libyan fighters deployed?", "150", False),
        # A question that names no country leaves the count alone.
        ("How many fighters deployed?", "1,300", False),
    ],
)
def test_a_count_of_another_countrys_people_counts_something_else(
    question: str, number: str, other: bool
) -> None:
    text = f"In July, 600 Turkish troops stayed behind. {FIGHTERS}"
    found = candidates(question, text)
    assert counts_something_else(found, found.texts.index(number)) is other


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        # The asked country is only who fired: the dead are of the town it hit.
        ("How many Chilean civilians died?", "9", True),
        ("How many Chilean soldiers were wounded?", "dozens", True),
        ("How many Peruvian civilians died?", "9", False),
        ("How many civilians died?", "9", False),
    ],
)
def test_a_count_whose_asked_country_is_only_the_doer_counts_something_else(
    question: str, text: str, other: bool
) -> None:
    said = (
        "On Monday, Chilean forces fired rockets on Tarvo, a Peruvian border town, leaving 9"
        " civilians dead and dozens wounded."
    )
    found = candidates(question, said)
    assert counts_something_else(found, found.texts.index(text)) is other


def test_a_count_of_the_doers_own_losses_is_theirs() -> None:
    found = candidates(
        "How many Chilean soldiers died?", "On Monday, Chilean forces lost 9 soldiers near Tarvo."
    )
    assert not counts_something_else(found, found.texts.index("9"))


@pytest.mark.parametrize(
    ("text", "other"),
    [
        # Their own: the object the subject possesses.
        ("On Monday, Chilean officials raised their confirmed military losses to 9 deaths.", False),
        ("On Monday, Chilean officials raised the confirmed losses of Tarvo to 9 deaths.", True),
    ],
)
def test_a_count_the_doer_gives_of_its_own_is_of_its_country(text: str, other: bool) -> None:
    found = candidates("How many Chilean soldiers died?", text)
    focus = found.question.doc[found.question.focus]
    assert _of_another_country(found, found.texts.index("9"), focus) is other


ACCUSATIONS = (
    "After Mayor Lund blamed the council for the delays, the council accused him of lying."
    " Lund told Radio Nord."
)


def test_what_x_said_is_a_clause_not_a_name() -> None:
    found = candidates("What did the council say?", ACCUSATIONS)
    kept = {found.texts[i] for i in np.flatnonzero(~unsaid(found))}
    assert "accused him of lying" in kept
    assert not {"Radio Nord", "the delays", "Mayor Lund"} & kept
    # Part of what was said is in the question: a noun phrase may answer the rest.
    found = candidates("What did the council say Lund was doing?", ACCUSATIONS)
    assert not unsaid(found).any()


@pytest.mark.parametrize(
    ("question", "scores", "expected"),
    [
        # Said (or done) by the council, not by the mayor who blamed it.
        (
            "What did the council say?",
            {"blamed the council for the delays": 3.0, "accused him of lying": 0.0},
            "accused him of lying",
        ),
        # "Mayor Lund" is the mayor; a verb of saying with no clause says nothing.
        (
            "What did the mayor say?",
            {
                "told Radio Nord": 3.0,
                "accused him of lying": 2.0,
                "blamed the council for the delays": 0.0,
            },
            "blamed the council for the delays",
        ),
    ],
)
def test_what_x_said_is_what_x_says_or_does(
    question: str, scores: dict[str, float], expected: str
) -> None:
    found = candidates(question, ACCUSATIONS)
    reranked = prefer_speaker(logits_for(found, scores), found)
    assert top(found, reranked) == expected


def test_where_passes_over_people() -> None:
    text = "Turkish representatives and John Smith train the recruits in Lund."
    found = candidates("Where are the recruits trained?", text)
    masked = {found.texts[i] for i in np.flatnonzero(people_for_a_place(found))}
    assert {"Turkish representatives", "John Smith"} <= masked
    assert not {"Lund", "in Lund"} & masked
    found = candidates("Who trains the recruits?", text)
    assert not people_for_a_place(found).any()


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        # Only a first week: not the second one.
        ("How many came in the second week?", "In the first week, 300 came.", True),
        # A first truce and a new one, which may well be the second.
        (
            "Who brokered the second truce?",
            "A first truce failed, and then a new truce was brokered by the Lund Group.",
            False,
        ),
    ],
)
def test_another_ordinal_only_when_the_noun_is_never_named_without_one(
    question: str, text: str, other: bool
) -> None:
    doc = load_spacy()(text)
    assert other_ordinal(QuestionAnalyzer().run(question), doc[:]) is other


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # The sentence names the second-largest city: not the largest, however put.
        ("What is Norway's largest city?", True),
        ("What is the biggest city of Norway?", True),
        ("What is Norway's second-largest city?", False),
        ("Which is the second biggest city in Norway?", False),
        # No superlative asked: nothing to rank by.
        ("Which city was hit?", False),
    ],
)
def test_a_superlative_said_only_with_another_rank(question: str, other: bool) -> None:
    doc = load_spacy()("Bergen, Norway's second-largest city, was hit.")
    assert other_rank(QuestionAnalyzer().run(question), doc[:]) is other


def test_a_best_unlike_the_kind_gives_way_only_to_a_name_of_it() -> None:
    text = "A truce brokered by the Lund Group and Radio Nord allowed an exchange of bodies."
    found = candidates("Which mediating body brokered the truce?", text)
    column = FEATURE_INDEX["focus_sim"]
    found.features[:, column] = 0.0
    found.features[found.texts.index("bodies"), column] = 0.8  # the word, not the kind
    logits = logits_for(found, {"the Lund Group": 3.0, "bodies": 2.0, "Radio Nord": 1.0})
    assert top(found, prefer_fitting_kind(logits, found)) == "the Lund Group"
    found.features[found.texts.index("Radio Nord"), column] = 0.8
    assert top(found, prefer_fitting_kind(logits, found)) == "Radio Nord"


TOLD = "Analyst John Smith told the radio that the drones destroyed the tanks."


@pytest.mark.parametrize(
    ("question", "answer", "tells"),
    [
        # Who tells of it did not do it.
        ("Who destroyed the tanks?", "John Smith", True),
        ("Who destroyed the tanks?", "the drones", False),
        # Asked who told, spoke of it, gave an interview or has ties: the speaker may be it.
        ("Who told the radio about the tanks?", "John Smith", False),
        ("Who described the attack?", "John Smith", False),
        ("Who gave the radio an interview?", "John Smith", False),
        ("Who has ties to the radio?", "John Smith", False),
    ],
)
def test_who_did_it_is_not_who_tells_of_it(question: str, answer: str, tells: bool) -> None:
    found = candidates(question, TOLD)
    assert only_tells(found, found.texts.index(answer)) is tells


STATED = "The Russian Defense Ministry stated that the drills were peaceful."


@pytest.mark.parametrize(
    ("question", "other"),
    [
        # The same verb (or another verb of saying), done by the asked body of another country.
        ("What did Iran's defense ministry say about the drills?", True),
        ("What did the Syrian Defense Ministry claim?", True),
        # The asked country's, or no country asked: nothing against the answer.
        ("What did Russia's defense ministry say about the drills?", False),
        ("What did the Russian Defense Ministry state?", False),
        ("What did the defense ministry say?", False),
    ],
)
def test_the_asked_doer_of_another_country(question: str, other: bool) -> None:
    found = candidates(question, STATED)
    best = found.texts.index("the drills were peaceful")
    assert done_by_another_country(found, best) is other


def test_the_asked_doer_of_another_country_under_a_title() -> None:
    text = "Turkish Defense Minister Ali Demir traveled to Baku on May 3."
    found = candidates("When did the Greek defense minister travel to Baku?", text)
    assert done_by_another_country(found, found.texts.index("May 3"))
    found = candidates("When did the Turkish defense minister travel to Baku?", text)
    assert not done_by_another_country(found, found.texts.index("May 3"))


def test_where_passes_over_people_and_the_questions_own_words() -> None:
    text = "In July, 600 troops including drone pilots stayed behind in Lund, a port in Norway."
    found = candidates("Where in Norway did the troops stay?", text)
    people = {found.texts[i] for i in np.flatnonzero(people_for_a_place(found))}
    repeats = {found.texts[i] for i in np.flatnonzero(repeats_for_a_place(found))}
    assert "drone pilots" in people and "Norway" in repeats
    assert "Lund" not in people | repeats


def test_the_asked_doer_of_a_country_among_coordinated_doers() -> None:
    found = candidates("How many fighters from Libyan militias deployed?", FIGHTERS)
    assert not done_by_another_country(found, found.texts.index("150"))
    found = candidates("How many fighters from Iraqi militias deployed?", FIGHTERS)
    assert done_by_another_country(found, found.texts.index("150"))


IN_CHARGE = "Army chief of staff Lena Markova is in charge on the ground of the harbour defence."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The object of the asked preposition on the asked word, not another "of".
        ("What is Lena Markova in charge of?", "the harbour defence"),
        # No stranded preposition: nothing to prefer.
        ("What is Lena Markova?", "staff"),
    ],
)
def test_the_object_of_the_stranded_preposition(question: str, expected: str) -> None:
    found = candidates(question, IN_CHARGE)
    logits = logits_for(found, {"staff": 2.0, "the harbour defence": 0.0})
    assert top(found, prefer_stranded_object(logits, found)) == expected


def test_the_stranded_object_is_never_the_name_the_question_gives() -> None:
    text = "The rebels took control of Lund."
    found = candidates("Besides Lund, what did the rebels take control of?", text)
    logits = logits_for(found, {"The rebels": 2.0, "Lund": 0.0})
    assert top(found, prefer_stranded_object(logits, found)) == "The rebels"
    found = candidates("What did the rebels take control of?", text)
    assert top(found, prefer_stranded_object(logits, found)) == "Lund"


@pytest.mark.parametrize(
    ("question", "passed_over", "kept"),
    [
        # A length of time or a distance has its unit; a bare count says neither.
        ("How long did the drills last?", {"two", "decades of war"}, {"three weeks"}),
        ("How far did the ships sail?", {"two"}, {"40 km"}),
        # Other questions are left alone.
        ("How many ships took part?", set(), {"two", "three weeks"}),
    ],
)
def test_how_long_passes_over_what_says_no_unit(
    question: str, passed_over: set[str], kept: set[str]
) -> None:
    text = "After decades of war, two ships sailed 40 km in drills that lasted three weeks."
    found = candidates(question, text)
    masked = {found.texts[i] for i in np.flatnonzero(unmeasured(found))}
    assert passed_over <= masked and not kept & masked


def test_why_passes_over_names_and_the_questions_own_words() -> None:
    text = "The ferry company, which has many customers on the island, follows the storm closely."
    found = candidates("Why does the ferry company follow the storm closely?", text)
    masked = {found.texts[i] for i in np.flatnonzero(unreasoned(found))}
    assert {"The ferry company", "the storm", "the island"} <= masked
    assert "has many customers on the island" not in masked
    # A phrase led by a word of reason says why, whatever the tagger made of it.
    text = "The bakery closed because a water pipe burst in the kitchen."
    found = candidates("Why did the bakery close?", text)
    masked = {found.texts[i] for i in np.flatnonzero(unreasoned(found))}
    assert "in the kitchen" in masked
    assert not {"because a water pipe burst", "because a water pipe burst in the kitchen"} & masked
    # Other questions are left alone.
    found = candidates("What does the ferry company follow?", text)
    assert not unreasoned(found).any()


def test_which_nationality_kind_never_takes_that_country_alone() -> None:
    text = "Civil wars could revive in areas of Norway, like Finnmark or Troms."
    found = candidates("Which Norwegian regions could see civil wars?", text)
    masked = {found.texts[i] for i in np.flatnonzero(names_the_asked_country(found))}
    assert "Norway" in masked
    assert not {"Finnmark", "Troms", "Finnmark or Troms"} & masked
    found = candidates("Which regions could see civil wars?", text)
    assert not names_the_asked_country(found).any()


QUOTE = 'Anna Berg told Radio Nord, "We have seen drones used against John Smith\'s army."'


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Who said it is the subject of the verb of saying, not a name in the quote.
        ("Who said drones had been used against the army?", "Anna Berg"),
        # Not a question about saying: the scores stand.
        ("Who leads the army?", "John Smith"),
    ],
)
def test_who_said_it_takes_the_one_who_says(question: str, expected: str) -> None:
    found = candidates(question, QUOTE)
    logits = logits_for(found, {"John Smith": 2.0, "Anna Berg": 0.0})
    assert top(found, prefer_sayer(logits, found)) == expected


def test_who_is_not_answered_by_a_name_on_a_thing() -> None:
    text = "The Elysée presidential palace called for calm, and Anna Berg agreed."
    found = candidates("Who is the French president?", text)
    assert names_a_thing(found, found.texts.index("Elysée"))
    assert not names_a_thing(found, found.texts.index("Anna Berg"))
    found = candidates("What called for calm?", text)
    assert not names_a_thing(found, found.texts.index("Elysée"))


def test_what_kind_is_not_answered_by_words_that_give_no_kind() -> None:
    # The sentence's rockets have no kind; "Rebel units" only fired them.
    text = "Rebel units fired rockets on Tarvo, and Scud missiles hit Lenko."
    found = candidates("What type of rockets struck Tarvo?", text)
    assert untyped(found, found.texts.index("Rebel units"))
    found = candidates("What type of missiles hit Lenko?", text)
    assert not untyped(found, found.texts.index("Scud missiles"))
    assert not untyped(found, found.texts.index("Scud"))
    # What the noun is said to be is its kind; a sentence without it is the ranker's.
    text = "The rockets were Grads, and the rebels bought drones."
    found = candidates("What kind of rockets were fired?", text)
    assert not untyped(found, found.texts.index("Grads"))
    found = candidates("What kind of weapons did the rebels buy?", text)
    assert not untyped(found, found.texts.index("drones"))
    found = candidates("Who fired rockets on Tarvo?", "Rebel units fired rockets on Tarvo.")
    assert not untyped(found, found.texts.index("Rebel units"))


DESCRIBED = (
    "The mayor spoke of this bitter feud over the old mill, and warned of a tinderbox of"
    " a situation in the valley. Rockets hit Tarvo, a border town, leaving nine people dead."
    " Shells fell on Lenko, leaving two people dead."
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A word on the asked noun, or a phrase "N of a <noun>", says what it is.
        ("How did the mayor describe the feud over the mill?", "bitter"),
        ("How did the mayor characterize the situation?", "a tinderbox of a situation"),
        ("What did the mayor call the situation?", "a tinderbox of a situation"),
        ("How was the feud described?", "bitter"),
        # A phrase in apposition describes; "dead" is said of the people, not of Tarvo.
        ("How is Tarvo described?", "a border town"),
        ("How is Lenko described?", "the old mill"),
        # Describing, not described: the object is what is described.
        ("How is the mayor describing the old mill?", "old"),
        ("How was the situation described by the mayor?", "a tinderbox of a situation"),
        # Not asked how it was described, or about something the text describes not.
        ("Where did the mayor describe the situation?", "the old mill"),
        ("How did the mayor describe the valley?", "the old mill"),
    ],
)
def test_how_x_described_y_takes_what_the_sentence_says_y_is(question: str, expected: str) -> None:
    found = candidates(question, DESCRIBED)
    logits = logits_for(
        found,
        {
            "the old mill": 3.0,
            "bitter": -9.0,
            "a tinderbox of a situation": -9.0,
            "a border town": -9.0,
            "dead": -8.0,
        },
    )
    ranked = prefer_description(logits, found)
    assert top(found, ranked) == expected
    assert sorted(ranked) == sorted(logits)


DRILLS = "After the drills, 600 soldiers including 40 pilots stayed behind."


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("How many pilots were among the 600 soldiers?", {"600", "600 soldiers"}),
        ("How many soldiers stayed behind?", set()),
        # Only a question that asks for a number.
        ("Who stayed behind among the 600 soldiers?", set()),
    ],
)
def test_a_number_the_question_states_is_no_answer(question: str, stated: set[str]) -> None:
    found = candidates(question, DRILLS)
    flagged = {found.texts[i] for i in np.flatnonzero(stated_in_question(found))}
    assert {t for t in flagged if any(c.isdigit() for c in t)} == stated
    if stated:
        logits = logits_for(found, {"600": 5.0, "40": 1.0})
        assert top(found, rerank(logits, found, use_embeddings=False)) == "40"


def test_the_questions_own_number_left_alone_keeps_little_confidence() -> None:
    found = candidates("How many pilots were among the 600 soldiers?", "The 600 soldiers stayed.")
    best = found.texts.index("600")
    assert confidence_factor(found, best, use_embeddings=False) <= 0.02
    other = candidates("How many soldiers stayed?", "The 600 soldiers stayed.")
    assert confidence_factor(other, other.texts.index("600"), use_embeddings=False) == 1.0


@pytest.mark.parametrize(
    "question",
    ["How much did Chile pay for the drones?", "How much money did Chile spend on drones?"],
)
def test_how_much_of_a_sum_takes_a_sum(question: str) -> None:
    found = candidates(question, "Chile paid $40 million for 12 drones in May.")
    logits = logits_for(found, {"12": 5.0, "$40 million": 1.0})
    assert top(found, rerank(logits, found, use_embeddings=False)) == "$40 million"
    # No sum at all: the count keeps little of its confidence.
    bare = candidates(question, "Chile bought 12 drones in May.")
    assert confidence_factor(bare, bare.texts.index("12"), use_embeddings=False) <= 0.02


def test_how_much_of_anything_else_takes_no_sum() -> None:
    found = candidates("How much territory did Chile take?", "Chile took 12 villages in May.")
    assert not unmeasured(found).any()


def test_words_no_near_count_names_tell_no_count_apart() -> None:
    # The parser hangs "deployed in the first week of October" on "militias": those words
    # are no count's, and "150" names all the rest.
    question = "How many fighters from Libyan militias deployed in the first week of October?"
    found = candidates(question, FIGHTERS)
    logits = logits_for(found, {"1,300": 5.0, "150": 1.0})
    assert top(found, prefer_counted(logits, found)) == "150"


def test_a_death_toll_is_said_with_a_word_of_dying() -> None:
    question = "What is the death toll in Tarsk?"
    dead = candidates(question, "On Monday, rebels shelled Tarsk, leaving 40 villagers dead.")
    assert confidence_factor(dead, dead.texts.index("40"), use_embeddings=False) == 1.0
    # A sentence that says neither "toll" nor any dying is about something else.
    shelled = candidates(question, "On Monday, rebels shelled Tarsk with 40 rockets.")
    assert confidence_factor(shelled, shelled.texts.index("40"), use_embeddings=False) <= 0.02


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("How many rebels were killed?", True),  # the sentence says no one was
        ("How many rebels were wounded?", True),
        ("How many rebels deployed?", False),
    ],
)
def test_a_count_of_casualties_needs_a_sentence_of_casualties(question: str, other: bool) -> None:
    found = candidates(question, "In May, 300 rebels deployed to Tarvo.")
    assert counts_something_else(found, found.texts.index("300")) is other


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        ("How many civilians died?", "Officials raised their military losses to 40 deaths.", True),
        ("How many soldiers died?", "The strike left 40 civilians dead.", True),
        ("How many soldiers died?", "40 soldiers and 9 civilians died.", False),
        ("How many civilians died?", "The strike left 40 people dead.", False),
    ],
)
def test_civilians_are_not_the_militarys_dead(question: str, text: str, other: bool) -> None:
    found = candidates(question, text)
    focus = found.question.doc[found.question.focus]
    assert _of_the_opposite(found, found.texts.index("40"), focus) is other


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("How many cruise missiles were fired?", True),  # the warships are counted
        ("How many warships joined the drills?", False),
    ],
)
def test_a_noun_deep_in_the_counted_nouns_phrase_is_not_counted(question: str, other: bool) -> None:
    found = candidates(question, "Four warships armed with cruise missiles joined the drills.")
    assert counts_something_else(found, found.texts.index("Four")) is other


def test_the_doer_of_a_passive_and_an_adjective_are_no_place() -> None:
    question = "Where was the truce signed?"
    found = candidates(question, "The truce was signed a week ago by Chile.")
    flagged = {found.texts[i] for i in np.flatnonzero(no_place(found))}
    assert {"Chile", "by Chile"} <= flagged
    assert confidence_factor(found, found.texts.index("Chile"), use_embeddings=False) <= 0.02
    found = candidates(question, "The truce signed in Tarvo replaced the earlier truce.")
    logits = logits_for(found, {"earlier": 5.0, "Tarvo": 1.0})
    assert top(found, rerank(logits, found, use_embeddings=False)) == "Tarvo"


def test_the_names_asked_are_proper_names() -> None:
    text = "After the drills, the frigates Aurora and Vela joined the military exercises."
    found = candidates("What are the names of the frigates?", text)
    flagged = {found.texts[i] for i in np.flatnonzero(unnamed(found))}
    assert "the military exercises" in flagged and "Aurora" not in flagged
    logits = logits_for(found, {"the military exercises": 5.0, "Aurora": 1.0})
    assert top(found, rerank(logits, found, use_embeddings=False)) != "the military exercises"
    bare = candidates("What are the names of the frigates?", "The frigates joined the drills.")
    best = bare.texts.index("the drills")
    assert confidence_factor(bare, best, use_embeddings=False) <= 0.02
    # Any other question is left alone.
    assert not unnamed(candidates("What joined the drills?", text)).any()


def test_what_x_called_on_them_to_do_is_the_infinitive() -> None:
    found = candidates(
        "What did Lund call upon both parties to do?",
        "Mayor Lund phoned the council to call upon both parties to accept the budget.",
    )
    logits = logits_for(found, {"phoned the council": 3.0, "accept the budget": -2.0})
    ranked = prefer_asked_infinitive(logits, found)
    assert top(found, ranked) == "accept the budget"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored


def test_the_infinitive_stops_at_a_comma() -> None:
    # The parser runs "leave Tarvo" on into an apposition and its clause; no candidate
    # stays inside the comma, so the best keeps its place rather than take the run-on.
    found = candidates(
        "What has the council asked Chile to do?",
        "The council has asked Chile to leave Tarvo, the border town, which Peru claims.",
    )
    run_on = "leave Tarvo, the border town, which Peru claims"
    logits = logits_for(found, {"asked Chile": 3.0, run_on: -2.0})
    assert top(found, prefer_asked_infinitive(logits, found)) == "asked Chile"


@pytest.mark.parametrize("question", ["How high is the dam?", "How tall is the dam?"])
def test_how_high_takes_a_measure(question: str) -> None:
    found = candidates(question, "The dam, built by Chilean engineers, is 40 metres high.")
    assert found.question.wh in {"how high", "how tall"}
    flagged = {found.texts[i] for i in np.flatnonzero(unmeasured(found))}
    assert "Chilean" in flagged and "40 metres" not in flagged
    bare = candidates(question, "The dam was built by Chilean engineers.")
    best = bare.texts.index("Chilean")
    assert confidence_factor(bare, best, use_embeddings=False) <= 0.02


def test_how_takes_a_means_ranked_near() -> None:
    text = "The rebels took the fighters to the town of Tarvo and by boat to Lund."
    found = candidates("How were the fighters taken to Lund?", text)
    assert found.question.fine_type is FineType.MANNER
    logits = logits_for(found, {"Tarvo": 2.0, "boat": 0.5})
    ranked = prefer_means(logits, found)
    assert top(found, ranked) == "boat"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored
    # Not a doer: "by the rebels" of a passive says who, not how.
    passive = candidates(
        "How were the fighters taken to Lund?", "The fighters were taken to Lund by the rebels."
    )
    logits = logits_for(passive, {"Lund": 2.0, "the rebels": 1.5})
    assert top(passive, prefer_means(logits, passive)) == "Lund"


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("How many civilians died when Peruvian forces fired rockets on Tarvo?", True),
        ("How many civilians died when Chilean forces fired rockets on Tarvo?", False),
    ],
)
def test_a_clause_of_the_question_done_by_another_country(question: str, other: bool) -> None:
    text = "On Monday, Chilean forces fired rockets on Tarvo, leaving 9 civilians dead."
    found = candidates(question, text)
    assert done_by_another_country(found, found.texts.index("9")) is other


@pytest.mark.parametrize(
    ("question", "number", "other"),
    [
        ("How many children were hurt?", "three", True),  # three children died
        ("How many children died?", "three", False),
        ("How many passengers were hurt?", "dozens", False),
        ("How many passengers were killed?", "dozens", True),
    ],
)
def test_a_count_of_the_other_casualties(question: str, number: str, other: bool) -> None:
    text = "The blast left 40 passengers dead, including three children, and dozens hurt."
    found = candidates(question, text)
    assert _untold_casualties(found, found.texts.index(number)) is other


def test_who_takes_the_name_without_the_title_in_front() -> None:
    found = candidates(
        "Which official spoke to the envoys?",
        "Chilean Foreign Minister Ana Soto spoke to the envoys on Monday.",
    )
    logits = logits_for(found, {"Chilean Foreign Minister Ana Soto": 3.0, "Ana Soto": -4.0})
    ranked = prefer_bare_name(logits, found)
    assert top(found, ranked) == "Ana Soto"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored
    # Anything but a person: the phrase stays whole.
    found = candidates("What spoke to the envoys?", "The Chilean Foreign Ministry spoke to them.")
    logits = np.zeros(len(found))
    assert np.array_equal(prefer_bare_name(logits, found), logits)


def test_an_adjective_said_with_others_comes_with_them() -> None:
    question = "How does the report describe the disputes?"
    found = candidates(question, "The report tells of bitter and lasting disputes over Tarvo.")
    assert "bitter and lasting" in found.texts  # a candidate of its own
    logits = logits_for(found, {"bitter": 3.0, "bitter and lasting": -2.0})
    ranked = prefer_all_adjectives(logits, found)
    assert top(found, ranked) == "bitter and lasting"
    assert sorted(ranked) == sorted(logits)  # swapped, not rescored
