"""Readings of a question that the ranker's trees cannot make, applied to ranked candidates.

The trees score each candidate on its own features. Some answers depend on how candidates
relate to each other or to the question's wording, and these are read here, after
ranking, with the same scores: masks (a "how many" question takes a number and never a
year, a span that only restates the wh-phrase or names the question's other participant
is never the answer; one of another of the things the question tells apart, a span with
no time of day for "at what time", a name for what was said, people for "where" are
passed over while something else is left), swaps of two candidates' places (the count of
what is asked, a measure with its unit, a plural question's whole list, the action of
the question's actor, a name clearly of the asked kind or called so by its sentence, the
doer of the asked verb, the place or time of the question's subject, a doer set in the
asked place, the possessor for "whose", the words that say which for "what kind of", a
statement of the asked speaker, a noun phrase with its whole modifier, the adjective
said of what the question names, the phrase a "who" answer's modifier belongs to) and
discounts of the best answer's confidence when its sentence is about something else
(another attribute, another numbered week, a count of something else, people for a
place, no time of day).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span, Token

from qa.gazetteer import country_of, place_aliases
from qa.nlp import (
    MEASURE_LABELS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    ORDINAL_WORDS,
    WEEKDAYS,
    shares_stem,
)
from qa.readers.candidates import Candidate, name_on
from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import (
    SAY_VERBS,
    WH_WORDS,
    FineType,
    Question,
    WhRole,
    names_people,
    of_object,
)

_MISSING_ATTRIBUTE_FACTOR = 0.02
# "Which radio station": a name whose contextual vectors (its head, or the words next to
# it) stay under 0.2 cosine from the kind word is likely of another kind ("State"); names
# of the kind mostly score 0.25 and up. Not a reason to abstain: correct names score low
# too ("the so-called Minsk Group" for "which mediating body", 0.05).
_KIND_FIT_MIN = 0.2
_KIND_FIT_CLEAR = 0.25
# How far below an unfit best a name that clearly fits may be ranked and take its place.
_KIND_MARGIN = 4.0
_NAMED_KINDS = {FineType.PERSON, FineType.ORGANIZATION, FineType.PLACE}
# A best sentence about another one of what the question numbers ("the first week" for
# "in the second week") is about something else, however well it matches otherwise.
_OTHER_ORDINAL_FACTOR = 0.02


_LABEL_COLUMNS = {label: _INDEX[f"label={label}"] for label in ("PERSON", "ORG", "NORP", "GPE")}
_MEASURE_COLUMNS = [
    _INDEX[name]
    for name in ("label=DATE", "label=TIME", "label=CARDINAL", "label=QUANT", "label=ORDINAL")
] + [_INDEX["kind=number"], _INDEX["kind=number_noun"]]
_ACTION_COLUMNS = [_INDEX[f"kind={k}"] for k in ("vp", "vp_full", "clause", "clause_full")]
_NOUN_COLUMNS = [
    _INDEX[f"kind={k}"] for k in ("entity", "np", "np_full", "np_cut", "conj", "coord")
]


def _once(candidates: CandidateSet, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per question: several readings, the answerability check and the
    confidence factor ask the same thing of the same candidates."""
    if name not in candidates.extra:
        candidates.extra[name] = compute()
    return candidates.extra[name]


def allowed(x: np.ndarray, fine_type: FineType) -> np.ndarray:
    """Candidates that can answer at all: a number for "how many", a date for "when", and
    anything but a date, time, quantity or verb phrase for "who" and "where" ("1930" and
    "the same year" for "Where did Huxley die?", "9 years old" for "Who was Agassi's
    father?")."""
    if fine_type is FineType.NUMBER:
        return x[:, _INDEX["type_match"]] >= 0.8
    if fine_type is FineType.TIME:
        return x[:, _INDEX["type_match"]] >= 0.5
    if fine_type in _NAMED_KINDS:
        # Nor a verb phrase or clause that is no noun phrase as well: "fighting in Syria
        # and Libya" names no one for "Who are the militias loyal to?".
        action = (x[:, _ACTION_COLUMNS] > 0).any(axis=1) & ~(x[:, _NOUN_COLUMNS] > 0).any(axis=1)
        return ~(x[:, _MEASURE_COLUMNS] > 0).any(axis=1) & ~action
    return np.ones(len(x), dtype=bool)


def type_available(x: np.ndarray, fine_type: FineType) -> bool:
    """Whether the passages hold any span of the kind the question needs: a number, a
    date, or (for "who") a named person, organisation or group."""
    if not len(x):
        return False
    if fine_type is FineType.PERSON:
        return bool(x[:, list(_LABEL_COLUMNS.values())].max() > 0)
    return bool(allowed(x, fine_type).any())


def answerable(candidates: CandidateSet) -> bool:
    """Whether the candidates hold a span of the kind the question needs
    (:func:`type_available`), a year never being the count or amount asked for."""
    x, fine_type = candidates.features, candidates.question.fine_type
    if not type_available(x, fine_type):
        return False
    return fine_type is not FineType.NUMBER or bool(
        (allowed(x, fine_type) & ~years(candidates)).any()
    )


def unsaid(candidates: CandidateSet) -> np.ndarray:
    """For "What did X say / tell Y / warn (about Z)?", where what was said is the whole
    answer: the candidates that are no clause or verb phrase, which say nothing ("WBS" of
    "... , Pompeo told WBS radio"). Not when the question says part of it itself ("What
    did Biden say the rhetoric was encouraging?" asks for a noun phrase)."""
    return _once(candidates, "unsaid", lambda: _unsaid(candidates))


def _unsaid(candidates: CandidateSet) -> np.ndarray:
    question = candidates.question
    out = np.zeros(len(candidates), dtype=bool)
    if question.fine_type is not FineType.STATEMENT or question.governor < 0:
        return out
    verb = question.doc[question.governor]
    if any(c.dep_ in {"ccomp", "xcomp", "advcl", "acomp"} for c in verb.children):
        return out
    # "What does the author say *is* the way forward?": a verb after "say", however parsed.
    if any(t.pos_ in {"VERB", "AUX"} for t in question.doc[verb.i + 1 :]):
        return out
    x = candidates.features
    return ~(x[:, _ACTION_COLUMNS] > 0).any(axis=1)


_NOT_A_PLACE_FACTOR = 0.02


# Nouns for groups of people, which a "which X" question counts or describes rather than
# names (so no person type words), and which are never a place: "drone pilots", "troops".
_PEOPLE_GROUPS = {
    "pilot", "troop", "soldier", "fighter", "mercenary", "civilian", "child", "worker",
    "militant", "recruit", "volunteer", "refugee", "prisoner", "people", "person",
}  # fmt: skip


def repeats_for_a_place(candidates: CandidateSet) -> np.ndarray:
    """For "where": the candidates with no word beyond the question's ("Azerbaijan" for
    "Where in Azerbaijan are the troops based?")."""
    if candidates.question.fine_type is not FineType.PLACE:
        return np.zeros(len(candidates), dtype=bool)
    return candidates.features[:, _INDEX["novel_words"]] <= 0


def people_for_a_place(candidates: CandidateSet) -> np.ndarray:
    """For "where": the candidates that name people ("Turkish representatives", a
    person's name), which are no place however well their sentence matches."""
    if candidates.question.fine_type is not FineType.PLACE:
        return np.zeros(len(candidates), dtype=bool)

    def people() -> np.ndarray:
        person = candidates.features[:, _LABEL_COLUMNS["PERSON"]] > 0
        roots = [c.span.root.lemma_.lower() for c in candidates.candidates]
        return person | np.array(
            [names_people(lemma) or lemma in _PEOPLE_GROUPS for lemma in roots], dtype=bool
        )

    return _once(candidates, "people", people)


def restates_question(x: np.ndarray) -> np.ndarray:
    """Candidates that only repeat the wh-phrase ("the Turkish city" for "to which Turkish
    city"): they name the kind of answer, never the answer."""
    return (x[:, _INDEX["focus_overlap"]] >= 0.999) & (x[:, _INDEX["novel_words"]] <= 0)


def masked_logits(logits: np.ndarray, x: np.ndarray, fine_type: FineType) -> np.ndarray:
    """Logits with the candidates of the wrong kind, and those that only restate the
    question's wh-phrase, pushed far below the rest."""
    out = logits.copy()
    out[~allowed(x, fine_type) | restates_question(x)] = logits.min() - 30.0
    return out


# A day follows or precedes its month's full or short name ("Oct. 16").
_MONTHS = MONTHS | MONTH_ABBREVIATIONS


def days_of_month(candidates: CandidateSet) -> np.ndarray:
    """Candidates that are only the day of a date ("16" of "October 16", "28" of
    "September 28-30"): a date, never an age, a length or a distance."""
    out = np.zeros(len(candidates), dtype=bool)
    for i, candidate in enumerate(candidates.candidates):
        span = candidate.span
        if not all(t.like_num or t.text in {"-", "–"} for t in span):
            continue
        doc = span.doc
        before = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
        after = doc[span.end].lower_.rstrip(".") if span.end < len(doc) else ""
        out[i] = before in _MONTHS or after in _MONTHS
    return out


def _is_year(token: Token) -> bool:
    return token.ent_type_ == "DATE" and token.shape_ == "dddd" and 1000 <= int(token.text) <= 2100


def years(candidates: CandidateSet) -> np.ndarray:
    """Candidates that begin with a year ("1988", "1988-1994 conflict"): a date, never a
    count or an amount ("What is the population of Armenia?")."""
    return _once(
        candidates,
        "years",
        lambda: np.array([_is_year(c.span[0]) for c in candidates.candidates], dtype=bool),
    )


# "At what time" asks for a time of day: "a week ago" does not say one.
_CLOCK_WORDS = {
    "midnight", "noon", "midday", "morning", "afternoon", "evening", "night", "dawn",
    "dusk", "o'clock", "a.m.", "p.m.", "pm",
}  # fmt: skip
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")
_YEAR = re.compile(r"(?<!\d)(1\d|20)\d\d(?!\d)")
_RELATIVE_DAYS = {"yesterday", "today", "tomorrow"}
_UNTIMED_FACTOR = 0.02
# The unit a "what <noun>" time question asks for, by the noun.
_TIME_UNITS_ASKED = {
    "time": "clock", "hour": "clock",
    "day": "day", "date": "day", "weekday": "day",
    "month": "month", "year": "year",
}  # fmt: skip


def asked_time_unit(question: Question) -> str | None:
    """The unit of time a question asks for ("clock", "day", "month" or "year"): "At what
    time / hour", "On what date / day", "In what month", "In which year"; None for
    "when" and other questions."""
    if question.fine_type is not FineType.TIME:
        return None
    return _TIME_UNITS_ASKED.get(question.type_word)


def tells_time_unit(span: Span, unit: str) -> bool:
    """Whether a span says the unit of time: a time of day ("midnight Sunday", "9:30"), a
    day ("Sunday", "October 16", "yesterday"), a month ("July-August") or a year
    ("1991"). "a week ago" says none of them."""
    words = [t.lower_.rstrip(".") for t in span]
    if unit == "clock":
        return any(
            t.ent_type_ == "TIME" or t.lower_ in _CLOCK_WORDS or bool(_CLOCK.match(t.text))
            for t in span
        )
    months = any(w in MONTHS or w in MONTH_ABBREVIATIONS for w in words)
    if unit == "month":
        return months or "month" in words
    if unit == "year":
        return bool(_YEAR.search(span.text)) or "year" in words
    return (
        any(w in WEEKDAYS or w in _RELATIVE_DAYS for w in words)
        # A month with a day's number; "the first week of October" names no day.
        or (months and any(any(ch.isdigit() for ch in t.text) for t in span))
        or "day" in words
    )


def untimed(candidates: CandidateSet) -> np.ndarray:
    """For "at what time", "on what day", "in what month" or "in which year": the
    candidates that do not say that unit."""
    unit = asked_time_unit(candidates.question)
    if unit is None:
        return np.zeros(len(candidates), dtype=bool)
    return np.array([not tells_time_unit(c.span, unit) for c in candidates.candidates], dtype=bool)


# Units a length or a distance is said in, besides the units of time.
_LENGTH_UNITS = {
    "mile", "kilometre", "kilometer", "km", "metre", "meter", "m", "foot", "feet", "yard",
    "inch", "centimetre", "centimeter", "cm", "mi",
}  # fmt: skip


def tells_measure(span: Span) -> bool:
    """Whether a span says a length of time or a distance with its unit: "three weeks",
    "a decade", "40 km"; a bare "two" says neither."""
    return any(
        (t.lemma_.lower() in _TIME_UNITS or t.lemma_.lower() in _LENGTH_UNITS)
        # A counted unit ("three weeks", "a decade"), not "decades of imperialist wars".
        and any(
            c.dep_ == "nummod" or c.lower_ in {"a", "an", "several", "few", "many"}
            for c in t.children
        )
        for t in span
    ) or any(t.ent_type_ == "QUANTITY" for t in span)


def unmeasured(candidates: CandidateSet) -> np.ndarray:
    """For "how long" and "how far": the candidates that say no length of time or
    distance ("two" of "two escort ships" for "How long did the exercise last?")."""
    if candidates.question.wh not in {"how long", "how far"}:
        return np.zeros(len(candidates), dtype=bool)
    # Asked again of the best answer by ``confidence_factor``: computed once.
    return _once(
        candidates,
        "unmeasured",
        lambda: np.array([not tells_measure(c.span) for c in candidates.candidates], dtype=bool),
    )


# What can say why: a clause, a verb phrase, or a phrase led by a word of reason ("because
# ...", "due to ...", "for ..."; the tagger may take "because a water pipe burst" for a
# noun phrase).
_REASON_KINDS = {"vp", "vp_full", "clause", "clause_full"}
_REASON_WORDS = {
    "because", "since", "as", "so", "due", "owing", "for", "out", "amid", "over", "from",
    "after", "given", "thanks", "to",
}  # fmt: skip


def unreasoned(candidates: CandidateSet) -> np.ndarray:
    """For "why": the candidates that are only a name or a noun phrase ("events" for "Why
    does France follow the conflict closely?"), or say nothing beyond the question: a
    reason is said by a clause or a phrase."""
    if candidates.question.fine_type is not FineType.REASON:
        return np.zeros(len(candidates), dtype=bool)
    phrases = np.array(
        [
            bool(c.kinds & _REASON_KINDS) or c.span[0].lower_ in _REASON_WORDS
            for c in candidates.candidates
        ]
    )
    # Nor a clause of the question's own words ("Azeri forces have" for "Why does Lee
    # think Azeri forces have the upper hand?").
    return ~phrases | (candidates.features[:, _INDEX["novel_words"]] <= 0)


def names_the_asked_country(candidates: CandidateSet) -> np.ndarray:
    """For "which <nationality> <kind>": the candidates that only name that country
    ("Russia" for "Which Russian regions are named ...?"): the wh-phrase says that much."""
    question = candidates.question
    if question.wh_start < 0:
        return np.zeros(len(candidates), dtype=bool)
    asked = {
        c
        for t in question.doc[question.wh_start : question.wh_end]
        if t.dep_ in {"amod", "compound"}
        for c in [_country(t)]
        if c
    }
    if not asked:
        return np.zeros(len(candidates), dtype=bool)

    def only_asked(span: Span) -> bool:
        words = [t for t in span if not (t.is_punct or t.is_stop)]
        return bool(words) and all(_country(t) in asked for t in words)

    return np.array([only_asked(c.span) for c in candidates.candidates], dtype=bool)


def swapped(logits: np.ndarray, a: int, b: int) -> np.ndarray:
    """``logits`` with candidates ``a`` and ``b`` in each other's places (scores kept)."""
    out = logits.copy()
    out[a], out[b] = logits[b], logits[a]
    return out


def _swapped_to(
    logits: np.ndarray, candidates: CandidateSet, best: int, bounds: tuple[int, int]
) -> np.ndarray:
    """``logits`` with ``best`` swapped with the candidate of its passage spanning
    ``bounds`` (token offsets), or unchanged when there is none."""
    for i, candidate in enumerate(candidates.candidates):
        if (
            candidates.passage_of[i] == candidates.passage_of[best]
            and (candidate.span.start, candidate.span.end) == bounds
        ):
            return swapped(logits, best, i)
    return logits


def _prefer_better_fit(
    logits: np.ndarray, best: int, near: Sequence[int], fit: Callable[[int], float]
) -> np.ndarray:
    """``best`` swaps places with the candidate of ``near`` that ``fit`` rates highest
    (the higher ranked on a tie), when that one fits strictly better."""
    if not near:
        return logits
    score, _, other = max((fit(i), logits[i], i) for i in near)
    if score <= fit(best):
        return logits
    return swapped(logits, best, other)


def _near(
    logits: np.ndarray, best: int, margin: float, among: np.ndarray | None = None
) -> list[int]:
    """Candidates other than ``best`` ranked within ``margin`` logits of it (of ``among``,
    a mask, when given)."""
    close = logits >= logits[best] - margin
    if among is not None:
        close &= among
    return [int(i) for i in np.flatnonzero(close) if i != best]


def _prefer_own(
    logits: np.ndarray, ok: np.ndarray, fit: Callable[[int], float], margin: float
) -> np.ndarray:
    """A best candidate ``fit`` rates 0 (said of another) swaps places with the best-ranked
    candidate within ``margin`` that is ``ok`` and rated 2 (said of the one asked about);
    1 is "the parse does not tell", which keeps its place."""
    best = int(np.argmax(logits))
    if fit(best) > 0.0:
        return logits
    near = [i for i in _near(logits, best, margin) if ok[i] and fit(i) == 2.0]
    return _prefer_better_fit(logits, best, near, fit)


def _best_rooted(
    logits: np.ndarray, candidates: CandidateSet, fine_type: FineType, root_pos: set[str]
) -> tuple[int, Span] | None:
    """The best candidate and its span, when the question is of ``fine_type`` and the
    span's root has one of ``root_pos``; None otherwise."""
    if candidates.question.fine_type is not fine_type or not len(logits):
        return None
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    return (best, span) if span.root.pos_ in root_pos else None


# A number's own phrase: the noun it modifies ("150" -> "150 fighters from Libyan militias").
_ATTACHED_DEPS = {"compound", "nummod", "amod", "poss", "quantmod", "nmod"}
_OTHER_CLAUSES = {"conj", "cc", "relcl", "acl", "advcl", "ccomp"}
# How far below the best a count may be ranked and still be preferred for naming more of
# what the question counts (logit units).
_COUNT_MARGIN = 3.0
# ... and from how far below when that one names all of it and the best does not ("two
# children" for "how many children", not the "13 civilians" they were among; "150
# fighters from Libyan militias", not "1,300 fighters from Syrian militias").
_NAMED_COUNT_MARGIN = 6.0


_WHICH_ONES = {"from", "of", "among"}


def _counted_words(question: Question, with_verb_phrases: bool = False) -> list[set[str]]:
    """Forms of what a "how many" question counts: the wh-phrase's noun and its modifiers
    ("escort ships", "fighters from Libyan militias").

    ``with_verb_phrases`` adds the verb's "from", "of" or "among" phrase when the noun is
    its subject, which says which ones are counted as well: "how many fighters came *from
    Libyan militias*" (not "by the conflict" or "in the war", which set the scene and
    name the other numbers of the sentence as much).
    """
    if question.focus < 0 or question.wh_start < 0:
        return []
    focus = question.doc[question.focus]
    tokens = list(focus.subtree)
    verb = focus.head
    if with_verb_phrases and focus.dep_ in {"nsubj", "nsubjpass"} and verb.pos_ == "VERB":
        tokens += [
            t
            for child in verb.children
            if child.dep_ == "prep" and child.lower_ in _WHICH_ONES
            for t in child.subtree
        ]
    return [
        {t.lemma_.lower(), t.lower_}
        for t in tokens
        if t.is_alpha and not t.is_stop and t.lower_ not in {"how", "many", "much"}
    ]


def _counted_phrase(span: Span, sentence: Span) -> set[str]:
    """Word forms of the phrase a number belongs to, without coordinated neighbours: for
    "1,300 fighters from Syrian militias and 150 fighters from Libyan militias", the
    "1,300" phrase stops before "and 150 ..."."""
    return {form for t in _counted_tokens(span, sentence) for form in (t.lemma_.lower(), t.lower_)}


def _counted_tokens(span: Span, sentence: Span) -> list[Token]:
    """The tokens of :func:`_counted_phrase`."""
    root = span.root
    anchor = root.head if root.dep_ in _ATTACHED_DEPS and root.head.i != root.i else root
    skip: set[int] = set()
    for child in anchor.children:
        if span.start <= child.i < span.end:
            continue
        # A participle on the noun is its phrase ("four warships *armed with cruise
        # missiles*"); other clauses are not.
        if (child.dep_ in _OTHER_CLAUSES - {"acl"}) or _holds_a_count(child):
            skip.update(t.i for t in child.subtree)
    return [t for t in anchor.subtree if t.i not in skip and sentence.start <= t.i < sentence.end]


def _holds_a_count(token: Token) -> bool:
    """Whether ``token``'s phrase has a number of its own: "13 civilians dead, including
    *two children*" counts the children with "two", so they are not among the 13's words."""
    return any(t.dep_ == "nummod" or (t.like_num and t.pos_ == "NUM") for t in token.subtree)


def _related(a: str, b: str) -> bool:
    """The same word or the same stem: "Libya" / "Libyan", "militiamen" / "militias"."""
    return a == b or shares_stem(a, b, 5)


def _names(forms: set[str], phrase: set[str]) -> bool:
    return bool(forms & phrase) or any(_related(a, b) for a in forms for b in phrase)


def _sentence_of(candidates: CandidateSet, i: int) -> Span:
    """Candidate ``i``'s sentence: its passage's stored parse, or the parse the extractor
    made of the passage's text on its own."""
    parse = candidates.passages[candidates.passage_of[i]].parse
    return parse if parse is not None else candidates.candidates[i].span.doc[:]


def _named_share(candidates: CandidateSet, i: int, wanted: list[set[str]]) -> float:
    """The share of what a "how many" question counts that candidate ``i``'s phrase names."""
    phrase = _counted_phrase(candidates.candidates[i].span, _sentence_of(candidates, i))
    return sum(1 for forms in wanted if _names(forms, phrase)) / len(wanted)


# A count whose own phrase names nothing of what is counted and whose words are this far
# from the counted noun in MiniLM's contextual space counts something else ("two" former
# republics, the "16" of October 16, for "how many people / troops"): counts of the right
# thing score 0.3 and up, even when the noun is left out ("dozens" wounded for "people").
_COUNT_FIT_MIN = 0.2
_UNCOUNTED_FACTOR = 0.02


def counts_something_else(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "how many X" is a number of something other than X."""
    question = candidates.question
    if question.wh != "how many" or question.focus < 0:
        return False
    wanted = _counted_words(question)
    focus = question.doc[question.focus]
    if not wanted:
        return False
    if _of_another_country(candidates, best, focus):
        return True
    if _named_share(candidates, best, wanted) > 0 and not _names_only_a_modifier(
        candidates, best, focus
    ):
        return False
    if focus.lemma_.lower() in _TIME_UNITS:
        return True  # a length of time names its unit: "six years", "three weeks"
    # Only a noun that is the question's own argument: in "how many missile-carrying
    # combat vessels" the wh-phrase stops at "missile", which counts nothing.
    if focus.dep_ in _ARGUMENT_DEPS and _names_uncounted(candidates, best, focus):
        return True
    return bool(_kind_fit(candidates.features)[best] < _COUNT_FIT_MIN)


def _country(word: Token) -> str | None:
    """The country a nationality or country word names ("Azeri", "Turkish", "Syria")."""
    return country_of(word.lower_) if word.pos_ in {"ADJ", "PROPN"} else None


def _of_another_country(candidates: CandidateSet, best: int, focus: Token) -> bool:
    """Whether the count counts the asked noun of another country only: "600 *Turkish*
    troops" for "How many *Azerbaijani* troops took part?"."""
    asked = {
        c for t in focus.children if t.dep_ in {"amod", "compound"} for c in [_country(t)] if c
    }
    if not asked:
        return False
    tokens = _counted_tokens(candidates.candidates[best].span, _sentence_of(candidates, best))
    forms = {focus.lemma_.lower(), focus.lower_}
    said = {
        c
        for t in tokens
        if _names(forms, {t.lemma_.lower(), t.lower_})
        for m in _qualifiers(t)
        for c in [_country(m)]
        if c
    }
    if not said:
        return _counted_for_a_doer(candidates, best, asked)
    return not (said & asked)


def _qualifiers(noun: Token) -> list[Token]:
    """The words that say whose ``noun`` is: its modifiers, and those of its "from" or
    "of" phrase ("fighters from *Syrian* militias", "troops from *Turkey*")."""
    found = [m for m in noun.children if m.dep_ in {"amod", "compound"}]
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in {"from", "of"}:
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    found += [pobj, *(m for m in pobj.children if m.dep_ in {"amod", "compound"})]
    return found


# Verbs whose subject counts its own: "Armenian forces *lost* 13 soldiers".
_LOSING_VERBS = {"lose", "suffer", "sustain", "bury", "mourn", "evacuate", "count"}


def _counted_for_a_doer(candidates: CandidateSet, best: int, asked: set[str]) -> bool:
    """Whether the sentence says the asked countries only of who did what the count tells
    of: "*Armenian* forces had fired missiles on Ganja ..., leaving 13 civilians dead"
    counts the dead of Ganja, not "Armenian civilians"."""
    sentence = _sentence_of(candidates, best)
    root = candidates.candidates[best].span.root
    named = [t for t in sentence if _country(t) in asked]
    doers = {
        t.i
        for verb in root.ancestors
        if verb.pos_ in {"VERB", "AUX"} and verb.lemma_.lower() not in _LOSING_VERBS
        for subject in verb.children
        if subject.dep_ == "nsubj" and root not in subject.subtree
        for t in subject.subtree
    }
    return bool(named) and all(t.i in doers for t in named)


def _names_only_a_modifier(candidates: CandidateSet, best: int, focus: Token) -> bool:
    """Whether the count's phrase names the counted noun only as a word on another noun:
    "600 Turkish troops including *drone* pilots" counts troops, not drones."""
    forms = {focus.lemma_.lower(), focus.lower_}
    tokens = _counted_tokens(candidates.candidates[best].span, _sentence_of(candidates, best))
    hits = [t for t in tokens if _names(forms, {t.lemma_.lower(), t.lower_})]
    return bool(hits) and all(
        t.dep_ == "compound" and not _names(forms, {t.head.lemma_.lower(), t.head.lower_})
        for t in hits
    )


_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "ROOT"}
_TIME_UNITS = {"second", "minute", "hour", "day", "week", "month", "year", "decade", "century"}


def _names_uncounted(candidates: CandidateSet, best: int, focus: Token) -> bool:
    """Whether the best count's sentence names the counted noun with no number of its own:
    "four warships ..., two escort ships, warplanes and troops" says nothing of how many
    warplanes, so its "two" does not answer "how many warplanes"."""
    forms = {focus.lemma_.lower(), focus.lower_}
    return any(
        t.pos_ in {"NOUN", "PROPN"}
        and _names(forms, {t.lemma_.lower(), t.lower_})
        and not any(c.dep_ == "nummod" or c.like_num for c in t.children)
        for t in _sentence_of(candidates, best)
    )


def prefer_counted(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "how many X": of the counts ranked near the best, the one whose own phrase names
    more of X and its modifiers takes the best one's place ("two escort ships", not "four
    warships", for "how many escort ships"). The scores are swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.NUMBER:
        return logits
    wanted = _counted_words(question, with_verb_phrases=True)
    ok = allowed(candidates.features, question.fine_type)
    if not wanted or not ok.any():
        return logits
    best = int(np.argmax(np.where(ok, logits, -np.inf)))

    def share(i: int) -> float:
        return _named_share(candidates, i, wanted)

    # A count leaving out some of X gives way from further below to one naming all of it.
    if share(best) < 1:
        named = [i for i in _near(logits, best, _NAMED_COUNT_MARGIN, among=ok) if share(i) == 1]
        if named:
            return swapped(logits, best, max(named, key=lambda i: logits[i]))
    near = _near(logits, best, _COUNT_MARGIN, among=ok)
    return _prefer_better_fit(logits, best, near, share)


def prefer_measured(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A bare number ranked best ("Three") swaps places with the same number and its unit
    ("Three weeks") when that is a candidate: "how long/old/far" asks for a measure."""
    question = candidates.question
    if question.wh not in {"how long", "how old", "how far"} or not len(logits):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    root = span.root
    if len(span) != 1 or root.dep_ != "nummod" or root.head.i != root.i + 1:
        return logits
    return _swapped_to(logits, candidates, best, (root.i, root.head.i + 1))


# How far below the best the whole list may be ranked and still answer a plural question.
_LIST_MARGIN = 4.0


def _is_list(span: Span, kinds: set[str] | frozenset[str]) -> bool:
    """A coordination: a "coord" candidate, or a phrase that coordinates ("Russia and
    Iran", a phrase of the parser's "Syria, Russia and Iran")."""
    return "coord" in kinds or any(t.dep_ == "cc" for t in span)


def prefer_whole_list(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A plural question ("which countries", "which two states") asks for every item: when
    the best span is one item of a coordination ("the United States") and the whole ("the
    United States, Russia and France") is ranked near it, they swap places."""
    question = candidates.question
    if question.focus < 0 or not len(logits):
        return logits
    focus = question.doc[question.focus]
    counted = any(
        t.like_num and t.lower_ not in {"one", "1"}
        for t in question.doc[question.wh_start : question.wh_end]
    )
    if focus.tag_ not in {"NNS", "NNPS"} and not counted:
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if _is_list(candidate.span, candidate.kinds)
        and candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start <= span.start
        and span.end <= candidate.span.end
        and (candidate.span.start, candidate.span.end) != (span.start, span.end)
        and logits[i] >= logits[best] - _LIST_MARGIN
    ]
    if _fronted_subject_verb(span.root) is not None:
        # "In Syria, Russia and Iran have backed": the fronted "Syria" is no item of it.
        noun = _first_conjunct(span.root)
        wholes = [i for i in wholes if candidates.candidates[i].span.start > noun.i]
    if _is_list(span, candidates.candidates[best].kinds) or not wholes:
        return logits
    other = max(wholes, key=lambda i: logits[i])
    return swapped(logits, best, other)


def _kind_fit(x: np.ndarray) -> np.ndarray:
    return np.maximum(x[:, _INDEX["focus_sim"]], x[:, _INDEX["focus_neighbour_sim"]])


def _asks_named_kind(question: Question) -> bool:
    """A person, organisation or place question whose wh-phrase names the kind."""
    if question.fine_type not in _NAMED_KINDS or question.wh not in {"which", "what"}:
        return False
    return question.focus >= 0 and question.wh_start <= question.focus < question.wh_end


def prefer_fitting_kind(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "which <kind>": a best name unlike the kind ("State" for "which radio station")
    swaps places with the best-ranked name near it that is clearly of that kind ("WBS")."""
    x = candidates.features
    if not len(logits) or not _asks_named_kind(candidates.question):
        return logits
    fit = _kind_fit(x)
    best = int(np.argmax(logits))
    if fit[best] >= _KIND_FIT_MIN:
        return logits
    # Only a name: "bodies and prisoners of war" is like "which mediating body" in words
    # alone, and names no body at all.
    names = np.array([_is_name(c) for c in candidates.candidates], dtype=bool)
    near = np.flatnonzero(
        (fit >= _KIND_FIT_CLEAR) & (logits >= logits[best] - _KIND_MARGIN) & names
    )
    if not len(near):
        return logits
    other = int(near[np.argmax(logits[near])])
    return swapped(logits, best, other)


def _is_name(candidate: Candidate) -> bool:
    """A named entity (not a date or a number), or a phrase headed by a proper noun."""
    label = candidate.label or candidate.span.root.ent_type_
    return label not in _NOT_NAMES if label else candidate.span.root.pos_ == "PROPN"


def prefer_name_of_kind(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "which <kind>": a best phrase that is the kind word "of" a name ("the Turkish
    city of ?anl?urfa", "the province of Idlib") swaps places with the name, which is what
    the question asks; the phrase's other words only restate it."""
    question = candidates.question
    if not len(logits) or not question.type_word or not _asks_named_kind(question):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    root = span.root
    if root.lemma_.lower() != question.type_word:
        return logits
    names = [
        pobj
        for prep in root.children
        if prep.dep_ == "prep" and prep.lower_ == "of" and prep.i < span.end
        for pobj in prep.children
        if pobj.dep_ == "pobj" and pobj.pos_ == "PROPN" and pobj.right_edge.i < span.end
    ]
    if len(names) != 1:
        return logits
    name = names[0]
    bounds = (name.left_edge.i, name.right_edge.i + 1)
    return _swapped_to(logits, candidates, best, bounds)


def prefer_name_on_kind(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "which <kind>": a best phrase headed by the kind word with a name on it ("Syria's
    *Afrin* province", "The *Elysée* presidential palace", "Turkish *Bayraktar TB2*
    drones", `candidates.name_on`) swaps places with that name; the kind word and what
    else the phrase says only restate the question."""
    question = candidates.question
    if not len(logits) or not question.type_word or question.wh not in {"which", "what"}:
        return logits
    if not (question.wh_start <= question.focus < question.wh_end):
        return logits
    if question.fine_type not in _NAMED_KINDS | {FineType.THING}:
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    root = span.root
    if root.pos_ != "NOUN" or root.lemma_.lower() != question.type_word:
        return logits
    bounds = name_on(root)
    if bounds is None or not (span.start <= bounds[0] and bounds[1] <= span.end):
        return logits
    return _swapped_to(logits, candidates, best, bounds)


# How far below the best a name the sentence calls the asked kind may be ranked and still
# take its place; as far as the doer's: the trees know no word for "think-tank" after a name.
_LABELLED_MARGIN = 12.0
_NOT_NAMES = MEASURE_LABELS | {"QUANTITY"}


def _word_after(span: Span) -> list[Token]:
    """The tokens of the written word right after ``span``: "think", "-", "tank"."""
    word: list[Token] = []
    for token in span.doc[span.end : span.sent.end]:
        if token.is_punct and token.text != "-":
            break
        word.append(token)
        if token.whitespace_:
            break
    return word


def _labelled_by(span: Span, kind: str) -> bool:
    """Whether the sentence calls the name ``span`` a ``kind`` right beside it: "the Centre
    for Strategic Communications *think-tank*", "the *newspaper* Kommersant"."""
    after = _word_after(span)[-1:]
    if after and after[0].pos_ == "NOUN" and after[0].lemma_.lower() == kind:
        return True
    return _kind_word_before(span, kind) is not None


def _kind_word_before(span: Span, kind: str) -> Token | None:
    """The kind noun right before a name ("the *newspaper* Kommersant"), or before its "of"
    ("the Turkish *city* of Sanliurfa"), if the sentence has one."""
    words = [t for t in span if t.pos_ != "DET"]
    if not words or words[0].pos_ != "PROPN" or words[0].i <= span.sent.start:
        return None
    before = span.doc[words[0].i - 1]
    if before.lower_ == "of" and before.i > span.sent.start:
        before = span.doc[before.i - 1]
    return before if before.pos_ == "NOUN" and before.lemma_.lower() == kind else None


def _named_in_full(span: Span, question: Question) -> bool:
    """Whether the kind noun before a name carries every word of the question's
    wh-phrase: "the *Turkish city* of Sanliurfa" for "to which Turkish city"."""
    kind = _kind_word_before(span, question.type_word)
    if kind is None:
        return False
    said = {form for t in kind.subtree if t.i < span.start for form in (t.lower_, t.lemma_.lower())}
    asked = [
        t
        for t in question.doc[question.wh_start : question.wh_end]
        if t.is_alpha and not t.is_stop and t.lower_ not in WH_WORDS
    ]
    return bool(asked) and all(t.lower_ in said or t.lemma_.lower() in said for t in asked)


def _holding_logit(logits: np.ndarray, candidates: CandidateSet, i: int) -> float:
    """The best logit of a candidate of the same passage that holds candidate ``i``."""
    span = candidates.candidates[i].span
    return max(
        logits[j]
        for j, c in enumerate(candidates.candidates)
        if candidates.passage_of[j] == candidates.passage_of[i]
        and c.span.start <= span.start
        and span.end <= c.span.end
    )


def prefer_labelled_name(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "which <kind>": a best span the sentence does not call that kind swaps places
    with the best-ranked name that the same sentence calls so ("Al
    Jazeera" -> "the Centre for Strategic Communications" of "... think-tank" for "Which
    think-tank does he work for?")."""
    question = candidates.question
    if not len(logits) or not question.type_word or not _asks_named_kind(question):
        return logits
    best = int(np.argmax(logits))

    def labelled(i: int) -> bool:
        # A name of any label: the kind word types it better than the small model, which
        # takes "the Centre for Strategic Communications" for a building.
        candidate = candidates.candidates[i]
        return _is_name(candidate) and _labelled_by(candidate.span, question.type_word)

    if labelled(best):
        return logits
    # A name inside the best phrase is kept there: "NATO-backed *Islamist* militias" for
    # "which militias" says the kind word with all its modifiers.
    outer = candidates.candidates[best].span
    near = [
        i
        for i in _near(logits, best, _LABELLED_MARGIN)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and not outer.start <= candidates.candidates[i].span.start < outer.end
        and labelled(i)
    ]
    # A name the whole wh-phrase calls ("the *Turkish city* of Sanliurfa" for "to which
    # Turkish city"), in any passage, ranked near through the phrase that holds both: the
    # trees rank the bare name of an untagged place far down.
    floor = logits[best] - _LABELLED_MARGIN
    near += [
        i
        for i in range(len(logits))
        if i != best
        and i not in near
        and labelled(i)
        and _named_in_full(candidates.candidates[i].span, question)
        and _holding_logit(logits, candidates, i) >= floor
    ]
    if not near:
        return logits
    return swapped(logits, best, max(near, key=lambda i: logits[i]))


# How far below the best an action may be ranked and still be preferred for being done by
# the question's actor (logit units). 3, not 2, since the listwise ranker: its scores
# spread wider within a question (the city's "would quickly repair the bridge" came 2.7
# below "has a large harbour" in tests/readers/test_learned_reader.py); dev is the same
# under 2 and 3.
_ACTOR_MARGIN = 3.0
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Links through which a verb shares its subject: "able to *defend*", "stepped in and *provided*".
_SUBJECT_SHARING = {"xcomp", "acomp", "conj"}
_RELATIVE_PRONOUNS = {"who", "which", "that"}
_ACTION_KINDS = {"vp", "vp_full", "clause", "clause_full"}


def _antecedent(pronoun: Token, head: Token) -> Token:
    """What a relative pronoun stands for: the noun the parser hung its clause on, or the
    name just before the pronoun that the parser made that noun's apposition or conjunct:
    in "from the Karabakh, Moscow, which has ...", "which" is Moscow."""
    i = pronoun.i - 1
    while i > head.i and pronoun.doc[i].is_punct:
        i -= 1
    before = pronoun.doc[i]
    if before.i != head.i and before.dep_ in {"appos", "conj"} and before.head.i == head.i:
        return before
    return head


def _actor(verb: Token) -> tuple[Token | None, bool]:
    """Who does ``verb``, and whether a modal ("would", "will") marks it.

    Climbs the links that share a subject ("be able to do" -> "be"), and takes the noun a
    relative clause hangs on for its "who" or "which".
    """
    modal = False
    token = verb
    for _ in range(6):  # a few links at most; a parse is a tree, but stay bounded
        modal = modal or any(c.dep_ == "aux" and c.tag_ == "MD" for c in token.children)
        subject = next((c for c in token.children if c.dep_ in _SUBJECT_DEPS), None)
        if subject is not None:
            if subject.lower_ in _RELATIVE_PRONOUNS and token.dep_ == "relcl":
                return _antecedent(subject, token.head), modal
            return subject, modal
        if token.dep_ not in _SUBJECT_SHARING or token.head.i == token.i:
            break
        token = token.head
    return None, modal


def _actor_forms(subject: Token) -> set[str]:
    """Word forms of a subject and the nouns coordinated with it ("firms and militias")."""
    tokens = [subject, *(t for t in subject.conjuncts)]
    return {form for t in tokens for form in (t.lemma_.lower(), t.lower_)}


def prefer_actor(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "what did X do": of the actions ranked near the best, one done by X (and marked
    by a modal when the question's is: "what would X do") takes the best one's place when
    the best is not. "blamed Turkey" (done by the speaker) gives way to "stepped in and
    provided resources" (done by the Turks) for "what have the Turks done". The scores are
    swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.ACTION or not len(logits):
        return logits
    do = next(
        (
            t
            for t in question.doc[max(question.wh_end, 0) :]
            if t.lemma_ == "do" and t.pos_ == "VERB"
        ),
        None,
    )
    if do is None:
        return logits
    subject, asks_modal = _actor(do)
    if subject is None or subject.pos_ == "PRON":
        return logits
    wanted = _actor_forms(subject)

    def fit(i: int) -> float:
        candidate = candidates.candidates[i]
        root = candidate.span.root
        if not candidate.kinds & _ACTION_KINDS or root.pos_ not in {"VERB", "AUX"}:
            return 0.0
        actor, modal = _actor(root)
        if actor is None or not _names(wanted, _actor_forms(actor)):
            return 0.0
        return 2.0 + float(asks_modal and modal)

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _ACTOR_MARGIN), fit)


# How far below the best the doer (or object) of the question's own verb may be ranked and
# still take its place: the match of verb, role and the other participant is evidence the
# trees, trained on questions worded like their sentences, weigh little when the voice or
# the word order changes.
_DOER_MARGIN = 12.0
_LIGHT_VERBS = {"be", "have", "do", "get", "make", "take", "say"}
_NAMING_DEPS = {"compound", "amod"}
# Answer types a participant's noun phrase answers ("what did X call upon them to do"
# asks for an action, whatever the object of "call").
_PHRASE_TYPES = {FineType.PERSON, FineType.ORGANIZATION, FineType.THING, FineType.PLACE}


def _naming_forms(token: Token) -> set[str]:
    """Forms of a noun and the words naming it ("Bayraktar drones"), not its phrases."""
    return {
        form
        for t in (token, *(c for c in token.children if c.dep_ in _NAMING_DEPS))
        if t.is_alpha and not t.is_stop
        for form in (t.lemma_.lower(), t.lower_)
    }


def _asked_action(question: Question) -> tuple[str, WhRole, set[str]] | None:
    """For a question in the active voice whose wh-phrase is the subject or the object of
    its verb: the verb's lemma, that role, and the forms of the other participant ("Who
    used Bayraktar drones?" -> "use", subject, {"drone", "bayraktar", ...}; "Who did
    Lavrov call?" -> "call", object, {"lavrov"})."""
    if question.role not in {WhRole.SUBJECT, WhRole.OBJECT} or question.governor < 0:
        return None
    verb = question.doc[question.governor]
    if verb.pos_ != "VERB" or verb.lemma_ in _LIGHT_VERBS - {"have"}:
        return None
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children):
        return None
    other_dep = "dobj" if question.role is WhRole.SUBJECT else "nsubj"
    forms = {
        form
        for c in verb.children
        if c.dep_ == other_dep and c.lower_ not in WH_WORDS
        for form in _naming_forms(c)
    }
    return (verb.lemma_.lower(), question.role, forms) if forms else None


def _asked(candidates: CandidateSet) -> tuple[str, WhRole, set[str]] | None:
    """``_asked_action`` of the candidates' question, worked out once."""
    return _once(candidates, "asked_action", lambda: _asked_action(candidates.question))


def _partner_forms(token: Token) -> set[str]:
    """Forms naming a participant in a sentence, its possessor's too: backing "Bashar
    al-Assad's regime" is backing Assad."""
    forms = _naming_forms(token)
    for child in token.children:
        if child.dep_ == "poss":
            forms |= _naming_forms(child)
    return forms


def _first_conjunct(token: Token) -> Token:
    """The first item of the coordination ``token`` is in (``token`` itself if none)."""
    while token.dep_ == "conj":
        token = token.head
    return token


def _fronted_subject_verb(token: Token) -> Token | None:
    """The verb whose subject the small parser hung on the noun of a fronted phrase: in
    "In Syria, *Russia and Iran* have backed ...", "Russia" is a conjunct of "Syria" and
    "backed" has no subject. None for any other token."""
    if token.dep_ != "conj":
        return None
    noun = _first_conjunct(token)
    prep = noun.head
    if noun.dep_ != "pobj" or prep.dep_ != "prep" or prep.head.pos_ != "VERB":
        return None
    verb = prep.head
    if prep.i > verb.i or any(c.dep_ in _SUBJECT_DEPS for c in verb.children):
        return None
    return verb if any(t.text == "," for t in token.doc[noun.i + 1 : token.i]) else None


_PLACE_PREPOSITIONS = {"in", "at", "on"}


def _named_settings(verb: Token) -> dict[str, set[str]]:
    """The names a verb's "in", "at" or "on" phrases give, by preposition: "backed ... *in
    Syria*" -> {"in": {"syria"}}. Its object's too, where the parser often hangs them
    ("backed Assad's regime *in Libya*")."""
    found: dict[str, set[str]] = {}
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    for prep in [t for head in (verb, *objects) for t in head.children]:
        if prep.dep_ == "prep" and prep.lower_ in _PLACE_PREPOSITIONS:
            for noun in prep.children:
                if noun.dep_ == "pobj" and noun.pos_ == "PROPN":
                    found.setdefault(prep.lower_, set()).update(_naming_forms(noun))
    return found


def _elsewhere(verb: Token, asked: dict[str, set[str]]) -> bool:
    """Whether ``verb`` is set somewhere else than the question's verb: "In Syria, Russia
    and Iran have backed ..." does not answer who backed them "in Libya"."""
    said = _named_settings(verb)
    return any(prep in said and not _same_place(said[prep], names) for prep, names in asked.items())


def _same_place(said: set[str], asked: set[str]) -> bool:
    """Whether two settings name the same place, a capital standing for its country ("in
    Damascus" for "in Syria")."""
    return bool(said & asked) or any(place_aliases(name) & asked for name in said)


def _set_there(verb: Token, asked: dict[str, set[str]]) -> bool:
    """Whether ``verb`` is set in the question's place ("In Syria, Russia and Iran have
    backed ..." for "... in Damascus")."""
    said = _named_settings(verb)
    return any(prep in said and _same_place(said[prep], names) for prep, names in asked.items())


def _subject_verbs(root: Token) -> list[Token]:
    """The verbs a noun is the subject of: as "nsubj", as the subject the parser hung on a
    fronted phrase (``_fronted_subject_verb``), or as the "which" of a relative clause."""
    verbs = [root.head] if root.dep_ == "nsubj" else []
    fronted = _fronted_subject_verb(root)
    return verbs + ([fronted] if fronted is not None else []) + _relative_clauses(root)


# How far below a best doer set elsewhere the one set in the question's place may be ranked
# and take its place.
_PLACE_MARGIN = 4.0


def prefer_asked_place(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For a question whose wh-phrase is the subject of a verb set in a named place ("Which
    governments support the regime in Damascus?"), a best answer whose own verb is set
    elsewhere ("Russia and Turkey have backed opposed factions *in Libya*") swaps places
    with one, ranked near it, whose verb is set there ("*In Syria*, Russia and Iran have
    backed ..."), whatever the two verbs are. The scores are swapped, not changed."""
    question = candidates.question
    if (
        question.role is not WhRole.SUBJECT
        or question.fine_type not in _PHRASE_TYPES
        or question.governor < 0
        or not len(logits)
    ):
        return logits
    asked = _named_settings(question.doc[question.governor])
    if not asked:
        return logits
    ok = allowed(candidates.features, question.fine_type)

    def fit(i: int) -> float:
        """2 when its verb is set in the asked place, 0 when elsewhere, 1 when unsaid."""
        verbs = _subject_verbs(candidates.candidates[i].span.root)
        if any(_set_there(v, asked) for v in verbs):
            return 2.0
        return 0.0 if any(_elsewhere(v, asked) for v in verbs) else 1.0

    return _prefer_own(logits, ok, fit, _PLACE_MARGIN)


def _nominal_readings(verb: Token) -> list[tuple[Token, list[Token]]]:
    """Where the asked verb may be said as a noun in a phrase of the subject's verb:
    "Armenian forces ended up *in control of* Nagorno-Karabakh" says who controls it. Each
    noun of a "prep" phrase of ``verb``, with the objects of its "of" (``_fills`` keeps
    the nouns whose lemma is the asked verb's)."""
    return [
        (
            noun,
            [
                o
                for of in noun.children
                if of.dep_ == "prep" and of.lower_ == "of"
                for o in of.children
            ],
        )
        for prep in verb.children
        if prep.dep_ == "prep"
        for noun in prep.children
        if noun.dep_ == "pobj" and noun.pos_ == "NOUN"
    ]


def _relative_clauses(noun: Token) -> list[Token]:
    """The verbs of the relative clauses whose "who" or "which" is ``noun``: "has" of
    "Moscow, which has an alliance ...", also where the parser hung the clause on the noun
    before it (``_antecedent``)."""
    heads = [noun] + ([noun.head] if noun.dep_ in {"appos", "conj"} else [])
    return [
        verb
        for head in heads
        for verb in head.children
        if verb.dep_ == "relcl"
        for pronoun in verb.children
        if pronoun.dep_ in _SUBJECT_DEPS
        and pronoun.lower_ in _RELATIVE_PRONOUNS
        and _antecedent(pronoun, head).i == noun.i
    ]


def _fills(
    root: Token,
    lemma: str,
    role: WhRole,
    other: set[str],
    settings: dict[str, set[str]],
    clausal: bool = False,
) -> bool:
    """Whether ``root`` plays ``role`` to a verb of ``lemma`` whose other participant is one
    of ``other``, in the active or the passive: the subject ("the air force used the
    drones") or the passive's agent ("drones used *by the air force*") for a subject; the
    object ("Lavrov called *his counterparts*"), the passive's subject or the noun a
    participle hangs on ("*the bridge* built by the army") for an object. Never a verb
    set in another place than the question's (``settings``, from :func:`_named_settings`).
    With ``clausal`` (the question's verb takes a clause: "Who does Washington not want
    *coming in*?"), the subject of the verb's clause is its object too ("want *third-party
    countries* coming in")."""
    # (verb, its other participants) for each way the parse lets ``root`` play the role.
    readings: list[tuple[Token, list[Token]]] = []
    if role is WhRole.SUBJECT:
        if root.dep_ == "pobj" and root.head.dep_ == "agent":
            verb = root.head.head
            # What was done to: the passive's subject ("seen drones used by": a plain
            # subject to the parser), or the noun a participle hangs on ("the drones used by").
            done_to = [c for c in verb.children if c.dep_ in {"nsubjpass", "nsubj"}]
            readings.append((verb, done_to + ([verb.head] if verb.dep_ == "acl" else [])))
        for verb in _subject_verbs(root):
            readings.append((verb, [c for c in verb.children if c.dep_ == "dobj"]))
            readings.extend(_nominal_readings(verb))
    else:
        if root.dep_ == "dobj":
            readings.append((root.head, [c for c in root.head.children if c.dep_ == "nsubj"]))
        clause = root.head
        if clausal and root.dep_ == "nsubj" and clause.dep_ in {"ccomp", "xcomp"}:
            readings.append((clause.head, [c for c in clause.head.children if c.dep_ == "nsubj"]))
        passives = [root.head] if root.dep_ == "nsubjpass" else []
        passives += [c for c in root.children if c.dep_ == "acl"]
        for verb in passives:
            agents = [a for c in verb.children if c.dep_ == "agent" for a in c.children]
            readings.append((verb, agents))
    return any(
        verb.lemma_.lower() == lemma
        and any(_partner_forms(t) & other for t in partners)
        and not _elsewhere(verb, settings)
        for verb, partners in readings
    )


def names_a_participant(candidates: CandidateSet) -> np.ndarray:
    """Candidates that name the question's other participant: for "Who has backed Assad's
    regime?", "Bashar al-Assad" is the one backed, never the one backing. Only for a
    question whose wh-phrase is its verb's subject or object, and only names."""
    question = candidates.question
    out = np.zeros(len(candidates), dtype=bool)
    if _asked(candidates) is None:
        return out
    named = {
        form
        for t in question.doc
        if t.pos_ == "PROPN" and t.i != question.focus
        for form in (t.lower_, t.lemma_.lower())
    }
    for i, candidate in enumerate(candidates.candidates):
        root = candidate.span.root
        out[i] = root.pos_ == "PROPN" and bool({root.lower_, root.lemma_.lower()} & named)
    return out


def prefer_doer(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For a question whose wh-phrase is the subject or object of its verb, a best answer
    that does not play that role to that verb and its other participant gives way to one
    that does, active or passive: "Who used Bayraktar drones in Syria?" takes "the
    Turkish air force" of "Bayraktar drones actively used ... *by the Turkish air force*
    against ... Khalifa Haftar's Army", not "Khalifa Haftar"; "Who did Lavrov call?"
    takes "his Armenian and Azeri counterparts", not "Russian". The scores are swapped,
    not changed."""
    question = candidates.question
    asked = _asked(candidates) if question.fine_type in _PHRASE_TYPES else None
    if asked is None or not len(logits):
        return logits
    lemma, role, other = asked
    verb = question.doc[question.governor]
    settings = _named_settings(verb)
    clausal = any(c.dep_ in {"ccomp", "xcomp"} for c in verb.children)
    ok = allowed(candidates.features, question.fine_type)
    # "What aircraft type did X identify?": "the aircraft type and flight numbers" holds
    # the kind asked for, not an answer of that kind.
    focus = question.doc[question.focus].lemma_.lower() if question.focus >= 0 else ""

    def fit(i: int) -> float:
        candidate = candidates.candidates[i]
        if not ok[i] or candidate.kinds & _ACTION_KINDS or "pp" in candidate.kinds:
            return 0.0
        if focus and any(t.lemma_.lower() == focus for t in candidate.span):
            return 0.0
        return float(_fills(candidate.span.root, lemma, role, other, settings, clausal))

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _DOER_MARGIN), fit)


# How far below the best the object of the asked preposition may be ranked and still take
# its place ("staff" of "chief of staff" scored 5.4 over the leadership Akar is in charge of).
_STRANDED_MARGIN = 8.0
# Clauses below the asked word hold other prepositions' objects, not its own.
_CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "conj", "csubj"}


def _stranded(question: Question) -> Token | None:
    """The question's stranded preposition: the "of" of "What are they in charge *of*?",
    the "for" of "What did Pompeo blame Turkey *for*?" (no object of its own)."""
    if question.role is not WhRole.PREP_OBJECT or not question.preposition:
        return None
    return next(
        (
            t
            for t in reversed(question.doc)
            if t.lower_ == question.preposition
            and t.i >= question.wh_end
            and not any(c.dep_ == "pobj" for c in t.children)
        ),
        None,
    )


def _objects_of(head: Token, preposition: str) -> set[int]:
    """The objects of ``preposition`` phrases below ``head``, not inside a clause of their
    own: for "charge" of "in charge on the ground of overall operational leadership",
    "leadership"."""
    found: set[int] = set()
    stack = list(head.children)
    while stack:
        token = stack.pop()
        if token.dep_ in _CLAUSE_DEPS:
            continue
        if token.lower_ == preposition and token.dep_ == "prep":
            for pobj in token.children:
                if pobj.dep_ == "pobj":
                    found.update(c.i for c in (pobj, *pobj.conjuncts))
        stack.extend(token.children)
    return found


def prefer_stranded_object(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For a question ending in a stranded preposition, a best answer that is no object of
    that preposition on the asked word gives way to one that is, ranked within 8 logits:
    "What does Kommersant say Akar and Dündar are in charge of?" takes "overall
    operational leadership" of "are in charge on the ground *of* overall operational
    leadership", not the "staff" of "chief *of* staff". The scores are swapped."""
    stranded = _stranded(candidates.question)
    if stranded is None or not len(logits) or stranded.head.i == stranded.i:
        return logits
    asked = stranded.head
    if asked.pos_ not in {"NOUN", "VERB", "ADJ"}:
        return logits
    forms = {asked.lemma_.lower(), asked.lower_}
    objects: dict[int, set[int]] = {}

    def fit(i: int) -> float:
        p = candidates.passage_of[i]
        if p not in objects:
            objects[p] = {
                j
                for t in _sentence_of(candidates, i)
                if t.lemma_.lower() in forms or t.lower_ in forms
                for j in _objects_of(t, stranded.lower_)
            }
        candidate = candidates.candidates[i]
        # "Besides Nagorno-Karabakh, what did they end up in control of?": not the name
        # the question gives.
        if candidates.features[i, _INDEX["novel_words"]] <= 0:
            return 0.0
        return float(candidate.span.root.i in objects[p] and "pp" not in candidate.kinds)

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _STRANDED_MARGIN), fit)


# How far below the best the possessor of the asked noun may be ranked and take its place:
# "whose records" is answered by whoever the sentence says the records are of.
_POSSESSOR_MARGIN = 16.0


def prefer_possessor(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "whose N": a best answer that is not the possessor of an N swaps places with
    one that is: "Georgian authorities" of "access to *Georgian authorities'* records of
    Turkish flights" for "Whose records of Turkish flights did Kommersant rely on?", not
    "access". The scores are swapped, not changed."""
    question = candidates.question
    if question.wh != "whose" or question.focus < 0 or not len(logits):
        return logits
    noun = question.doc[question.focus]
    forms = {noun.lemma_.lower(), noun.lower_}

    def fit(i: int) -> float:
        root = candidates.candidates[i].span.root
        head = root.head
        return float(root.dep_ == "poss" and _names(forms, {head.lemma_.lower(), head.lower_}))

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _POSSESSOR_MARGIN), fit)


# How far below the best a modifier of the asked noun may be ranked and take its place for
# "what kind of N": the trees rank what the sentence says of the drones ("from Turkey"),
# not the words that say which drones.
_KIND_OF_MARGIN = 16.0
_KIND_NOUNS = {"kind", "type", "sort", "make", "model", "brand", "class"}
_MODIFIER_DEPS = {"compound", "amod", "nmod", "npadvmod"}


def _kind_asked(question: Question) -> Token | None:
    """The N of "what kind / type / sort of N", or None."""
    if question.wh not in {"what", "which"} or question.wh_start < 0:
        return None
    phrase = question.doc[question.wh_start : question.wh_end]
    for token in phrase:
        if token.lemma_.lower() in _KIND_NOUNS:
            noun = of_object(token)
            if noun is not None and noun.pos_ in {"NOUN", "PROPN"}:
                return noun
    return None


def _modifies(span: Span, lemma: str) -> bool:
    """Whether ``span`` is the words right before a noun of ``lemma`` that say which one
    ("high-altitude Turkish Bayraktar TB2" of "... TB2 drones"), or that noun with them
    ("Bayraktar drones")."""
    root = span.root
    if root.i == span.end - 1 and root.lemma_.lower() == lemma and len(span) > 1:
        return any(
            c.dep_ in _MODIFIER_DEPS and c.pos_ in {"PROPN", "ADJ", "NOUN"} and c.i >= span.start
            for c in root.lefts
        )
    if span.end >= len(span.doc):
        return False
    noun = span.doc[span.end]
    if noun.lemma_.lower() != lemma or noun.pos_ not in {"NOUN", "PROPN"}:
        return False
    words = [t for t in span if t.is_alpha or t.like_num]
    return (
        bool(words)
        and all(
            t.pos_ in {"PROPN", "ADJ", "NOUN", "NUM", "PUNCT"} and t.head.i >= span.start
            for t in span
        )
        and any(t.head.i == noun.i and t.dep_ in _MODIFIER_DEPS for t in span)
    )


def prefer_kind_modifier(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "what kind of N": a best answer that does not say which N gives way to the
    best-ranked words right before an N that do, within 16 logits, in any passage:
    "What kind of drones is Azerbaijan buying?" ("Azerbaijan is buying drones from Turkey"
    says no kind) no longer takes "Turkey", but a drones phrase that says which ones."""
    noun = _kind_asked(candidates.question)
    if noun is None or not len(logits):
        return logits
    lemma = noun.lemma_.lower()
    best = int(np.argmax(logits))
    if _modifies(candidates.candidates[best].span, lemma):
        return logits
    near = [
        i
        for i in _near(logits, best, _KIND_OF_MARGIN)
        if _modifies(candidates.candidates[i].span, lemma)
    ]
    if not near:
        return logits

    def named(i: int) -> bool:
        # A name says a kind ("Bayraktar"); an adjective may only describe ("small").
        span = candidates.candidates[i].span
        return any(t.pos_ == "PROPN" for t in span if t.lemma_.lower() != lemma)

    return swapped(logits, best, max(near, key=lambda i: (named(i), logits[i])))


# How far below a best place or time said of someone else the one said of the question's
# subject may be ranked and take its place.
_SETTING_MARGIN = 4.0
_SETTING_TYPES = {FineType.PLACE, FineType.TIME}
_CLIMB = 8


def _named_subject(question: Question) -> set[str] | None:
    """Forms of the subject of the question's verb, when it names someone (no pronoun and
    no wh-word): {"moscow"} for "Where does Moscow have troops stationed?"."""
    subject, _ = _actor(question.doc[question.governor])
    if subject is None or subject.pos_ == "PRON" or subject.lower_ in WH_WORDS:
        return None
    return _actor_forms(subject)


def _clause_actor(token: Token) -> Token | None:
    """Who does the nearest verb above ``token`` that names a doer: "Armenia" of "Moscow,
    which has an alliance and troops stationed in Armenia" is said of Moscow (climbing past
    "stationed", which names none)."""
    for _ in range(_CLIMB):
        if token.pos_ in {"VERB", "AUX"}:
            actor, _ = _actor(token)
            if actor is not None:
                return actor
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def prefer_own_setting(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "where" or "when" something was done by the question's subject: a best place or
    time in a clause done by someone else swaps places with one in a clause the subject
    does. "Where does Moscow have troops stationed?" takes "Armenia" of "While Ankara has
    called for Azerbaijan to expel Armenians from the Karabakh, Moscow, which has an
    alliance and troops stationed in Armenia, ...", not Ankara's "the Karabakh". The
    scores are swapped, not changed."""
    question = candidates.question
    if (
        question.role is not WhRole.ADVERBIAL
        or question.fine_type not in _SETTING_TYPES
        or question.governor < 0
        or not len(logits)
    ):
        return logits
    wanted = _named_subject(question)
    if wanted is None:
        return logits
    ok = allowed(candidates.features, question.fine_type)

    def fit(i: int) -> float:
        """2 when said of the subject, 1 when of no one the parse tells, 0 of another."""
        actor = _clause_actor(candidates.candidates[i].span.root)
        if actor is None or actor.pos_ == "PRON":
            return 1.0
        return 2.0 if _names(wanted, _actor_forms(actor)) else 0.0

    return _prefer_own(logits, ok, fit, _SETTING_MARGIN)


# How far below a best statement said by someone else one said by the question's speaker
# may be ranked and take its place.
_SPEAKER_MARGIN = 6.0


def prefer_speaker(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "What did X say (about Y)?": a best clause said or done by someone else swaps
    places with one, ranked near it, that X says or does: "accused Armenian forces of
    launching ..." (the Azeri Defense Ministry's) for "What did the Azeri Defense Ministry
    say?", not what the Armenian spokeswoman blamed. Who says a clause is the subject of
    the verb it complements ("X warned that ..."), or of its own verb. The scores are
    swapped, not changed."""
    question = candidates.question
    if question.fine_type is not FineType.STATEMENT or question.governor < 0:
        return logits
    wanted = _named_subject(question)
    if wanted is None or not len(logits):
        return logits
    ok = ~unsaid(candidates)

    def fit(i: int) -> float:
        """2 when X says or does it, 0 when someone named else does, 1 when unsaid."""
        span = candidates.candidates[i].span
        root = span.root
        # What a verb of saying says is its clause (or what "say" takes as object), never
        # who it is told to ("told WBS radio").
        content = {"ccomp"} if root.lemma_.lower() == "tell" else {"ccomp", "dobj"}
        if root.lemma_.lower() in SAY_VERBS and not any(
            c.dep_ in content and span.start <= c.i < span.end for c in root.children
        ):
            return 0.0  # "told WBS" says nothing
        verbs = [root] + ([root.head] if root.dep_ in {"ccomp", "parataxis"} else [])
        actors = [a for v in verbs if (a := _actor(v)[0]) is not None and a.pos_ != "PRON"]
        # "Mayor Lund" is the mayor: the words naming a doer count too.
        if any(_names(wanted, _actor_forms(a) | _naming_forms(a)) for a in actors):
            return 2.0
        return 0.0 if actors else 1.0

    return _prefer_own(logits, ok, fit, _SPEAKER_MARGIN)


def prefer_all_actions(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "what did X do": when the best span is one of coordinated actions ("assert their
    interests" of "assert their interests and position themselves for a deal") and a span
    holding them all is ranked near it, they swap places: X did both."""
    found = _best_rooted(logits, candidates, FineType.ACTION, {"VERB", "AUX"})
    if found is None:
        return logits
    best, span = found
    root = span.root
    others = [c for c in root.conjuncts if c.pos_ in {"VERB", "AUX"} and c.i >= span.end]
    if not others:
        return logits
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start <= span.start
        and candidate.span.end > max(c.i for c in others)
        and candidate.span.root.i == root.i
        and logits[i] >= logits[best] - _ACTOR_MARGIN
    ]
    if not wholes:
        return logits
    other = max(wholes, key=lambda i: logits[i])
    return swapped(logits, best, other)


def prefer_uncut_phrase(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """A best noun phrase that stops inside one of its own modifiers ("an exchange of
    bodies" of "an exchange of bodies and prisoners of war") swaps places with the shortest
    candidate from the same start that holds the whole modifier."""
    found = _best_rooted(logits, candidates, FineType.THING, {"NOUN", "PROPN"})
    if found is None:
        return logits
    best, span = found
    root = span.root
    cut = [t for t in span if t.i != root.i and any(c.i >= span.end for c in t.children)]
    if not cut:
        return logits
    needed = max(max(d.i for d in t.subtree) for t in cut) + 1
    wholes = [
        i
        for i, candidate in enumerate(candidates.candidates)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidate.span.start == span.start
        and candidate.span.end >= needed
    ]
    if not wholes:
        return logits
    other = min(wholes, key=lambda i: (len(candidates.candidates[i].span), -logits[i]))
    return swapped(logits, best, other)


def _ordinals(
    tokens: Sequence[Token] | Span, words: frozenset[str] = ORDINAL_WORDS
) -> dict[str, set[str]]:
    """Ordinal words (or other ``words``) by the lemma of the noun they number:
    {"week": {"second"}}."""
    out: dict[str, set[str]] = {}
    for t in tokens:
        if t.lower_ in words and t.head.pos_ in {"NOUN", "PROPN"} and t.head.i != t.i:
            out.setdefault(t.head.lemma_.lower(), set()).add(t.lower_)
    return out


def other_ordinal(question: Question, sentence: Span) -> bool:
    """Whether the sentence numbers a noun of the question differently, never as the
    question does, and names it nowhere without a number: "in the first week of October"
    for "how many in the second week"."""
    asked = _ordinals(question.doc)
    if not asked:
        return False
    found = _ordinals(sentence)

    def unnumbered(noun: str) -> bool:
        # "a first truce ..., and then a new truce": the new one may be the second.
        return any(
            t.lemma_.lower() == noun
            and t.pos_ in {"NOUN", "PROPN"}
            and not any(c.lower_ in ORDINAL_WORDS for c in t.children)
            for t in sentence
        )

    return any(
        noun in found and not found[noun] & words and not unnumbered(noun)
        for noun, words in asked.items()
    )


def _superlative_ranks(tokens: Span | Doc) -> dict[str, set[str]]:
    """The ranks each superlative is said with ("second" for "second-largest", "first" for
    a bare "largest"), by its lemma and by the noun it ranks ("city": "biggest city" and
    "second-largest city" rank cities alike)."""
    ranks: dict[str, set[str]] = {}
    for t in tokens:
        if t.tag_ == "JJS":
            rank = next((c.lower_ for c in t.children if c.lower_ in ORDINAL_WORDS), "first")
            ranks.setdefault(t.lemma_.lower(), set()).add(rank)
            if t.dep_ == "amod" and t.head.pos_ == "NOUN":
                ranks.setdefault(f"of {t.head.lemma_.lower()}", set()).add(rank)
    return ranks


def other_rank(question: Question, sentence: Span) -> bool:
    """Whether the sentence ranks by the question's superlative only otherwise: "Ganja,
    Azerbaijan's *second*-largest city" does not say which city is the largest."""
    asked = _superlative_ranks(question.doc)
    if not asked:
        return False
    found = _superlative_ranks(sentence)
    return any(lemma in found and not found[lemma] & ranks for lemma, ranks in asked.items())


# Words that tell one of several like things from the others ("the *new* truce").
_DISTINGUISHING = frozenset(ORDINAL_WORDS) | {
    "new", "latest", "earlier", "previous", "last", "next", "former", "later", "recent",
}  # fmt: skip


def of_another_one(question: Question, sentence: Span, answer: Span) -> bool:
    """Whether the answer belongs to another of the things the question tells apart: for
    "when did the *first* truce take effect", "midnight" of "a first truce negotiated a
    week ago ..., and then a new truce set to enter into effect *at midnight* Sunday" lies
    in the phrase of the truce not called first (and "a week ago" in the one not called
    new, for "the new truce")."""
    return _in_another(_told_apart(question, sentence), answer)


_TokenSets = list[tuple[list[set[int]], list[set[int]]]]


def _told_apart(question: Question, sentence: Span) -> _TokenSets:
    """For each noun the question sets apart that the sentence names both so set apart
    and otherwise: the token sets held by the mentions so set apart, and by the others."""
    found = []
    for noun, words in _ordinals(question.doc, _DISTINGUISHING).items():
        same = [t for t in sentence if t.lemma_.lower() == noun and t.pos_ in {"NOUN", "PROPN"}]
        numbered = [t for t in same if any(c.lower_ in words for c in t.children)]
        others = [t for t in same if t not in numbered]
        if numbered and others:
            found.append(([_held_by(t) for t in numbered], [_held_by(t) for t in others]))
    return found


def _held_by(token: Token) -> set[int]:
    """A mention's own phrase, and the clause it is the subject of, without the clauses
    coordinated with that one ("... was signed in May, and then a new one ...")."""
    inside = {t.i for t in token.subtree}
    if token.dep_ in _SUBJECT_DEPS:
        verb = token.head
        joined = {t.i for c in verb.children if c.dep_ == "conj" for t in c.subtree}
        inside |= {t.i for t in verb.subtree} - joined
    return inside


def _in_another(told_apart: _TokenSets, answer: Span) -> bool:
    tokens = {t.i for t in answer}
    return any(
        not any(tokens <= held for held in numbered) and any(tokens <= held for held in others)
        for numbered, others in told_apart
    )


def of_other_ones(candidates: CandidateSet) -> np.ndarray:
    """Candidates that belong to another of the things the question tells apart
    (``of_another_one``): for "When was the new truce set to take effect?", "a week ago" of
    "a first truce negotiated a week ago" gives way to the new truce's "midnight Sunday".
    """
    question = candidates.question
    out = np.zeros(len(candidates), dtype=bool)
    if not _ordinals(question.doc, _DISTINGUISHING):
        return out
    # The mentions' phrases depend on the sentence alone: once per passage.
    by_passage: dict[int, _TokenSets] = {}
    for i, candidate in enumerate(candidates.candidates):
        k = candidates.passage_of[i]
        if k not in by_passage:
            by_passage[k] = _told_apart(question, _sentence_of(candidates, i))
        out[i] = _in_another(by_passage[k], candidate.span)
    return out


# How far below the best an adjective may be ranked and still take its place for describing
# what the question names: the trees see each adjective alone, not what it is said of.
_DESCRIBED_MARGIN = 6.0
_DESCRIBED_MIN_SHARED = 2
_SUBJECT_WINDOW = 15


def _described_lemmas(adjective: Token) -> set[str]:
    """Lemmas of what an adjective is said of: the noun phrase it modifies ("ethnic" ->
    "the ethnic-Turkic Azeris"), or the subject of its verb ("[Turkey's provision of arms]
    are irresponsible"); the adjective itself left out."""
    if adjective.dep_ in {"acomp", "oprd"}:
        verb = adjective.head
        tokens = [t for s in verb.children if s.dep_ in _SUBJECT_DEPS for t in s.subtree]
        if not tokens:
            # The small parser often loses the subject of a quoted clause ("stating, "Turkey's
            # provision of arms ... are irresponsible""): take the words before the verb, back
            # to the quotation mark, colon or sentence start that opens the clause.
            i = verb.i - 1
            while i >= verb.sent.start and verb.i - i <= _SUBJECT_WINDOW:
                if verb.doc[i].is_quote or verb.doc[i].text in {":", ";"}:
                    break
                tokens.append(verb.doc[i])
                i -= 1
    elif adjective.dep_ == "amod":
        tokens = list(adjective.head.subtree)
    else:
        return set()
    return {t.lemma_.lower() for t in tokens if t.is_alpha and t.i != adjective.i}


def _said_of(span: Span, lemmas: set[str], least: int, deps: set[str] | None = None) -> float:
    """How many of ``lemmas`` name what the one-adjective ``span`` is said of (at least
    ``least``, else 0); only an adjective of ``deps`` when given."""
    root = span.root
    if len(span) != 1 or root.pos_ != "ADJ" or (deps is not None and root.dep_ not in deps):
        return 0.0
    shared = len(_described_lemmas(root) & lemmas)
    return float(shared) if shared >= least else 0.0


def prefer_described_adjective(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For an adjective question ("What word did Biden use to describe Turkey's provision
    of arms?"): a best adjective said of something the question does not name ("ethnic",
    of "Azeris") swaps places with a nearby one said of what it names ("irresponsible")."""
    rooted = _best_rooted(logits, candidates, FineType.ADJECTIVE, {"ADJ"})
    if rooted is None or len(rooted[1]) != 1:
        return logits
    best, _ = rooted
    asked = {lemma.lower() for lemma in candidates.question.content_lemmas}

    def fit(i: int) -> float:
        return _said_of(candidates.candidates[i].span, asked, _DESCRIBED_MIN_SHARED)

    return _prefer_better_fit(logits, best, _near(logits, best, _DESCRIBED_MARGIN), fit)


# Verbs whose object is given a description: "What did Biden *call* Turkey's provision of
# arms?" asks what is said of the object. The trees see a lone adjective far from the
# question's words ("irresponsible" came 14.1 logits below "Ankara's support"); an
# adjective predicated of the very words the question calls is evidence enough.
_CALLING_VERBS = {"call", "label", "brand", "dub", "term", "deem", "consider", "find"}
_CALLED_MARGIN = 16.0


def prefer_called_adjective(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "What did X call Y?": a best answer that is not an adjective said of Y swaps
    places with one that is ("irresponsible" of "[Turkey's provision of arms ...] are
    irresponsible"), as for the adjective questions above."""
    question = candidates.question
    if question.wh != "what" or question.role is not WhRole.OBJECT or question.governor < 0:
        return logits
    verb = question.doc[question.governor]
    if verb.lemma_.lower() not in _CALLING_VERBS or not len(logits):
        return logits
    # The object, or what the parser takes for its complement ("call the town's *sale*").
    called = {
        t.lemma_.lower()
        for c in verb.children
        if c.dep_ in {"dobj", "oprd"} and c.lower_ not in WH_WORDS
        for t in c.subtree
        if t.is_alpha and not t.is_stop
    }
    if not called:
        return logits

    least = min(_DESCRIBED_MIN_SHARED, len(called))

    def fit(i: int) -> float:
        return _said_of(candidates.candidates[i].span, called, least, {"acomp", "oprd"})

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _CALLED_MARGIN), fit)


# Verbs of describing: "How did Pompeo *describe* the situation?" and "What did Pompeo
# *call* the situation?" ask what the sentence says the thing is, in a word on it
# ("this *historic* fight") or a phrase "N of a <thing>" ("a powder keg of a situation").
_DESCRIBING_VERBS = _CALLING_VERBS | {"describe", "characterize", "characterise", "portray"}


def _described_noun(question: Question) -> str | None:
    """The lemma (lower case) of the noun "How did X describe Y?" or "What did X call Y?"
    asks a description of: "situation"; None for any other question."""
    if question.governor < 0:
        return None
    how = question.wh == "how" and question.role is WhRole.ADVERBIAL
    what = question.wh == "what" and question.role is WhRole.OBJECT
    verb = question.doc[question.governor]
    if not (how or what) or verb.lemma_.lower() not in _DESCRIBING_VERBS:
        return None
    # "How was the fight described?" describes its passive subject, which the small
    # parser labels a plain subject as often as not.
    passive = verb.tag_ != "VBG" and any(
        c.dep_ in {"aux", "auxpass"} and c.lemma_ == "be" for c in verb.children
    )
    deps = {"dobj", "nsubjpass"} | ({"nsubj"} if passive else set())
    nouns = [
        c
        for c in verb.children
        if c.dep_ in deps and c.pos_ in {"NOUN", "PROPN"} and c.lower_ not in WH_WORDS
    ]
    return nouns[0].lemma_.lower() if nouns else None


def _describes(span: Span, noun: str) -> float:
    """How well ``span`` says what a ``noun`` is: 2 for a word on the noun itself ("*historic*
    fight"), a phrase in apposition to it ("Ganja, *Azerbaijan's second-largest city*") or a
    phrase "N of a <noun>" ("a powder keg of a situation"), 1 for an adjective said of
    words that hold the noun ("[provision of arms and rhetoric] are *irresponsible*"), else
    0."""
    root = span.root
    if len(span) == 1 and root.pos_ == "ADJ":
        if root.dep_ == "amod" and root.head.lemma_.lower() == noun:
            return 2.0
        # Not "oprd": "leaving 13 civilians *dead*" says nothing of the words before.
        return 1.0 if root.dep_ == "acomp" and noun in _described_lemmas(root) else 0.0
    if root.pos_ != "NOUN" or root.lemma_.lower() == noun:
        return 0.0
    if root.dep_ == "appos" and root.head.lemma_.lower() == noun:
        return 2.0  # "Ganja, *Azerbaijan's second-largest city*"
    of_noun = [
        p
        for c in root.children
        if c.dep_ == "prep" and c.lower_ == "of"
        for p in c.children
        if p.dep_ == "pobj" and p.lemma_.lower() == noun
    ]
    return 2.0 if of_noun and span.start <= of_noun[0].i < span.end else 0.0


def prefer_description(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "How did X describe Y?" and "What did X call Y?": a best answer that says
    nothing of what Y is ("this place" for "How did Pompeo describe the fight over
    Nagorno-Karabakh?") swaps places with a nearby one that does ("historic", of "this
    *historic* fight"); see ``_describes``."""
    noun = _described_noun(candidates.question)
    if noun is None or not len(logits):
        return logits

    def fit(i: int) -> float:
        return _describes(candidates.candidates[i].span, noun)

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _CALLED_MARGIN), fit)


# How far below a best modifier ("Stalinist") the phrase it modifies may be ranked and take
# its place for a "who" question.
_MODIFIED_MARGIN = 3.0
_WHO_TYPES = {FineType.PERSON, FineType.ORGANIZATION}


def prefer_modified_noun(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "who": a best word that only modifies a common noun ("Stalinist" in "the
    Stalinist bureaucracy") swaps places with that noun's phrase, which is who acts; a
    nationality word names no one."""
    if candidates.question.fine_type not in _WHO_TYPES or not len(logits):
        return logits
    best = int(np.argmax(logits))
    span = candidates.candidates[best].span
    head = span.root.head
    if len(span) != 1 or span.root.dep_ not in {"amod", "compound"} or head.pos_ != "NOUN":
        return logits
    near = _near(logits, best, _MODIFIED_MARGIN)
    phrases = [
        i
        for i in near
        if candidates.passage_of[i] == candidates.passage_of[best]
        and candidates.candidates[i].span.root.i == head.i
        and candidates.candidates[i].span.end == head.i + 1
    ]
    if not phrases:
        return logits
    return swapped(logits, best, max(phrases, key=lambda i: logits[i]))


def rerank(logits: np.ndarray, candidates: CandidateSet, use_embeddings: bool) -> np.ndarray:
    """The trees' ``logits`` with every reading above applied, in order.

    ``use_embeddings`` is False only in ablations without the MiniLM features, which the
    kind-fit reading needs.
    """
    logits = masked_logits(logits, candidates.features, candidates.question.fine_type)
    logits[names_a_participant(candidates)] = logits.min() - 30.0
    # Only when something else is left: else the best one's confidence is discounted.
    for passed_over in (
        of_other_ones(candidates),
        untimed(candidates),
        unmeasured(candidates),
        unreasoned(candidates),
        names_the_asked_country(candidates),
        unsaid(candidates),
        people_for_a_place(candidates),
        repeats_for_a_place(candidates),
    ):
        if not passed_over.all():
            logits[passed_over] = logits.min() - 30.0
    if candidates.question.wh in {"how old", "how long", "how far"}:
        logits[days_of_month(candidates)] = logits.min() - 30.0
    if candidates.question.fine_type is FineType.NUMBER:
        logits[years(candidates)] = logits.min() - 30.0
    logits = prefer_counted(logits, candidates)
    logits = prefer_measured(logits, candidates)
    # Before the whole-list reading: it may swap in one name of the list set there.
    logits = prefer_asked_place(logits, candidates)
    logits = prefer_whole_list(logits, candidates)
    logits = prefer_actor(logits, candidates)
    if use_embeddings:
        logits = prefer_fitting_kind(logits, candidates)
    logits = prefer_name_of_kind(logits, candidates)
    logits = prefer_name_on_kind(logits, candidates)
    logits = prefer_labelled_name(logits, candidates)
    # After the kind readings: a word like the kind ("bodies" for "which body") is weaker
    # evidence than the role the sentence gives a phrase.
    logits = prefer_doer(logits, candidates)
    logits = prefer_stranded_object(logits, candidates)
    logits = prefer_own_setting(logits, candidates)
    logits = prefer_possessor(logits, candidates)
    logits = prefer_kind_modifier(logits, candidates)
    logits = prefer_speaker(logits, candidates)
    logits = prefer_sayer(logits, candidates)
    logits = prefer_all_actions(logits, candidates)
    logits = prefer_described_adjective(logits, candidates)
    logits = prefer_called_adjective(logits, candidates)
    logits = prefer_description(logits, candidates)
    logits = prefer_modified_noun(logits, candidates)
    return prefer_uncut_phrase(logits, candidates)


def states_purpose(span: Span) -> bool:
    """Whether a span says what something is for: "to allow an exchange of bodies", "in
    order to ...", "so that ...", "so as to ..."."""
    words = [t.lower_ for t in span[:3]]
    if len(words) >= 2 and words[0] == "to" and span[1].pos_ in {"VERB", "AUX", "ADV"}:
        return True
    return words[:2] in (["so", "that"], ["in", "order"], ["so", "as"])


_SPEAKER_FACTOR = 0.02
# Verbs a speaker may be said to do ("Who criticized Ankara?" is answered by who stated
# it), and verbs of holding or giving, which a speaker does as well ("gave an interview",
# "has ties to").
_SPEECH_ACTS = SAY_VERBS | {
    "describe", "call", "criticize", "criticise", "condemn", "blame", "accuse", "praise",
    "urge", "deny", "confirm", "predict", "explain", "quote", "cite", "ask", "speak", "talk",
    "have", "give", "hold", "keep", "grant",
}  # fmt: skip


def only_tells(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "Who <did something>?" is only the one who tells of it:
    "US military analyst Rob Lee *told* Al Jazeera that ... drones have affected Armenian
    forces" does not say Lee shot the drones down."""
    asked = _asked(candidates)
    if asked is None or asked[1] is not WhRole.SUBJECT or asked[0] in _SPEECH_ACTS:
        return False
    verbs = _subject_verbs(candidates.candidates[best].span.root)
    return bool(verbs) and all(v.lemma_.lower() in SAY_VERBS for v in verbs)


def _countries_of(noun: Token) -> set[str]:
    """The countries that say whose ``noun`` is: "Iran's defense ministry", "the Russian
    Defense Ministry", "fighters from Syrian militias"."""
    words = _qualifiers(noun) + [c for c in noun.children if c.dep_ == "poss"]
    # "Defense" of "the Russian Defense Ministry" is a compound with its own modifiers.
    words += [m for w in list(words) if w.dep_ == "compound" for m in w.children]
    return {c for w in words for c in [_country(w)] if c}


def _alike_verbs(a: str, b: str) -> bool:
    return a == b or (a in SAY_VERBS and b in SAY_VERBS)


def done_by_another_country(candidates: CandidateSet, best: int) -> bool:
    """Whether the sentence of the best answer has the question's verb done by the
    question's subject of another country, and by none of the asked one: "The *Russian*
    Defense Ministry stated that ..." for "What did Iran's defense ministry say?",
    "*Armenian* forces had fired missiles on Ganja" for "Which city did Azeri forces hit
    with missiles?" would need "hit" to be "fire", so only the same verb (or two verbs of
    saying) counts."""
    question = candidates.question
    if question.governor < 0 or question.role is WhRole.SUBJECT:
        return False
    verb = question.doc[question.governor]
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.pos_ in {"NOUN", "PROPN"}]
    if len(subjects) != 1:
        return False
    subject = subjects[0]
    asked = _countries_of(subject)
    if not asked:
        return False
    said: set[str] = set()
    for token in _sentence_of(candidates, best):
        if token.pos_ not in {"VERB", "AUX"} or not _alike_verbs(
            token.lemma_.lower(), verb.lemma_.lower()
        ):
            continue
        for doer in token.children:
            if doer.dep_ != "nsubj":
                continue
            # "1,300 fighters from Syrian militias and 150 fighters from Libyan militias"
            for one in (doer, *doer.conjuncts):
                # The noun, or a title on a name: "Turkish Defense *Minister* Hulusi Akar".
                titles = [
                    c
                    for c in one.children
                    if c.dep_ == "compound" and c.lemma_.lower() == subject.lemma_.lower()
                ]
                if one.lemma_.lower() == subject.lemma_.lower() or titles:
                    said |= _countries_of(one) or {""}
    return bool(said) and not (said & asked)


# How far below the best the one who says it may be ranked and still answer "Who said X?".
_SAYER_MARGIN = 6.0


def prefer_sayer(logits: np.ndarray, candidates: CandidateSet) -> np.ndarray:
    """For "Who said / claimed / warned <what>?": a best answer that says nothing gives way
    to one ranked within 6 logits that is the subject of a verb of saying: "Fuad Shahbaz
    ... told Al Jazeera, 'We have seen Bayraktar drones actively used ... against ...
    Khalifa Haftar's Army'" answers "Who said Bayraktar drones had been used in Syria?",
    not "Khalifa Haftar". The scores are swapped."""
    question = candidates.question
    if question.role is not WhRole.SUBJECT or question.governor < 0 or not len(logits):
        return logits
    verb = question.doc[question.governor]
    if verb.lemma_.lower() not in SAY_VERBS or verb.i + 1 >= len(question.doc) - 1:
        return logits

    def fit(i: int) -> float:
        verbs = _subject_verbs(candidates.candidates[i].span.root)
        return float(any(v.lemma_.lower() in SAY_VERBS for v in verbs))

    best = int(np.argmax(logits))
    return _prefer_better_fit(logits, best, _near(logits, best, _SAYER_MARGIN), fit)


def names_a_thing(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "who" is a name used only to name a thing: "The
    *Elysée* presidential palace" says nothing of a person (the small tagger calls
    "Elysée" one), so it does not answer "Who is the French president?"."""
    if candidates.question.fine_type is not FineType.PERSON:
        return False
    root = candidates.candidates[best].span.root
    head = root.head
    return (
        root.pos_ == "PROPN"
        and root.dep_ in {"nmod", "compound"}
        and head.pos_ == "NOUN"
        and not names_people(head.lemma_.lower())
        and head.lemma_.lower() not in _PEOPLE_GROUPS
    )


def untyped(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "What kind of N ...?" says nothing of the N its
    sentence names: from "Armenian forces had fired missiles on Ganja", "Armenian forces"
    is no type of missile, and the sentence gives none. An answer that holds N ("a
    socialist struggle"), modifies it ("*Stalinist* bureaucracy") or is what N is said to
    be ("the drones were TB2s") gives one; a sentence without N may name a kind of it
    by another word ("drones" for "What kind of weapons ...?"), which is the ranker's to
    judge."""
    asked = _kind_asked(candidates.question)
    if asked is None:
        return False
    noun = asked.lemma_.lower()
    span = candidates.candidates[best].span
    named = [t for t in _sentence_of(candidates, best) if t.lemma_.lower() == noun]
    if not named:
        return False
    root = span.root
    for token in named:
        if span.start <= token.i < span.end or root in token.subtree:
            return False
        if token.head == root.head and token.head.lemma_ == "be":
            return False
    return True


def confidence_factor(candidates: CandidateSet, best: int, use_embeddings: bool) -> float:
    """What the best answer's calibrated confidence is multiplied by: 1, or a small factor
    when its sentence is about something else than the question asks."""
    question = candidates.question
    factor = 1.0
    # A purpose noun ("What was the purpose of X?") names the kind of answer, not an
    # attribute the sentence must name, when the answer says a purpose ("to allow ...").
    attribute = question.role is WhRole.ATTRIBUTE and not (
        question.fine_type is FineType.REASON and states_purpose(candidates.candidates[best].span)
    )
    if attribute and math.isnan(candidates.features[best, _INDEX["dep_dist_gov"]]):
        # "What is the capital of X": when the best span's sentence has no word for
        # "capital", the sentence is about something else, however well it matches X.
        factor *= _MISSING_ATTRIBUTE_FACTOR
    if use_embeddings and counts_something_else(candidates, best):
        factor *= _UNCOUNTED_FACTOR
    top = _sentence_of(candidates, best)
    if (
        other_ordinal(question, top)
        or other_rank(question, top)
        or of_another_one(question, top, candidates.candidates[best].span)
    ):
        factor *= _OTHER_ORDINAL_FACTOR
    if (
        only_tells(candidates, best)
        or done_by_another_country(candidates, best)
        or names_a_thing(candidates, best)
        or untyped(candidates, best)
    ):
        factor *= _SPEAKER_FACTOR
    if people_for_a_place(candidates)[best]:
        factor *= _NOT_A_PLACE_FACTOR  # "where" answered by people: no place was left
    unit = asked_time_unit(question)
    if unit is not None and not tells_time_unit(candidates.candidates[best].span, unit):
        factor *= _UNTIMED_FACTOR
    if unmeasured(candidates)[best]:
        factor *= _UNTIMED_FACTOR
    return factor
