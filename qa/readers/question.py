"""What a question asks for: its wh-word, the expected answer type and its content words."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from spacy.tokens import Doc

from qa.nlp import load_spacy


class AnswerType(StrEnum):
    PERSON = "person"  # a person, or an organisation acting as one
    ORGANIZATION = "organization"
    PLACE = "place"
    TIME = "time"
    NUMBER = "number"
    NATIONALITY = "nationality"
    THING = "thing"  # a noun phrase
    CLAUSE = "clause"  # why / how / what did X do


# Entity labels that satisfy each answer type.
ENTITY_LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.PERSON: frozenset({"PERSON", "ORG", "NORP"}),
    AnswerType.ORGANIZATION: frozenset({"ORG", "PERSON", "GPE", "NORP"}),
    AnswerType.PLACE: frozenset({"GPE", "LOC", "FAC"}),
    AnswerType.TIME: frozenset({"DATE", "TIME"}),
    AnswerType.NUMBER: frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    AnswerType.NATIONALITY: frozenset({"NORP", "GPE"}),
    AnswerType.THING: frozenset(),
    AnswerType.CLAUSE: frozenset(),
}

# Head nouns of "which X" / "what X" and the answer type they ask for.
_TYPE_WORDS: dict[AnswerType, frozenset[str]] = {
    AnswerType.PERSON: frozenset(
        [
            "person",
            "man",
            "woman",
            "minister",
            "official",
            "analyst",
            "candidate",
            "spokeswoman",
            "spokesman",
            "president",
            "leader",
            "general",
            "chief",
            "politician",
            "secretary",
            "author",
            "journalist",
            "commander",
            "diplomat",
            "expert",
            "people",
            "figure",
            "individual",
            "head",
        ]
    ),
    AnswerType.ORGANIZATION: frozenset(
        [
            "organization",
            "organisation",
            "group",
            "outlet",
            "newspaper",
            "paper",
            "party",
            "think-tank",
            "tank",
            "ministry",
            "agency",
            "network",
            "channel",
            "station",
            "radio",
            "publication",
            "media",
            "company",
            "firm",
            "alliance",
            "body",
            "institution",
            "army",
            "militia",
            "force",
            "forces",
            "broadcaster",
        ]
    ),
    AnswerType.PLACE: frozenset(
        [
            "city",
            "country",
            "province",
            "region",
            "sea",
            "place",
            "capital",
            "state",
            "enclave",
            "territory",
            "area",
            "town",
            "location",
            "republic",
            "nation",
            "border",
            "site",
            "front",
        ]
    ),
    AnswerType.TIME: frozenset(
        ["day", "date", "month", "year", "time", "week", "hour", "period", "decade", "era"]
    ),
    AnswerType.NUMBER: frozenset(["number", "amount", "figure", "count", "total", "percentage"]),
    AnswerType.NATIONALITY: frozenset(["nationality", "ethnicity"]),
}

_WH_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
_AUX_VERBS = {"be", "do", "have", "did", "does", "is", "was", "were", "are"}


@dataclass
class Question:
    """A parsed question.

    Attributes:
        text: the question as asked.
        wh: the wh-word in lower case ("how many" for quantities), or "" if none.
        answer_type: what kind of span answers it.
        type_word: the noun of "which X"/"what X" questions (lemma), if any.
        content_lemmas: lemmas of the content words, without wh-words and auxiliaries.
        doc: the spaCy parse.
    """

    text: str
    wh: str
    answer_type: AnswerType
    type_word: str
    content_lemmas: list[str]
    doc: Doc = field(repr=False)


def _type_of_word(lemma: str) -> AnswerType | None:
    for answer_type, words in _TYPE_WORDS.items():
        if lemma in words:
            return answer_type
    return None


class QuestionAnalyzer:
    """Find the wh-word, expected answer type and content words of a question.

    Example:
        >>> q = QuestionAnalyzer().run("How many civilians were killed in Ganja?")
        >>> q.answer_type.value, q.type_word
        ('number', 'civilian')
    """

    def run(self, text: str) -> Question:
        doc = load_spacy()(text.strip())
        lower = [t.lower_ for t in doc]
        wh, answer_type, type_word = "", AnswerType.THING, ""
        wh_index = next((i for i, w in enumerate(lower) if w in _WH_WORDS), -1)
        if wh_index >= 0:
            wh = lower[wh_index]
            nxt = doc[wh_index + 1] if wh_index + 1 < len(doc) else None
            if wh in {"who", "whom", "whose"}:
                answer_type = AnswerType.PERSON
            elif wh == "when":
                answer_type = AnswerType.TIME
            elif wh == "where":
                answer_type = AnswerType.PLACE
            elif wh == "why":
                answer_type = AnswerType.CLAUSE
            elif wh == "how":
                if nxt is not None and nxt.lower_ in {"many", "much"}:
                    wh, answer_type = "how many", AnswerType.NUMBER
                    noun = next(
                        (t for t in doc[wh_index + 2 :] if t.pos_ in {"NOUN", "PROPN"}), None
                    )
                    type_word = noun.lemma_.lower() if noun is not None else ""
                elif nxt is not None and nxt.lower_ in {"long", "old", "far", "large", "big"}:
                    wh, answer_type = f"how {nxt.lower_}", AnswerType.NUMBER
                else:
                    answer_type = AnswerType.CLAUSE
            else:  # what / which
                answer_type, type_word = self._what_which(doc, wh_index)
        content = [
            t.lemma_.lower()
            for t in doc
            if not t.is_stop
            and not t.is_punct
            and t.lower_ not in _WH_WORDS
            and t.lemma_.lower() not in _AUX_VERBS
        ]
        return Question(text, wh, answer_type, type_word, content, doc)

    @staticmethod
    def _what_which(doc: Doc, wh_index: int) -> tuple[AnswerType, str]:
        wh_token = doc[wh_index]
        # "which city ...", "what newspaper ...": the wh-word determines a noun.
        head = wh_token.head if wh_token.dep_ == "det" else None
        if head is None and wh_index + 1 < len(doc) and doc[wh_index + 1].pos_ in {"NOUN", "PROPN"}:
            head = doc[wh_index + 1]
            # Walk to the end of a compound ("which think-tank official").
            while head.dep_ == "compound" and head.head.i > head.i:
                head = head.head
        if head is not None and head.pos_ in {"NOUN", "PROPN"}:
            lemma = head.lemma_.lower()
            return _type_of_word(lemma) or AnswerType.THING, lemma
        # "what is the capital of X": the subject/attribute noun names the type.
        root = wh_token.head
        if root.lemma_ in {"be"}:
            for child in root.children:
                if (
                    child.i != wh_token.i
                    and child.dep_ in {"nsubj", "attr"}
                    and child.pos_ == "NOUN"
                ):
                    lemma = child.lemma_.lower()
                    return _type_of_word(lemma) or AnswerType.THING, lemma
        # "what did X do / say / call for": a clause or a noun phrase object.
        if any(t.lemma_ == "do" and t.i > wh_index for t in doc):
            return AnswerType.CLAUSE, ""
        return AnswerType.THING, ""
