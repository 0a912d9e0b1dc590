"""Parse-tree helpers that readings of several modules share.

Who does a verb (``_actor``, climbing the links that share a subject and reading relative
pronouns through ``_antecedent``), the verbs a noun is the subject of (``_subject_verbs``,
with the subject the small parser hangs on a fronted phrase and the relative clauses a
noun heads), the words naming a noun, and the named subject of the question's verb. The
role, place, setting, speaker, list and description readings read the parse alike, so
the helpers live here, below all of them.
"""

from __future__ import annotations

from spacy.tokens import Token

from qa.readers.question import WH_WORDS, Question

_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Links through which a verb shares its subject: "able to *defend*", "stepped in and *provided*".
_SUBJECT_SHARING = {"xcomp", "acomp", "conj"}
_RELATIVE_PRONOUNS = {"who", "which", "that"}


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


_NAMING_DEPS = {"compound", "amod"}


def _naming_forms(token: Token) -> set[str]:
    """Forms of a noun and the words naming it ("Bayraktar drones"), not its phrases."""
    return {
        form
        for t in (token, *(c for c in token.children if c.dep_ in _NAMING_DEPS))
        if t.is_alpha and not t.is_stop
        for form in (t.lemma_.lower(), t.lower_)
    }


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


def _subject_verbs(root: Token) -> list[Token]:
    """The verbs a noun is the subject of: as "nsubj", as the subject the parser hung on a
    fronted phrase (``_fronted_subject_verb``), or as the "which" of a relative clause."""
    verbs = [root.head] if root.dep_ == "nsubj" else []
    fronted = _fronted_subject_verb(root)
    return verbs + ([fronted] if fronted is not None else []) + _relative_clauses(root)


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


def _named_subject(question: Question) -> set[str] | None:
    """Forms of the subject of the question's verb, when it names someone (no pronoun and
    no wh-word): {"moscow"} for "Where does Moscow have troops stationed?"."""
    subject, _ = _actor(question.doc[question.governor])
    if subject is None or subject.pos_ == "PRON" or subject.lower_ in WH_WORDS:
        return None
    return _actor_forms(subject)
