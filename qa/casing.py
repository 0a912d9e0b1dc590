"""Names written in lower case in a question, given the case the documents write them in.

People type "how did pompeo describe the situation": the small spaCy model tags a
lower-case "pompeo" a verb or a common noun, the parse around it goes wrong, and with it
every reading of the question (the question's subject, its verb, what it asks for). The
documents' parses say how the word is written: a word they never write in lower case is
a name when the parser takes it for a word of a person's name ("Sergey Lavrov"), or
when they capitalise it on its own inside a sentence ("in Moscow", "the disputed
Nagorno-Karabakh enclave"); the question's lower-case copy of it is written so before
the question is parsed. Words the documents also write in lower case ("state"), and
those capitalised only inside a longer name ("Group" of "the Minsk Group", "Centre" of
"the Centre for Strategic Communications", "Sea" of "the Caspian Sea"), which a
question means as the common words they are ("which urban centre"), are left as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc, Token

# A word of letters, with inner hyphens and apostrophes ("nagorno-karabakh", "moscow's").
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_PART = re.compile(r"[^\W\d_]+")
# Small words inside a name: "Centre *for* Strategic Communications", "Secretary *of* State".
_NAME_LINKS = {"of", "for", "de", "del", "la", "al"}


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper()


def _in_longer_name(token: Token) -> bool:
    """Whether ``token`` stands beside another capitalised word (a sentence's first word
    aside, which any word may be), or before a link into one ("Centre for ...")."""
    doc = token.doc
    for j in (token.i - 1, token.i + 1):
        if 0 <= j < len(doc) and _capitalised(doc[j]) and not doc[j].is_sent_start:
            return True
    after = token.i + 2
    return after < len(doc) and doc[token.i + 1].lower_ in _NAME_LINKS and _capitalised(doc[after])


class ProperCasing:
    """The case the documents give their names, applied to a question's lower-case words.

    Args:
        docs: the documents' spaCy parses.

    Example:
        >>> from qa.nlp import load_spacy
        >>> nlp = load_spacy()
        >>> casing = ProperCasing([nlp("Then Mike Pompeo spoke. The Minsk Group met.")])
        >>> casing.run("what did pompeo tell the group?")
        'what did Pompeo tell the group?'
    """

    def __init__(self, docs: Iterable[Doc]) -> None:
        names: dict[str, str] = {}
        lower: set[str] = set()
        for doc in docs:
            for token in doc:
                if not token.is_alpha:
                    continue
                if token.text.islower():
                    lower.add(token.text)
                # Not an acronym ("US", which a question may mean as "us").
                elif _capitalised(token) and not token.text.isupper():
                    alone = not token.is_sent_start and not _in_longer_name(token)
                    # A person's name is names all through ("Sergey Lavrov"); a place's
                    # may end in a common word ("the Caspian Sea", "the Soviet Union").
                    person = token.ent_type_ == "PERSON" and token.pos_ == "PROPN"
                    if person or alone:
                        names.setdefault(token.lower_, token.text)
        self.names = {low: word for low, word in names.items() if low not in lower}

    def run(self, question: str) -> str:
        """``question`` with each word that is all lower case and a name of the documents
        (each part of a hyphenated one) written in their case; everything else as typed."""

        def cased(found: re.Match[str]) -> str:
            word = found.group()
            if not word.islower():
                return word
            return _PART.sub(lambda part: self.names.get(part.group(), part.group()), word)

        return _WORD.sub(cased, question)
