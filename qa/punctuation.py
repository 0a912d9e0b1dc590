"""Answer spans with whole brackets and quotation marks.

A reader's span follows token boundaries, which may fall inside a bracket or a quotation:
the article's "[Azeri President Ilham] Aliyev" gives spaCy the person "Ilham] Aliyev",
and a clause may open a quotation that closes after it (wanted the two sides to "get the
ceasefire right). :func:`balance_marks` mends such a span by the smallest change in words:
it widens the span to the mark's partner, cuts the span at the mark, or drops a mark at
its edge, so an answer never shows half a pair. The span stays a slice of the passage, so
its quote is still verbatim.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.answers import ExtractedAnswer

# Opening -> closing. Single quotes are left alone: "’" is also the apostrophe.
_PAIRS = {"[": "]", "(": ")", "{": "}", "“": "”"}
_CLOSING = {close: open_ for open_, close in _PAIRS.items()}
_STRAIGHT = '"'
_MARKS = frozenset([*_PAIRS, *_CLOSING, _STRAIGHT])
_WORD = re.compile(r"\w+")


def unpaired_mark(text: str, start: int, end: int) -> tuple[int, int, bool] | None:
    """The first mark of ``text[start:end]`` whose partner is outside it: its position,
    the partner's (-1 when ``text`` does not hold it) and whether it opens."""
    stack: list[int] = []
    for i in range(start, end):
        char = text[i]
        if char in _PAIRS:
            stack.append(i)
        elif char in _CLOSING:
            if stack and text[stack[-1]] == _CLOSING[char]:
                stack.pop()
            else:
                partner = text.rfind(_CLOSING[char], 0, start)
                if partner >= 0 and text.find(char, partner, start) >= 0:
                    partner = -1  # that opening mark is closed before the span
                return i, partner, False
    if stack:
        i = stack[0]
        partner = text.find(_PAIRS[text[i]], end)
        if partner >= 0 and text.find(text[i], end, partner) >= 0:
            partner = -1
        return i, partner, True
    quotes = [i for i, char in enumerate(text) if char == _STRAIGHT]
    for k, i in enumerate(quotes):
        # Straight quotes pair up in order through the passage.
        if start <= i < end:
            other = k + 1 if k % 2 == 0 else k - 1
            partner = quotes[other] if 0 <= other < len(quotes) else -1
            if not start <= partner < end:
                return i, partner, k % 2 == 0
    return None


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _changed_words(text: str, old: tuple[int, int], new: tuple[int, int]) -> int:
    """Words added to or taken from the span ``old`` to make ``new``."""
    (a, b), (c, d) = old, new
    return _words(text[min(a, c) : max(a, c)]) + _words(text[min(b, d) : max(b, d)])


def balance_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` with every bracket and quotation mark in it paired.

    For a mark whose partner lies outside the span, the span is widened to the partner,
    cut at the mark (keeping the side without the pair's inside) or, at its edge, loses the
    mark: whichever adds or removes fewest words, widening first on a tie. A mark whose
    partner is not in ``text`` at all (a quotation that runs on into the next sentence)
    is only dropped at an edge.

    Args:
        text: the passage the span belongs to (one sentence, usually).
        start: the span's first character in ``text``.
        end: one past the span's last character.

    Returns:
        The new ``(start, end)``; the span itself when nothing needs mending.

    Example:
        >>> text = "captured by [Azeri President Ilham] Aliyev's forces"
        >>> s, e = balance_marks(text, text.index("Ilham"), text.index("'s"))
        >>> text[s:e]
        'Aliyev'
        >>> text = "pick up these small [drones] at all"
        >>> s, e = balance_marks(text, text.index("these"), text.index("]"))
        >>> text[s:e]
        'these small [drones]'
    """
    # Each round mends one mark; a widening can take in another mark's half.
    for _ in range(6):
        mark = unpaired_mark(text, start, end)
        if mark is None:
            break
        i, partner, opening = mark
        options = []
        if partner >= 0:
            options.append((partner, end) if not opening else (start, partner + 1))
            options.append((start, i) if opening else (i + 1, end))
        if i == start or i == end - 1:
            options.append((i + 1, end) if i == start else (start, i))
        options = [_strip(text, *o) for o in options]
        options = [o for o in options if _words(text[o[0] : o[1]])]
        if not options:
            break
        # min() keeps the first of equals: widening, then cutting, then dropping.
        start, end = min(options, key=lambda o: _changed_words(text, (start, end), o))
    return start, end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Without spaces at either end (a cut can leave one)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def balanced_answer(answer: ExtractedAnswer) -> ExtractedAnswer:
    """``answer`` with :func:`balance_marks` applied within its passage (the same object
    when nothing changes)."""
    passage = answer.passage
    start, end = answer.start - passage.start, answer.end - passage.start
    if _MARKS.isdisjoint(answer.text) or not 0 <= start <= end <= len(passage.text):
        return answer
    new_start, new_end = balance_marks(passage.text, start, end)
    if (new_start, new_end) == (start, end):
        return answer
    return replace(
        answer,
        text=passage.text[new_start:new_end],
        start=passage.start + new_start,
        end=passage.start + new_end,
    )


def balanced_answers(answers: list[ExtractedAnswer]) -> list[ExtractedAnswer]:
    """:func:`balanced_answer` of each, best first, without the spans it made twice (a
    name widened to its bracketed title may already be a candidate of its own)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for answer in map(balanced_answer, answers):
        key = (answer.document_id, answer.start, answer.end)
        if key not in seen:
            seen.add(key)
            out.append(answer)
    return out
