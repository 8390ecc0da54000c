"""The emission schedule and split, in integer arithmetic identical to EmissionController's.

The contract is the authority; this model exists so that docs/emissions.md, the demo and the
property tests can state what the contract must produce and check it (tests/docs/ compares the
documented worked example with both). It is also where one epoch's budget of a task comes from: the
controller keeps only cumulative budgets (decision 228), so ``epoch_budget`` computes it from the
controller's events and the epoch's rate (``flock.chain.budgets`` reads them from a chain).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flock.units import WAD

STAKE_UNIT = 10**15  # gmFLOCK wei per stake unit (a thousandth of a gmFLOCK)


@dataclass(frozen=True)
class EpochClock:
    """The emission epochs, as contracts/utils/EpochClock.sol states them: epoch ``e`` covers
    ``[genesis + e * length, genesis + (e + 1) * length)``."""

    genesis: int
    length: int

    @classmethod
    def of(cls, emissions: Any) -> EpochClock:
        """The clock of an emission controller (any handle with ``genesis()`` and ``epochLength()``)."""
        return cls(int(emissions.genesis()), int(emissions.epochLength()))

    def epoch_at(self, timestamp: int) -> int:
        """The epoch ``timestamp`` falls in (at or after genesis)."""
        return (timestamp - self.genesis) // self.length

    def start(self, epoch: int) -> int:
        """When ``epoch`` begins."""
        return self.genesis + epoch * self.length


@dataclass(frozen=True)
class Schedule:
    """E_k = E0 x r^floor(k / P), one floor per decay step, capped per epoch."""

    initial_emission: int  # E0, wei
    decay: int  # r, 1e18 = 1
    decay_period: int  # P, epochs
    epoch_cap: int  # wei

    def scheduled(self, epoch: int) -> int:
        """The schedule's emission for ``epoch``, before the cap."""
        amount = self.initial_emission
        for _ in range(epoch // self.decay_period):
            if amount == 0:
                break
            amount = amount * self.decay // WAD
        return amount

    def emission(self, epoch: int, headroom: int | None = None) -> int:
        """What epoch ``epoch`` mints when it has eligible stake: capped, within the token's room."""
        amount = min(self.scheduled(epoch), self.epoch_cap)
        return amount if headroom is None else min(amount, headroom)


def units(stake: int) -> int:
    """Stake units of a gmFLOCK amount (rounded down)."""
    return stake // STAKE_UNIT


@dataclass(frozen=True)
class EpochSplit:
    """What opening an epoch records: the rate per stake unit and the dust."""

    minted: int
    units: int
    rate: int
    dust: int


def open_epoch(emission: int, total_units: int) -> EpochSplit:
    """The epoch's split: nothing minted without eligible stake; else rate = floor(E / W)."""
    if total_units == 0:
        return EpochSplit(0, 0, 0, 0)
    rate = emission // total_units
    return EpochSplit(emission, total_units, rate, emission - rate * total_units)


def arena_split(total: int, node_units: int, validator_units: int, gamma: int) -> tuple[int, int]:
    """(nodes, validators) of an Arena task's budget ``total``:
    R_nodes = floor(R (g (T + V) + (1 - 2g) T) / (T + V)), R_validators = R - R_nodes.
    An empty side gives everything to the other."""
    if validator_units == 0:
        return total, 0
    if node_units == 0:
        return 0, total
    both = node_units + validator_units
    nodes = total * (gamma * both + (WAD - 2 * gamma) * node_units) // (WAD * both)
    return nodes, total - nodes


def task_budget(
    split: EpochSplit, node_units: int, validator_units: int, gamma: int, arena: bool
) -> tuple[int, int, int]:
    """(total, nodes, validators) of a task weighing ``node_units`` + ``validator_units``."""
    total = (node_units + validator_units) * split.rate
    if not arena:
        return total, total, 0
    nodes, validators = arena_split(total, node_units, validator_units, gamma)
    return total, nodes, validators


# ---------------------------------------------------------------- one epoch's budget, off chain
#
# The controller keeps no per-epoch history (decision 228): a task's budget for one epoch is
# computed from the controller's events (TaskEnrolled, TaskWeightChanged, TaskRetired) and the
# epoch's ``epochInfo`` with exactly the arithmetic above.


@dataclass(frozen=True)
class Budget:
    """A task's emission budget for one epoch: ``total = nodes + validators`` (an Alliance task's
    participants are its ``nodes``)."""

    total: int
    nodes: int
    validators: int


@dataclass(frozen=True)
class Enrolment:
    """``TaskEnrolled(taskId, arena, fromEpoch, expiry)``: the task earns from ``from_epoch`` until
    ``expiry`` (the first epoch without a budget)."""

    arena: bool
    from_epoch: int
    expiry: int


@dataclass(frozen=True)
class WeightChange:
    """``TaskWeightChanged(taskId, fromEpoch, nodeUnits, validatorUnits)``: the task's weight from
    ``from_epoch`` on."""

    from_epoch: int
    node_units: int
    validator_units: int


@dataclass(frozen=True)
class TaskWeights:
    """One task's weight in every epoch, as its events state it."""

    arena: bool
    expiry: int  # the first epoch without a budget; 0 for a task never enrolled
    changes: tuple[WeightChange, ...]  # by from_epoch; of several from one epoch, in log order

    def units(self, epoch: int) -> tuple[int, int]:
        """(node units, validator units) in ``epoch``: the latest change from at or before it (of
        several from one epoch, the last logged), zero before the first and from the expiry on."""
        if epoch >= self.expiry:
            return 0, 0
        index = bisect_right(self.changes, epoch, key=lambda c: c.from_epoch)
        if index == 0:
            return 0, 0
        return self.changes[index - 1].node_units, self.changes[index - 1].validator_units


def task_weights(
    enrolment: Enrolment | None, changes: Iterable[WeightChange], retired: Iterable[int] = ()
) -> TaskWeights:
    """A task's weights from its events: its enrolment (None: never enrolled, never earns), its
    weight changes in log order and the ``fromEpoch`` of its retirement, if any (it earns nothing
    from then on)."""
    if enrolment is None:
        return TaskWeights(False, 0, ())
    expiry = min([enrolment.expiry, *retired])
    # a stable sort: changes reported from one epoch keep their log order, the last one wins
    return TaskWeights(enrolment.arena, expiry, tuple(sorted(changes, key=lambda c: c.from_epoch)))


def epoch_budget(weights: TaskWeights, epoch: int, split: EpochSplit, gamma: int) -> Budget:
    """The task's budget for ``epoch``, whose opening recorded ``split`` and ``gamma``
    (``epochInfo``; an epoch not opened yet has the zero split and a zero budget)."""
    node_units, validator_units = weights.units(epoch)
    return Budget(*task_budget(split, node_units, validator_units, gamma, weights.arena))
