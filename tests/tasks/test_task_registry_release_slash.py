"""TaskRegistry: release after the dispute window (never before), slashing and its routing."""

import ape
import pytest

from flock.chain.clock import advance, head_time, next_block_at
from flock.tasks import ZERO_ADDRESS, Role, TaskState, slash_route
from flock.units import DAY, WAD

E = WAD


def events(receipt, name, contract=None):
    """Logs named ``name`` emitted by ``contract`` (the task registry by default)."""
    address = contract.address if contract is not None else receipt.receiver
    return [log for log in receipt.events if log.event_name == name and log.contract_address == address]


def release_at(tasks, task_id):
    info = tasks.taskInfo(task_id)
    return info.endTime + info.disputeWindow


# ----------------------------------------------------------------------------------------- release


@pytest.mark.parametrize("who", ["node", "validator", "creator"])
def test_no_stake_leaves_before_end_plus_dispute_window(tasks, gmflock, arena, cast, outsider, who):
    account = getattr(cast, who)
    due = release_at(tasks, arena)
    allocated = gmflock.allocatedOf(account)
    for moment in (head_time() + 1, tasks.taskInfo(arena).endTime, due - 1):
        next_block_at(moment)
        with ape.reverts(tasks.TaskRegistryStakeLocked, taskId=arena, account=account, releaseAt=due):
            tasks.release(arena, account, sender=outsider)
    assert gmflock.allocatedOf(account) == allocated
    next_block_at(due)
    tasks.release(arena, account, sender=outsider)
    assert gmflock.allocatedOf(account) < allocated


def test_allocated_stake_cannot_be_unlocked_either(tasks, token, gmflock, arena, cast, outsider):
    """Stake at risk stays even when the gmFLOCK lock behind it expires first."""
    short = gmflock.lockCount(cast.p1)
    token.approve(gmflock, 5_000 * E, sender=cast.p1)
    gmflock.lock(5_000 * E, 7 * DAY, sender=cast.p1)  # expires before the task's dispute window
    free = gmflock.balanceOf(cast.p1) - gmflock.allocatedOf(cast.p1)
    tasks.join(arena, Role.NODE, free, 5_000, sender=cast.p1)
    advance(8 * DAY)
    with ape.reverts(gmflock.GmFlockStakeAllocated):
        gmflock.unlock(short, sender=cast.p1)
    next_block_at(release_at(tasks, arena))
    tasks.release(arena, cast.p1, sender=outsider)
    gmflock.unlock(short, sender=cast.p1)


def test_release_returns_role_and_creator_stakes(tasks, gmflock, arena, cast, outsider):
    tasks.join(arena, Role.NODE, 5_000 * E, 5_000, sender=cast.creator)
    creator_stake = tasks.taskInfo(arena).creatorStake
    allocated = gmflock.allocatedOf(cast.creator)
    next_block_at(release_at(tasks, arena))
    receipt = tasks.release(arena, cast.creator, sender=outsider)
    released = events(receipt, "StakeReleased")
    assert [(r.amount, r.creator) for r in released] == [(5_000 * E, False), (creator_stake, True)]
    assert gmflock.allocatedOf(cast.creator) == allocated - 5_000 * E - creator_stake
    # Releasing records the end of a task nobody ended yet.
    assert tasks.taskInfo(arena).state == TaskState.ENDED
    assert tasks.taskInfo(arena).creatorStake == 0
    assert tasks.memberOf(arena, cast.creator).released
    assert tasks.taskStakes(arena).nodes == 10_000 * E
    with ape.reverts(tasks.TaskRegistryNothingToRelease, taskId=arena, account=cast.creator):
        tasks.release(arena, cast.creator, sender=outsider)


def test_release_of_someone_without_stake(tasks, arena, outsider):
    with ape.reverts(tasks.TaskRegistryNothingToRelease, taskId=arena, account=outsider):
        tasks.release(arena, outsider, sender=outsider)


def test_cancelled_task_releases_after_the_dispute_window(tasks, arena, cast, admin, outsider):
    tasks.cancelTask(arena, sender=admin)
    due = head_time() + tasks.taskInfo(arena).disputeWindow
    next_block_at(due - 1)
    with ape.reverts(tasks.TaskRegistryStakeLocked, releaseAt=due):
        tasks.release(arena, cast.node, sender=outsider)
    next_block_at(due)
    tasks.release(arena, cast.node, sender=outsider)
    assert tasks.taskInfo(arena).state == TaskState.CANCELLED


def test_undelegated_stake_waits_out_cooldown_and_dispute_window(
    tasks, gmflock, arena, cast, params, outsider
):
    tasks.delegateStake(arena, cast.node, 2_000 * E, sender=cast.delegator)
    tasks.undelegate(arena, sender=cast.delegator)
    exit_at = head_time()
    due = exit_at + max(params.undelegationCooldown, tasks.taskInfo(arena).disputeWindow)
    assert tasks.delegationOf(arena, cast.delegator).releaseAt == due
    allocated = gmflock.allocatedOf(cast.delegator)
    next_block_at(due - 1)
    with ape.reverts(tasks.TaskRegistryStakeLocked, releaseAt=due):
        tasks.release(arena, cast.delegator, sender=outsider)
    next_block_at(due)
    tasks.release(arena, cast.delegator, sender=outsider)
    assert gmflock.allocatedOf(cast.delegator) == allocated - 2_000 * E
    assert tasks.poolOf(arena, cast.node) == (0, 0, 0, 0, 0)
    # A released delegator may delegate again while the task runs.
    tasks.delegateStake(arena, cast.validator, 1_000 * E, sender=cast.delegator)
    assert tasks.delegationOf(arena, cast.delegator).operator == cast.validator


def test_delegator_release_applies_pending_slashes_first(tasks, gmflock, arena, cast, slasher, outsider):
    tasks.delegateStake(arena, cast.node, 10_000 * E, sender=cast.delegator)
    tasks.slash(arena, cast.node, 10_000 * E, head_time(), slash_route(), sender=slasher)  # half the pool
    allocated, balance = gmflock.allocatedOf(cast.delegator), gmflock.balanceOf(cast.delegator)
    next_block_at(release_at(tasks, arena))
    tasks.release(arena, cast.delegator, sender=outsider)
    assert gmflock.balanceOf(cast.delegator) == balance - 5_000 * E
    assert gmflock.allocatedOf(cast.delegator) == allocated - 10_000 * E


# ----------------------------------------------------------------------------------------- slash


def test_slash_routes_recipient_keeper_and_burn(tasks, token, gmflock, arena, cast, slasher, accounts):
    recipient, keeper = accounts[9], accounts[0]
    supply = token.totalSupply()
    before = (token.balanceOf(recipient), token.balanceOf(keeper))
    gm_before = gmflock.balanceOf(cast.validator)
    receipt = tasks.slash(
        arena,
        cast.validator,
        2_000 * E,
        head_time(),
        slash_route(recipient, keeper, 1_000, 500),
        sender=slasher,
    )
    (slashed,) = events(receipt, "Slashed")
    seized = slashed.flockSeized
    assert (slashed.gmAmount, slashed.ownGm, slashed.poolGm, slashed.slasher) == (
        2_000 * E,
        2_000 * E,
        0,
        slasher,
    )
    assert gmflock.balanceOf(cast.validator) == gm_before - 2_000 * E
    (routed,) = events(receipt, "SlashRouted")
    assert routed.keeperAmount == seized * 1_000 // 10_000
    assert routed.burned == seized * 500 // 10_000
    assert routed.recipientAmount == seized - routed.keeperAmount - routed.burned
    assert token.balanceOf(recipient) - before[0] == routed.recipientAmount
    assert token.balanceOf(keeper) - before[1] == routed.keeperAmount
    assert supply - token.totalSupply() == routed.burned
    assert tasks.memberOf(arena, cast.validator).stake == 18_000 * E
    assert tasks.taskStakes(arena).validators == 18_000 * E


def test_slash_routed_all_to_its_recipient_is_paid_by_gmflock_directly(
    tasks, token, gmflock, alliance, cast, slasher, accounts
):
    """A route with no keeper share and nothing burned (the Alliance's): gmFLOCK pays the recipient
    itself, one transfer, the registry's balance untouched; the routing event is the same."""
    recipient = accounts[9].address
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    before, registry_before = token.balanceOf(recipient), token.balanceOf(tasks)
    receipt = tasks.slash(alliance, cast.p1, 100 * E, head_time(), slash_route(recipient), sender=slasher)
    seized = events(receipt, "Slashed")[0].flockSeized
    (routed,) = events(receipt, "SlashRouted")
    assert seized > 0 and (routed.recipient, routed.recipientAmount) == (recipient, seized)
    assert (routed.keeperAmount, routed.burned) == (0, 0)
    moves = [tuple(t.event_arguments.values()) for t in events(receipt, "Transfer", token)]
    assert moves == [(gmflock.address, recipient, seized)]
    assert token.balanceOf(recipient) - before == seized and token.balanceOf(tasks) == registry_before
    # what a slasher reads before a slash: the stake left and the end of the dispute window
    assert tuple(tasks.slashableStake(alliance, cast.p1)) == (900 * E, release_at(tasks, alliance))


def test_slash_to_nobody_burns_everything(tasks, token, alliance, cast, slasher):
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    supply = token.totalSupply()
    receipt = tasks.slash(alliance, cast.p1, 100 * E, head_time(), slash_route(), sender=slasher)
    seized = events(receipt, "Slashed")[0].flockSeized
    assert seized > 0 and supply - token.totalSupply() == seized
    assert tasks.taskStakes(alliance).participants == 900 * E


def test_slash_refusals(tasks, arena, cast, slasher, outsider):
    route = slash_route()
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.slash(arena, cast.node, E, head_time(), route, sender=outsider)
    with ape.reverts(tasks.TaskRegistryZeroAmount):
        tasks.slash(arena, cast.node, 0, head_time(), route, sender=slasher)
    with ape.reverts(tasks.TaskRegistryInvalidRoute, keeperBps=6_000, burnBps=5_000):
        tasks.slash(
            arena,
            cast.node,
            E,
            head_time(),
            slash_route(ZERO_ADDRESS, ZERO_ADDRESS, 6_000, 5_000),
            sender=slasher,
        )
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.NONE):
        tasks.slash(arena, cast.p1, E, head_time(), route, sender=slasher)
    with ape.reverts(
        tasks.TaskRegistrySlashExceedsStake, account=cast.node, requested=10_000 * E + 1, slashable=10_000 * E
    ):
        tasks.slash(arena, cast.node, 10_000 * E + 1, head_time(), route, sender=slasher)
    tasks.delegateStake(arena, cast.node, 1_000 * E, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.DELEGATOR):
        tasks.slash(arena, cast.delegator, E, head_time(), route, sender=slasher)


def test_slashing_stops_when_the_dispute_window_closes(tasks, arena, cast, slasher):
    due = release_at(tasks, arena)
    next_block_at(due - 1)
    tasks.slash(arena, cast.node, E, head_time(), slash_route(), sender=slasher)  # still inside the window
    next_block_at(due)
    with ape.reverts(tasks.TaskRegistryDisputeWindowClosed, taskId=arena, closedAt=due):
        tasks.slash(arena, cast.node, E, head_time(), slash_route(), sender=slasher)


def test_slash_pot_goes_where_a_slasher_sends_it(tasks, token, arena, cast, slasher, outsider, accounts):
    tasks.delegateStake(arena, cast.node, 10_000 * E, sender=cast.delegator)
    tasks.slash(arena, cast.node, 2_000 * E, head_time(), slash_route(), sender=slasher)
    tasks.sync(arena, cast.delegator, sender=cast.delegator)
    pot = tasks.slashPot(arena)
    assert pot > 0
    to = accounts[9]
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.withdrawSlashPot(arena, to, pot, sender=outsider)
    with ape.reverts(tasks.TaskRegistryPotExceeded, taskId=arena, requested=pot + 1, available=pot):
        tasks.withdrawSlashPot(arena, to, pot + 1, sender=slasher)
    with ape.reverts(tasks.TaskRegistryZeroAmount):
        tasks.withdrawSlashPot(arena, to, 0, sender=slasher)
    before = token.balanceOf(to)
    receipt = tasks.withdrawSlashPot(arena, to, pot, sender=slasher)
    assert events(receipt, "SlashPotWithdrawn")[0].amount == pot
    assert token.balanceOf(to) == before + pot and tasks.slashPot(arena) == 0
