"""One interface for every model the gateway serves: count tokens, generate a completion.

``NGramServed`` serves the suite's character n-gram models (flock.models.ngram: one token per
character); ``HuggingFaceServed`` a zipped ``save_pretrained`` causal LM where ``transformers`` and
``torch`` are installed. ``load_served`` picks by the artifact's bytes. Generation is deterministic
for a given prompt, temperature and seed, so tests and replays are exact.
"""

from __future__ import annotations

import math
import random
import tempfile
from pathlib import Path
from typing import Protocol

from flock.models.hf import missing_libraries, unpack
from flock.models.ngram import BOS, ModelError, NGramModel


class ServedModel(Protocol):
    kind: str

    def count_tokens(self, text: str) -> int: ...

    def generate(self, prompt: str, max_tokens: int, temperature: float, seed: int) -> tuple[str, int, str]:
        """The completion, its token count and the finish reason (``stop`` or ``length``)."""


class NGramServed:
    kind = "char-ngram"

    def __init__(self, model: NGramModel) -> None:
        self.model = model
        self._rows: dict[str, tuple[list[str], list[float]]] = {}

    def count_tokens(self, text: str) -> int:
        return len(text)

    def _distribution(self, context: str) -> tuple[list[str], list[float]]:
        row = self._rows.get(context)
        if row is None:
            chars = self.model.vocab
            row = (chars, [self.model._prob(context, c) for c in chars])
            if len(self._rows) < 50_000:
                self._rows[context] = row
        return row

    def generate(self, prompt: str, max_tokens: int, temperature: float, seed: int) -> tuple[str, int, str]:
        order = self.model.order
        history = (BOS * (order - 1) + prompt)[-(order - 1) :] if order > 1 else ""
        rng = random.Random(seed)
        out: list[str] = []
        for _ in range(max_tokens):
            chars, probs = self._distribution(history[-(order - 1) :] if order > 1 else "")
            if temperature <= 0:
                char = chars[max(range(len(chars)), key=probs.__getitem__)]
            else:
                weights = [math.exp(math.log(max(p, 1e-300)) / temperature) for p in probs]
                char = rng.choices(chars, weights)[0]
            out.append(char)
            history += char
        return "".join(out), len(out), "length"


class HuggingFaceServed:
    kind = "hf-causal-lm"

    def __init__(self, artifact: bytes) -> None:
        missing = missing_libraries()
        if missing:
            raise ModelError(f"serving a Hugging Face model needs {' and '.join(missing)}")
        from transformers import AutoModelForCausalLM, AutoTokenizer

        with tempfile.TemporaryDirectory(prefix="flock-serve-") as folder:
            path = unpack(artifact, Path(folder))
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
        self.model.eval()

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)

    def generate(self, prompt: str, max_tokens: int, temperature: float, seed: int) -> tuple[str, int, str]:
        import torch

        torch.manual_seed(seed)
        ids = self.tokenizer(prompt, return_tensors="pt").input_ids
        with torch.no_grad():
            out = self.model.generate(
                ids,
                max_new_tokens=max_tokens,
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                pad_token_id=self.tokenizer.eos_token_id,
            )
        new = out[0][ids.shape[1] :]
        stopped = len(new) < max_tokens
        return self.tokenizer.decode(new, skip_special_tokens=True), len(new), "stop" if stopped else "length"


def load_served(artifact: bytes) -> ServedModel:
    """The served form of a model artifact: an n-gram JSON artifact, else a zipped HF model."""
    if artifact[:1] == b"{":
        return NGramServed(NGramModel.from_bytes(artifact))
    return HuggingFaceServed(artifact)
