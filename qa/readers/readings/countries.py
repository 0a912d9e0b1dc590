"""Readings of the countries a question and its answers are of.

A "which <nationality> <kind>" question is not answered by that country alone
(:func:`names_the_asked_country`), and a best answer whose sentence has the asked verb
done by the asked doer of another country (:func:`done_by_another_country`) is about
something else. The country helpers (``_country``, ``_qualifiers``) serve the count
readings too.
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span, Token

from qa.gazetteer import country_of
from qa.readers.features import CandidateSet
from qa.readers.question import SAY_VERBS, WhRole
from qa.readers.readings.common import _sentence_of


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


def _country(word: Token) -> str | None:
    """The country a nationality or country word names ("Azeri", "Turkish", "Syria")."""
    return country_of(word.lower_) if word.pos_ in {"ADJ", "PROPN"} else None


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
    "*Armenian* forces had fired missiles on Ganja" for "How many civilians were killed
    when *Azeri* forces fired missiles?" (a clause of the question's counts as well).
    "Which city did Azeri forces hit with missiles?" would need "hit" to be "fire", so
    only the same verb (or two verbs of saying) counts."""
    question = candidates.question
    if question.governor < 0:
        return False
    governor = question.doc[question.governor]
    # The asked verb, unless the wh-phrase is its subject; and the verbs of its clauses.
    verbs = [] if question.role is WhRole.SUBJECT else [governor]
    verbs += [
        t
        for t in question.doc
        if t.pos_ == "VERB" and t.dep_ in {"advcl", "relcl"} and t.i != governor.i
    ]
    sentence = _sentence_of(candidates, best)
    return any(_done_by_another(verb, sentence) for verb in verbs)


def _done_by_another(verb: Token, sentence: Span) -> bool:
    """Whether ``sentence`` has ``verb`` (a question's) done by its subject's noun of
    another country only."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.pos_ in {"NOUN", "PROPN"}]
    if len(subjects) != 1:
        return False
    subject = subjects[0]
    asked = _countries_of(subject)
    if not asked:
        return False
    said: set[str] = set()
    for token in sentence:
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
