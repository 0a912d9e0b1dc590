"""Readings of the kind of thing a question asks for.

For "which <kind>": a name clearly of the kind (:func:`prefer_fitting_kind`), the name a
kind phrase gives ("the city of Idlib", "Syria's Afrin province":
:func:`prefer_name_of_kind`, :func:`prefer_name_on_kind`) and the name its sentence calls
the kind (:func:`prefer_labelled_name`); for "what kind of N", the words that say which N
(:func:`prefer_kind_modifier`), and no answer that says nothing of the N its sentence
names (:func:`untyped`). A "who" answer that is only a name on a thing
(:func:`names_a_thing`) is discounted like an untyped one, and so is an answer with no
name to "What are the names of ...?" (:func:`unnamed`).
"""

from __future__ import annotations

import re

import numpy as np
from spacy.tokens import Span, Token

from qa.nlp import MEASURE_LABELS
from qa.readers.candidates import Candidate, name_on
from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import WH_WORDS, FineType, Question, names_people, of_object
from qa.readers.readings.common import (
    _NAMED_KINDS,
    _PEOPLE_GROUPS,
    _kind_fit,
    _near,
    _once,
    _sentence_of,
    _swapped_to,
    swapped,
)

# "Which radio station": a name whose contextual vectors (its head, or the words next to
# it) stay under 0.2 cosine from the kind word is likely of another kind ("State"); names
# of the kind mostly score 0.25 and up. Not a reason to abstain: correct names score low
# too ("the so-called Minsk Group" for "which mediating body", 0.05).
_KIND_FIT_MIN = 0.2
_KIND_FIT_CLEAR = 0.25
# How far below an unfit best a name that clearly fits may be ranked and take its place.
_KIND_MARGIN = 4.0


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
    # Never a name the question holds already ("Russia" of "Which areas of Russia"),
    # which the masks passed over.
    novel = candidates.features[:, _INDEX["novel_words"]] > 0
    # A name inside the best phrase is kept there: "NATO-backed *Islamist* militias" for
    # "which militias" says the kind word with all its modifiers.
    outer = candidates.candidates[best].span
    near = [
        i
        for i in _near(logits, best, _LABELLED_MARGIN)
        if candidates.passage_of[i] == candidates.passage_of[best]
        and not outer.start <= candidates.candidates[i].span.start < outer.end
        and novel[i]
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
        and novel[i]
        and labelled(i)
        and _named_in_full(candidates.candidates[i].span, question)
        and _holding_logit(logits, candidates, i) >= floor
    ]
    if not near:
        return logits
    return swapped(logits, best, max(near, key=lambda i: logits[i]))


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


# "What are the names of the four warships?", "What was the name of the ship?"
_ASKS_NAMES = re.compile(r"^\W*what\s+(?:is|are|was|were)\s+the\s+names?\s+of\b", re.I)


def unnamed(candidates: CandidateSet) -> np.ndarray:
    """For "What are the names of ...?": the candidates that hold no proper noun ("military
    exercises"), which name nothing however well their sentence matches."""
    if not _ASKS_NAMES.match(candidates.question.text):
        return np.zeros(len(candidates), dtype=bool)
    # Asked again of the best answer by ``confidence_factor``: computed once.
    return _once(
        candidates,
        "unnamed",
        lambda: np.array(
            [not any(t.pos_ == "PROPN" for t in c.span) for c in candidates.candidates],
            dtype=bool,
        ),
    )
