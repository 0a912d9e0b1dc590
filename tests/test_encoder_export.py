"""The ONNX export: checked against torch before it is published, made only once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa import encoder_export
from qa.encoder_export import _check, ensure_onnx_encoder


def test_an_existing_export_is_not_made_again(tmp_path: Path) -> None:
    path = tmp_path / "minilm.onnx"
    path.write_bytes(b"already here")
    assert ensure_onnx_encoder(path) is False
    assert path.read_bytes() == b"already here"


def test_a_missing_export_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Path] = []
    monkeypatch.setattr(encoder_export, "export_onnx_encoder", made.append)
    assert ensure_onnx_encoder(tmp_path / "minilm.onnx") is True
    assert made == [tmp_path / "minilm.onnx"]


def test_the_check_rejects_states_that_differ_from_torch(onnx_file: Path) -> None:
    inputs = {
        "input_ids": np.array([[101, 2073, 2003, 102, 0]]),
        "attention_mask": np.array([[1, 1, 1, 1, 0]]),
        "token_type_ids": np.zeros((1, 5), dtype=np.int64),
    }
    import onnxruntime as ort

    states = ort.InferenceSession(str(onnx_file)).run(["last_hidden_state"], inputs)[0]
    _check(onnx_file, inputs, states)  # agrees with itself
    # Only the real pieces count: padding may hold anything.
    padded = states.copy()
    padded[0, 4] += 10
    _check(onnx_file, inputs, padded)
    wrong = states.copy()
    wrong[0, 1, 0] += 0.01
    with pytest.raises(RuntimeError, match="differs from torch"):
        _check(onnx_file, inputs, wrong)


def test_a_failed_check_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path, inputs: object, expected: object) -> None:
        assert path.is_file() and path.stat().st_size > 1_000_000
        raise RuntimeError("the ONNX export differs from torch by 1.00e+00")

    monkeypatch.setattr(encoder_export, "_check", refuse)
    target = tmp_path / "encoder" / "minilm.onnx"
    with pytest.raises(RuntimeError):
        encoder_export.export_onnx_encoder(target)
    assert list(target.parent.iterdir()) == []
