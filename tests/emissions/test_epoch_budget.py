"""One epoch's budget of a task computed off chain from the controller's events (decision 228):
``flock.emissions.task_weights`` and ``epoch_budget``, pure. tests/emissions/test_budget_events.py
checks the same against the contract on anvil."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flock.emissions import (
    Budget,
    Enrolment,
    EpochSplit,
    WeightChange,
    arena_split,
    epoch_budget,
    open_epoch,
    task_weights,
)
from flock.units import WAD

GAMMA = WAD // 5  # 0.2
SPLIT = EpochSplit(minted=1_000_000, units=100_000, rate=10, dust=0)
NOT_OPENED = EpochSplit(0, 0, 0, 0)
FAR = 1_000


def arena(*changes: tuple[int, int, int], expiry: int = FAR, retired: tuple[int, ...] = ()):
    return task_weights(Enrolment(True, changes[0][0], expiry), [WeightChange(*c) for c in changes], retired)


def test_an_arena_budget_splits_by_gamma():
    weights = arena((3, 3_000, 1_000))
    budget = epoch_budget(weights, 3, SPLIT, GAMMA)
    # R = 4,000 x 10; R_nodes = R (0.2 x 4,000 + 0.6 x 3,000) / 4,000 = 26,000
    assert budget == Budget(40_000, 26_000, 14_000)
    assert (budget.nodes, budget.validators) == arena_split(40_000, 3_000, 1_000, GAMMA)


def test_an_arena_side_without_stake_gives_everything_to_the_other():
    assert epoch_budget(arena((3, 0, 500)), 3, SPLIT, GAMMA) == Budget(5_000, 0, 5_000)
    assert epoch_budget(arena((3, 500, 0)), 3, SPLIT, GAMMA) == Budget(5_000, 5_000, 0)


def test_an_alliance_budget_is_all_the_participants():
    weights = task_weights(Enrolment(False, 2, FAR), [WeightChange(2, 5_000, 0)])
    assert epoch_budget(weights, 2, SPLIT, GAMMA) == Budget(50_000, 50_000, 0)


def test_nothing_before_the_first_change_or_without_an_enrolment():
    weights = arena((4, 1_000, 1_000))
    assert epoch_budget(weights, 3, SPLIT, GAMMA) == Budget(0, 0, 0)
    assert epoch_budget(weights, 4, SPLIT, GAMMA).total == 20_000
    never = task_weights(None, [WeightChange(1, 1_000, 0)])
    assert never.units(5) == (0, 0) and epoch_budget(never, 5, SPLIT, GAMMA) == Budget(0, 0, 0)


def test_changes_across_epochs_take_effect_from_their_epoch():
    weights = arena((1, 100, 0), (3, 200, 50), (6, 0, 0), (8, 10, 10))
    expected = {0: (0, 0), 1: (100, 0), 2: (100, 0), 3: (200, 50), 5: (200, 50), 6: (0, 0), 7: (0, 0)}
    expected |= {8: (10, 10), 50: (10, 10)}
    assert {e: weights.units(e) for e in expected} == expected
    assert epoch_budget(weights, 6, SPLIT, GAMMA) == Budget(0, 0, 0)


def test_of_several_changes_from_one_epoch_the_last_logged_wins():
    weights = arena((2, 100, 0), (2, 300, 50), (2, 250, 100), (4, 1, 1))
    assert weights.units(2) == weights.units(3) == (250, 100)
    # a split-only change (same units, other sides) counts as much as any
    assert arena((2, 300, 100), (2, 100, 300)).units(2) == (100, 300)


def test_no_budget_from_the_expiry_on():
    weights = arena((1, 1_000, 0), expiry=5)
    assert epoch_budget(weights, 4, SPLIT, GAMMA).total == 10_000
    assert weights.units(5) == (0, 0) and epoch_budget(weights, 5, SPLIT, GAMMA) == Budget(0, 0, 0)


def test_no_budget_from_a_retirement_on():
    weights = arena((1, 1_000, 1_000), (3, 2_000, 0), retired=(4,))
    assert weights.expiry == 4
    assert weights.units(3) == (2_000, 0)
    assert weights.units(4) == weights.units(9) == (0, 0)
    assert arena((1, 1, 1), expiry=3, retired=(7,)).expiry == 3  # the earlier end counts


def test_an_epoch_not_opened_or_without_emission_has_no_budget():
    weights = arena((1, 1_000, 1_000))
    assert epoch_budget(weights, 2, NOT_OPENED, 0) == Budget(0, 0, 0)
    assert epoch_budget(weights, 2, open_epoch(0, 0), GAMMA) == Budget(0, 0, 0)


def test_each_epoch_uses_its_own_rate_and_gamma():
    weights = arena((1, 3_000, 1_000))
    low, high = open_epoch(1_000_000, 400_000), open_epoch(1_000_000, 100_000)  # rates 2 and 10
    assert epoch_budget(weights, 1, low, WAD // 2) == Budget(8_000, 4_000, 4_000)  # g = 0.5: halves
    assert epoch_budget(weights, 2, high, 0) == Budget(40_000, 30_000, 10_000)  # g = 0: by stake


# A random history: per epoch, a rate (zero: nothing minted) and up to three changes reported during
# the previous epoch; maybe a retirement. The budgets add up to what the controller's MasterChef
# accrual books: the units in force x the accumulator's growth over each stretch of epochs.
changes_per_epoch = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=0, max_size=3)


@given(
    st.lists(st.tuples(st.integers(0, 10**9), changes_per_epoch), min_size=1, max_size=12),
    st.integers(1, 14),
    st.one_of(st.none(), st.integers(1, 14)),
    st.booleans(),
)
def test_the_budgets_add_up_to_the_accrual(epochs, expiry, retired, is_arena):
    changes = [WeightChange(e, n, v) for e, (_, reported) in enumerate(epochs) for n, v in reported]
    weights = task_weights(Enrolment(is_arena, 0, expiry), changes, () if retired is None else (retired,))
    splits = [EpochSplit(0, 0, rate, 0) for rate, _ in epochs]
    budgets = [epoch_budget(weights, e, split, GAMMA) for e, split in enumerate(splits)]
    assert all(b.total == b.nodes + b.validators for b in budgets)
    # the accrual, as the controller books it: units change only where a change is logged
    end = min(len(epochs), expiry, retired or expiry)
    accrued, units = 0, 0
    for e in range(end):
        reported = epochs[e][1]
        if reported:
            units = sum(reported[-1])
        accrued += units * splits[e].rate
    assert sum(b.total for b in budgets) == accrued
