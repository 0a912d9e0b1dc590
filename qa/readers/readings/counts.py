"""Readings of "how many".

Which number counts what the question counts: :func:`prefer_counted` gives the best
count's place to a near one whose own phrase names more of it ("two escort ships", not
"four warships"), and :func:`counts_something_else` tells the confidence reading when the
best count is of something else (another country's troops, a noun named only as a
modifier or with no number of its own, a count far from the counted noun);
:func:`stated_in_question` passes over a number the question itself gives.
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Span, Token

from qa.readers.features import CandidateSet
from qa.readers.question import FineType, Question
from qa.readers.readings.common import (
    _kind_fit,
    _names,
    _near,
    _once,
    _prefer_better_fit,
    _sentence_of,
    swapped,
)
from qa.readers.readings.countries import _country, _qualifiers
from qa.readers.readings.masks import allowed
from qa.readers.readings.measures import _TIME_UNITS

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


def _named_share(candidates: CandidateSet, i: int, wanted: list[set[str]]) -> float:
    """The share of what a "how many" question counts that candidate ``i``'s phrase names."""
    phrase = _counted_phrase(candidates.candidates[i].span, _sentence_of(candidates, i))
    return sum(1 for forms in wanted if _names(forms, phrase)) / len(wanted)


# A count whose own phrase names nothing of what is counted and whose words are this far
# from the counted noun in MiniLM's contextual space counts something else ("two" former
# republics, the "16" of October 16, for "how many people / troops"): counts of the right
# thing score 0.3 and up, even when the noun is left out ("dozens" wounded for "people").
_COUNT_FIT_MIN = 0.2


def stated_in_question(candidates: CandidateSet) -> np.ndarray:
    """Numbers the question itself states: "600" for "How many drone pilots were among
    the 600 Turkish troops?" is what the pilots are among, never how many they are. Only
    for a question that asks for a number; a candidate all of whose numbers the question
    holds."""
    question = candidates.question
    stated = {t.lower_ for t in question.doc if t.like_num and t.i != question.focus}
    if question.fine_type is not FineType.NUMBER or not stated:
        return np.zeros(len(candidates), dtype=bool)

    def given(span: Span) -> bool:
        numbers = [t.lower_ for t in span if t.like_num]
        return bool(numbers) and all(n in stated for n in numbers)

    # Asked again of the best answer by ``confidence_factor``: computed once.
    return _once(
        candidates,
        "stated_in_question",
        lambda: np.array([given(c.span) for c in candidates.candidates], dtype=bool),
    )


# "What is the death toll?" asks a count that sentences give with a word of dying.
_TOLL_NOUNS = {"toll"}
_DYING = {"death", "dead", "die", "kill", "fatality", "casualty", "perish"}


def _sentence_lemmas(candidates: CandidateSet, i: int) -> set[str]:
    """The lemmas (lower case) of candidate ``i``'s sentence, once per passage."""
    passage = candidates.passage_of[i]
    return _once(
        candidates,
        f"sentence_lemmas:{passage}",
        lambda: {t.lemma_.lower() for t in _sentence_of(candidates, i)},
    )


def tells_the_toll(candidates: CandidateSet, best: int) -> bool:
    """Whether the best answer to "What is the death toll of X?" is a count in a sentence
    that speaks of the dead ("leaving 13 civilians dead"): the asked attribute is said
    there in other words, and the sentence is about it."""
    question = candidates.question
    if question.fine_type is not FineType.NUMBER or question.governor < 0:
        return False
    if question.doc[question.governor].lemma_.lower() not in _TOLL_NOUNS:
        return False
    return bool(_DYING & _sentence_lemmas(candidates, best))


# Casualties, as questions ask for them and sentences give them: a count of the killed
# is said with a word of dying or losing ("lost 9 soldiers"), one of the wounded with a
# word of wounding.
_CASUALTY_WORDS = (_DYING | {"lose", "loss"}, {"wound", "injure", "injury", "hurt"})
# Who a count of casualties is of: civilians are not the military's dead, nor these theirs.
_MILITARY = {"military", "soldier", "troop", "army", "serviceman", "fighter", "combatant"}
_OPPOSED = {"civilian": _MILITARY, **{word: {"civilian"} for word in _MILITARY}}


def _untold_casualties(candidates: CandidateSet, best: int) -> bool:
    """Whether "How many X were killed / wounded?" is answered from a sentence that says
    no one was ("1,300 fighters ... had deployed" for "How many fighters have been
    killed?"), or by a count of the other casualties: "leaving 13 civilians dead,
    including *two* children, and dozens wounded" counts dead children, not wounded."""
    asked = {t.lemma_.lower() for t in candidates.question.doc}
    said = _sentence_lemmas(candidates, best)
    classes = [k for k, words in enumerate(_CASUALTY_WORDS) if words & asked]
    if any(not _CASUALTY_WORDS[k] & said for k in classes):
        return True
    own = _casualty_class(candidates.candidates[best].span.root)
    return len(classes) == 1 and own is not None and own != classes[0]


# The words on a verb or noun that say what befell the counted: "left 13 dead".
_CASUALTY_DEPS = {"oprd", "acomp", "amod", "xcomp", "ccomp"}


def _casualty_class(token: Token) -> int | None:
    """Which of ``_CASUALTY_WORDS`` the count at ``token`` is said with: the first word of
    dying or wounding up its tree, on the way or said of a word on it ("leaving 13
    civilians *dead*", "dozens *wounded*")."""
    for head in (token, *token.ancestors):
        for word in (head, *(c for c in head.children if c.dep_ in _CASUALTY_DEPS)):
            lemma = word.lemma_.lower()
            for k, words in enumerate(_CASUALTY_WORDS):
                if lemma in words:
                    return k
    return None


def _of_the_opposite(candidates: CandidateSet, best: int, focus: Token) -> bool:
    """Whether the counted noun is civilians and the sentence speaks only of the military
    ("their confirmed military losses to 710 deaths"), or the other way round."""
    opposed = _OPPOSED.get(focus.lemma_.lower())
    if not opposed:
        return False
    said = _sentence_lemmas(candidates, best)
    return bool(said & opposed) and focus.lemma_.lower() not in said


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
    if _untold_casualties(candidates, best) or _of_the_opposite(candidates, best, focus):
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
        if verb.pos_ in {"VERB", "AUX"}
        and verb.lemma_.lower() not in _LOSING_VERBS
        and not _of_their_own(verb)
        for subject in verb.children
        if subject.dep_ == "nsubj" and root not in subject.subtree
        for t in subject.subtree
    }
    return bool(named) and all(t.i in doers for t in named)


def _of_their_own(verb: Token) -> bool:
    """Whether the verb's object is its subject's own: "Armenian authorities increased
    *their* confirmed military losses to 710 deaths" counts the Armenians' dead."""
    return any(
        c.dep_ in {"dobj", "attr"}
        and any(g.dep_ == "poss" and g.pos_ == "PRON" for g in c.children)
        for c in verb.children
    )


def _names_only_a_modifier(candidates: CandidateSet, best: int, focus: Token) -> bool:
    """Whether the count's phrase names the counted noun only as a word on another noun:
    "600 Turkish troops including *drone* pilots" counts troops, not drones, and "four
    warships armed with cruise *missiles*" warships, not missiles."""
    forms = {focus.lemma_.lower(), focus.lower_}
    span = candidates.candidates[best].span
    tokens = _counted_tokens(span, _sentence_of(candidates, best))
    hits = [t for t in tokens if _names(forms, {t.lemma_.lower(), t.lower_})]
    if not hits:
        return False
    if all(
        t.dep_ == "compound" and not _names(forms, {t.head.lemma_.lower(), t.head.lower_})
        for t in hits
    ):
        return True
    # The noun the number counts, when it names something else, and holds every mention
    # deeper in its phrase: the asked noun itself, not one like it ("militiamen" are the
    # "fighters from Libyan militias").
    root = span.root
    counted = root.head if root.dep_ == "nummod" else None
    return (
        counted is not None
        and counted.pos_ == "NOUN"
        and not _names(forms, {counted.lemma_.lower(), counted.lower_})
        and all(
            t.i != counted.i and counted in t.ancestors and t.lemma_.lower() in forms for t in hits
        )
    )


_ARGUMENT_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "ROOT"}


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
    # Words that no count near the best names tell none of them apart: "in the first week
    # of October", which the parser may hang on the counted noun as a clause of its own.
    within = [best, *_near(logits, best, _NAMED_COUNT_MARGIN, among=ok)]
    phrases = [
        _counted_phrase(candidates.candidates[i].span, _sentence_of(candidates, i)) for i in within
    ]
    telling = [forms for forms in wanted if any(_names(forms, p) for p in phrases)]
    wanted = telling or wanted

    def share(i: int) -> float:
        return _named_share(candidates, i, wanted)

    # A count leaving out some of X gives way from further below to one naming all of it.
    if share(best) < 1:
        named = [i for i in _near(logits, best, _NAMED_COUNT_MARGIN, among=ok) if share(i) == 1]
        if named:
            return swapped(logits, best, max(named, key=lambda i: logits[i]))
    near = _near(logits, best, _COUNT_MARGIN, among=ok)
    return _prefer_better_fit(logits, best, near, share)
