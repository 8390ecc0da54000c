"""A Hugging Face causal language model evaluator, for where ``transformers`` (and ``torch``) are
installed. Not in the project's pins: the project runs offline on its n-gram models, and a validator
that wants real LLMs installs the two packages into its environment.

The artifact is a zip of a ``save_pretrained`` folder (the model's config and weights and its
tokenizer), as a training node would publish it. The score is FLock's: BPC = L x T / (ln 2 x B),
with L the mean token cross-entropy (nats) over the held-out text, T the tokens predicted and B its
UTF-8 bytes; the text is read in windows of the model's context length.
"""

from __future__ import annotations

import importlib.util
import io
import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from flock.models.evaluation import Evaluation
from flock.models.ngram import ModelError

MAX_WINDOW = 1024  # tokens per forward pass (or the model's own limit if smaller)
REQUIRED = ("transformers", "torch")


class EvaluatorUnavailable(RuntimeError):
    """The evaluator's libraries are not installed."""


def missing_libraries() -> list[str]:
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def unpack(artifact: bytes, into: Path) -> Path:
    """Extracts a zipped ``save_pretrained`` folder, refusing paths that leave ``into``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(artifact))
    except zipfile.BadZipFile as err:
        raise ModelError("a Hugging Face artifact is a zip of a save_pretrained folder") from err
    root = into.resolve()
    for name in archive.namelist():
        if not (root / name).resolve().is_relative_to(root):
            raise ModelError(f"artifact entry {name!r} escapes its folder")
    archive.extractall(root)
    configs = sorted(root.rglob("config.json"))
    if not configs:
        raise ModelError("no config.json in the artifact")
    return configs[0].parent


class HuggingFaceEvaluator:
    """The ``Evaluator`` protocol for Hugging Face causal LMs (CPU by default)."""

    name = "hf-causal-lm"

    def __init__(self, device: str = "cpu", max_window: int = MAX_WINDOW) -> None:
        missing = missing_libraries()
        if missing:
            raise EvaluatorUnavailable(
                f"the Hugging Face evaluator needs {' and '.join(missing)}, which this environment does "
                f"not have: `pip install {' '.join(missing)}` in the validator's environment, or use "
                "--evaluator ngram"
            )
        self.device = device
        self.max_window = max_window

    def evaluate(self, artifact: bytes, heldout: str) -> Evaluation:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        with tempfile.TemporaryDirectory(prefix="flock-hf-") as folder:
            path = unpack(artifact, Path(folder))
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True).to(self.device)
        model.eval()
        ids = tokenizer(heldout, return_tensors="pt").input_ids[0]
        window = min(self.max_window, int(getattr(model.config, "max_position_embeddings", self.max_window)))
        total_nats, predicted = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(ids) - 1, window - 1):
                chunk = ids[start : start + window].unsqueeze(0).to(self.device)
                if chunk.shape[1] < 2:
                    break
                out: Any = model(chunk, labels=chunk)
                n = chunk.shape[1] - 1  # tokens predicted in this window
                total_nats += float(out.loss) * n
                predicted += n
        if predicted == 0 or not math.isfinite(total_nats):
            raise ModelError("the held-out text gave no tokens to predict")
        return Evaluation(loss=total_nats / predicted, tokens=predicted, bytes=len(heldout.encode("utf-8")))
