"""What an FL Alliance participant does off-chain in a round: train locally, aggregate (as a
proposer), judge candidates (as a voter). Honest participants follow the rules below; a malicious
one poisons what it produces and votes against what it sees.

- Local update: an epoch of training from the current global model on the private training
  split, with a learning rate that decays round by round. A malicious participant trains on
  flipped labels (``label-flip``) or sends noise (``noise``).
- Aggregation (proposers): an honest proposer FedAvgs the local updates it received with its own,
  by sample count, after dropping, weakest first, every update whose removal makes the average
  score better on its own held-out split (a poisoned update does: a small robust-aggregation
  step). A malicious proposer proposes its poisoned update as it is.
- Votes (voters): an honest voter accepts a candidate whose held-out accuracy is not below the
  current model's by more than ``tolerance`` and not below the best candidate's by more than
  ``gap``; a malicious voter reverses every judgement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flock.alliance.data import Shard
from flock.alliance.model import SoftmaxModel, fedavg

BEHAVIOURS = ("honest", "label-flip", "noise")


@dataclass(frozen=True)
class Judgement:
    """A voter's view of one candidate."""

    accuracy: float
    accept: bool


@dataclass
class Client:
    """One participant's off-chain side: its private shard and how it behaves."""

    name: str
    shard: Shard
    classes: int
    behaviour: str = "honest"
    epochs: int = 1
    lr: float = 0.05
    lr_decay: float = 0.8  # per round: smaller steps as the global model settles
    tolerance: float = 0.10
    gap: float = 0.15
    filter_margin: float = 0.05

    def __post_init__(self) -> None:
        if self.behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {self.behaviour!r}; known: {', '.join(BEHAVIOURS)}")

    @property
    def malicious(self) -> bool:
        return self.behaviour != "honest"

    @property
    def samples(self) -> int:
        return len(self.shard.train)

    def local_update(
        self, model: SoftmaxModel, rng: np.random.Generator, round_index: int = 0
    ) -> SoftmaxModel:
        """This round's local update (``round_index`` counts from 0: the learning rate decays)."""
        train = self.shard.train
        if self.behaviour == "noise":
            scale = 3.0 * (np.abs(model.weights).mean() + 1.0)
            return SoftmaxModel(
                rng.normal(0.0, scale, model.weights.shape), rng.normal(0.0, scale, model.bias.shape)
            )
        labels = (self.classes - 1 - train.y) if self.behaviour == "label-flip" else train.y
        lr = self.lr * self.lr_decay**round_index
        return model.train(train.x, labels, rng, epochs=self.epochs if not self.malicious else 4, lr=lr)

    def heldout_accuracy(self, model: SoftmaxModel) -> float:
        return model.accuracy(self.shard.heldout.x, self.shard.heldout.y)

    def aggregate(
        self, own: SoftmaxModel, received: list[tuple[SoftmaxModel, int]]
    ) -> tuple[SoftmaxModel, list[int]]:
        """The candidate this participant proposes, and the positions in ``[own, *received]`` of the
        updates it averaged."""
        if self.malicious:
            return own, [0]
        updates = [(own, self.samples), *received]
        kept = list(range(len(updates)))
        # Weakest first: drop an update if averaging without it scores better on the held-out split.
        for i in sorted(kept[1:], key=lambda i: self.heldout_accuracy(updates[i][0])):
            rest = [k for k in kept if k != i]
            with_it = self.heldout_accuracy(_average([updates[k] for k in kept]))
            if self.heldout_accuracy(_average([updates[k] for k in rest])) > with_it + self.filter_margin:
                kept = rest
        return _average([updates[k] for k in kept]), kept

    def judge(self, current: SoftmaxModel, candidates: list[SoftmaxModel]) -> list[Judgement]:
        """Accept or reject each candidate, from its accuracy on the private held-out split."""
        baseline = self.heldout_accuracy(current)
        scores = [self.heldout_accuracy(c) for c in candidates]
        best = max(scores, default=0.0)
        out = []
        for score in scores:
            accept = score >= baseline - self.tolerance and score >= best - self.gap
            out.append(Judgement(score, accept != self.malicious))
        return out


def _average(updates: list[tuple[SoftmaxModel, int]]) -> SoftmaxModel:
    return fedavg([m for m, _ in updates], [n for _, n in updates])


def votes_bits(judgements: list[Judgement]) -> int:
    """The on-chain vote: bit i accepts proposal i."""
    return sum(1 << i for i, j in enumerate(judgements) if j.accept)
