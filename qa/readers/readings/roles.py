"""Readings of the role the wh-phrase plays to the question's verb.

The doer or object of the asked verb with the asked other participant, active or passive
(:func:`prefer_doer`), never that other participant (:func:`names_a_participant`); the
object of a stranded preposition (:func:`prefer_stranded_object`); the possessor for
"whose" (:func:`prefer_possessor`). The speaker readings read the asked verb and role
here (``_asked``).
"""

from __future__ import annotations

import numpy as np
from spacy.tokens import Token

from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import CandidateSet
from qa.readers.question import WH_WORDS, Question, WhRole
from qa.readers.readings.common import (
    _ACTION_KINDS,
    _PHRASE_TYPES,
    _names,
    _near,
    _once,
    _prefer_better_fit,
    _sentence_of,
)
from qa.readers.readings.masks import allowed
from qa.readers.readings.places import _elsewhere, _named_settings
from qa.readers.readings.syntax import _naming_forms, _subject_verbs

# How far below the best the doer (or object) of the question's own verb may be ranked and
# still take its place: the match of verb, role and the other participant is evidence the
# trees, trained on questions worded like their sentences, weigh little when the voice or
# the word order changes.
_DOER_MARGIN = 12.0
_LIGHT_VERBS = {"be", "have", "do", "get", "make", "take", "say"}


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
