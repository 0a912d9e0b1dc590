"""Schemathesis against the app's own /openapi.json: every operation, no 5xx, schema-true.

The writes are exercised with the API key configured; the service runs over a one-line
seed so that each accepted upload's rebuild stays cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qa.api import create_app
from qa.config import Settings
from qa.embedding import TextEmbedder
from qa.service import QAService

KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, service: QAService, embedder: TextEmbedder
) -> FastAPI:
    root = tmp_path_factory.mktemp("fuzz")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "ganja.txt").write_text(
        "Ganja is the second largest city of Azerbaijan. It was shelled in October 2020.",
        encoding="utf-8",
    )
    private = Settings(
        index_dir=root / "index",
        data_dir=root / "data",
        seeds_dir=seeds,
        api_key=KEY,
        max_upload_bytes=20_000,
        cors_origins=[],
    )
    fuzzed = QAService(private, reader=service.reader, embedder=embedder)
    fuzzed.warm_up()
    return create_app(service=fuzzed, settings=private)


def _run(operation: schemathesis.APIOperation, mode: str, checks: list[Callable]) -> Counter[int]:
    """Run the examples of one operation; returns how often each status came back."""
    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        case.headers = {**(case.headers or {}), **AUTH}
        response = case.call()
        statuses[response.status_code] += 1
        # A raw text body is a string whatever the generator meant it to be ("-6" is text),
        # so "wrong type" mutations of it are not invalid data.
        raw_text = (case.media_type or "").startswith("text/")
        case.validate_response(
            response, checks=[c for c in checks if not (raw_text and c is negative_data_rejection)]
        )

    check()
    return statuses


def _operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_endpoint(app: FastAPI) -> None:
    listed = {(op.method.upper(), op.path) for op in _operations(app)}
    assert {
        ("POST", "/ask"),
        ("GET", "/documents"),
        ("POST", "/documents"),
        ("GET", "/documents/{document_id}"),
        ("DELETE", "/documents/{document_id}"),
        ("GET", "/healthz"),
    } <= listed


def test_positive_examples_never_5xx_and_match_the_schema(app: FastAPI) -> None:
    failures = []
    seen: dict[str, Counter[int]] = {}
    for operation in _operations(app):
        name = f"{operation.method.upper()} {operation.path}"
        try:
            seen[name] = _run(operation, "positive", CHECKS)
        except Exception as exc:  # collect all operations' failures in one report
            failures.append(f"{name}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The write path itself was exercised, not only its refusals.
    assert seen["POST /documents"][201] >= 5, seen
    assert seen["POST /ask"][200] >= 5, seen


def test_negative_examples_are_rejected_with_a_4xx(app: FastAPI) -> None:
    failures = []
    # Operations whose inputs accept anything (no input at all, or a free-form string id)
    # have no invalid example; Hypothesis says so by raising Unsatisfiable.
    nothing_invalid = []
    for operation in _operations(app):
        name = f"{operation.method.upper()} {operation.path}"
        try:
            _run(operation, "negative", [*CHECKS, negative_data_rejection])
        except Unsatisfiable:
            nothing_invalid.append(name)
        except Exception as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert not {"POST /ask", "POST /documents", "POST /v1/chat/completions"} & set(nothing_invalid)
