"""When a person was born or died, read from the dates in parentheses after their name.

Encyclopedias, obituaries and biographies give a life's dates once, in parentheses after
the name: "Albert Einstein (14 March 1879 – 18 April 1955) was a physicist ...". That
sentence says neither "born" nor "died", so the reader, which ranks spans of sentences that
share the question's words and meaning, does not choose it: "When did Einstein die?" got
"1955" from a later sentence and "When did Lincoln die?" got "1786" at confidence 0.87.
A question about a named person's birth or death is answered here instead, when the
documents give that person's dates in this form; otherwise it goes to the reader as
before. "(born 29 April 1970)" with no second date says the person was alive when it was
written, so a question about their death then gets no answer; and an answer the reader
finds must come from a sentence that speaks of a birth or a death (`says_the_event`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from qa.answers import ExtractedAnswer, quoted_answer
from qa.chunking import Sentence
from qa.definitions import OFFICES
from qa.documents import Document
from qa.question_forms import WHAT_IS, compile_forms, match_form

_WHO = r"(?P<who>[^?,;]+?)"
_YEAR_ONLY = r"(?P<year>(?:in\s+)?(?:what|which)\s+year)"
_QUESTIONS: dict[str, list[str]] = {
    "born": [
        rf"(?:when|{_YEAR_ONLY})\s+(?:was|is)\s+{_WHO}\s+born\b",
        rf"{WHAT_IS}\s+{_WHO}'s\s+(?:date\s+of\s+birth|birth\s?date)\b",
        rf"{WHAT_IS}\s+the\s+(?:date\s+of\s+birth|birth\s?date)\s+of\s+{_WHO}\s*\??$",
        rf"when\s+was\s+{_WHO}'s\s+birth\b",
    ],
    "died": [
        rf"(?:when|{_YEAR_ONLY})\s+did\s+{_WHO}\s+(?:die|pass\s+away)\b",
        rf"{WHAT_IS}\s+{_WHO}'s\s+(?:date\s+of\s+death|death\s?date)\b",
        rf"{WHAT_IS}\s+the\s+date\s+of\s+(?:the\s+)?death\s+of\s+{_WHO}\s*\??$",
        rf"when\s+was\s+{_WHO}'s\s+death\b",
    ],
}
_COMPILED = compile_forms(_QUESTIONS)
# Where a person was born or died: answered by the reader, from a sentence that must speak
# of that birth or death all the same.
_PLACE = r"(?:in\s+)?(?:what|which)\s+(?:city|town|country|place|village|hospital)"
_WHERE_QUESTIONS: dict[str, list[str]] = {
    "born": [
        rf"(?:where|{_PLACE})\s+(?:was|is)\s+{_WHO}\s+born\b",
        rf"{WHAT_IS}\s+{_WHO}'s\s+(?:place\s+of\s+birth|birthplace|home\s?town)\b",
    ],
    "died": [
        rf"(?:where|{_PLACE})\s+did\s+{_WHO}\s+(?:die|pass\s+away)\b",
        rf"{WHAT_IS}\s+{_WHO}'s\s+place\s+of\s+death\b",
    ],
}
_WHERE_COMPILED = compile_forms(_WHERE_QUESTIONS)
# Words that name the person's office or the person only by reference: "When did
# President Lincoln die?" asks about Lincoln; "When did he die?" names no one.
_HONORIFICS = {"the", "mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "st", "gen", "prof"}
_TITLES = OFFICES | _HONORIFICS
_PRONOUNS = {"he", "she", "they", "him", "her", "it", "who", "this", "that"}

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ERA = r"(?:\s?(?:BCE?|AD|CE|B\.C\.|A\.D\.))"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_BEFORE_YEAR = rf"(?:{_DAY}\s+{_MONTH},?\s+|{_MONTH}\s+{_DAY},?\s+|{_MONTH},?\s+)"


def _date(name: str) -> str:
    """A date ("12 February 1809", "February 12, 1809", "1809", "322 BC") as the group
    ``name``, its year (with any era) as the group ``name_y``."""
    year = rf"(?P<{name}_y>(?<![\d,.])\d{{3,4}}(?!\d){_ERA}?)"
    return rf"(?P<{name}>(?:c\.\s?|ca\.\s?|circa\s)?{_BEFORE_YEAR}?{year})"


_DASH = r"\s*(?:[–—−-]|\bto\b)\s*"
_RANGE = re.compile(rf"(?:{_date('born')})?{_DASH}{_date('died')}\s*$")
_BORN = re.compile(rf"\b(?:born|b\.)\s+{_date('born')}")
_DIED = re.compile(rf"\b(?:died|d\.)\s+{_date('died')}")
# A name's words before "(": capitalised words, initials, particles ("Countess of
# Lovelace", "Alexander the Great").
_NAME_WORD = re.compile(
    r"^(?:[A-Z\u00C0-\u00DE][\w'\u2019.-]*|of|the|de|da|di|del|van|von|der|den|al|bin|ibn|le|la)$"
)
_PARENTHESIS = 200  # beyond this a bracket holds more than a life's dates


# What a sentence must say to date a birth or a death at all.
_EVENT_WORDS = {
    "born": re.compile(r"\b(?:born|birth|birthday|née)\b", re.IGNORECASE),
    "died": re.compile(
        r"\b(?:die[ds]?|dying|death|dead|killed|assassinated|executed|murdered|perished"
        r"|slain|passed\s+away)\b",
        re.IGNORECASE,
    ),
}


def says_the_event(question: str, sentence: str) -> bool:
    """False when ``question`` asks when or where someone was born or died and
    ``sentence`` says nothing of a birth or a death: "September 28-30" from "Akar traveled
    to Azerbaijan on September 28-30" does not say when Akar died, nor "Baku" where. True
    for any other question.

    Example:
        >>> says_the_event("When did Akar die?", "Akar traveled to Baku on September 28.")
        False
        >>> says_the_event("When did Lincoln die?", "Lincoln was assassinated in 1865.")
        True
        >>> says_the_event("Where was Akar born?", "Akar traveled to Baku.")
        False
    """
    asked = lifespan_question(question)
    if asked is not None:
        return bool(_EVENT_WORDS[asked[0]].search(sentence))
    where = match_form(_WHERE_COMPILED, question)
    return where is None or bool(_EVENT_WORDS[where[0]].search(sentence))


@lru_cache(maxsize=1024)
def lifespan_question(question: str) -> tuple[str, str, bool] | None:
    """``(event, person, year_only)`` if ``question`` asks when a person was born ("born")
    or died ("died"), else None.

    Example:
        >>> lifespan_question("When did Albert Einstein die?")
        ('died', 'albert einstein', False)
        >>> lifespan_question("In what year was Lincoln born?")
        ('born', 'lincoln', True)
        >>> lifespan_question("When did the war begin?") is None
        True
    """
    matched = match_form(_COMPILED, question)
    if matched is None:
        return None
    event, found = matched
    return event, found["who"].strip(), bool(found.groupdict().get("year"))


def _person_words(person: str) -> list[str]:
    words = [w.strip(".'") for w in person.replace("'s", "").split()]
    words = [w for w in words if w]
    while words and words[0] in _TITLES:
        words.pop(0)
    return [] if not words or any(w in _PRONOUNS for w in words) else words


@dataclass(frozen=True)
class LifespanAnswer:
    """What :class:`LifespanAnswerer` found for a question about a birth or a death.

    Attributes:
        event: "born" or "died".
        answer: the date quoted from the document, or None when the person's dates show
            them alive ("(born 1970)") and the question asks when they died.
    """

    event: str
    answer: ExtractedAnswer | None


@dataclass(frozen=True)
class _Span:
    document: Document
    sentence: Sentence
    start: int
    end: int
    """The date, or ``start == end == -1`` for "alive when written"."""
    titled: bool
    """Does the name hold every word of the document's title (its subject)?"""


class LifespanAnswerer:
    """Answer "When was X born?" and "When did X die?" from "X (date – date)".

    The parenthesis must follow a name that holds every word the question names the person
    by ("Lincoln", "Abraham Lincoln"; a title such as "President" aside), in a sentence of
    the document, and give the date asked for. Where the documents give that name two
    different dates, the one whose name holds the document's title is taken, or else the
    question is left to the reader. The answer is the date as written
    (only its year for "In what year ..."), cited by its sentence.

    Example:
        >>> text = "Albert Einstein (14 March 1879 – 18 April 1955) was a physicist."
        >>> documents = {"d": Document(id="d", text=text)}
        >>> whole = Sentence("d", 0, 0, len(text), text)
        >>> found = LifespanAnswerer().run("When did Einstein die?", documents, lambda w: [whole])
        >>> found.answer.text
        '18 April 1955'
    """

    confidence = 0.9

    def run(
        self,
        question: str,
        documents: Mapping[str, Document],
        mentioning: Callable[[str], Iterable[Sentence]],
    ) -> LifespanAnswer | None:
        """The answer if ``question`` asks about a birth or a death that the documents
        date in parentheses after the person's name; None leaves it to the reader.

        ``mentioning(word)`` gives the sentences, in document order, that may hold the
        word (``LoadedIndex.sentences_mentioning``): only sentences are answer material,
        and only those are read.
        """
        asked = lifespan_question(question)
        if asked is None:
            return None
        event, person, year_only = asked
        words = _person_words(person)
        if not words:
            return None
        sentences = list(mentioning(words[-1]))
        surname = re.compile(rf"(?<!\w){re.escape(words[-1])}(?!\w)", re.IGNORECASE)
        found = [
            span
            for sentence in sentences
            for span in self._spans(
                documents[sentence.document_id], sentence, surname, event, words, year_only
            )
        ]
        if not found:
            return None
        if len(_dates(found)) > 1:
            # "Huxley" in Aldous Huxley's biography is Aldous, not his brother Noel
            # Trevelyan Huxley (1891–1914): the person the document's title names.
            found = [s for s in found if s.titled]
            if len(_dates(found)) != 1:
                return None
        first = found[0]
        if first.start < 0:
            # "(born 1950)", yet "Smith died on Monday" further on: the text was written
            # before the death and updated after; the reader reads that sentence.
            if any(_EVENT_WORDS["died"].search(s.text) for s in sentences):
                return None
            return LifespanAnswer(event, None)
        return LifespanAnswer(event, self._answer(first))

    def _spans(
        self,
        document: Document,
        sentence: Sentence,
        surname: re.Pattern[str],
        event: str,
        words: list[str],
        year_only: bool,
    ) -> Iterable[_Span]:
        """The asked dates in ``sentence``'s parentheses after a mention of the person."""
        text = document.text
        for mention in surname.finditer(text, sentence.start, sentence.end):
            opening = self._opening_after(text, mention.end())
            if opening < 0 or opening >= sentence.end:
                continue
            name_start = self._name_start(text, max(sentence.start, opening - 120), opening)
            name = {w.strip(".,").lower() for w in text[name_start:opening].split()}
            if not all(w in name for w in words):
                continue
            closing = text.find(")", opening, min(sentence.end, opening + _PARENTHESIS))
            if closing < 0:
                continue
            span = self._date_in(text, opening + 1, closing, event, year_only)
            if span is not None:
                title = [w.strip(".,").lower() for w in document.title.split()]
                titled = bool(title) and all(w in name for w in title)
                yield _Span(document, sentence, *span, titled=titled)

    @staticmethod
    def _opening_after(text: str, end: int) -> int:
        """Where "(" opens right after a name's last word (at most "Jr." between), or -1."""
        rest = re.match(r",?\s*(?:(?:Jr|Sr)\.?,?\s*|[IVX]+\s+)?\(", text[end : end + 12])
        return end + rest.end() - 1 if rest else -1

    @staticmethod
    def _name_start(text: str, lower: int, opening: int) -> int:
        """Where the run of name words that ends before ``opening`` starts."""
        start = opening
        for word in reversed(list(re.finditer(r"\S+", text[lower:opening]))):
            if not _NAME_WORD.match(word.group().rstrip(",")):
                break
            start = lower + word.start()
        return start

    @staticmethod
    def _date_in(
        text: str, first: int, last: int, event: str, year_only: bool
    ) -> tuple[int, int] | None:
        """The asked date's offsets in ``text[first:last]`` (the parenthesis' inside),
        ``(-1, -1)`` when it shows the person alive and asks for a death, else None."""
        inside = text[first:last]
        found = _BORN.search(inside) if event == "born" else _DIED.search(inside)
        if found is None:
            found = _RANGE.search(inside)
            if found is None or found[event] is None:
                alive = event == "died" and _BORN.search(inside) is not None
                return (-1, -1) if alive else None
            if found["born"] is not None and not _ordered(found):
                return None
        group = f"{event}_y" if year_only else event
        return first + found.start(group), first + found.end(group)

    def _answer(self, span: _Span) -> ExtractedAnswer:
        document, sentence = span.document, span.sentence
        return quoted_answer(
            document.id,
            document.text,
            (span.start, span.end),
            (sentence.start, sentence.end),
            self.confidence,
            "lifespan",
        )


def _dates(found: list[_Span]) -> set[str | None]:
    return {s.document.text[s.start : s.end] if s.start >= 0 else None for s in found}


def _ordered(found: re.Match[str]) -> bool:
    """Is the birth year before the death year? (Always, across eras: "384–322 BC".)"""
    born, died = (int(re.match(r"\d+", found[g])[0]) for g in ("born_y", "died_y"))  # type: ignore[index]
    return "BC" in found[0].upper() or born < died
