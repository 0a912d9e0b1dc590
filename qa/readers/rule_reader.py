"""The built-in reader: answer types, spaCy candidates and hand-weighted evidence.

It needs no QA-trained model (none ships on PyPI): the question's wh-word gives the
expected kind of answer, spaCy's entities, noun chunks and parse give candidate spans, and
each candidate is scored by type match, closeness to the words the question and sentence
share, overlap with the question (an answer rarely repeats the question) and retrieval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qa.answers import ExtractedAnswer, Passage
from qa.nlp import load_spacy
from qa.readers.candidates import Candidate, CandidateGenerator, document_offsets
from qa.readers.question import ENTITY_LABELS, AnswerType, Question, QuestionAnalyzer

_STOP_LEMMAS = {"be", "have", "do", "say"}


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    passage: Passage
    score: float
    features: dict[str, float]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class RuleReader:
    """Extract the shortest span of the expected type near the question's words.

    Args:
        max_passages: how many of the retrieved passages to read.

    Example:
        >>> reader = RuleReader()
        >>> reader.warm_up()
        >>> p = Passage("d", 0, 47, "Armenian forces fired missiles on Ganja, killing 13.")
        >>> reader.run("How many people were killed?", [p])[0].text  # doctest: +SKIP
        '13'
    """

    name = "rules"

    def __init__(self, max_passages: int = 3) -> None:
        self.max_passages = max_passages
        self.analyzer = QuestionAnalyzer()
        self.generator = CandidateGenerator()

    def warm_up(self) -> None:
        load_spacy()

    def analyze(self, question: str) -> Question:
        """The question's parse and answer type (no passages needed)."""
        return self.analyzer.run(question)

    def run(
        self, question: str, passages: list[Passage], analysis: Question | None = None
    ) -> list[ExtractedAnswer]:
        parsed = analysis if analysis is not None else self.analyzer.run(question)
        scored: list[ScoredCandidate] = []
        for passage in passages[: self.max_passages]:
            sentence = passage.parse
            if sentence is None:
                sentence = load_spacy()(passage.text)[:]
            for candidate in self.generator.run(sentence):
                features = self._features(parsed, candidate, passage, sentence)
                if features is None:
                    continue
                scored.append(ScoredCandidate(candidate, passage, self._score(features), features))
        scored.sort(key=lambda s: -s.score)
        answers: list[ExtractedAnswer] = []
        seen: set[tuple[str, int, int]] = set()
        for item in scored:
            passage = item.passage
            start, end = document_offsets(item.candidate.span, passage)
            key = (passage.document_id, start, end)
            if key in seen:
                continue
            seen.add(key)
            answers.append(
                ExtractedAnswer(
                    text=passage.text[start - passage.start : end - passage.start],
                    document_id=passage.document_id,
                    start=start,
                    end=end,
                    confidence=self._confidence(item),
                    passage=passage,
                    details={"kind": item.candidate.kind, **item.features},
                )
            )
            if len(answers) >= 5:
                break
        return answers

    def _features(
        self, question: Question, candidate: Candidate, passage: Passage, sentence
    ) -> dict[str, float] | None:
        span = candidate.span
        answer_type = question.answer_type
        labels = ENTITY_LABELS[answer_type]
        lemmas = {t.lemma_.lower() for t in span if not t.is_punct}
        content = set(question.content_lemmas)
        overlap = len(lemmas & content) / max(1, len(lemmas))
        if overlap >= 1.0:
            return None  # the question's own words are never the answer

        type_match = 0.0
        if labels:
            if candidate.kind == "entity" and candidate.label in labels:
                type_match = 1.0
            elif any(t.ent_type_ in labels for t in span):
                type_match = 0.5
            if answer_type is AnswerType.NUMBER and candidate.kind == "number":
                type_match = max(type_match, 0.9)
            if answer_type is AnswerType.TIME and any(
                t.ent_type_ in {"DATE", "TIME"} for t in span
            ):
                type_match = max(type_match, 0.8)
        elif answer_type is AnswerType.CLAUSE:
            type_match = 1.0 if candidate.kind == "clause" else 0.2
        else:  # THING
            if question.type_word and question.type_word in lemmas:
                type_match = 1.0
            elif candidate.kind in {"noun_chunk", "coordinate", "entity"}:
                type_match = 0.6
            elif candidate.kind in {"clause", "adjective"}:
                type_match = 0.5
        # "which city": a noun chunk headed by the type word also fits.
        if (
            question.type_word
            and answer_type is not AnswerType.THING
            and span.root.lemma_.lower() == question.type_word
            and overlap < 0.5
        ):
            type_match = max(type_match, 0.7)

        # Words of the question found in the sentence anchor the answer next to them.
        anchors = [
            t.i
            for t in sentence
            if t.lemma_.lower() in content
            and t.lemma_.lower() not in _STOP_LEMMAS
            and not (span.start <= t.i < span.end)
        ]
        if anchors:
            distance = min(min(abs(a - span.start), abs(a - (span.end - 1))) for a in anchors)
        else:
            distance = 20
        coverage = len({sentence.doc[a].lemma_.lower() for a in anchors}) / max(1, len(content))
        # Syntactic link: the candidate hangs off a word the question mentions.
        linked = (
            1.0
            if span.root.head.i in anchors or any(c.i in anchors for c in span.root.children)
            else 0.0
        )
        length = len(span)
        return {
            "type_match": type_match,
            "overlap": overlap,
            "distance": float(distance),
            "coverage": coverage,
            "linked": linked,
            "length": float(length),
            "similarity": passage.similarity,
            "rank": float(passage.rank),
            "retrieval": passage.score,
        }

    @staticmethod
    def _score(f: dict[str, float]) -> float:
        return (
            3.0 * f["type_match"]
            - 2.5 * f["overlap"]
            + 1.2 * math.exp(-f["distance"] / 4.0)
            + 0.6 * f["linked"]
            + 1.5 * f["coverage"]
            + 2.0 * f["similarity"]
            - 0.35 * f["rank"]
            - 0.03 * f["length"]
        )

    @staticmethod
    def _confidence(item: ScoredCandidate) -> float:
        f = item.features
        # Evidence that the passage is about the question, and that the span is of its kind.
        z = -4.0 + 3.0 * f["coverage"] + 3.0 * f["similarity"] + 2.0 * f["type_match"]
        z += 0.8 * math.exp(-f["distance"] / 4.0) - 0.5 * f["rank"]
        return round(_sigmoid(z), 4)
