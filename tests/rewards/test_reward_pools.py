"""Attacks on the per-task pools of RewardDistributor (decision 236, the distributor's side of
decision 228): each performs the attack and shows it refused, or, for what decision 228 gives up,
shows what the chain accepts and what the oracle's `verify` is left to catch."""

import ape
import pytest
from reward_helpers import REPORT, Posted, TaskEpoch, epoch_budget, finalize, leaves_for, open_epoch, post

from flock.chain.clock import mine_at
from flock.rewards import Status
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

E = WAD
ROOT = b"\x11" * 32
ROOT2 = b"\x22" * 32


def events(receipt, name, contract):
    return [e for e in receipt.events if e.event_name == name and e.contract_address == contract.address]


def both_post(rewards, oracles, at: TaskEpoch, root: bytes, total: int, burn: int = 0):
    """The first two oracles post the same tuple (quorum 2); returns the second receipt."""
    rewards.postRoot(at.task, at.epoch, root, total, burn, REPORT, sender=oracles[0])
    return rewards.postRoot(at.task, at.epoch, root, total, burn, REPORT, sender=oracles[1])


@pytest.fixture
def other_task(arena_task, tasks, cast, admin) -> int:
    """A second Arena task approved with the first (before its earning epoch opens), smaller."""
    tasks.createTask(
        TaskKind.ARENA, 30 * DAY, spec_hash("another arena"), "ipfs://other", 0, 0, sender=cast.creator
    )
    task_id = tasks.taskCount()
    tasks.join(task_id, Role.NODE, 2_000 * E, 5_000, sender=cast.node2)
    tasks.join(task_id, Role.VALIDATOR, 3_000 * E, 3_000, sender=cast.validator2)
    tasks.approveTask(task_id, sender=admin)
    return task_id


def test_a_root_one_wei_past_the_pool_is_refused(rewards, oracles, ended, budget, revenue):
    """The pool is what the task accrued plus its funded revenue: one wei more is refused, by
    total or by burn; exactly the pool is accepted and leaves it empty."""
    rewards.fundEpoch(ended.task, ended.epoch, 3 * E, sender=revenue)
    pool = budget + 3 * E
    with ape.reverts(rewards.RewardBudgetExceeded, taskId=ended.task, requested=pool + 1, unallocated=pool):
        rewards.postRoot(ended.task, ended.epoch, ROOT, pool + 1, 0, REPORT, sender=oracles[0])
    with ape.reverts(rewards.RewardBudgetExceeded, requested=pool + 1, unallocated=pool):
        rewards.postRoot(ended.task, ended.epoch, ROOT, pool - E, E + 1, REPORT, sender=oracles[0])
    assert rewards.unallocatedOf(ended.task) == 3 * E  # the refused first posts drew nothing
    both_post(rewards, oracles, ended, ROOT, pool - E, E)
    assert rewards.unallocatedOf(ended.task) == 0
    assert rewards.epochRewards(ended.task, ended.epoch).status == Status.ACCEPTED


def test_two_epochs_roots_never_take_more_than_the_task_accrued_and_was_funded(
    rewards, emissions, token, oracles, ended, budget, revenue, cast
):
    """The first epoch's root reserves most of the pool; the second epoch's root cannot take more
    than what is left plus what accrued since: one wei past it is refused."""
    rewards.fundEpoch(ended.task, ended.epoch, 2 * E, sender=revenue)
    first_total = budget + 2 * E - 3 * E
    both_post(rewards, oracles, ended, ROOT, first_total, E)
    assert rewards.unallocatedOf(ended.task) == 2 * E
    later = TaskEpoch(ended.task, ended.epoch + 1)
    open_epoch(emissions, cast.stranger, later.epoch + 1)
    accrued_since = emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)
    room = 2 * E + accrued_since
    with ape.reverts(rewards.RewardBudgetExceeded, requested=room + 1, unallocated=room):
        rewards.postRoot(later.task, later.epoch, ROOT2, room + 1, 0, REPORT, sender=oracles[0])
    both_post(rewards, oracles, later, ROOT2, room)
    # Together: exactly what the task accrued (all drawn now) plus what was funded.
    drawn = emissions.drawnBudget(ended.task)
    assert drawn == emissions.accruedBudget(ended.task)
    reserved = sum(
        rewards.epochRewards(ended.task, e).total + rewards.epochRewards(ended.task, e).burn
        for e in (ended.epoch, later.epoch)
    )
    assert reserved == drawn + 2 * E and rewards.unallocatedOf(ended.task) == 0
    assert token.balanceOf(rewards) >= reserved


def test_a_tasks_roots_never_draw_another_tasks_budget(rewards, emissions, oracles, other_task, ended, cast):
    """Task A's first post draws A's accrual only; a root of A that fits A + B's pools together,
    not A's, is refused, and B's budget stays at the controller, then in B's own pool."""
    a, b = ended.task, other_task
    open_epoch(emissions, cast.stranger, ended.epoch + 2)  # both tasks earn in this one
    a_accrued, b_accrued = emissions.accruedBudget(a), emissions.accruedBudget(b)
    assert a_accrued > 0 and b_accrued > 0
    rewards.postRoot(a, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[0])
    assert rewards.unallocatedOf(a) == a_accrued and rewards.unallocatedOf(b) == 0
    assert emissions.drawnBudget(b) == 0
    both = a_accrued + b_accrued
    with ape.reverts(rewards.RewardBudgetExceeded, taskId=a, requested=a_accrued + 1, unallocated=a_accrued):
        rewards.postRoot(a, ended.epoch, ROOT2, a_accrued + 1, 0, REPORT, sender=oracles[1])
    with ape.reverts(rewards.RewardBudgetExceeded, taskId=a, requested=both, unallocated=a_accrued):
        rewards.postRoot(a, ended.epoch, ROOT2, both, 0, REPORT, sender=oracles[1])
    both_post(rewards, oracles, TaskEpoch(b, ended.epoch), ROOT2, b_accrued)
    assert rewards.unallocatedOf(b) == 0 and rewards.unallocatedOf(a) == a_accrued
    assert emissions.drawnBudget(b) == b_accrued


def test_a_veto_returns_exactly_total_and_burn_and_the_next_round_uses_it(
    rewards, admin, oracles, ended, budget, cast
):
    post(rewards, oracles, ended, leaves_for([cast.node], [budget - 2 * E]), burn=2 * E)
    assert rewards.unallocatedOf(ended.task) == 0
    receipt = rewards.veto(ended.task, ended.epoch, sender=admin)
    (vetoed,) = events(receipt, "RootVetoed", rewards)
    assert vetoed.returned == budget and rewards.unallocatedOf(ended.task) == budget
    # The next round spends all of it, not one wei more.
    with ape.reverts(rewards.RewardBudgetExceeded, requested=budget + 1, unallocated=budget):
        rewards.postRoot(ended.task, ended.epoch, ROOT, budget + 1, 0, REPORT, sender=oracles[0])
    receipt = both_post(rewards, oracles, ended, ROOT, budget)
    assert events(receipt, "RootAccepted", rewards)
    info = rewards.epochRewards(ended.task, ended.epoch)
    assert (info.status, info.round, info.total) == (Status.ACCEPTED, 1, budget)
    assert rewards.unallocatedOf(ended.task) == 0


def test_a_veto_returns_to_the_pool_another_epoch_can_use(
    rewards, emissions, admin, oracles, ended, budget, cast
):
    """What a veto returns is the task's, not the epoch's: the next epoch's root may take it."""
    both_post(rewards, oracles, ended, ROOT, budget)
    rewards.veto(ended.task, ended.epoch, sender=admin)
    later = TaskEpoch(ended.task, ended.epoch + 1)
    open_epoch(emissions, cast.stranger, later.epoch + 1)
    room = budget + emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)
    both_post(rewards, oracles, later, ROOT2, room)
    assert rewards.unallocatedOf(ended.task) == 0
    with ape.reverts(rewards.RewardBudgetExceeded, requested=1, unallocated=0):
        rewards.postRoot(ended.task, ended.epoch, ROOT, 1, 0, REPORT, sender=oracles[0])


def test_sweep_refusals_non_admin_and_active_task(rewards, tasks, admin, outsider, oracles, ended, cast):
    """Every caller but the timelock is refused; the timelock is refused while the task earns,
    also after its roots; a task that never had anything: nothing to sweep."""
    rewards.postRoot(ended.task, ended.epoch, ROOT, E, 0, REPORT, sender=oracles[0])  # draws the pool
    for account in (outsider, cast.creator, oracles[0]):
        with ape.reverts(rewards.AccessControlUnauthorizedAccount):
            rewards.sweepUnallocated(ended.task, outsider, sender=account)
    with ape.reverts(rewards.RewardTaskStillActive, taskId=ended.task):
        rewards.sweepUnallocated(ended.task, outsider, sender=admin)
    tasks.createTask(
        TaskKind.ARENA, 30 * DAY, spec_hash("never approved"), "ipfs://n", 0, 0, sender=cast.creator
    )
    never = tasks.taskCount()
    tasks.cancelTask(never, sender=admin)
    with ape.reverts(rewards.RewardNothingToSweep, taskId=never):
        rewards.sweepUnallocated(never, outsider, sender=admin)


def test_a_task_ended_by_time_is_swept_with_its_undrawn_accrual(
    rewards, token, tasks, emissions, admin, outsider, oracles, ended, cast, no_vesting
):
    """No root posted at all: everything the task accrued is still at the controller; after the
    task's end the sweep draws it and sends it."""
    end_time = tasks.taskInfo(ended.task).endTime
    mine_at(end_time + 1)
    emissions.checkpoint(sender=cast.stranger)  # opens the epochs up to the task's end
    assert not tasks.isActive(ended.task)
    undrawn = emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)
    assert undrawn > 0 and rewards.unallocatedOf(ended.task) == 0
    before = token.balanceOf(outsider)
    rewards.sweepUnallocated(ended.task, outsider, sender=admin)
    assert token.balanceOf(outsider) == before + undrawn
    assert emissions.drawnBudget(ended.task) == emissions.accruedBudget(ended.task)


def test_what_decision_228_gives_up_a_root_paying_past_its_epochs_budget(
    rewards, emissions, oracles, ended, budget, cast, no_vesting
):
    """An oracle quorum posts a root for epoch e paying more than e's own budget, out of the
    task's next epoch's budget: the chain accepts it (it fits the task's pool). Only the oracle's
    `verify`, which recomputes e's budget from the controller's events, flags it for the guardian's
    veto window (docs/security.md, trust model of roots)."""
    own = epoch_budget(emissions, ended.task, ended.epoch)
    later = epoch_budget(emissions, ended.task, ended.epoch + 1)
    assert own > 0 and later > 0 and budget == own + later
    receipt = both_post(rewards, oracles, ended, ROOT, own + later)
    (accepted,) = events(receipt, "RootAccepted", rewards)
    assert accepted.total == own + later > own  # past e's budget, accepted on chain
    # What it gives up stops at the task's budget: epoch e + 1's root, whose budget was spent,
    # has only what accrued since (epoch e + 2's budget) and not one wei more.
    open_epoch(emissions, cast.stranger, ended.epoch + 2)
    next_room = emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)
    assert next_room == epoch_budget(emissions, ended.task, ended.epoch + 2)
    with ape.reverts(rewards.RewardBudgetExceeded, requested=next_room + 1, unallocated=next_room):
        rewards.postRoot(ended.task, ended.epoch + 1, ROOT2, next_room + 1, 0, REPORT, sender=oracles[0])
    pot = finalize(rewards, Posted(ended, None, own + later, 0), cast.stranger)
    assert rewards.epochRewards(ended.task, ended.epoch).status == Status.FINAL
    assert pot.address == rewards.potOf(ended.task, ended.epoch)
