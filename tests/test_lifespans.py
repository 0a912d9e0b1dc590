"""Births and deaths read from a life's dates in parentheses (qa/lifespans.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa.chunking import Sentence
from qa.documents import Document
from qa.lifespans import LifespanAnswer, LifespanAnswerer, lifespan_question, says_the_event
from qa.service import QAService, Turn
from tests.conftest import assert_verbatim


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("When was Abraham Lincoln born?", ("born", "abraham lincoln", False)),
        ("When did Lincoln die?", ("died", "lincoln", False)),
        ("so when did lincoln pass away", ("died", "lincoln", False)),
        ("In what year was Lincoln born?", ("born", "lincoln", True)),
        ("Which year did Einstein die?", ("died", "einstein", True)),
        ("What is Einstein’s date of birth?", ("born", "einstein", False)),
        ("What was the date of death of Ada Lovelace?", ("died", "ada lovelace", False)),
        ("When was Lovelace's death?", ("died", "lovelace", False)),
        # Not a question about when a person was born or died.
        ("When did the war begin?", None),
        ("Who was born in Ganja?", None),
        ("Where was Lincoln born?", None),
        ("How did Lincoln die?", None),
        ("When was the article published?", None),
        ("How many people died in Ganja?", None),
    ],
)
def test_questions_about_a_birth_or_death_are_told_apart(
    question: str, asked: tuple[str, str, bool] | None
) -> None:
    assert lifespan_question(question) == asked


def ask(question: str, *texts: str, titles: tuple[str, ...] = ()) -> LifespanAnswer | None:
    """Ask over documents that are one sentence each (the whole text)."""
    documents = {
        f"d{i}": Document(id=f"d{i}", text=text, title=titles[i] if i < len(titles) else "")
        for i, text in enumerate(texts)
    }
    sentences = [Sentence(d.id, 0, 0, len(d.text), d.text) for d in documents.values()]
    found = LifespanAnswerer().run(question, documents, lambda word: sentences)
    if found is not None and found.answer is not None:
        text = documents[found.answer.document_id].text
        assert_verbatim(text, found.answer.start, found.answer.end, found.answer.text)
        assert_verbatim(
            text, found.answer.passage.start, found.answer.passage.end, found.answer.passage.text
        )
    return found


def answer_text(found: LifespanAnswer | None) -> str | None:
    return found.answer.text if found is not None and found.answer is not None else None


EINSTEIN = "Albert Einstein (14 March 1879 – 18 April 1955) was a theoretical physicist."
LINCOLN = "Abraham Lincoln (; February 12, 1809 – April 15, 1865) was a lawyer and statesman."


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("When was Einstein born?", EINSTEIN, "14 March 1879"),
        ("When did Albert Einstein die?", EINSTEIN, "18 April 1955"),
        ("In what year did Einstein die?", EINSTEIN, "1955"),
        ("When was President Lincoln born?", LINCOLN, "February 12, 1809"),
        ("When did Lincoln die?", LINCOLN, "April 15, 1865"),
        ("When did Aristotle die?", "Aristotle (384–322 BC) was a philosopher.", "322 BC"),
        ("When was Aristotle born?", "Aristotle (384–322 BC) was a philosopher.", "384"),
        ("When did Alexander the Great die?", "Alexander the Great (356–323 BC) ruled.", "323 BC"),
        ("When was Ampère born?", "André-Marie Ampère (1775 to 1836) was a physicist.", "1775"),
        ("When was Agassi born?", "Andre Agassi (born April 29, 1970) plays.", "April 29, 1970"),
        # Only the death is given.
        ("When did Rand die?", "Ayn Rand (born Alisa; – March 6, 1982) wrote.", "March 6, 1982"),
        ("When was Rand born?", "Ayn Rand (born Alisa; – March 6, 1982) wrote.", None),
        # The parenthesis is another person's, or not a life's dates.
        ("When did Lincoln die?", EINSTEIN, None),
        ("When did Robert Lincoln die?", LINCOLN, None),
        ("When did Einstein die?", "Einstein's papers (1,200 – 3,000 pages) were sold.", None),
        ("When did Einstein die?", "The Einstein archive (1955 – 1930) is in Jerusalem.", None),
        ("When did Einstein die?", "Einstein was born in Ulm (Württemberg) in 1879.", None),
        ("When did he die?", EINSTEIN, None),
    ],
)  # fmt: skip
def test_the_asked_date_is_quoted_from_the_parenthesis(
    question: str, text: str, expected: str | None
) -> None:
    assert answer_text(ask(question, text)) == expected


def test_the_answer_is_cited_by_its_sentence() -> None:
    found = ask("When did Einstein die?", EINSTEIN)
    assert found is not None and found.answer is not None
    assert found.answer.passage.text == EINSTEIN
    assert found.answer.details["source"] == "lifespan"


def test_born_without_a_death_says_the_person_was_alive() -> None:
    found = ask("When did Agassi die?", "Andre Agassi (born April 29, 1970) is a tennis player.")
    assert found is not None and found.event == "died" and found.answer is None
    # Unless another sentence about him speaks of his death: then the reader reads it.
    died = "Andre Agassi (born April 29, 1970) was a player. Agassi died in Las Vegas in 2060."
    assert ask("When did Agassi die?", died) is None


def test_two_people_of_one_name_with_other_dates_are_left_to_the_reader() -> None:
    brothers = (
        "Aldous Huxley (26 July 1894 – 22 November 1963) was a writer. "
        "His brother Noel Trevelyan Huxley (1891–1914) died young."
    )
    assert ask("When did Huxley die?", brothers) is None
    # The document's title names whom "Huxley" means there.
    assert answer_text(ask("When did Huxley die?", brothers, titles=("Aldous Huxley",))) == (
        "22 November 1963"
    )
    # The same dates twice are no ambiguity.
    again = f"{EINSTEIN} Later, Albert Einstein (14 March 1879 – 18 April 1955) was honoured."
    assert answer_text(ask("When did Einstein die?", again)) == "18 April 1955"


def test_only_the_sentences_given_are_read() -> None:
    # A title line is no sentence of the index, so no lookup gives it.
    text = "Albert Einstein (1879–1955)\n\nA life in physics."
    documents = {"d": Document(id="d", text=text)}
    assert LifespanAnswerer().run("When did Einstein die?", documents, lambda word: []) is None
    # A parenthesis that runs past its sentence's end is not read either.
    cut = Sentence("d", 0, 0, 20, text[:20])
    assert LifespanAnswerer().run("When did Einstein die?", documents, lambda word: [cut]) is None


def test_the_service_answers_from_the_parenthesis(
    make_service: Callable[..., QAService], article: Document
) -> None:
    service = make_service()
    service.warm_up()
    text = (
        "Ada Lovelace\n\n"
        "Augusta Ada King, Countess of Lovelace (10 December 1815 – 27 November 1852) was an "
        "English mathematician. She wrote the first published algorithm for Babbage's "
        "Analytical Engine. Lovelace died of cancer at the age of 36."
    )
    service.add_document(Document(id="ada", text=text, title="Ada Lovelace"))
    died = service.ask("When did Ada Lovelace die?")
    assert died.answer is not None and died.answer.text == "27 November 1852"
    assert_verbatim(text, died.answer.start, died.answer.end, died.answer.text)
    [citation] = died.citations
    assert citation.quote.startswith("Augusta Ada King")
    assert citation.quote.endswith("mathematician.")
    assert_verbatim(text, citation.start, citation.end, citation.quote)
    born = service.ask("In what year was Lovelace born?", document_id="ada")
    assert born.answer is not None and born.answer.text == "1815"
    # A follow-up is read against the conversation first.
    history = [Turn("When was Ada Lovelace born?", "10 December 1815")]
    follow_up = service.ask("And when did she die?", history=history)
    assert follow_up.answer is not None and follow_up.answer.text == "27 November 1852"
    # Scoped to the article, which dates no one, the question goes to the reader, whose
    # answer must come from a sentence that speaks of a death: none does.
    scoped = service.ask("When did Hulusi Akar die?", document_id=article.id)
    assert scoped.answer is None and scoped.best_candidate is not None


@pytest.mark.parametrize(
    ("question", "sentence", "says"),
    [
        ("When did Akar die?", "Akar traveled to Azerbaijan on September 28-30.", False),
        ("When did Lincoln die?", "Lincoln was assassinated on April 14, 1865.", True),
        ("When did Lincoln die?", "He died the next morning.", True),
        ("When was Akar born?", "Akar traveled to Azerbaijan in 2020.", False),
        ("When was Akar born?", "Akar was born in 1952 in Kayseri.", True),
        ("When did Akar travel?", "Akar traveled to Azerbaijan in 2020.", True),
        # Where, as much as when.
        ("Where was Akar born?", "Akar traveled to Azerbaijan in 2020.", False),
        ("In which town was Akar born?", "Akar was born in Kayseri.", True),
        ("Where did Akar die?", "Akar died in Ankara.", True),
        ("Where did Akar travel?", "Akar traveled to Azerbaijan in 2020.", True),
    ],
)
def test_a_birth_or_death_needs_a_sentence_that_speaks_of_one(
    question: str, sentence: str, says: bool
) -> None:
    assert says_the_event(question, sentence) is says
