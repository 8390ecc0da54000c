"""TaskRegistry paths no other anvil test took (docs/audit.md, "Coverage"): a task created without
a creator stake and its creator's release of nothing, a slash too small to reach the operator's
own stake (the pool takes all of it), the creator who is also a member asking too early, the
release of an evicted (vacated) participant, and the views for accounts of the other kind."""

import ape
import pytest

from flock.chain.clock import head_time, next_block_at
from flock.tasks import Role, slash_route
from flock.units import DAY, WAD

E = WAD


@pytest.fixture(scope="module", autouse=True)
def _accounts_first(accounts):
    """The session's accounts (the `slasher` fixture's) are set up before any test's own fixtures."""


def _events(receipt, name, contract):
    return [e for e in receipt.events if e.event_name == name and e.contract_address == contract.address]


def _release_at(tasks, task_id):
    info = tasks.taskInfo(task_id)
    return info.endTime + info.disputeWindow


def test_a_task_without_creator_stake_allocates_and_releases_nothing(
    tasks, gmflock, admin, cast, params, new_task, outsider
):
    """`creatorStakePerDay` 0 (governance may set it): the task is created with no creator stake,
    nothing is allocated, and the creator's release after the window records a release of 0 and
    calls gmFLOCK for nothing."""
    rules = (params.minTaskDuration, params.maxTaskDuration, params.disputeWindow, params.maxParticipants)
    tasks.setTaskRules(0, *rules, sender=admin)
    allocated = gmflock.allocatedOf(cast.creator)
    task_id = new_task(cast.creator)
    assert tasks.taskInfo(task_id).creatorStake == 0
    assert gmflock.allocatedOf(cast.creator) == allocated
    next_block_at(_release_at(tasks, task_id))
    receipt = tasks.release(task_id, cast.creator, sender=outsider)
    assert receipt.return_value == 0
    assert [(e.account, e.amount, e.creator) for e in _events(receipt, "StakeReleased", tasks)] == [
        (cast.creator.address, 0, True)
    ]
    assert _events(receipt, "Released", gmflock) == []
    assert gmflock.allocatedOf(cast.creator) == allocated
    with ape.reverts(tasks.TaskRegistryNothingToRelease, taskId=task_id, account=cast.creator):
        tasks.release(task_id, cast.creator, sender=outsider)


def test_a_slash_too_small_for_the_own_stake_is_the_pools_alone(tasks, gmflock, arena, cast, slasher):
    """1 wei of a node with 10,000 gmFLOCK of its own and 4,000 delegated: its own share rounds
    down to 0, so gmFLOCK is not called; the pool records the slash."""
    tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.delegator)
    own, balance = tasks.memberOf(arena, cast.node).stake, gmflock.balanceOf(cast.node)
    receipt = tasks.slash(arena, cast.node, 1, head_time(), slash_route(), sender=slasher)
    (slashed,) = _events(receipt, "Slashed", tasks)
    assert (slashed.gmAmount, slashed.ownGm, slashed.poolGm, slashed.flockSeized) == (1, 0, 1, 0)
    assert _events(receipt, "Slashed", gmflock) == []
    assert tasks.memberOf(arena, cast.node).stake == own and gmflock.balanceOf(cast.node) == balance
    active, exiting, _, _, slashes = tasks.poolOf(arena, cast.node)
    assert (active + exiting, slashes) == (4_000 * E - 1, 1)


def test_a_creator_member_asking_early_is_told_when_the_task_releases(tasks, arena, cast, outsider):
    """The creator is also a node: before the end both its stakes are locked until the task's
    release time, which its member stake already names."""
    tasks.join(arena, Role.NODE, 5_000 * E, 5_000, sender=cast.creator)
    due = _release_at(tasks, arena)
    with ape.reverts(tasks.TaskRegistryStakeLocked, taskId=arena, account=cast.creator, releaseAt=due):
        tasks.release(arena, cast.creator, sender=outsider)


def test_a_creator_with_an_exiting_delegation_is_told_its_earliest_release(tasks, arena, cast, outsider):
    """The creator delegated and asked to undelegate: before the end its creator stake is locked
    until the task's release, its delegation only until the earlier delegation release, which is
    the time the refusal names (mutant e780e0f71941 named the task's)."""
    tasks.delegateStake(arena, cast.node, 1_000 * E, sender=cast.creator)
    tasks.undelegate(arena, sender=cast.creator)
    due = tasks.delegationOf(arena, cast.creator).releaseAt
    assert due < _release_at(tasks, arena)
    with ape.reverts(tasks.TaskRegistryStakeLocked, taskId=arena, account=cast.creator, releaseAt=due):
        tasks.release(arena, cast.creator, sender=outsider)


def test_an_evicted_participant_is_released_without_freeing_a_place_twice(
    tasks, gmflock, alliance, cast, slasher, outsider
):
    """A vacated participant freed its place when it was evicted: its release returns its stake
    and leaves the task's member count alone."""
    for who in (cast.p1, cast.p2, cast.p3):
        tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=who)
    tasks.vacate(alliance, cast.p1, sender=slasher)
    assert tasks.participantCount(alliance) == 2
    next_block_at(_release_at(tasks, alliance))
    allocated = gmflock.allocatedOf(cast.p1)
    receipt = tasks.release(alliance, cast.p1, sender=outsider)
    assert receipt.return_value == 1_000 * E
    assert gmflock.allocatedOf(cast.p1) == allocated - 1_000 * E
    assert tasks.participantCount(alliance) == 2  # not 1: p1's place was freed at the eviction
    tasks.release(alliance, cast.p2, sender=outsider)
    assert tasks.participantCount(alliance) == 1


def test_views_for_an_account_of_the_other_kind_are_empty(tasks, arena, cast):
    tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.delegator)
    assert tasks.effectiveStake(arena, cast.delegator) == (0, 0, 0)  # a delegator is no operator
    assert tasks.effectiveStake(arena, cast.node) == (10_000 * E, 4_000 * E, 14_000 * E)
    info = tasks.delegationOf(arena, cast.node)  # an operator has no delegation
    assert (info.operator, info.allocated, info.value, info.exitAt, info.releaseAt) == (
        "0x0000000000000000000000000000000000000000",
        0,
        0,
        0,
        0,
    )
    assert tasks.participantCount(arena) == 0  # counted for Alliance tasks only


def test_a_released_delegation_has_no_delegation_view(tasks, arena, cast, outsider):
    tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.delegator)
    next_block_at(_release_at(tasks, arena) + DAY)
    tasks.release(arena, cast.delegator, sender=outsider)
    assert tasks.memberOf(arena, cast.delegator).released
    assert tasks.delegationOf(arena, cast.delegator).allocated == 0
    assert tasks.delegationOf(arena, cast.delegator).operator == "0x0000000000000000000000000000000000000000"
