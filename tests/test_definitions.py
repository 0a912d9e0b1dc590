"""Who or what a name is: "X is/was NP", "X, NP,", "TITLE X" (qa/definitions.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qa.chunking import Sentence
from qa.definitions import DefinitionAnswerer, definition_question
from qa.documents import Document
from qa.nlp import load_spacy
from qa.service import QAService
from tests.conftest import assert_verbatim


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who was Albert Einstein?", "albert einstein"),
        ("who is rob lee", "rob lee"),
        ("What is the Minsk Group?", "minsk group"),
        ("So what was Alchemy?", "alchemy"),
        ("How many drones were bought?", None),
        ("Who shelled Ganja?", None),
        ("Who is the leader of the largest party in the parliament of Armenia?", None),
    ],
)
def test_questions_asking_what_a_name_is_are_told_apart(question: str, name: str | None) -> None:
    assert definition_question(question) == name


def one_sentence(
    text: str, title: str = ""
) -> tuple[dict[str, Document], Callable[[str], list[Sentence]], Callable[[Sentence], Any]]:
    """A one-sentence document (its whole text, parsed) as the answerer takes documents:
    the documents, the sentences mentioning a word, a sentence's parse."""
    documents = {"d": Document(id="d", text=text, title=title)}
    sentence = Sentence("d", 0, 0, len(text), text)
    parsed = load_spacy()(text)[:]
    return documents, lambda word: [sentence], lambda s: parsed


def describe(question: str, text: str, title: str = "") -> str | None:
    """Ask about a one-sentence document (its whole text, parsed)."""
    found = DefinitionAnswerer().run(question, *one_sentence(text, title))
    if found is None:
        return None
    assert_verbatim(text, found.answer.start, found.answer.end, found.answer.text)
    assert found.answer.passage.text == text
    assert found.answer.details["source"] == "definition"
    return found.answer.text


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (
            "Who was Einstein?",
            "Albert Einstein (14 March 1879 – 18 April 1955) was a German-born theoretical "
            "physicist who developed the theory of relativity.",
            "a German-born theoretical physicist",
        ),
        (
            "Who was Aldous Huxley?",
            "Aldous Leonard Huxley was an English writer, novelist and philosopher.",
            "an English writer",
        ),
        (
            "Who was Lincoln?",
            "Abraham Lincoln was the 16th President of the United States, serving until 1865.",
            "the 16th President of the United States",
        ),
        (
            "Who is Rob Lee?",
            "Rob Lee, a US military analyst, told Al Jazeera that the drones mattered.",
            "a US military analyst",
        ),
        # Without such a sentence, a person's title in front of the name.
        (
            "Who is Hulusi Akar?",
            "It alleged that Turkish Defense Minister Hulusi Akar travelled to Baku.",
            "Turkish Defense Minister",
        ),
        (
            "Who is Lavrov?",
            "Russian Foreign Minister Sergey Lavrov called his counterparts to Moscow.",
            "Russian Foreign Minister",
        ),
        ("Who is Abraham Lincoln?", "President Abraham Lincoln was a lawyer.", "a lawyer"),
        ("Who is Akar?", "On Saturday Hulusi Akar spoke in Baku.", None),
        (
            "Who's Hulusi Akar?",
            "It alleged that Turkish Defense Minister Hulusi Akar travelled to Baku.",
            "Turkish Defense Minister",
        ),
        # A name the question writes as one word and the parse splits ("al-Assad").
        (
            "Who is Bashar al-Assad?",
            "Russia backed Syrian President Bashar al-Assad against the militias.",
            "Syrian President",
        ),
        ("Who is Assad?", "Russia backed Syrian President Bashar al-Assad.", "Syrian President"),
        # Twelve words, "think-tank" one of them, however many tokens.
        (
            "Who is Lena Berg?",
            "Lena Berg, an analyst at the Institute for Security Analysis think-tank in Riga, told"
            " the BBC.",
            "an analyst at the Institute for Security Analysis think-tank in Riga",
        ),
        # Nothing says what the name is.
        ("Who was Aristotle?", "His father died when Aristotle was a child.", None),
        ("What is Angola?", "The fertility rate of Angola is 5.97 children per woman.", None),
        ("What is Ganja?", "Ganja, Baku and Stepanakert were shelled.", None),
        ("Who was Einstein?", "Einstein's theory was a revolution.", None),
        # The asked words are not the whole name, or not all of it.
        ("Who was Robert Lincoln?", "Abraham Lincoln was a lawyer.", None),
        ("What is the war?", "The Trojan War was fought over Helen.", None),
        # Not a person: the whole name, "the" aside.
        (
            "What is the Minsk Group?",
            "The Minsk Group is a body of the OSCE.",
            "a body of the OSCE",
        ),
    ],
)
def test_the_description_is_the_noun_phrase_the_sentence_gives(
    question: str, text: str, expected: str | None
) -> None:
    assert describe(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (
            "Who is the US military analyst?",
            "US military analyst Rob Lee told Al Jazeera that the drones mattered.",
            "Rob Lee",
        ),
        # The title's last words are enough; the entity may hold some of the title.
        (
            "Who is the Defense Minister?",
            "Defense Minister Hulusi Akar was in Baku.",
            "Hulusi Akar",
        ),
        (
            "Who is the Foreign Minister?",
            "Defense Minister Hulusi Akar met Russian Foreign Minister Sergey Lavrov.",
            "Sergey Lavrov",
        ),
        (
            "Who is the secretary of state?",
            "US Secretary of State Mike Pompeo spoke.",
            "Mike Pompeo",
        ),
        # Never half a pair of brackets: the name after it.
        (
            "Who is the Azeri President?",
            'It wrote that "[Azeri President Ilham] Aliyev\'s forces" would win.',
            "Aliyev",
        ),
        # A rank between the office and the name; a title the parse hung on another name;
        # a possessive after the name.
        (
            "Who is the army chief of staff?",
            "Defense Minister Hulusi Akar and army chief of staff General Ümit Dündar left.",
            "Ümit Dündar",
        ),
        # A qualifier said once for a pair of titles qualifies both; not another one.
        (
            "Who is the Turkish army chief of staff?",
            "Turkish Defense Minister Hulusi Akar and army chief of staff General Ümit Dündar "
            "left.",
            "Ümit Dündar",
        ),
        (
            "Who is the Armenian army chief of staff?",
            "Turkish Defense Minister Hulusi Akar and army chief of staff General Ümit Dündar "
            "left.",
            None,
        ),
        (
            "Who is the Turkish military analyst?",
            "Turkish Defense Minister Hulusi Akar met US military analyst Rob Lee.",
            None,
        ),
        (
            "Who is the Syrian President?",
            "Russia backed Syrian President Bashar al-Assad's regime.",
            "Bashar al-Assad",
        ),
        # A country's possessive asks for its nationality's title, and a body's for its own.
        (
            "Who is Chile's foreign minister?",
            "Chilean Foreign Minister Ana Soto met Peruvian Foreign Minister Luis Vega.",
            "Ana Soto",
        ),
        (
            "Who is Peru's foreign minister?",
            "Chilean Foreign Minister Ana Soto met Peruvian Foreign Minister Luis Vega.",
            "Luis Vega",
        ),
        (
            "Who is Bolivia's foreign minister?",
            "Chilean Foreign Minister Ana Soto met Peruvian Foreign Minister Luis Vega.",
            None,
        ),
        (
            "Who is the Chilean navy's chief of staff?",
            "Chilean Defense Minister Ana Soto and navy chief of staff Admiral Luis Vega left.",
            "Luis Vega",
        ),
        # Asked as the name of the title, or with "who's".
        (
            "What's the name of the US Secretary of State?",
            "US Secretary of State Mike Pompeo spoke.",
            "Mike Pompeo",
        ),
        # Two people hold a title that ends so: not for this rule to choose.
        (
            "Who is the minister?",
            "Defense Minister Hulusi Akar met Foreign Minister Sergey Lavrov.",
            None,
        ),
        # Only the title's "of" phrase, or no title at all.
        ("Who is the state?", "US Secretary of State Mike Pompeo spoke.", None),
        ("Who is the analyst?", "On Saturday Rob Lee said so.", None),
        # "What" asks what a name is, never who holds a title.
        ("What is the Defense Minister?", "Defense Minister Hulusi Akar was in Baku.", None),
    ],
)
def test_a_title_asked_about_is_answered_with_the_name_after_it(
    question: str, text: str, expected: str | None
) -> None:
    assert describe(question, text) == expected


def rivals(question: str, text: str) -> set[str]:
    return DefinitionAnswerer().rivals(question, *one_sentence(text))


MINISTERS = "Turkish Defense Minister Hulusi Akar met Russian Foreign Minister Sergey Lavrov."
PRESIDENTS = "Chilean President Jan Nowak met the envoys, and President Jan Nowak spoke."
SPOKESWOMAN = "Armenian Defense Ministry spokeswoman Lena Markova blamed the artillery."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The office under another qualifier: that person is not the one asked about.
        ("Who is the Armenian Defense Minister?", {"Hulusi Akar"}),
        ("Who is the Armenian Foreign Minister?", {"Sergey Lavrov"}),
        ("Who is the Armenian Minister?", {"Hulusi Akar", "Sergey Lavrov"}),
        # The asked qualifier is in the title, or nothing qualifies the office.
        ("Who is the Turkish Defense Minister?", set()),
        ("Who is Turkey's Defense Minister?", set()),
        ("Who is Armenia's Defense Minister?", {"Hulusi Akar"}),
        ("Who is the Turkish Minister?", {"Sergey Lavrov"}),
        ("Who is the minister?", set()),
        ("What is the Armenian Defense Minister?", set()),
        ("How many ministers met?", set()),
    ],
)
def test_the_holders_of_the_asked_office_under_another_qualifier(
    question: str, expected: set[str]
) -> None:
    assert rivals(question, MINISTERS) == expected


def test_who_asks_about_people_and_bodies_what_about_anything_named() -> None:
    text = "Paris is the capital of France."
    assert describe("What is Paris?", text) == "the capital of France"
    assert describe("Who is Paris?", text) is None


def test_in_a_document_titled_by_the_name_its_last_word_is_that_name() -> None:
    text = "Johnston was the highest-ranking officer killed during the war."
    assert describe("Who was Albert Sidney Johnston?", text) is None
    assert describe("Who was Albert Sidney Johnston?", text, "Albert Sidney Johnston") == (
        "the highest-ranking officer"
    )


def test_the_service_answers_who_a_person_was(make_service: Callable[..., QAService]) -> None:
    service = make_service()
    service.warm_up()
    text = (
        "Ada Lovelace\n\n"
        "Ada Lovelace was an English mathematician and writer. She worked with Charles "
        "Babbage on his Analytical Engine."
    )
    service.add_document(Document(id="ada", text=text, title="Ada Lovelace"))
    result = service.ask("Who was Ada Lovelace?")
    assert result.answer is not None and result.answer.text == "an English mathematician"
    assert_verbatim(text, result.answer.start, result.answer.end, result.answer.text)
    [citation] = result.citations
    assert citation.quote == "Ada Lovelace was an English mathematician and writer."
    assert_verbatim(text, citation.start, citation.end, citation.quote)
    # A question about a title is answered with the name the article puts after it.
    other = service.ask("Who is the Turkish Defense Minister?")
    assert other.answer is not None and other.answer.text == "Hulusi Akar"
    assert other.answer.details.get("source") == "definition"
    # No name in the documents follows this title: the question is left to the reader.
    armenian = service.ask("Who is the Armenian Defense Minister?")
    assert armenian.best_candidate is None or (
        armenian.best_candidate.details.get("source") != "definition"
    )
    # Nor does the reader answer it with the Turkish one, whatever it ranks first.
    assert armenian.answer is None or "Akar" not in armenian.answer.text
    # Nor with someone titled only with other offices.
    prime = service.ask("Who is the Armenian prime minister?")
    titled = ("Akar", "Lavrov", "Stepanyan", "Pompeo", "Dündar")
    assert prime.answer is None or not any(name in prime.answer.text for name in titled)


@pytest.mark.parametrize("question", ["Who is Boris Marek?", "Who is Marek?"])
def test_a_title_inside_an_editors_brackets(question: str) -> None:
    text = 'The paper wrote that the port "was taken by [Polish Mayor Boris] Marek\'s men."'
    assert describe(question, text) == "Polish Mayor"


@pytest.mark.parametrize(
    ("question", "answer", "otherwise"),
    [
        # Titled, but never with the asked office.
        ("Who is the Armenian prime minister?", "Sergey Lavrov", True),
        ("Who is the Polish defense minister?", "Sergey Lavrov", True),
        # The asked office, whatever the qualifier (``rivals`` judges that).
        ("Who is the Russian foreign minister?", "Sergey Lavrov", False),
        ("Who is the foreign minister?", "Foreign Minister Sergey Lavrov", False),
        # No title in the documents, or not a question about an office holder.
        ("Who is the Armenian prime minister?", "Ivo Marek", False),
        ("Who met Akar?", "Sergey Lavrov", False),
        # "The office of a place": a title in front names the place, or another one.
        ("Who is the President of Chile?", "Jan Nowak", False),
        ("Who is the President of Peru?", "Jan Nowak", True),
        ("Who is the Secretary of State?", "Jan Nowak", True),
        # The office "for" a body: what both name ("Defense Ministry") decides nothing.
        ("Who is the spokeswoman for the Azeri Defense Ministry?", "Lena Markova", True),
        ("Who is the spokeswoman for the Armenian Defense Ministry?", "Lena Markova", False),
        # What restricts the title is not part of it.
        ("Who is the minister who met Akar?", "Sergey Lavrov", False),
    ],
)
def test_a_person_titled_only_with_other_offices(
    question: str, answer: str, otherwise: bool
) -> None:
    text = {"Jan Nowak": PRESIDENTS, "Lena Markova": SPOKESWOMAN}.get(answer, MINISTERS)
    found = DefinitionAnswerer().titled_otherwise(question, answer, *one_sentence(text))
    assert found is otherwise


NAMED = "Chilean Foreign Minister Ana Soto met Mayor Lund and US Secretary of State Mary Beth Kerr."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The first or last word of the full name, without the title in front of it.
        ("What is Soto's first name?", "Ana"),
        ("What is the surname of Ana Soto?", "Soto"),
        ("What's Kerr's given name?", "Mary"),
        ("What is the last name of the Secretary of State?", "Kerr"),
        ("What is the first name of Chile's foreign minister?", "Ana"),
        # One word of a name tells no first name; nobody of that name or title.
        ("What is Lund's first name?", None),
        ("What is Lund's surname?", "Lund"),
        ("What is Garcia's first name?", None),
        ("What is the first name of Peru's foreign minister?", None),
    ],
)
def test_a_part_of_a_persons_name(question: str, expected: str | None) -> None:
    assert describe(question, NAMED) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        # The proper name in front of the asked noun, without what qualifies it.
        (
            "What is the name of the contested valley?",
            "The rebels held the contested Upper Molvar valley for a week.",
            "Upper Molvar",
        ),
        (
            "What is the name of the Chilean drone?",
            "Chilean Falcon-X9 drones and Falcon drones flew over the hills.",
            "Falcon-X9",
        ),
        # Or in apposition to it.
        (
            "What is the name of Chile's third-largest city?",
            "Rebels shelled Tarsk, Chile's third-largest city, on Monday.",
            "Tarsk",
        ),
        # Every asked word must be the phrase's, and the words after the noun the sentence's.
        (
            "What is the name of the northern valley?",
            "The rebels held the contested Upper Molvar valley for a week.",
            None,
        ),
        (
            "What is the name of the valley near the border?",
            "The rebels held the contested Upper Molvar valley for a week.",
            None,
        ),
        # Two names for the one noun: the reader's to choose.
        (
            "What is the name of the valley?",
            "The Upper Molvar valley and the Lower Tsin valley flooded.",
            None,
        ),
    ],
)
def test_the_name_of_a_thing_described(question: str, text: str, expected: str | None) -> None:
    assert describe(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("Who leads Chile?", "Chilean President Jan Nowak met the envoys.", "Jan Nowak"),
        ("who runs chile", "Chilean President Jan Nowak met the envoys.", "Jan Nowak"),
        ("Who governs Chile?", "Chilean Prime Minister Ana Soto met them.", "Ana Soto"),
        # Another office is no leader's.
        ("Who rules Chile?", "Chilean Foreign Minister Ana Soto met them.", None),
        ("Who leads Peru?", "Chilean President Jan Nowak met the envoys.", None),
        # A president and a prime minister: which one leads is not for us to say.
        (
            "Who leads Chile?",
            "Chilean President Jan Nowak met Chilean Prime Minister Ana Soto.",
            None,
        ),
    ],
)
def test_who_leads_a_place(question: str, text: str, expected: str | None) -> None:
    assert describe(question, text) == expected


@pytest.mark.parametrize(
    "question",
    ["Who is the Chilean defence minister?", "Who is Chile's Defence Minister?"],
)
def test_a_title_in_british_spelling_is_the_same_title(question: str) -> None:
    text = "Chilean Defense Minister Ana Soto met Peruvian Foreign Minister Jan Nowak."
    assert describe(question, text) == "Ana Soto"
    found = DefinitionAnswerer().titled_otherwise(question, "Ana Soto", *one_sentence(text))
    assert found is False
