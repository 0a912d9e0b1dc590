"""The one small interface every reader implements, and the factory that picks one."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from qa.answers import ExtractedAnswer, Passage
from qa.config import Settings


@runtime_checkable
class Reader(Protocol):
    """Extracts answer spans from passages.

    ``run`` returns candidate answers best first, each with a calibrated ``confidence``
    in [0, 1]; an empty list means the passages hold nothing of the expected kind. Offsets
    are document offsets, and ``answer.text == document.text[answer.start:answer.end]``.
    """

    name: str

    def warm_up(self) -> None:
        """Load models; called once before the first ``run``."""

    def analyze(self, question: str) -> Any:
        """The reader's work on ``question`` alone (a parse), or None when it has none.

        It needs no passages, so the service runs it on another thread while retrieval
        encodes the question, and hands the result to :meth:`run`.
        """
        ...

    def run(
        self, question: str, passages: list[Passage], analysis: Any = None
    ) -> list[ExtractedAnswer]:
        """Candidate answers to ``question`` from ``passages``, best first.

        ``analysis`` is what :meth:`analyze` returned for ``question``; without it the
        reader analyses the question itself.
        """
        ...


def create_reader(settings: Settings, embedder: Any = None) -> Reader:
    """The reader the settings ask for.

    A Hugging Face QA model when ``reader_model`` is set; otherwise ``settings.reader``:
    "learned" (trained span scorer, the default) or "rules" (hand-weighted). ``embedder``
    is the service's torch MiniLM, which the learned reader shares.

    Example:
        >>> create_reader(Settings(reader="rules")).name
        'rules'
    """
    if settings.reader_model:
        from qa.readers.transformers_reader import TransformersReader

        return TransformersReader(
            settings.reader_model, max_answer_tokens=settings.reader_max_answer_tokens
        )
    if settings.reader == "learned":
        from qa.readers.learned_reader import LearnedReader

        return LearnedReader(embedder=embedder, max_passages=settings.reader_passages)
    from qa.readers.rule_reader import RuleReader

    return RuleReader()
