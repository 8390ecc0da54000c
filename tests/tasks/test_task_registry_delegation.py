"""TaskRegistry: delegation pools, undelegation, lazy slashing of delegators and `sync`."""

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak

from flock.chain.clock import head_time
from flock.emissions import STAKE_UNIT
from flock.tasks import Role, TaskKind, allocated_in_task, slash_route
from flock.units import WAD

E = WAD
UNIT = STAKE_UNIT


def events(receipt, name, contract=None):
    """Logs named ``name`` emitted by ``contract`` (the task registry by default)."""
    address = contract.address if contract is not None else receipt.receiver
    return [log for log in receipt.events if log.event_name == name and log.contract_address == address]


# ----------------------------------------------------------------------------------------- delegate


def test_delegation_counts_in_the_operator_stake(tasks, gmflock, emissions, arena, cast, reported):
    before = gmflock.allocatedOf(cast.delegator)
    receipt = tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.delegator)
    (delegated,) = events(receipt, "Delegated")
    assert (delegated.delegator, delegated.operator, delegated.amount, delegated.allocated) == (
        cast.delegator,
        cast.node,
        4_000 * E,
        4_000 * E,
    )
    assert gmflock.allocatedOf(cast.delegator) == before + 4_000 * E
    assert tasks.effectiveStake(arena, cast.node) == (10_000 * E, 4_000 * E, 14_000 * E)
    assert tasks.poolOf(arena, cast.node) == (4_000 * E, 0, 4_000 * E, 1, 0)
    assert tasks.taskStakes(arena).delegatedToNodes == 4_000 * E
    # The delegations' allocation is the pools' alone (decision 190).
    assert allocated_in_task(tasks, arena, [cast.node]) - allocated_in_task(tasks, arena, []) == 4_000 * E
    info = tasks.delegationOf(arena, cast.delegator)
    assert (info.operator, info.allocated, info.value, info.exitAt) == (cast.node, 4_000 * E, 4_000 * E, 0)
    assert info.releaseAt == tasks.taskInfo(arena).endTime + tasks.taskInfo(arena).disputeWindow
    assert tasks.memberOf(arena, cast.delegator).role == Role.DELEGATOR
    # Delegated stake weighs in the task's emission share.
    assert reported(receipt, arena) == (14_000 * E // UNIT, 20_000 * E // UNIT)


# ERC-7201 namespace of TaskRegistryStorage; `_stakes` is its sixth field (after three parameter
# slots, the task count and `_tasks`).
_REGISTRY_NAMESPACE = 0x18495E321D94B97923708F49056929C43E5BB3F0C62C7AC22C3E83BFBC380500
_STAKES_FIELD = 5


def test_the_deprecated_delegation_total_is_never_written(tasks, arena, cast):
    """Decision 190: `Stakes.delegationsAllocated` (the third slot of a task's stakes) keeps its
    place in the layout and is never written; the delegated totals beside it are."""
    key = encode(["uint256", "uint256"], [arena, _REGISTRY_NAMESPACE + _STAKES_FIELD])
    stakes = int.from_bytes(keccak(key), "big")

    def word(offset):
        return int.from_bytes(ape.chain.provider.get_storage(tasks.address, stakes + offset), "big")

    tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.delegator)
    assert word(1) & (2**96 - 1) == 4_000 * E  # delegatedToNodes: the slot is the one stated
    assert word(2) == 0
    tasks.undelegate(arena, sender=cast.delegator)
    assert word(2) == 0


def test_delegating_again_adds_to_the_same_operator(tasks, arena, cast):
    tasks.delegateStake(arena, cast.validator, 1_000 * E, sender=cast.delegator)
    tasks.delegateStake(arena, cast.validator, 500 * E, sender=cast.delegator)
    assert tasks.delegationOf(arena, cast.delegator).allocated == 1_500 * E
    assert tasks.effectiveStake(arena, cast.validator).delegated == 1_500 * E
    assert tasks.taskStakes(arena).delegatedToValidators == 1_500 * E
    with ape.reverts(
        tasks.TaskRegistryDelegatedElsewhere, taskId=arena, delegator=cast.delegator, operator=cast.validator
    ):
        tasks.delegateStake(arena, cast.node, 500 * E, sender=cast.delegator)


def test_delegation_refusals(tasks, arena, alliance, cast, params):
    minimum = params.minDelegation
    with ape.reverts(tasks.TaskRegistryZeroAmount):
        tasks.delegateStake(arena, cast.node, 0, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryStakeBelowMinimum, amount=minimum - 1, minimum=minimum):
        tasks.delegateStake(arena, cast.node, minimum - 1, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryWrongRole, taskId=arena, account=cast.p1, role=Role.NONE):
        tasks.delegateStake(arena, cast.p1, minimum, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryAlreadyMember, account=cast.validator, role=Role.VALIDATOR):
        tasks.delegateStake(arena, cast.node, minimum, sender=cast.validator)
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    with ape.reverts(tasks.TaskRegistryRoleNotInTask, kind=TaskKind.ALLIANCE, role=Role.DELEGATOR):
        tasks.delegateStake(alliance, cast.p1, minimum, sender=cast.delegator)


def test_delegator_cannot_join_the_same_task(tasks, arena, cast):
    tasks.delegateStake(arena, cast.node, 1_000 * E, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryAlreadyMember, role=Role.DELEGATOR):
        tasks.join(arena, Role.NODE, 5_000 * E, 5_000, sender=cast.delegator)


# ----------------------------------------------------------------------------------------- undelegate


def test_undelegate_stops_counting_and_starts_the_cooldown(tasks, emissions, arena, cast, params, reported):
    tasks.delegateStake(arena, cast.node, 3_000 * E, sender=cast.delegator)
    receipt = tasks.undelegate(arena, sender=cast.delegator)
    exit_at = head_time()
    info = tasks.taskInfo(arena)
    release_at = max(min(exit_at, info.endTime) + info.disputeWindow, exit_at + params.undelegationCooldown)
    (event,) = events(receipt, "UndelegationRequested")
    assert (event.value, event.releaseAt) == (3_000 * E, release_at)
    assert tasks.effectiveStake(arena, cast.node) == (10_000 * E, 0, 10_000 * E)
    assert tasks.poolOf(arena, cast.node)[:3] == (0, 3_000 * E, 3_000 * E)
    assert tasks.delegationOf(arena, cast.delegator).releaseAt == release_at
    assert tasks.taskStakes(arena).delegatedToNodes == 0
    assert reported(receipt, arena)[0] == 10_000 * E // UNIT
    with ape.reverts(tasks.TaskRegistryUndelegating, taskId=arena, delegator=cast.delegator, exitAt=exit_at):
        tasks.undelegate(arena, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryUndelegating):
        tasks.delegateStake(arena, cast.node, 1_000 * E, sender=cast.delegator)


def test_undelegate_refusals(tasks, arena, cast):
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.NODE):
        tasks.undelegate(arena, sender=cast.node)
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.NONE):
        tasks.undelegate(arena, sender=cast.p1)


# ----------------------------------------------------------------------------------------- lazy slashing


@pytest.fixture
def pool(tasks, arena, cast):
    """The node (10,000 own) has two delegators: 6,000 and 4,000."""
    tasks.delegateStake(arena, cast.node, 6_000 * E, sender=cast.delegator)
    tasks.delegateStake(arena, cast.node, 4_000 * E, sender=cast.p1)
    return arena


def test_slashing_an_operator_reaches_delegators_pro_rata(
    tasks, gmflock, token, pool, cast, slasher, accounts
):
    sink = accounts[9]
    gm_delegator = gmflock.balanceOf(cast.delegator)
    votes_delegator = gmflock.getVotes(cast.delegator)
    # 20% of the node's effective 20,000: 2,000 from its own stake now, 2,000 from the pool.
    receipt = tasks.slash(pool, cast.node, 4_000 * E, head_time(), slash_route(sink), sender=slasher)
    (slashed,) = events(receipt, "Slashed")
    assert (slashed.ownGm, slashed.poolGm) == (2_000 * E, 2_000 * E)
    assert tasks.effectiveStake(pool, cast.node) == (8_000 * E, 8_000 * E, 16_000 * E)
    assert tasks.taskStakes(pool).delegatedToNodes == 8_000 * E
    # Each delegation is worth 20% less at once, in the registry...
    info = tasks.delegationOf(pool, cast.delegator)
    assert (info.allocated, info.value) == (6_000 * E, 4_800 * E)
    assert tasks.delegationOf(pool, cast.p1).value == 3_200 * E
    # ...while the delegator's gmFLOCK (and votes) still include the loss until someone syncs.
    assert gmflock.balanceOf(cast.delegator) == gm_delegator
    assert gmflock.getVotes(cast.delegator) == votes_delegator

    keeper = accounts[9]
    keeper_before, pot_before = token.balanceOf(keeper), tasks.slashPot(pool)
    receipt = tasks.sync(pool, cast.delegator, sender=keeper)
    (synced,) = events(receipt, "DelegatorSynced")
    assert synced.gmLoss == 1_200 * E
    assert gmflock.balanceOf(cast.delegator) == gm_delegator - 1_200 * E
    assert gmflock.getVotes(cast.delegator) == votes_delegator - 1_200 * E
    assert tasks.delegationOf(pool, cast.delegator).allocated == 4_800 * E
    keeper_share = synced.flockSeized * tasks.delegationRules()[4] // 10_000
    assert synced.keeperAmount == keeper_share
    assert token.balanceOf(keeper) - keeper_before == keeper_share
    assert tasks.slashPot(pool) - pot_before == synced.flockSeized - keeper_share
    # Nothing more to apply: a second sync is a no-op.
    assert not events(tasks.sync(pool, cast.delegator, sender=keeper), "DelegatorSynced")


def test_a_delegator_syncing_itself_gets_no_keeper_share(tasks, token, pool, cast, slasher):
    tasks.slash(pool, cast.node, 2_000 * E, head_time(), slash_route(), sender=slasher)
    before = token.balanceOf(cast.p1)
    receipt = tasks.sync(pool, cast.p1, sender=cast.p1)
    (synced,) = events(receipt, "DelegatorSynced")
    assert synced.keeperAmount == 0 and token.balanceOf(cast.p1) == before
    assert tasks.slashPot(pool) == synced.flockSeized


def test_exiting_delegations_stay_slashable(tasks, pool, cast, slasher):
    tasks.undelegate(pool, sender=cast.p1)
    tasks.slash(pool, cast.node, 10_000 * E, head_time(), slash_route(), sender=slasher)  # half of everything
    assert tasks.delegationOf(pool, cast.p1).value == 2_000 * E
    active, exiting, *_ = tasks.poolOf(pool, cast.node)
    assert (active, exiting) == (3_000 * E, 2_000 * E)


def test_wiped_out_pool_starts_afresh(tasks, gmflock, pool, cast, slasher, outsider):
    tasks.slash(pool, cast.node, 20_000 * E, head_time(), slash_route(), sender=slasher)
    assert tasks.effectiveStake(pool, cast.node) == (0, 0, 0)
    assert tasks.delegationOf(pool, cast.delegator).value == 0
    # A new delegation to the wiped pool is worth what it brings, and the old ones stay at zero.
    tasks.delegateStake(pool, cast.node, 1_000 * E, sender=cast.p2)
    assert tasks.delegationOf(pool, cast.p2).value == 1_000 * E
    assert tasks.delegationOf(pool, cast.delegator).value == 0
    gm_before = gmflock.balanceOf(cast.delegator)
    tasks.sync(pool, cast.delegator, sender=outsider)
    assert gmflock.balanceOf(cast.delegator) == gm_before - 6_000 * E


def test_sync_refusals(tasks, arena, cast, outsider):
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.NODE):
        tasks.sync(arena, cast.node, sender=outsider)
    with ape.reverts(tasks.TaskRegistryUnknownTask, taskId=4242):
        tasks.sync(4242, cast.node, sender=outsider)
