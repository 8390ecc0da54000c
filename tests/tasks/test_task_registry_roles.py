"""TaskRegistry: joining as node, validator or participant, adding stake, and sigma."""

import ape
import pytest

from flock.chain.clock import advance, head_time, next_block_at
from flock.emissions import STAKE_UNIT
from flock.tasks import Role, TaskKind, TaskState
from flock.units import DAY, WAD

E = WAD
UNIT = STAKE_UNIT


def events(receipt, name, contract=None):
    """Logs named ``name`` emitted by ``contract`` (the task registry by default)."""
    address = contract.address if contract is not None else receipt.receiver
    return [log for log in receipt.events if log.event_name == name and log.contract_address == address]


# ----------------------------------------------------------------------------------------- join


def test_join_as_node_allocates_and_reports(tasks, gmflock, emissions, cast, admin, new_task, reported):
    task_id = new_task(cast.creator)
    tasks.approveTask(task_id, sender=admin)
    before = gmflock.allocatedOf(cast.node)
    receipt = tasks.join(task_id, Role.NODE, 12_000 * E, 4_000, sender=cast.node)
    (joined,) = events(receipt, "Joined")
    assert (joined.account, joined.role, joined.amount, joined.sigmaBps) == (
        cast.node,
        Role.NODE,
        12_000 * E,
        4_000,
    )
    assert gmflock.allocatedOf(cast.node) == before + 12_000 * E
    member = tasks.memberOf(task_id, cast.node)
    assert (member.role, member.stake, member.sigmaBps, member.sigmaSetAt) == (
        Role.NODE,
        12_000 * E,
        4_000,
        head_time(),
    )
    assert tasks.effectiveStake(task_id, cast.node) == (12_000 * E, 0, 12_000 * E)
    stakes = tasks.taskStakes(task_id)
    assert (stakes.nodes, stakes.validators, stakes.participants) == (12_000 * E, 0, 0)
    assert tasks.taskInfo(task_id).members == 1
    # The emission controller weighs the task by it from the next epoch.
    assert reported(receipt, task_id) == (12_000 * E // UNIT, 0)


def test_join_as_validator(tasks, arena, cast):
    stakes = tasks.taskStakes(arena)
    assert (stakes.nodes, stakes.validators) == (10_000 * E, 20_000 * E)
    assert tasks.memberOf(arena, cast.validator).role == Role.VALIDATOR
    assert tasks.taskInfo(arena).members == 2


def test_join_as_participant(tasks, alliance, cast):
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    tasks.join(alliance, Role.PARTICIPANT, 2_000 * E, 0, sender=cast.p2)
    assert tasks.participantCount(alliance) == 2
    assert [tasks.memberOf(alliance, who).role for who in (cast.p1, cast.p2)] == [Role.PARTICIPANT] * 2
    stakes = tasks.taskStakes(alliance)
    assert (stakes.participants, stakes.nodes) == (3_000 * E, 0)


def test_join_refuses_a_full_alliance_task(tasks, alliance, cast):
    for who in (cast.p1, cast.p2, cast.p3):
        tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=who)
    with ape.reverts(tasks.TaskRegistryTaskFull, taskId=alliance, maxParticipants=3):
        tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.node)


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.DELEGATOR, Role.NONE])
def test_join_refuses_roles_an_arena_task_lacks(tasks, arena, cast, role):
    with ape.reverts(tasks.TaskRegistryRoleNotInTask, taskId=arena, kind=TaskKind.ARENA, role=role):
        tasks.join(arena, role, 5_000 * E, 0, sender=cast.p1)


@pytest.mark.parametrize("role", [Role.NODE, Role.VALIDATOR, Role.DELEGATOR])
def test_join_refuses_roles_an_alliance_task_lacks(tasks, alliance, cast, role):
    with ape.reverts(tasks.TaskRegistryRoleNotInTask, taskId=alliance, kind=TaskKind.ALLIANCE, role=role):
        tasks.join(alliance, role, 5_000 * E, 5_000, sender=cast.p1)


@pytest.mark.parametrize("role", [Role.NODE, Role.VALIDATOR])
def test_no_account_holds_two_roles(tasks, arena, cast, role):
    with ape.reverts(tasks.TaskRegistryAlreadyMember, taskId=arena, account=cast.node, role=Role.NODE):
        tasks.join(arena, role, 5_000 * E, 5_000, sender=cast.node)


@pytest.mark.parametrize(
    ("role", "field"), [(Role.NODE, "minNodeStake"), (Role.VALIDATOR, "minValidatorStake")]
)
def test_join_refuses_stake_below_minimum(tasks, arena, cast, params, role, field):
    minimum = getattr(params, field)
    with ape.reverts(tasks.TaskRegistryStakeBelowMinimum, amount=minimum - 1, minimum=minimum):
        tasks.join(arena, role, minimum - 1, 5_000, sender=cast.p1)


def test_join_refuses_participant_stake_below_minimum(tasks, alliance, cast, params):
    minimum = params.minParticipantStake
    with ape.reverts(tasks.TaskRegistryStakeBelowMinimum, amount=minimum - 1, minimum=minimum):
        tasks.join(alliance, Role.PARTICIPANT, minimum - 1, 0, sender=cast.p1)


@pytest.mark.parametrize("sigma", [999, 9_001])
def test_join_refuses_sigma_out_of_bounds(tasks, arena, cast, params, sigma):
    with ape.reverts(
        tasks.TaskRegistryInvalidSigma,
        sigmaBps=sigma,
        minSigmaBps=params.minSigmaBps,
        maxSigmaBps=params.maxSigmaBps,
    ):
        tasks.join(arena, Role.NODE, 5_000 * E, sigma, sender=cast.p1)


def test_participants_have_no_sigma(tasks, alliance, cast):
    with ape.reverts(tasks.TaskRegistryInvalidSigma, sigmaBps=1, minSigmaBps=0, maxSigmaBps=0):
        tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 1, sender=cast.p1)


def test_join_refuses_inactive_tasks(tasks, arena, cast, admin, new_task):
    end = tasks.taskInfo(arena).endTime
    next_block_at(end)
    with ape.reverts(tasks.TaskRegistryTaskNotActive, taskId=arena, state=TaskState.APPROVED, endTime=end):
        tasks.join(arena, Role.NODE, 5_000 * E, 5_000, sender=cast.p1)
    cancelled = new_task(cast.creator)
    tasks.cancelTask(cancelled, sender=admin)
    with ape.reverts(tasks.TaskRegistryTaskNotActive, state=TaskState.CANCELLED):
        tasks.join(cancelled, Role.NODE, 5_000 * E, 5_000, sender=cast.p1)
    with ape.reverts(tasks.TaskRegistryUnknownTask, taskId=777):
        tasks.join(777, Role.NODE, 5_000 * E, 5_000, sender=cast.p1)


def test_join_needs_free_gmflock(tasks, gmflock, arena, cast):
    free = gmflock.balanceOf(cast.p1) - gmflock.allocatedOf(cast.p1)
    # Raised by gmFLOCK's implementation behind its proxy (another address than the `gmflock`
    # fixture's, which ape's error classes are bound to): matched by name and arguments.
    with ape.reverts() as revert:
        tasks.join(arena, Role.NODE, free + 1, 5_000, sender=cast.p1)
    assert type(revert.value).__name__ == "GmFlockInsufficientUnallocated"
    assert (revert.value.inputs["requested"], revert.value.inputs["available"]) == (free + 1, free)


def test_pending_task_accepts_members_without_emissions(tasks, emissions, cast, new_task):
    task_id = new_task(cast.creator)
    tasks.join(task_id, Role.NODE, 5_000 * E, 5_000, sender=cast.node)
    assert emissions.taskEnrollment(task_id) == (False, 0, 0)


# ----------------------------------------------------------------------------------------- add stake


def test_add_stake(tasks, gmflock, emissions, arena, cast, reported):
    before = gmflock.allocatedOf(cast.validator)
    receipt = tasks.addStake(arena, 5_000 * E, sender=cast.validator)
    (added,) = events(receipt, "StakeAdded")
    assert (added.amount, added.stake) == (5_000 * E, 25_000 * E)
    assert gmflock.allocatedOf(cast.validator) == before + 5_000 * E
    assert tasks.taskStakes(arena).validators == 25_000 * E
    assert reported(receipt, arena) == (10_000 * E // UNIT, 25_000 * E // UNIT)


def test_add_stake_refusals(tasks, arena, cast):
    with ape.reverts(tasks.TaskRegistryZeroAmount):
        tasks.addStake(arena, 0, sender=cast.node)
    with ape.reverts(tasks.TaskRegistryWrongRole, taskId=arena, account=cast.p1, role=Role.NONE):
        tasks.addStake(arena, E, sender=cast.p1)
    tasks.delegateStake(arena, cast.node, 1_000 * E, sender=cast.delegator)
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.DELEGATOR):
        tasks.addStake(arena, E, sender=cast.delegator)
    next_block_at(tasks.taskInfo(arena).endTime)
    with ape.reverts(tasks.TaskRegistryTaskNotActive):
        tasks.addStake(arena, E, sender=cast.node)


# ----------------------------------------------------------------------------------------- sigma


def test_sigma_changes_at_most_once_a_day(tasks, arena, cast):
    set_at = tasks.memberOf(arena, cast.node).sigmaSetAt
    next_block_at(set_at + DAY - 1)
    with ape.reverts(
        tasks.TaskRegistrySigmaChangeTooSoon, taskId=arena, operator=cast.node, nextAllowed=set_at + DAY
    ):
        tasks.setSigma(arena, 6_000, sender=cast.node)
    next_block_at(set_at + DAY)
    receipt = tasks.setSigma(arena, 6_000, sender=cast.node)
    assert events(receipt, "SigmaSet")[0].sigmaBps == 6_000
    assert tasks.memberOf(arena, cast.node).sigmaBps == 6_000
    advance(60)
    with ape.reverts(tasks.TaskRegistrySigmaChangeTooSoon):
        tasks.setSigma(arena, 7_000, sender=cast.node)


def test_sigma_bounds(tasks, arena, cast, params):
    advance(DAY)
    with ape.reverts(tasks.TaskRegistryInvalidSigma, sigmaBps=params.maxSigmaBps + 1):
        tasks.setSigma(arena, params.maxSigmaBps + 1, sender=cast.validator)


def test_sigma_is_frozen_around_the_end(tasks, arena, cast, params):
    end = tasks.taskInfo(arena).endTime
    frozen_from = end - params.sigmaFreeze
    next_block_at(frozen_from - 1)
    tasks.setSigma(arena, 2_000, sender=cast.validator)
    next_block_at(frozen_from)
    with ape.reverts(tasks.TaskRegistrySigmaFrozen, taskId=arena, frozenFrom=frozen_from):
        tasks.setSigma(arena, 3_000, sender=cast.node)


def test_only_operators_have_sigma(tasks, arena, alliance, cast):
    advance(DAY)
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.NONE):
        tasks.setSigma(arena, 5_000, sender=cast.p1)
    tasks.join(alliance, Role.PARTICIPANT, 1_000 * E, 0, sender=cast.p1)
    with ape.reverts(tasks.TaskRegistryWrongRole, role=Role.PARTICIPANT):
        tasks.setSigma(alliance, 5_000, sender=cast.p1)
