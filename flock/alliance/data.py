"""Real data, available offline: scikit-learn's bundled datasets, split into private shards.

A task publishes a dataset name, its preprocessing (feature scaling) and a public test split used
only to report the global model's accuracy. Every participant gets a private shard: a training
part it trains on and a held-out part it judges candidate models with. Neither part ever leaves
the participant; only model weights do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import datasets


@dataclass(frozen=True)
class DatasetSpec:
    """A bundled dataset and the local training a round does on it (steps matter: too much local
    training per round and one round learns everything)."""

    loader: Callable[..., Any]
    lr: float
    epochs: int


DATASETS = {
    # 1,797 8x8 handwritten digits, 64 features, 10 classes
    "digits": DatasetSpec(datasets.load_digits, lr=0.1, epochs=1),
    # 569 tumours, 30 features, 2 classes
    "breast_cancer": DatasetSpec(datasets.load_breast_cancer, lr=0.5, epochs=3),
}
# (The wine dataset, 178 samples, is too small: five held-out splits of seven samples cannot tell
# a poisoned model from a good one.)


class DataError(ValueError):
    """An unknown dataset or a split that leaves a participant without data."""


@dataclass(frozen=True)
class Split:
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Shard:
    """One participant's private data."""

    train: Split
    heldout: Split


@dataclass(frozen=True)
class Federation:
    """A dataset split for a federation: the public test split and one shard per participant."""

    name: str
    features: int
    classes: int
    test: Split
    shards: tuple[Shard, ...]


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features scaled to [0, 1] by their range (the task's published preprocessing), labels."""
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    x, y = DATASETS[name].loader(return_X_y=True)
    x = np.asarray(x, dtype=float)
    low, span = x.min(axis=0), np.ptp(x, axis=0)
    x = (x - low) / np.where(span == 0, 1.0, span)
    return x, np.asarray(y, dtype=int)


def split(
    name: str, participants: int, seed: int = 7, test_fraction: float = 0.2, heldout_fraction: float = 0.25
) -> Federation:
    """Shuffles the dataset with ``seed``, keeps ``test_fraction`` as the public test split and deals
    the rest into ``participants`` private shards, each with its own held-out part."""
    x, y = load(name)
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_test = int(len(y) * test_fraction)
    per_shard = (len(y) - n_test) // max(participants, 1)
    if participants < 1 or per_shard < 8:
        raise DataError(f"{name} has {len(y)} samples: too few for {participants} participants")
    shards = []
    for i in range(participants):
        rows = np.arange(n_test + i * per_shard, n_test + (i + 1) * per_shard)
        cut = len(rows) - max(2, int(len(rows) * heldout_fraction))
        shards.append(Shard(Split(x[rows[:cut]], y[rows[:cut]]), Split(x[rows[cut:]], y[rows[cut:]])))
    classes = int(y.max()) + 1
    return Federation(name, x.shape[1], classes, Split(x[:n_test], y[:n_test]), tuple(shards))
