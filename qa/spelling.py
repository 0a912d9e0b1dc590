"""British and American spellings of the same word, compared as one.

The article writes "Turkish *Defense* Minister" and "air *defence* systems"; a reader
asks "Who is the Turkish defence minister?". Titles are matched word for word
(`qa.definitions`), so the two spellings must be one word there. A closed table of the
variants news English uses, not a rule: "-our" -> "-or" would make "four" "for".
"""

from __future__ import annotations

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
