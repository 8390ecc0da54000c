"""The emission schedule and split, in integer arithmetic identical to EmissionController's.

The contract is the authority; this model exists so that docs/emissions.md, the demo and the
property tests can state what the contract must produce and check it (tests/docs/ compares the
documented worked example with both).
"""

from __future__ import annotations

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
