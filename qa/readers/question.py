"""What a question asks for: its wh-word, the expected answer type and its content words."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from spacy.tokens import Doc, Token

from qa.nlp import load_spacy
from qa.question_forms import spelled_out


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
            "representative",
            "delegate",
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
            "officer",
            "envoy",
            "ambassador",
            "spokesperson",
            "lawmaker",
            "senator",
            "governor",
            "mayor",
            "ruler",
            "reporter",
            "correspondent",
            "researcher",
            "scholar",
            "historian",
            "commentator",
            "hopeful",
            "adviser",
            "advisor",
            "aide",
            "detective",
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
            "daily",
            "magazine",
            "website",
            "manufacturer",
            "maker",
            "producer",
            "bank",
            "university",
            "institute",
            "council",
            "committee",
            "parliament",
            "airline",
            "carrier",
            "coalition",
            "union",
            "court",
            "navy",
            "television",
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
            "centre",
            "center",
            "hub",
            "village",
            "island",
            "port",
            "government",
            "water",
            "lake",
            "river",
            "ocean",
            "gulf",
            "bay",
            "strait",
            "mountain",
            "valley",
            "continent",
            "district",
            "county",
        ]
    ),
    AnswerType.TIME: frozenset(
        ["day", "date", "month", "year", "time", "week", "hour", "period", "decade", "era"]
    ),
    # "the death toll", "the final tally": words for a count.
    AnswerType.NUMBER: frozenset(
        [
            "number",
            "amount",
            "figure",
            "count",
            "total",
            "percentage",
            "toll",
            "tally",
            "sum",
            "population",
        ]
    ),
    AnswerType.NATIONALITY: frozenset(["nationality", "ethnicity"]),
}

WH_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how"}
# "How long / old / far / high ...": a measure, said as a number with its unit.
_MEASURE_WORDS = {"long", "old", "far", "large", "big", "high", "tall", "deep", "wide", "heavy"}
_AUX_VERBS = {"be", "do", "have", "did", "does", "is", "was", "were", "are"}
# Finite auxiliaries that, right after a wh-phrase, mark subject-auxiliary inversion.
_INVERTING_AUX = {
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "shall",
    "'s",
}
# Verbs whose object is usually reported speech or an intention: "what did X say".
SAY_VERBS = {
    "say",
    "tell",
    "state",
    "claim",
    "warn",
    "write",
    "add",
    "allege",
    "note",
    "announce",
    "argue",
    "report",
    "declare",
    "insist",
    "suggest",
    "think",
    "believe",
    "hope",
    "want",
}
_ADJECTIVE_NOUNS = {"word", "adjective", "term", "description"}
# Nouns that ask why: "What was the *purpose* of the truce?"
_PURPOSE_NOUNS = {"purpose", "aim", "goal", "objective", "reason", "motive", "point"}
_DO = {"do", "does", "did"}
_PREPOSITIONS = {
    "to",
    "in",
    "on",
    "at",
    "from",
    "by",
    "for",
    "with",
    "after",
    "before",
    "during",
    "since",
    "of",
    "about",
    "into",
    "over",
    "under",
    "against",
    "through",
    "between",
    "among",
    "near",
}
# Words the tagger sometimes takes for the question's verb.
_NOT_VERBS = {"according", "including", "following"}


class FineType(StrEnum):
    """The answer types the learned reader tells apart (finer than :class:`AnswerType`)."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    TIME = "time"
    NUMBER = "number"
    NATIONALITY = "nationality"
    THING = "thing"  # a noun phrase
    ADJECTIVE = "adjective"  # "what word describes ...", "how is X"
    MANNER = "manner"  # "how did X ..."
    REASON = "reason"  # "why ..."
    ACTION = "action"  # "what did X do"
    STATEMENT = "statement"  # "what did X say / warn"
    NONE = "none"  # no wh-word at all


class WhRole(StrEnum):
    """The grammatical role of the wh-phrase: what the answer is to the question's verb."""

    SUBJECT = "subj"
    OBJECT = "obj"
    PREP_OBJECT = "pobj"
    ATTRIBUTE = "attr"  # "who is X", "what is X"
    ADVERBIAL = "adv"  # when / where / why / how
    OTHER = "other"


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
    fine_type: FineType = FineType.THING
    wh_start: int = -1
    """Token index where the wh-phrase starts (a fronted preposition included), or -1."""
    wh_end: int = -1
    """Token index just past the wh-phrase ("how many civilians", "which city")."""
    role: WhRole = WhRole.OTHER
    preposition: str = ""
    """The preposition the wh-phrase is the object of ("in which country" -> "in")."""
    governor: int = -1
    """Token index of the content verb (or noun) the wh-phrase depends on, or -1."""

    @property
    def focus(self) -> int:
        """Token index of the noun that names the answer's kind ("which *city*"), or -1."""
        if self.wh_start >= 0:
            for token in reversed(self.doc[self.wh_start : self.wh_end]):
                if token.pos_ in {"NOUN", "PROPN"} and token.lower_ not in WH_WORDS:
                    return token.i
        if self.role is WhRole.ATTRIBUTE and self.governor >= 0:
            return self.governor
        return -1

    def filled(self, answer: str) -> str:
        """The question with ``answer`` in place of its wh-phrase, as a statement-like text.

        Word order is left as asked: the text is only compared by embedding.

        Example:
            >>> q = QuestionAnalyzer().run("Who is the Turkish Defense Minister?")
            >>> q.filled("Hulusi Akar")
            'Hulusi Akar is the Turkish Defense Minister'
        """
        doc = self.doc
        if self.wh_start < 0:
            return f"{self.text.rstrip('?').strip()} {answer}"
        rest = [t for t in doc[self.wh_end :] if not (t.i == self.wh_end and t.lower_ in _DO)]
        tail = "".join(t.text_with_ws for t in rest).rstrip().rstrip("?").strip()
        head = doc[: self.wh_start].text
        return " ".join(x for x in (head, answer, tail) if x)


def _do_support(token: Token, wh_end: int) -> bool:
    """Whether a "do" right after the wh-phrase is the auxiliary of a later verb.

    The small tagger takes "did" for the main verb when it misreads the verb after an
    unknown name as a noun ("What did Kommersant publish?": "publish"/NN): the question
    then asks for the object, not for an action.
    """
    return token.i == wh_end and any(not t.is_punct for t in token.doc[token.i + 1 :])


def _last_noun(token: Token) -> Token:
    """The last noun of the run of nouns starting at ``token``: the head of "White House
    hopeful" or "think-tank official", whatever the tagger made of the inner words."""
    doc = token.doc
    head = token
    while head.i + 1 < len(doc):
        nxt = doc[head.i + 1]
        if nxt.tag_ == "POS" or not (
            nxt.pos_ in {"NOUN", "PROPN"} or (nxt.text == "-" and head.i + 2 < len(doc))
        ):
            break
        head = nxt if nxt.text != "-" else doc[head.i + 2]
    return head


# Nouns whose "of" phrase names the kind: "which *body* of water" is a place.
_KIND_IN_OF_NOUNS = {"body", "stretch", "expanse", "strip", "patch"}


def of_object(noun: Token) -> Token | None:
    """The object of a noun's "of" phrase ("water" of "body of water"), if any."""
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def names_people(lemma: str) -> bool:
    """Whether a noun (lemma) names people: "representative", "official", "analyst"."""
    return lemma in _TYPE_WORDS[AnswerType.PERSON]


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
        # No entity recognizer: nothing reads a question's entities, and en_core_web_sm's
        # has its own embedding layer, so it cost 60% of the parse (3.3 of 5.4 ms).
        # "whats the capital" is a noun to the parser: "what is the capital".
        doc = load_spacy()(spelled_out(text).strip(), disable=["ner"])
        lower = [t.lower_ for t in doc]
        wh, answer_type, type_word = "", AnswerType.THING, ""
        wh_index = next((i for i, w in enumerate(lower) if w in WH_WORDS), -1)
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
                elif nxt is not None and nxt.lower_ in _MEASURE_WORDS:
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
            and t.lower_ not in WH_WORDS
            and t.lemma_.lower() not in _AUX_VERBS
        ]
        fine_type, start, end, role, prep, governor = self._structure(
            doc, wh_index, wh, answer_type, type_word
        )
        return Question(
            text,
            wh,
            answer_type,
            type_word,
            content,
            doc,
            fine_type=fine_type,
            wh_start=start,
            wh_end=end,
            role=role,
            preposition=prep,
            governor=governor,
        )

    @staticmethod
    def _structure(
        doc: Doc, wh_index: int, wh: str, answer_type: AnswerType, type_word: str
    ) -> tuple[FineType, int, int, WhRole, str, int]:
        """Fine answer type, wh-phrase extent, its role, preposition and governing word."""
        n = len(doc)
        root = next((t for t in doc if t.dep_ == "ROOT"), doc[0] if n else None)
        if wh_index < 0 or root is None:
            return FineType.NONE, -1, -1, WhRole.OTHER, "", root.i if root is not None else -1
        start, prep = wh_index, ""
        if wh_index > 0 and (
            doc[wh_index - 1].pos_ == "ADP" or doc[wh_index - 1].lower_ in _PREPOSITIONS
        ):
            start, prep = wh_index - 1, doc[wh_index - 1].lower_
        end = wh_index + 1
        if wh.startswith("how "):
            end = wh_index + 2
        if wh in {"which", "what", "whose", "how many"}:
            while end < n:
                tok = doc[end]
                if tok.tag_.startswith("VB") or tok.pos_ in {"AUX", "VERB", "PRON", "PUNCT"}:
                    break
                if tok.pos_ == "ADP" and not (
                    tok.lower_ == "of" and doc[end - 1].lower_ in {"kind", "type", "sort"}
                ):
                    break
                # "which predominantly Muslim provinces": an adverb on the next adjective.
                modifies_adj = tok.pos_ == "ADV" and end + 1 < n and doc[end + 1].pos_ == "ADJ"
                if not modifies_adj and tok.pos_ not in {
                    "NOUN",
                    "PROPN",
                    "ADJ",
                    "NUM",
                    "PART",
                    "ADP",
                    "X",
                }:
                    break
                end += 1
        words = [t for t in doc if not t.is_punct]
        stranded = words[-1].lower_ if words and words[-1].pos_ == "ADP" else ""
        # "escalate into as it drags on": the preposition left without an object is the
        # wh-phrase's, wherever it stands (a final particle such as "on" is not).
        objectless = [
            t
            for t in doc[end:]
            if t.pos_ == "ADP"
            and t.dep_ == "prep"
            and not any(c.dep_ in {"pobj", "pcomp"} for c in t.children)
        ]
        stranded_token = words[-1] if stranded else None
        if objectless:
            stranded, stranded_token = objectless[0].lower_, objectless[0]
        nxt_i = end
        while nxt_i < n and doc[nxt_i].pos_ == "ADV":
            nxt_i += 1
        nxt = doc[nxt_i] if nxt_i < n else None
        after = doc[nxt_i + 1] if nxt_i + 1 < n else None
        later_verb = next(
            (
                t
                for t in doc[nxt_i + 1 :]
                if t.pos_ == "VERB" and t.tag_ != "MD" and t.lower_ not in _NOT_VERBS
            ),
            None,
        )
        if prep:
            role = WhRole.PREP_OBJECT
        elif wh in {"when", "where", "why", "how"}:
            role = WhRole.ADVERBIAL
        elif nxt is None:
            role = WhRole.OTHER
        elif nxt.lower_ in _INVERTING_AUX:
            participle = after is not None and after.tag_ in {"VBN", "VBG"}
            if participle:
                role = WhRole.SUBJECT
            elif nxt.lemma_ == "be" and later_verb is None:
                role = WhRole.ATTRIBUTE
            elif nxt.lemma_ == "have" and (
                later_verb is None or later_verb.dep_ in {"acl", "relcl"}
            ):
                # "Which outlet has ties to X?": "has" is the verb, the wh-phrase its subject
                # (a participle after it, "troops stationed there", is no verb of its own).
                role = WhRole.SUBJECT
            else:
                role = WhRole.OBJECT
        elif nxt.pos_ in {"VERB", "AUX"} or nxt.tag_.startswith("VB"):
            role = WhRole.SUBJECT
        else:
            role = WhRole.OTHER
        if stranded and role in {WhRole.OBJECT, WhRole.OTHER}:
            role, prep = WhRole.PREP_OBJECT, stranded
        # "Who are the militias loyal to?": the wh-phrase is the object of the adjective's
        # preposition, not what the militias are.
        described = None
        # So is "What are they in charge of?": a noun that is itself a preposition's object.
        if (
            stranded_token is not None
            and role is WhRole.ATTRIBUTE
            and (
                stranded_token.head.pos_ == "ADJ"
                or (stranded_token.head.pos_ == "NOUN" and stranded_token.head.dep_ == "pobj")
            )
            and stranded_token.head.i > end
        ):
            role, prep, described = WhRole.PREP_OBJECT, stranded, stranded_token.head

        governor = later_verb if role is not WhRole.SUBJECT else None
        if described is not None:
            governor = described
        if role is WhRole.SUBJECT:
            governor = next(
                (
                    t
                    for t in doc[end:]
                    if t.pos_ == "VERB" and t.tag_ != "MD" and t.lower_ not in _NOT_VERBS
                ),
                nxt if nxt is not None and nxt.pos_ in {"VERB", "AUX"} else None,
            )
        if role is WhRole.ATTRIBUTE:
            governor = next(
                (t for t in doc[end:] if t.pos_ in {"NOUN", "PROPN"} and t.dep_ != "compound"),
                None,
            )
        if governor is None:
            governor = root
        gov_lemma = governor.lemma_.lower()

        if wh in {"who", "whom", "whose"}:
            fine = FineType.PERSON
        elif wh == "when":
            fine = FineType.TIME
        elif wh == "where":
            fine = FineType.PLACE
        elif wh == "why" or (role is WhRole.ATTRIBUTE and gov_lemma in _PURPOSE_NOUNS):
            # "What was the purpose of the truce?" asks why there was one.
            fine = FineType.REASON
        elif answer_type is AnswerType.NUMBER:
            fine = FineType.NUMBER
        elif wh == "how":
            nxt_word = doc[wh_index + 1] if wh_index + 1 < n else None
            fine = (
                FineType.ADJECTIVE
                if nxt_word is not None and nxt_word.pos_ in {"ADJ", "ADV"}
                else FineType.MANNER
            )
        elif type_word in _ADJECTIVE_NOUNS:
            fine = FineType.ADJECTIVE
        elif answer_type in {
            AnswerType.PERSON,
            AnswerType.ORGANIZATION,
            AnswerType.PLACE,
            AnswerType.TIME,
            AnswerType.NATIONALITY,
        }:
            fine = FineType(answer_type.value)
        elif gov_lemma == "happen":
            fine = FineType.STATEMENT
        elif any(
            t.lemma_ == "do" and t.pos_ == "VERB" and not _do_support(t, end) for t in doc[end:]
        ):
            fine = FineType.ACTION
        elif (
            gov_lemma in SAY_VERBS
            and (role is WhRole.OBJECT or (role is WhRole.PREP_OBJECT and prep == "about"))
            and end == wh_index + 1
            # "What did Pompeo say he wanted the sides to get right?" asks for the object
            # of the clause said, not for what was said.
            and not any(c.dep_ in {"ccomp", "xcomp"} for c in governor.children)
        ):
            # "What did Mashregh News warn about?" asks what it warned, as a bare "warn" does.
            fine = FineType.STATEMENT
        else:
            fine = FineType.THING
        return fine, start, end, role, prep, governor.i

    @staticmethod
    def _what_which(doc: Doc, wh_index: int) -> tuple[AnswerType, str]:
        wh_token = doc[wh_index]
        # "which city ...", "what newspaper ...": the wh-word determines a noun.
        head = wh_token.head if wh_token.dep_ == "det" else None
        if head is None and wh_index + 1 < len(doc) and doc[wh_index + 1].pos_ in {"NOUN", "PROPN"}:
            head = _last_noun(doc[wh_index + 1])
        if head is None:
            # "which Turkish city", "which two states", "which mainly rural provinces":
            # modifiers (an adverb on an adjective included) before the noun.
            k = wh_index + 1
            while k < len(doc) and (
                doc[k].pos_ in {"ADJ", "NUM"}
                or (doc[k].pos_ == "ADV" and k + 1 < len(doc) and doc[k + 1].pos_ == "ADJ")
            ):
                k += 1
            if k > wh_index + 1 and k < len(doc) and doc[k].pos_ in {"NOUN", "PROPN"}:
                head = _last_noun(doc[k])
        if head is not None and head.pos_ in {"NOUN", "PROPN"}:
            lemma = head.lemma_.lower()
            if lemma in _KIND_IN_OF_NOUNS:
                # "which body of water": the noun after "of" says what kind of thing.
                inner = of_object(head)
                if inner is not None and _type_of_word(inner.lemma_.lower()):
                    lemma = inner.lemma_.lower()
            return _type_of_word(lemma) or AnswerType.THING, lemma
        # "What are Turkish representatives doing among ...": the parser may hang "doing"
        # on the subject as a clause, which would read as "what are representatives".
        if any(t.lemma_ == "do" and t.tag_ == "VBG" for t in doc[wh_index + 1 :]):
            return AnswerType.CLAUSE, ""
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
