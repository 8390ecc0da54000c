"""One epoch's budget read off chain from the controller's events (``flock.chain.budgets``, decision
228), on anvil: four tasks whose stakes change over several epochs (several changes in one epoch, a
split-only change, a gamma change, an expiry, a retirement, epochs opened late and one not opened).

The event-derived budgets add up to ``accruedBudget`` and equal the weights the script reported
times each epoch's rate (the controller keeps no per-epoch budget to compare with, decision 236).

A test account plays the task registry (``TASK_REGISTRY_ROLE``), so every change is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from flock.chain.budgets import budget_of, budgets_of, weights_of
from flock.chain.clock import mine_at
from flock.emissions import Budget, EpochSplit, task_budget
from flock.units import WAD

E = WAD
ARENA, ALLIANCE, VALIDATORS_ONLY, RETIRED, NEVER = 2_001, 2_002, 2_003, 2_004, 2_005
TASKS = (ARENA, ALLIANCE, VALIDATORS_ONLY, RETIRED, NEVER)


@dataclass(frozen=True)
class Played:
    first: int  # the first epoch the tasks earn in
    epochs: range  # from before the first to past the last opened


def goto(emissions, epoch: int) -> None:
    mine_at(emissions.genesis() + epoch * emissions.epochLength() + 60)


@pytest.fixture(scope="module")
def played(emissions, admin, accounts) -> Played:
    reporter, keeper = accounts[8], accounts[9]
    emissions.grantRole(emissions.TASK_REGISTRY_ROLE(), reporter, sender=admin)
    emissions.checkpoint(sender=keeper)
    first = emissions.nextEpoch()
    far = emissions.genesis() + (first + 100) * emissions.epochLength()
    ends = emissions.genesis() + (first + 3) * emissions.epochLength()  # expiry: first + 3
    # during first - 1: enrolments, and two more changes of ARENA in the same epoch (the last wins)
    emissions.enrollTask(ARENA, True, far, 30_000 * E, 10_000 * E, sender=reporter)
    emissions.enrollTask(ALLIANCE, False, ends, 20_000 * E + 123, 0, sender=reporter)
    emissions.enrollTask(VALIDATORS_ONLY, True, far, 0, 5_000 * E, sender=reporter)
    emissions.enrollTask(RETIRED, True, far, 10_000 * E, 10_000 * E, sender=reporter)
    emissions.updateTask(ARENA, 31_000 * E, 10_000 * E, sender=reporter)
    emissions.updateTask(ARENA, 32_000 * E, 12_000 * E + 999, sender=reporter)
    goto(emissions, first)  # during first: changes from first + 1, and gamma for epochs opened later
    emissions.updateTask(ARENA, 40_000 * E, 5_000 * E, sender=reporter)  # opens `first` itself
    emissions.updateTask(VALIDATORS_ONLY, 2_000 * E, 5_000 * E, sender=reporter)
    emissions.setGamma(3 * E // 10, sender=admin)
    goto(emissions, first + 1)
    emissions.retireTask(RETIRED, sender=reporter)  # nothing from first + 2 on
    emissions.updateTask(ALLIANCE, 25_000 * E, 0, sender=reporter)
    goto(emissions, first + 2)
    emissions.updateTask(ARENA, 35_000 * E, 10_000 * E, sender=reporter)  # the split only, from first + 3
    goto(emissions, first + 4)  # first + 3 and first + 4 are opened together, late
    emissions.checkpoint(sender=keeper)
    emissions.updateTask(ARENA, 1_000 * E, 1_000 * E, sender=reporter)
    goto(emissions, first + 6)  # first + 5 and first + 6 started, not opened
    assert emissions.nextEpoch() == first + 5
    return Played(first, range(max(first - 2, 0), first + 8))


def test_event_budgets_add_up_to_the_accrued_budget(played, protocol, emissions):
    opened = range(emissions.nextEpoch())
    for task in TASKS:
        budgets = budgets_of(protocol, task, opened)
        assert sum(b.total for b in budgets.values()) == emissions.accruedBudget(task)
        assert all(b.total == b.nodes + b.validators for b in budgets.values())
    assert emissions.accruedBudget(ARENA) > 0 and emissions.accruedBudget(NEVER) == 0


def test_one_epochs_budget_reads_only_the_blocks_before_it(played, protocol, emissions):
    for task in TASKS:
        to_head = budgets_of(protocol, task, played.epochs)
        assert {e: budget_of(protocol, task, e) for e in played.epochs} == to_head


def test_what_the_history_gives(played, protocol, emissions):
    first = played.first
    arena = weights_of(protocol, ARENA)
    assert arena.units(first) == (32_000_000, 12_000_000)  # the last of three changes from `first`
    assert arena.units(first + 3) == (35_000_000, 10_000_000)  # a split-only change, reported in first + 2
    budgets = budgets_of(protocol, ARENA, played.epochs)
    assert budgets[first - 1] == Budget(0, 0, 0)
    assert budgets[first + 5] == budgets[first + 6] == Budget(0, 0, 0)  # started, not opened
    info = emissions.epochInfo(first + 1)
    assert info.gamma == 3 * E // 10 and budgets[first + 1].total == 45_000_000 * info.rate
    alliance = budgets_of(protocol, ALLIANCE, played.epochs)
    assert alliance[first + 2].validators == 0 and alliance[first + 2].nodes > 0
    assert alliance[first + 3] == Budget(0, 0, 0)  # expired
    retired = budgets_of(protocol, RETIRED, played.epochs)
    assert retired[first + 1].total > 0 and retired[first + 2] == Budget(0, 0, 0)
    validators_only = budgets_of(protocol, VALIDATORS_ONLY, played.epochs)
    assert validators_only[first].nodes == 0 and validators_only[first].validators > 0


def _scripted_units(first: int) -> dict[int, dict[int, tuple[int, int]]]:
    """The weights (node units, validator units) `played` reported, epoch by epoch, by hand."""
    f = first
    return {
        ARENA: {f: (32_000_000, 12_000_000)}  # 12,000 FLOCK + 999 wei: the wei are below a unit
        | {e: (40_000_000, 5_000_000) for e in (f + 1, f + 2)}
        | {e: (35_000_000, 10_000_000) for e in (f + 3, f + 4)}
        | {e: (1_000_000, 1_000_000) for e in range(f + 5, f + 8)},
        ALLIANCE: {f: (20_000_000, 0), f + 1: (20_000_000, 0), f + 2: (25_000_000, 0)},  # expires at f + 3
        VALIDATORS_ONLY: {f: (0, 5_000_000)} | {e: (2_000_000, 5_000_000) for e in range(f + 1, f + 8)},
        RETIRED: {f: (10_000_000, 10_000_000), f + 1: (10_000_000, 10_000_000)},  # retired from f + 2
        NEVER: {},
    }


def test_event_budgets_are_the_scripted_weights_times_the_rates(played, protocol, emissions):
    """Independent of the reader: the weights the script reported, times each epoch's recorded rate,
    split by its gamma (`task_budget`); epochs not opened have a zero rate, so no budget."""
    expected = _scripted_units(played.first)
    for task in TASKS:
        weights = weights_of(protocol, task)
        budgets = budgets_of(protocol, task, played.epochs)
        for epoch in played.epochs:
            n, v = expected[task].get(epoch, (0, 0))
            assert weights.units(epoch) == (n, v), (task, epoch)
            info = emissions.epochInfo(epoch)
            split = EpochSplit(info.minted, info.units, info.rate, info.dust)
            total, nodes, validators = task_budget(split, n, v, info.gamma, task != ALLIANCE)
            assert budgets[epoch] == Budget(total, nodes, validators), (task, epoch)
