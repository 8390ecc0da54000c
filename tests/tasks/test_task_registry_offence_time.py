"""Issue 11, attack 6: pool slashes respect the offence time and each delegation's risk window.

A delegation answers for the offences committed while it backed its operator: from the moment
it was made to the moment it was undelegated (docs/tasks.md, "Slashing and the risk window").
Before the fix, a slash took its share of `active + exiting` whatever the offence time, so a
delegation whose exit window had ended before the offence (not yet released) and a delegation
made after the offence both lost their share.
"""

import ape
import pytest

from flock.chain.clock import advance, head_time, mine_at
from flock.tasks import Role, slash_route
from flock.units import DAY, WAD

E = WAD


def events(receipt, name):
    here = receipt.receiver
    return [log for log in receipt.events if log.event_name == name and log.contract_address == here]


@pytest.fixture
def timeline(tasks, admin, cast, new_task):
    """A 30-day Arena task; the node (10,000 own) is backed from day 0 by `delegator` (6,000),
    `p1` (4,000, undelegates on day 1: its exit window ends on day 8) and `p3` (4,000). The
    offence is on day 9; `p3` undelegates after it, `p2` delegates 5,000 after it; the slash
    (10% of the node's 29,000 effective stake) lands on day 11."""
    task_id = new_task(cast.creator, duration=30 * DAY)
    tasks.approveTask(task_id, sender=admin)
    tasks.join(task_id, Role.NODE, 10_000 * E, 5_000, sender=cast.node)
    mine_at(head_time() + 60)  # the delegations come a minute after the task's creation
    start = head_time()
    tasks.delegateStake(task_id, cast.node, 6_000 * E, sender=cast.delegator)
    tasks.delegateStake(task_id, cast.node, 4_000 * E, sender=cast.p1)
    tasks.delegateStake(task_id, cast.node, 4_000 * E, sender=cast.p3)
    mine_at(start + 1 * DAY)
    tasks.undelegate(task_id, sender=cast.p1)
    assert tasks.delegationOf(task_id, cast.p1).releaseAt <= start + 8 * DAY + 1
    mine_at(start + 9 * DAY)
    offence_at = head_time()
    advance(3_600)
    tasks.undelegate(task_id, sender=cast.p3)  # exits after the offence: still at risk
    mine_at(start + 10 * DAY)
    tasks.delegateStake(task_id, cast.node, 5_000 * E, sender=cast.p2)  # made after the offence
    mine_at(start + 11 * DAY)
    return task_id, offence_at


def test_only_the_delegations_at_risk_at_the_offence_lose(tasks, gmflock, cast, slasher, outsider, timeline):
    task_id, offence_at = timeline
    gm = {a: gmflock.balanceOf(a) for a in (cast.delegator, cast.p1, cast.p2, cast.p3)}
    receipt = tasks.slash(task_id, cast.node, 2_900 * E, offence_at, slash_route(), sender=slasher)
    (slashed,) = events(receipt, "Slashed")
    assert (slashed.ownGm, slashed.poolGm, slashed.offenceAt) == (1_000 * E, 1_900 * E, offence_at)
    # Each delegation at risk loses 10%; the late one and the long-exited one lose nothing.
    values = {a: tasks.delegationOf(task_id, a).value for a in (cast.delegator, cast.p1, cast.p2, cast.p3)}
    assert values == {cast.delegator: 5_400 * E, cast.p1: 4_000 * E, cast.p2: 5_000 * E, cast.p3: 3_600 * E}
    for account in (cast.delegator, cast.p1, cast.p2, cast.p3):
        tasks.sync(task_id, account, sender=outsider)
    assert gmflock.balanceOf(cast.p1) == gm[cast.p1]
    assert gmflock.balanceOf(cast.p2) == gm[cast.p2]
    assert gmflock.balanceOf(cast.delegator) == gm[cast.delegator] - 600 * E
    assert gmflock.balanceOf(cast.p3) == gm[cast.p3] - 400 * E
    # Once synced, the pool's totals are the delegations' values again (to the rounding wei), and
    # the task reports the late delegation's full weight for emissions.
    active, exiting, allocated, _, _ = tasks.poolOf(task_id, cast.node)
    assert abs(active - 10_400 * E) <= 2 and abs(exiting - 7_600 * E) <= 2
    assert allocated == 18_000 * E
    assert tasks.taskStakes(task_id).delegatedToNodes == active


def test_a_long_exited_delegation_is_released_in_full(tasks, gmflock, cast, slasher, outsider, timeline):
    task_id, offence_at = timeline
    tasks.slash(task_id, cast.node, 2_900 * E, offence_at, slash_route(), sender=slasher)
    before = gmflock.allocatedOf(cast.p1)
    receipt = tasks.release(task_id, cast.p1, sender=outsider)
    assert receipt.return_value == 4_000 * E
    assert gmflock.allocatedOf(cast.p1) == before - 4_000 * E


def test_an_offence_before_a_delegation_was_made_cannot_reach_it(tasks, cast, slasher, timeline):
    """The same slash dated before every delegation: only the operator's own stake pays."""
    task_id, _ = timeline
    created = tasks.taskInfo(task_id).createdAt
    tasks.slash(task_id, cast.node, 2_900 * E, created, slash_route(), sender=slasher)
    assert tasks.memberOf(task_id, cast.node).stake == 9_000 * E
    for account, value in ((cast.delegator, 6_000), (cast.p1, 4_000), (cast.p2, 5_000), (cast.p3, 4_000)):
        assert tasks.delegationOf(task_id, account).value == value * E


def test_offence_time_must_lie_in_the_task_life(tasks, cast, slasher, timeline):
    task_id, _ = timeline
    created = tasks.taskInfo(task_id).createdAt
    with ape.reverts(tasks.TaskRegistryInvalidOffenceTime, offenceAt=created - 1, earliest=created):
        tasks.slash(task_id, cast.node, E, created - 1, slash_route(), sender=slasher)
    future = head_time() + 3_600
    with ape.reverts(tasks.TaskRegistryInvalidOffenceTime, offenceAt=future):
        tasks.slash(task_id, cast.node, E, future, slash_route(), sender=slasher)


def test_a_pool_records_at_most_max_pool_slashes(tasks, arena, cast, slasher, outsider):
    """A delegation's sync walks its pool's slashes: the pool records at most MAX_POOL_SLASHES of
    them; later slashes of the operator take only its own share."""
    tasks.delegateStake(arena, cast.node, 10_000 * E, sender=cast.delegator)
    limit = tasks.MAX_POOL_SLASHES()
    for _ in range(limit):
        tasks.slash(arena, cast.node, 2 * E, head_time(), slash_route(), sender=slasher)
    assert tasks.poolOf(arena, cast.node).slashes == limit
    own = tasks.memberOf(arena, cast.node).stake
    value = tasks.delegationOf(arena, cast.delegator).value
    receipt = tasks.slash(arena, cast.node, 2 * E, head_time(), slash_route(), sender=slasher)
    (slashed,) = events(receipt, "Slashed")
    assert slashed.poolGm == 0 and slashed.ownGm == own * 2 * E // (own + value)
    assert tasks.delegationOf(arena, cast.delegator).value == value
    receipt = tasks.sync(arena, cast.delegator, sender=outsider)
    assert receipt.gas_used < 400_000  # every recorded slash walked once (measured 340,793)
