"""British and American spellings of the same word, compared as one.

The article writes "Turkish *Defense* Minister" and "air *defence* systems"; a reader
asks "Who is the Turkish defence minister?". Titles are matched word for word
(`qa.definitions`), so the two spellings must be one word there. A closed table of the
variants news English uses, not a rule: "-our" -> "-or" would make "four" "for". A
question is also written in the documents' own spelling (:class:`DocumentSpelling`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# British -> American.
_VARIANTS = {
    "defence": "defense", "offence": "offense", "licence": "license", "pretence": "pretense",
    "centre": "center", "theatre": "theater", "metre": "meter", "kilometre": "kilometer",
    "litre": "liter", "fibre": "fiber", "calibre": "caliber", "spectre": "specter",
    "labour": "labor", "honour": "honor", "favour": "favor", "colour": "color",
    "neighbour": "neighbor", "armour": "armor", "harbour": "harbor", "rumour": "rumor",
    "behaviour": "behavior", "endeavour": "endeavor", "vigour": "vigor", "valour": "valor",
    "organisation": "organization", "organise": "organize", "programme": "program",
    "catalogue": "catalog", "analyse": "analyze", "jewellery": "jewelry", "grey": "gray",
    "aluminium": "aluminum", "mould": "mold", "plough": "plow", "sceptic": "skeptic",
}  # fmt: skip


def american(word: str) -> str:
    """``word`` (lower case) in its American spelling, when it has a British one in the
    table; otherwise as it is.

    Example:
        >>> american("defence"), american("centres"), american("defense"), american("four")
        ('defense', 'centers', 'defense', 'four')
    """
    found = _VARIANTS.get(word)
    if found is not None:
        return found
    # The plural or the possessive of one: "centres", "labour's".
    for ending in ("s", "'s"):
        stem = word[: -len(ending)]
        if word.endswith(ending) and stem in _VARIANTS:
            return _VARIANTS[stem] + ending
    return word


_BRITISH = {us: uk for uk, us in _VARIANTS.items()}
_WORD = re.compile(r"[^\W\d_]+")


class DocumentSpelling:
    """A question's words in the spelling the documents use: "air defense systems" is
    asked of an article that writes "air defence systems", and retrieval and the reader
    match words as they are written.

    Only a word the documents never write, whose other spelling they do, is changed.

    Args:
        words: the documents' words (any case).

    Example:
        >>> DocumentSpelling(["air", "defence", "Center"]).run("Where is the defense centre?")
        'Where is the defence center?'
    """

    def __init__(self, words: Iterable[str]) -> None:
        self.vocabulary = {word.lower() for word in words}

    def run(self, question: str) -> str:
        """``question`` with each word the documents spell the other way spelled theirs."""

        def spelled(found: re.Match[str]) -> str:
            word = found.group()
            lower = word.lower()
            if lower in self.vocabulary:
                return word
            other = _VARIANTS.get(lower) or _BRITISH.get(lower)
            if other is None or other not in self.vocabulary:
                return word
            return other.capitalize() if word[0].isupper() else other

        return _WORD.sub(spelled, question)
