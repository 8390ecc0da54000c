"""The federated model: multinomial logistic regression (softmax) in numpy, small enough to train
in milliseconds, real enough that its accuracy means something.

A model is a weight matrix and a bias vector. Its artifact (what the content store keeps and the
chain names by hash) is a fixed header and the raw little-endian float64 arrays, so the same
weights always give the same bytes and the same hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

MAGIC = b"FLOCK-SOFTMAX-1\n"


class ModelFormatError(ValueError):
    """The bytes are not a model artifact of this format."""


@dataclass(frozen=True)
class SoftmaxModel:
    weights: np.ndarray  # features x classes
    bias: np.ndarray  # classes

    @classmethod
    def zeros(cls, features: int, classes: int) -> SoftmaxModel:
        return cls(np.zeros((features, classes)), np.zeros(classes))

    @property
    def shape(self) -> tuple[int, int]:
        return self.weights.shape  # type: ignore[return-value]

    def logits(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weights + self.bias

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.logits(x).argmax(axis=1)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float((self.predict(x) == y).mean()) if len(y) else 0.0

    def train(
        self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, epochs: int = 1, lr: float = 0.05
    ) -> SoftmaxModel:
        """Mini-batch gradient descent on the cross-entropy, starting from this model."""
        w, b = self.weights.copy(), self.bias.copy()
        batch = 32
        for _ in range(epochs):
            order = rng.permutation(len(y))
            for start in range(0, len(y), batch):
                rows = order[start : start + batch]
                probs = _softmax(x[rows] @ w + b)
                probs[np.arange(len(rows)), y[rows]] -= 1.0
                w -= lr * x[rows].T @ probs / len(rows)
                b -= lr * probs.mean(axis=0)
        return SoftmaxModel(w, b)

    def to_bytes(self) -> bytes:
        features, classes = self.shape
        header = json.dumps({"features": features, "classes": classes, "dtype": "<f8"}, sort_keys=True)
        body = self.weights.astype("<f8").tobytes() + self.bias.astype("<f8").tobytes()
        return MAGIC + header.encode() + b"\n" + body

    @classmethod
    def from_bytes(cls, data: bytes) -> SoftmaxModel:
        if not data.startswith(MAGIC):
            raise ModelFormatError("not a softmax model artifact")
        header, _, body = data[len(MAGIC) :].partition(b"\n")
        try:
            meta = json.loads(header)
            features, classes = int(meta["features"]), int(meta["classes"])
        except (ValueError, KeyError, TypeError) as err:
            raise ModelFormatError(f"bad model header: {err}") from None
        expected = 8 * (features * classes + classes)
        if len(body) != expected:
            raise ModelFormatError(f"model body is {len(body)} bytes, expected {expected}")
        values = np.frombuffer(body, dtype="<f8")
        weights = values[: features * classes].reshape(features, classes).copy()
        return cls(weights, values[features * classes :].copy())


def fedavg(models: list[SoftmaxModel], samples: list[int]) -> SoftmaxModel:
    """FedAvg: the average of the models weighted by their training sample counts."""
    if not models:
        raise ValueError("nothing to average")
    share = np.asarray(samples, dtype=float) / float(sum(samples))
    weights = sum(s * m.weights for s, m in zip(share, models, strict=True))
    bias = sum(s * m.bias for s, m in zip(share, models, strict=True))
    return SoftmaxModel(np.asarray(weights), np.asarray(bias))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
