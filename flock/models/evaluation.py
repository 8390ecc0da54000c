"""Scoring models as FLock's validator does: bits per character, 999 for an invalid model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

INVALID_SCORE = 999.0  # what FLock's validator gives a model it cannot load or run


@dataclass(frozen=True)
class Evaluation:
    loss: float  # mean cross-entropy per token, in nats
    tokens: int  # tokens predicted
    bytes: int  # UTF-8 bytes of the evaluated text

    @property
    def bpc(self) -> float:
        return bits_per_character(self.loss, self.tokens, self.bytes)


def bits_per_character(loss: float, tokens: int, nbytes: int) -> float:
    """BPC = L x T / (ln 2 x B): total nats over the text, in bits, per UTF-8 byte."""
    if tokens <= 0 or nbytes <= 0 or not math.isfinite(loss) or loss < 0:
        raise ValueError("bits per character needs a finite loss and positive token and byte counts")
    return loss * tokens / (math.log(2) * nbytes)


class Evaluator(Protocol):
    """Scores a model artifact on held-out text. Implementations: ``NGramEvaluator`` here; a Hugging
    Face causal-LM evaluator fits the same shape (load the artifact, mean token loss, token count)."""

    name: str

    def evaluate(self, artifact: bytes, heldout: str) -> Evaluation: ...


def score(evaluator: Evaluator, artifact: bytes, heldout: str) -> float:
    """The validator's score for one submission: its BPC, or 999 if it cannot be evaluated."""
    try:
        result = evaluator.evaluate(artifact, heldout)
        value = result.bpc
    except Exception:  # any failure to load or run the model is the model's fault
        return INVALID_SCORE
    return value if math.isfinite(value) and value < INVALID_SCORE else INVALID_SCORE


class NGramEvaluator:
    name = "char-ngram"

    def evaluate(self, artifact: bytes, heldout: str) -> Evaluation:
        from flock.models.ngram import NGramModel

        model = NGramModel.from_bytes(artifact)
        loss, tokens = model.cross_entropy(heldout)
        return Evaluation(loss=loss, tokens=tokens, bytes=len(heldout.encode("utf-8")))
