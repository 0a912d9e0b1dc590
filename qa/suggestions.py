"""Suggested questions for any document, each one checked against the service.

``QuestionSuggester`` turns body sentences of a document into questions with the rule
generator the learned reader is trained with (:class:`qa.readers.synthetic.QuestionGenerator`),
keeps the short, natural-looking ones spread over the document, and then asks the service
each of them: only a question that the service answers (no abstention) with a span that
overlaps the generated answer is suggested. So a suggestion is never a question the page
would then fail to answer.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Span

from qa.answers import QAResult
from qa.indexing import LoadedIndex
from qa.readers.synthetic import QuestionGenerator, SyntheticQuestion

logger = logging.getLogger(__name__)

_WH = {"who", "what", "when", "where", "which", "how", "why"}
# "In which place ...", "To which place ...": the generator's fronted-preposition form.
_FRONTED = {"in", "to", "from", "at", "near", "into"}
# Rules whose questions read naturally and whose answers are short, best first; the rest
# ("action", "statement", "manner", ...) tend to be vague ("What did X do?") or long.
_RULE_RANK = {
    "title": 0,
    "number": 1,
    "time": 1,
    "place": 2,
    "apposition": 2,
    "subject": 3,
    "object": 3,
    "pobj": 4,
    "attribute": 4,
    "reason": 5,
    "statement": 6,
    "adjective": 6,
    "manner": 7,
    "action": 7,
}
# Anything beyond words, digits, inner apostrophes, hyphens and commas is a sign the
# generator copied quotes, brackets or sentence punctuation into the question.
_ODD_CHARACTERS = re.compile(r"[^\w\s'’,\-]")
# Tokenisation seams that leak into generated text: "n't" split off, "What 's", " ,".
_SEAMS = re.compile(r"\s(n't|'s|'re|'ve|'ll|'d|,)(\s|$)|,,|\s-\s")
_LEADING_DETERMINERS = {"The", "A", "An", "This", "These", "That", "Those"}
# A pronoun points at something outside the question ("When are the ones we've seen
# destroyed?"): a suggestion has to stand alone.
_PRONOUNS = {
    "i",
    "me",
    "my",
    "we",
    "us",
    "our",
    "you",
    "your",
    "he",
    "him",
    "his",
    "she",
    "her",
    "they",
    "them",
    "their",
    "it",
    "its",
    "we've",
    "we're",
    "i'm",
    "you're",
    "they're",
    "it's",
    "he's",
    "she's",
}


class _Asker(Protocol):
    """What the suggester needs of :class:`qa.service.QAService`."""

    @property
    def index(self) -> LoadedIndex: ...

    def ask(self, question: str, *, document_id: str | None = None) -> QAResult: ...


@dataclass(frozen=True)
class Suggestion:
    """A question the service answers, with the answer it gives.

    ``answer == document.text[start:end]`` (offsets of the document's text, in characters).
    """

    question: str
    answer: str
    start: int
    end: int


@dataclass(frozen=True)
class _Candidate:
    question: str
    start: int
    """Answer span the generator meant, in document offsets."""
    end: int
    sentence: int
    """Position of the sentence within the document (0 = first body sentence)."""
    rule: str
    rank: tuple[int, int]


class QuestionSuggester:
    """Suggest up to ``max_suggestions`` questions about one document that the service answers.

    Candidates come from at most ``max_sentences`` body sentences spread evenly over the
    document; they are filtered for readability, ordered so that each part of the
    document gets its turn, and asked one by one (at most ``max_asks`` questions) until
    enough are answered. Results are cached per (index build, document) in a bounded LRU,
    so a document's suggestions are computed once per build.

    Args:
        max_suggestions: how many questions to return at most.
        max_asks: how many candidate questions to ask the service at most per document.
        max_sentences: how many body sentences to generate questions from at most.
        max_words: skip questions longer than this many words.
        min_words: skip questions shorter than this many words.
        seed: seed of the generator's random choices (the result is deterministic).
        cache_size: how many (build, document) results to keep.

    Example:
        >>> suggester = QuestionSuggester(max_suggestions=4)
        >>> suggester.run(service, "armenian-azeri-war-2020-10-18")  # doctest: +SKIP
        [Suggestion(question='Who is the Russian Foreign Minister?', answer='Sergey Lavrov', ...)]
    """

    def __init__(
        self,
        max_suggestions: int = 4,
        max_asks: int = 24,
        max_sentences: int = 64,
        max_words: int = 12,
        min_words: int = 4,
        seed: int = 13,
        cache_size: int = 256,
    ) -> None:
        self.max_suggestions = max_suggestions
        self.max_asks = max_asks
        self.max_sentences = max_sentences
        self.max_words = max_words
        self.min_words = min_words
        self.seed = seed
        self.cache_size = cache_size
        self.generator = QuestionGenerator()
        self._cache: OrderedDict[tuple[str, str], list[Suggestion]] = OrderedDict()
        self._lock = threading.Lock()
        # One lock per key being computed: concurrent requests for the same document wait
        # for the first instead of asking the same questions again.
        self._computing: dict[tuple[str, str], threading.Lock] = {}
        self.asks = 0
        """Questions asked of the service so far (all documents); for tests and logs."""

    def run(self, service: _Asker, document_id: str) -> list[Suggestion]:
        """The suggestions for ``document_id`` (empty for an unknown document or none found)."""
        index = service.index
        if document_id not in index.documents:
            return []
        key = (index.build_id, document_id)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return list(self._cache[key])
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._cache:
                    return list(self._cache[key])
            try:
                found = self._suggest(service, index, document_id)
                self._remember(key, found)  # before the key stops counting as in progress
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return list(found)

    def _remember(self, key: tuple[str, str], found: list[Suggestion]) -> None:
        with self._lock:
            self._cache[key] = found
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    # -- candidates --------------------------------------------------------------------------

    def candidates(self, index: LoadedIndex, document_id: str) -> list[list[_Candidate]]:
        """Readable candidate questions, grouped by stretch of the document, best first.

        The body sentences are cut into ``max_suggestions`` consecutive stretches, so that
        the suggestions can come from every part of the document.
        """
        rows = index.sentences_by_document.get(document_id, [])
        if not rows or document_id not in index.body_starts:
            return []
        offset = index.body_starts[document_id]
        text = index.documents[document_id].text
        per_sentence: list[list[_Candidate]] = []
        seen_questions: set[str] = set()
        for position in _spread(len(rows), self.max_sentences):
            span = index.sentence_parse(index.sentences[rows[position]])
            if span is None or len(span) == 0:
                continue
            # One generator per sentence, so a sentence's questions do not depend on which
            # other sentences were picked.
            rng = random.Random(self.seed * 1_000_003 + position)
            found = []
            for generated in self.generator.run(span, rng):
                candidate = self._candidate(generated, span, text, offset, position)
                if candidate is None or _normalise(candidate.question) in seen_questions:
                    continue
                seen_questions.add(_normalise(candidate.question))
                found.append(candidate)
            if found:
                per_sentence.append(found)
        parts = max(1, min(self.max_suggestions, len(per_sentence)))
        stretches: list[list[_Candidate]] = [[] for _ in range(parts)]
        for i, found in enumerate(per_sentence):
            stretches[i * parts // len(per_sentence)].extend(found)
        for stretch in stretches:
            stretch.sort(key=lambda c: (c.rank, c.sentence, c.question))
        return stretches

    def _candidate(
        self, generated: SyntheticQuestion, span: Span, text: str, offset: int, position: int
    ) -> _Candidate | None:
        question = generated.question
        words = question.rstrip("?").split()
        if not (self.min_words <= len(words) <= self.max_words):
            return None
        first = words[0].lower()
        if first not in _WH and not (first in _FRONTED and words[1].lower() == "which"):
            return None
        body = question[:-1] if question.endswith("?") else question
        if question.count("?") != 1 or _ODD_CHARACTERS.search(body) or _SEAMS.search(body):
            return None
        if any(w in _LEADING_DETERMINERS for w in words[1:]):
            return None  # "What did The bloody conflict ...": a sentence start moved inside
        if _lowered_name(span, words) or any(w.lower() in _PRONOUNS for w in words):
            return None
        if generated.rule == "subject" and first == "which" and words[1] in {"place", "city"}:
            return None  # "Which place blamed Turkey?": a person misread as a place
        start, end = generated.answer_start + offset, generated.answer_end + offset
        answer = text[start:end]
        if not answer.strip() or len(answer.split()) > 8 or "\n" in answer:
            return None
        if answer.endswith(("'s", "’s")) or answer.lower() in question.lower():
            return None
        if generated.rule == "title" and len(words) < 5:
            return None  # "Who is the President?": a bare title is ambiguous
        if generated.rule == "apposition" and all(w[:1].isupper() for w in words[2:]):
            return None  # "Who is General X?" answered by another name: a misread apposition
        rank = (_RULE_RANK.get(generated.rule, 8), len(words))
        return _Candidate(question, start, end, position, generated.rule, rank)

    # -- verification --------------------------------------------------------------------

    def _suggest(self, service: _Asker, index: LoadedIndex, document_id: str) -> list[Suggestion]:
        """Ask candidates, one stretch of the document after the other, until enough pass.

        Each round visits the stretches with the fewest suggestions first and offers the
        best candidate of a kind ("title", "time", ...) not suggested yet, so the list
        covers the document and asks different kinds of question.
        """
        text = index.documents[document_id].text
        stretches = self.candidates(index, document_id)
        found: list[Suggestion] = []
        per_stretch = [0] * len(stretches)
        answers: set[tuple[int, int]] = set()
        sentences_used: set[int] = set()
        rules_used: set[str] = set()
        asked = 0
        while len(found) < self.max_suggestions and asked < self.max_asks:
            order = sorted(range(len(stretches)), key=lambda i: (per_stretch[i], i))
            progressed = False
            for i in order:
                if len(found) >= self.max_suggestions or asked >= self.max_asks:
                    break
                # One question per sentence: the suggestions say different things.
                queue = [c for c in stretches[i] if c.sentence not in sentences_used]
                stretches[i] = queue
                if not queue:
                    continue
                pick = next((c for c in queue if c.rule not in rules_used), queue[0])
                queue.remove(pick)
                progressed = True
                asked += 1
                suggestion = self._verify(service, text, document_id, pick)
                logger.debug("asked %r: %s", pick.question, suggestion)
                if suggestion is None or (suggestion.start, suggestion.end) in answers:
                    continue
                found.append(suggestion)
                answers.add((suggestion.start, suggestion.end))
                sentences_used.add(pick.sentence)
                rules_used.add(pick.rule)
                per_stretch[i] += 1
            if not progressed:
                break
        with self._lock:
            self.asks += asked
        logger.info("suggested %d questions for %s after asking %d", len(found), document_id, asked)
        # In the order of the document: the list reads like a tour of it.
        return sorted(found, key=lambda s: (s.start, s.question))

    @staticmethod
    def _verify(
        service: _Asker, text: str, document_id: str, candidate: _Candidate
    ) -> Suggestion | None:
        """The suggestion when the service answers ``candidate`` with an overlapping span."""
        answer = service.ask(candidate.question, document_id=document_id).answer
        if (
            answer is None
            or answer.document_id != document_id
            or not (answer.start < candidate.end and candidate.start < answer.end)
            or text[answer.start : answer.end] != answer.text
        ):
            return None
        return Suggestion(candidate.question, answer.text, answer.start, answer.end)


def _normalise(question: str) -> str:
    return " ".join(re.findall(r"\w+", question.lower()))


def _spread(count: int, limit: int) -> list[int]:
    """``limit`` positions of ``range(count)`` spread evenly (all of them when fewer)."""
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


def _lowered_name(span: Span, words: list[str]) -> bool:
    """Whether the question spells a name of the sentence in lower case.

    ``QuestionGenerator`` lower-cases a sentence's first word unless spaCy tags it a proper
    noun, and counted nouns always, so "Russian Foreign Minister" can become "russian".
    """
    present = set(span.text.split())
    for token in span:
        name = token.text
        if not name[:1].isupper() or name.lower() == name:
            continue
        if not (token.ent_type_ or token.pos_ == "PROPN"):
            continue
        if name.lower() in words[1:] and name.lower() not in present:
            return True
    return False
