"""The learned reader: candidate spans scored by trained trees, with calibrated confidence.

For each question it proposes candidate spans in the retrieved sentences, describes each
with :class:`~qa.readers.features.FeatureExtractor`, ranks them with a gradient-boosted
tree ensemble trained on synthetic questions (never on the gold set; see
``qa/readers/training.py``), and turns the best candidate's evidence into a calibrated
probability that it is right. A question whose answer type is nowhere in the passages
("how many" without a number, "who" without a person or organisation) gets no answer.
After ranking, the readings of the question the trees cannot make
(:mod:`qa.readers.readings`) mask, swap and discount candidates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.answers import ExtractedAnswer, Passage
from qa.embedding import MiniLMEncoder
from qa.readers.candidates import document_offsets
from qa.readers.features import FEATURE_INDEX as _INDEX
from qa.readers.features import FEATURE_NAMES, CandidateSet, FeatureExtractor
from qa.readers.question import FineType, Question, QuestionAnalyzer
from qa.readers.readings import answerable, confidence_factor, rerank
from qa.readers.scorer import ReaderModel

# Evidence about the best candidate that the confidence calibrator reads.
# Only evidence that means the same for synthetic and real questions: exact word overlap
# is left out, as generated questions repeat their sentence's words far more than people do.
_TOP_FEATURES = [
    "type_match",
    "coverage_soft",
    "key_coverage_context",
    "similarity",
    "rank",
    "role_fit",
    "gov_sim",
    "focus_neighbour_sim",
    "filled_gain",
]
CONFIDENCE_FEATURES = [
    "top_logit",
    "top_share",
    "margin",
    "max_coverage_soft",
    "max_similarity",
    "relevant_type_match",
    "top_governor_found",
    *[f"top_{name}" for name in _TOP_FEATURES],
    *[f"q_type={t.value}" for t in FineType],
]
_NAN_DEFAULTS = {"gov_sim": 0.0, "dep_dist_gov": 12.0, "filled_gain": 0.0}


def dropped_columns(names: Sequence[str]) -> list[int]:
    """Columns of the features named, or starting with, one of ``names`` (ablations)."""
    return [
        i
        for i, feature in enumerate(FEATURE_NAMES)
        if any(feature == name or feature.startswith(name) for name in names)
    ]


def top_order(logits: np.ndarray, texts: list[str]) -> list[int]:
    """Candidate indices best first, one per distinct answer text."""
    order = np.argsort(-logits, kind="stable").tolist()
    seen: set[str] = set()
    out = []
    for i in order:
        key = texts[i].strip().lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(i)
    return out


def confidence_features(
    x: np.ndarray,
    texts: list[str],
    fine_type: FineType,
    logits: np.ndarray,
    order: list[int] | None = None,
) -> np.ndarray:
    """Question-level evidence for the calibrator (one row, ``CONFIDENCE_FEATURES``).

    Args:
        x: the candidates' feature matrix.
        texts: the candidates' texts.
        fine_type: the question's answer type.
        logits: the ranker's scores of the candidates.
        order: ``top_order(logits, texts)`` when the caller has it already.
    """
    if order is None:
        order = top_order(logits, texts)
    best = order[0]
    second = logits[order[1]] if len(order) > 1 else logits[best] - 10.0
    shifted = np.exp(logits - logits[best])
    row: dict[str, float] = {
        "top_logit": float(logits[best]),
        "top_share": float(1.0 / shifted.sum()),
        "margin": float(min(logits[best] - second, 10.0)),
        "max_coverage_soft": float(x[:, _INDEX["coverage_soft"]].max()),
        "max_similarity": float(x[:, _INDEX["similarity"]].max()),
    }
    coverage = x[:, _INDEX["coverage_soft"]]
    relevant = coverage >= coverage.max() - 0.1
    row["relevant_type_match"] = float(x[relevant, _INDEX["type_match"]].max())
    # Is the question's verb (or, for "what is the X of Y", its X) in the best sentence?
    row["top_governor_found"] = float(not math.isnan(x[best, _INDEX["dep_dist_gov"]]))
    for name in _TOP_FEATURES:
        value = float(x[best, _INDEX[name]])
        if math.isnan(value):
            value = _NAN_DEFAULTS.get(name, 0.0)
        row[f"top_{name}"] = value
    for t in FineType:
        row[f"q_type={t.value}"] = float(fine_type is t)
    return np.array([[row[name] for name in CONFIDENCE_FEATURES]], dtype=np.float64)


class LearnedReader:
    """Rank candidate spans with trained trees; confidence is a calibrated probability.

    Args:
        embedder: the MiniLM encoder, shared with the service (token alignment, filled
            questions); a private one is created when omitted.
        weights: a weights file; the one shipped in the package by default.
        max_passages: how many retrieved passages to read.
        use_embeddings: False drops the MiniLM features (only for ablations).

    Example:
        >>> reader = LearnedReader()
        >>> reader.warm_up()  # doctest: +SKIP
        >>> p = Passage("d", 0, 56, "Armenian forces fired missiles on Ganja, killing 13.")
        >>> reader.run("How many people were killed?", [p])[0].text  # doctest: +SKIP
        '13'
    """

    name = "learned"

    def __init__(
        self,
        embedder: MiniLMEncoder | None = None,
        weights: Path | None = None,
        max_passages: int = 4,
        use_embeddings: bool = True,
    ) -> None:
        self.weights = weights
        self.analyzer = QuestionAnalyzer()
        self.extractor = FeatureExtractor(
            embedder, max_passages=max_passages, use_embeddings=use_embeddings
        )
        self.model: ReaderModel | None = None
        self._dropped: list[int] = []

    def warm_up(self) -> None:
        if self.model is None:
            self.model = ReaderModel.load(self.weights)
            if self.model.feature_names != FEATURE_NAMES:
                raise RuntimeError(
                    "reader weights were trained on other features; run `qa train-reader`"
                )
            config = self.model.metadata.get("config", {})
            self._dropped = dropped_columns(config.get("drop_features", []))
            if "filled_" in config.get("drop_features", []):
                self.extractor.filled_candidates = 0  # not used: skip its MiniLM pass
        self.extractor.warm_up()

    def score(self, candidates: CandidateSet) -> tuple[np.ndarray, list[int], float]:
        """Ranker logits of every candidate, their ``top_order`` and the calibrated
        confidence of the best."""
        assert self.model is not None
        if not len(candidates):
            return np.zeros(0), [], 0.0
        if self._dropped:
            candidates.features[:, self._dropped] = 0.0
        logits = self.model.ranker.decision_function(candidates.features)
        logits = rerank(logits, candidates, self.extractor.use_embeddings)
        order = top_order(logits, candidates.texts)
        row = confidence_features(
            candidates.features,
            candidates.texts,
            candidates.question.fine_type,
            logits,
            order,
        )
        return logits, order, float(self.model.calibrator.predict(row)[0])

    def analyze(self, question: str) -> Question:
        """The question's parse and answer type (no passages needed)."""
        return self.analyzer.run(question)

    def run(
        self, question: str, passages: list[Passage], analysis: Question | None = None
    ) -> list[ExtractedAnswer]:
        if self.model is None:
            self.warm_up()
        parsed = analysis if analysis is not None else self.analyzer.run(question)
        candidates = self.extractor.run(parsed, passages)
        if not len(candidates) or not answerable(candidates):
            return []
        logits, order, confidence = self.score(candidates)
        confidence *= confidence_factor(candidates, order[0], self.extractor.use_embeddings)
        answers: list[ExtractedAnswer] = []
        best_logit = None
        for i in order:
            candidate = candidates.candidates[i]
            passage = candidates.passages[candidates.passage_of[i]]
            start, end = document_offsets(candidate.span, passage)
            if start < passage.start or end > passage.end:
                continue
            if best_logit is None:
                best_logit = logits[i]
                value = confidence
            else:
                # Lower-ranked answers share the best one's confidence by their odds.
                value = confidence * math.exp(min(0.0, logits[i] - best_logit))
            answers.append(
                ExtractedAnswer(
                    text=passage.text[start - passage.start : end - passage.start],
                    document_id=passage.document_id,
                    start=start,
                    end=end,
                    confidence=round(value, 4),
                    passage=passage,
                    details={
                        "kind": candidate.kind,
                        "kinds": sorted(candidate.kinds),
                        "score": round(float(logits[i]), 4),
                        "answer_type": parsed.fine_type.value,
                    },
                )
            )
            if len(answers) >= 5:
                break
        return answers
