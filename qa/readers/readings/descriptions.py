"""Readings of what a sentence says a thing is.

For an adjective question, the adjective said of what the question names
(:func:`prefer_described_adjective`); for "What did X call Y?", an adjective said of Y
(:func:`prefer_called_adjective`); for "How did X describe Y?", a word on Y, a phrase in
apposition to it or "N of a Y" (:func:`prefer_description`).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span, Token

from qa.readers.features import CandidateSet
from qa.readers.question import WH_WORDS, FineType, Question, WhRole
from qa.readers.readings.common import _best_rooted, _near, _prefer_better_fit
from qa.readers.readings.syntax import _SUBJECT_DEPS

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
