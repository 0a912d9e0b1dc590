"""Extractive reader on a Hugging Face question-answering model (start/end logits).

transformers 5.x ships no question-answering pipeline, so this module does the decoding
itself: question/passage pairs are cut into overlapping windows, every window of every
passage goes through the model in one batch, and the best start/end token pairs of each
window are mapped back to document character offsets.

Example:
    >>> reader = TransformersReader("deepset/roberta-base-squad2", top_k=3)  # doctest: +SKIP
    >>> reader.warm_up()  # doctest: +SKIP
    >>> passage = Passage("doc", 100, 130, "The tower is 330 metres tall.")  # doctest: +SKIP
    >>> reader.run("How tall is the tower?", [passage])[0].text  # doctest: +SKIP
    '330 metres'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from qa.answers import ExtractedAnswer, Passage


@dataclass(frozen=True)
class _Span:
    """One candidate span of one passage, in passage character offsets."""

    char_start: int
    char_end: int
    confidence: float
    span_score: float
    null_score: float
    window: int
    start_token: int
    end_token: int


class TransformersReader:
    """Reads passages with an ``AutoModelForQuestionAnswering`` checkpoint.

    The constructor only stores configuration; ``warm_up`` loads the tokenizer (it must be
    a fast tokenizer, for offset mappings) and the model. A span's score is
    ``start_logit + end_logit``; the no-answer ("null") score is the same sum at the CLS
    token. A span's confidence is a softmax over its window's candidate span scores
    together with the null score, so a window where the model prefers "no answer" gives
    every span a low confidence.

    Args:
        model: A Hugging Face checkpoint name (e.g. ``deepset/roberta-base-squad2``) or a
            local directory holding the model and its tokenizer.
        max_answer_tokens: The longest answer, in model tokens.
        max_seq_len: The length of one model input window (question + passage + specials).
        stride: How many passage tokens consecutive windows of a long passage share.
        top_k: The most answers ``run`` returns.
        device: The torch device to run the model on.
    """

    n_best: int = 20
    """How many of a window's highest start and end logits are paired into candidates."""

    def __init__(
        self,
        model: str,
        max_answer_tokens: int = 30,
        max_seq_len: int = 384,
        stride: int = 128,
        top_k: int = 5,
        device: str = "cpu",
    ) -> None:
        if max_answer_tokens < 1 or top_k < 1:
            raise ValueError("max_answer_tokens and top_k must be at least 1")
        if not 0 <= stride < max_seq_len:
            raise ValueError("stride must be in [0, max_seq_len)")
        self.model = model
        self.max_answer_tokens = max_answer_tokens
        self.max_seq_len = max_seq_len
        self.stride = stride
        self.top_k = top_k
        self.device = device
        self.name = f"transformers:{model}"
        self._tokenizer: Any = None
        self._model: Any = None

    def warm_up(self) -> None:
        """Load the tokenizer and the model (once) and put the model in eval mode.

        Raises:
            ValueError: If the checkpoint has no fast tokenizer (offsets are needed).
        """
        if self._model is not None:
            return
        from transformers import AutoModelForQuestionAnswering, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self.model)
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError(f"{self.model} has no fast tokenizer; offsets need one")
        model = AutoModelForQuestionAnswering.from_pretrained(self.model)
        model.to(self.device)
        model.eval()
        self._tokenizer = tokenizer
        self._model = model

    def analyze(self, question: str) -> None:
        """Nothing: the model reads the question together with each passage."""
        return None

    def run(
        self, question: str, passages: list[Passage], analysis: Any = None
    ) -> list[ExtractedAnswer]:
        """Candidate answers to ``question`` from ``passages``, best first.

        Args:
            question: The question.
            passages: The passages to read; offsets of the answers are document offsets
                computed from ``passage.start``.
            analysis: Unused (see :meth:`analyze`).

        Returns:
            At most ``top_k`` answers sorted by confidence, deduplicated by
            ``(document_id, start, end)``.
        """
        readable = [p for p in passages if p.text.strip()]
        if not question.strip() or not readable:
            return []
        self.warm_up()
        question, stride = self._fit_question(question)
        encoding = self._tokenizer(
            [question] * len(readable),
            [p.text for p in readable],
            truncation="only_second",
            max_length=self.max_seq_len,
            stride=stride,
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            padding=True,
            return_tensors="pt",
        )
        offsets = encoding["offset_mapping"].tolist()
        sample_of_window = encoding["overflow_to_sample_mapping"].tolist()
        model_inputs = {
            key: encoding[key].to(self.device)
            for key in ("input_ids", "attention_mask", "token_type_ids")
            if key in encoding
        }
        with torch.inference_mode():
            outputs = self._model(**model_inputs)
        start_logits = outputs.start_logits.detach().float().cpu()
        end_logits = outputs.end_logits.detach().float().cpu()
        input_ids = encoding["input_ids"]

        best: dict[tuple[str, int, int], ExtractedAnswer] = {}
        for window, sample in enumerate(sample_of_window):
            passage = readable[sample]
            spans = self._decode_window(
                start_logits[window],
                end_logits[window],
                encoding.sequence_ids(window),
                offsets[window],
                self._null_index(input_ids[window]),
                passage.text,
                window,
            )
            for span in spans:
                answer = self._to_answer(span, passage)
                key = (answer.document_id, answer.start, answer.end)
                # Overlapping windows (and overlapping passages of one document) propose the
                # same span more than once; keep its most confident reading.
                if key not in best or answer.confidence > best[key].confidence:
                    best[key] = answer
        ranked = sorted(
            best.values(),
            key=lambda a: (-a.confidence, -a.details["span_score"], a.document_id, a.start),
        )
        return ranked[: self.top_k]

    def _fit_question(self, question: str) -> tuple[str, int]:
        """The question (cut to half a window at most) and a stride the tokenizer accepts.

        The fast tokenizer refuses pairs whose question leaves no room for the passage, or
        whose stride is not smaller than the room left, so both are bounded here.
        """
        max_question_tokens = max(1, self.max_seq_len // 2)
        encoded = self._tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
        question_offsets = encoded["offset_mapping"]
        if len(question_offsets) > max_question_tokens:
            question = question[: question_offsets[max_question_tokens - 1][1]]
            question_offsets = question_offsets[:max_question_tokens]
        room = (
            self.max_seq_len
            - len(question_offsets)
            - self._tokenizer.num_special_tokens_to_add(pair=True)
        )
        if room < 1:
            raise ValueError(f"max_seq_len={self.max_seq_len} leaves no room for the passage")
        return question, max(0, min(self.stride, room - 1))

    def _null_index(self, input_ids: torch.Tensor) -> int:
        """Where the CLS token sits (index 0 for BERT/RoBERTa, last for left-CLS models)."""
        cls_id = self._tokenizer.cls_token_id
        if cls_id is not None:
            hits = (input_ids == cls_id).nonzero()
            if len(hits):
                return int(hits[0])
        return 0

    def _decode_window(
        self,
        start_logits: torch.Tensor,
        end_logits: torch.Tensor,
        sequence_ids: list[int | None],
        offsets: list[list[int]],
        null_index: int,
        text: str,
        window: int,
    ) -> list[_Span]:
        """The best non-empty spans of one window, with their confidences."""
        context = torch.tensor([sid == 1 for sid in sequence_ids], dtype=torch.bool)
        n_context = int(context.sum())
        if n_context == 0:
            return []
        null_score = start_logits[null_index] + end_logits[null_index]
        n = min(self.n_best, n_context)
        starts = start_logits.masked_fill(~context, float("-inf")).topk(n).indices
        ends = end_logits.masked_fill(~context, float("-inf")).topk(n).indices
        scores = start_logits[starts][:, None] + end_logits[ends][None, :]
        length = ends[None, :] - starts[:, None] + 1
        valid = (length >= 1) & (length <= self.max_answer_tokens)
        if not valid.any():
            return []
        span_scores = scores[valid]
        span_starts = starts[:, None].expand_as(scores)[valid]
        span_ends = ends[None, :].expand_as(scores)[valid]
        norm = torch.logsumexp(torch.cat([span_scores, null_score.view(1)]), dim=0)
        confidences = (span_scores - norm).exp()

        spans: list[_Span] = []
        for i in span_scores.argsort(descending=True).tolist():
            start_token, end_token = int(span_starts[i]), int(span_ends[i])
            char_start, char_end = offsets[start_token][0], offsets[end_token][1]
            piece = text[char_start:char_end]
            # Tokenizers such as RoBERTa's put the preceding space into the token's offsets.
            char_start += len(piece) - len(piece.lstrip())
            char_end -= len(piece) - len(piece.rstrip())
            if char_start >= char_end:
                continue
            spans.append(
                _Span(
                    char_start=char_start,
                    char_end=char_end,
                    confidence=min(1.0, max(0.0, float(confidences[i]))),
                    span_score=float(span_scores[i]),
                    null_score=float(null_score),
                    window=window,
                    start_token=start_token,
                    end_token=end_token,
                )
            )
            if len(spans) == self.top_k:
                break
        return spans

    @staticmethod
    def _to_answer(span: _Span, passage: Passage) -> ExtractedAnswer:
        """The span as an answer in document offsets."""
        return ExtractedAnswer(
            text=passage.text[span.char_start : span.char_end],
            document_id=passage.document_id,
            start=passage.start + span.char_start,
            end=passage.start + span.char_end,
            confidence=span.confidence,
            passage=passage,
            details={
                "span_score": span.span_score,
                "null_score": span.null_score,
                "window": span.window,
                "start_token": span.start_token,
                "end_token": span.end_token,
            },
        )
