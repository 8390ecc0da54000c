"""A character-level n-gram language model with interpolated absolute discounting.

Small enough to train in a second on a laptop, real enough that more data and a longer context give
measurably better bits per character. The artifact is canonical JSON, so equal models have equal
bytes and equal hashes.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

BOS = "\x02"  # padding before the first character
FORMAT = "flock-char-ngram-v1"


class ModelError(ValueError):
    """An artifact that is not a valid model."""


@dataclass
class NGramModel:
    order: int
    discount: float
    vocab: list[str]
    counts: dict[str, dict[str, int]]  # context -> next char -> count, for contexts of length 0..order-1

    @classmethod
    def train(cls, text: str, order: int = 4, discount: float = 0.75) -> NGramModel:
        if order < 1:
            raise ModelError("order must be at least 1")
        padded = BOS * (order - 1) + text
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for i in range(order - 1, len(padded)):
            char = padded[i]
            for k in range(order):
                counts[padded[i - k : i]][char] += 1
        vocab = sorted(set(text))
        return cls(order, discount, vocab, {ctx: dict(c) for ctx, c in counts.items()})

    # -- serialization

    def to_bytes(self) -> bytes:
        payload = {
            "format": FORMAT,
            "order": self.order,
            "discount": self.discount,
            "vocab": self.vocab,
            "counts": {ctx: dict(sorted(c.items())) for ctx, c in sorted(self.counts.items())},
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> NGramModel:
        try:
            payload = json.loads(data)
            if payload.get("format") != FORMAT:
                raise ModelError(f"not a {FORMAT} artifact")
            model = cls(
                int(payload["order"]), float(payload["discount"]), list(payload["vocab"]), payload["counts"]
            )
        except (ValueError, KeyError, TypeError) as err:
            raise ModelError(f"unreadable model artifact: {err}") from err
        if model.order < 1 or not 0 < model.discount < 1 or not model.vocab or "" not in model.counts:
            raise ModelError("model parameters out of range")
        return model

    # -- probabilities

    def _prob(self, context: str, char: str) -> float:
        """P(char | context), interpolating down to a uniform distribution over the vocabulary
        (plus one slot for unseen characters)."""
        prob = 1.0 / (len(self.vocab) + 1)
        for k in range(0, self.order):
            ctx = context[len(context) - k :] if k else ""
            following = self.counts.get(ctx)
            if not following:
                continue
            total = sum(following.values())
            types = len(following)
            lam = self.discount * types / total
            prob = max(following.get(char, 0) - self.discount, 0) / total + lam * prob
        return prob

    def cross_entropy(self, text: str) -> tuple[float, int]:
        """Mean cross-entropy in nats per character over ``text``, and the number of characters."""
        if not text:
            raise ModelError("empty evaluation text")
        padded = BOS * (self.order - 1) + text
        total = 0.0
        for i in range(self.order - 1, len(padded)):
            total -= math.log(self._prob(padded[i - self.order + 1 : i], padded[i]))
        return total / len(text), len(text)
