"""TaskRegistry: creation, approval, cancellation, end, governance parameters and task views."""

import ape
import pytest

from flock.chain.clock import advance, head_time, mine_at, next_block_at
from flock.emissions import STAKE_UNIT
from flock.tasks import Role, TaskKind, TaskState, allocated_in_task, spec_hash
from flock.units import DAY, WAD

E = WAD
URI = "ipfs://bafy-spec"
SPEC = spec_hash("a spec document")


def events(receipt, name, contract=None):
    """Logs named ``name`` emitted by ``contract`` (the task registry by default)."""
    address = contract.address if contract is not None else receipt.receiver
    return [log for log in receipt.events if log.event_name == name and log.contract_address == address]


# ----------------------------------------------------------------------------------------- create


def test_create_arena_task_allocates_creator_stake(tasks, gmflock, cast, params):
    before = gmflock.allocatedOf(cast.creator)
    receipt = tasks.createTask(TaskKind.ARENA, 10 * DAY, SPEC, URI, 0, 0, sender=cast.creator)
    task_id = tasks.taskCount()
    stake = params.creatorStakePerDay * 10
    assert gmflock.allocatedOf(cast.creator) == before + stake
    (created,) = events(receipt, "TaskCreated")
    assert created.taskId == task_id and created.creator == cast.creator
    assert created.specURI == URI and created.specHash == SPEC and created.creatorStake == stake
    info = tasks.taskInfo(task_id)
    assert info.kind == TaskKind.ARENA and info.state == TaskState.PENDING
    assert info.creator == cast.creator and info.creatorStake == stake
    assert info.endTime == head_time() + 10 * DAY == created.endTime
    assert info.disputeWindow == params.disputeWindow
    assert tasks.taskStakes(task_id).creator == stake
    assert allocated_in_task(tasks, task_id, []) == stake
    ids, total = tasks.tasksByState(TaskState.PENDING, 0, 100)
    assert task_id in ids and total >= 1
    assert not tasks.isEligible(task_id)


def test_creator_stake_counts_started_days(tasks, gmflock, cast, params):
    before = gmflock.allocatedOf(cast.creator)
    tasks.createTask(TaskKind.ARENA, DAY + 1, SPEC, URI, 0, 0, sender=cast.creator)
    assert gmflock.allocatedOf(cast.creator) == before + 2 * params.creatorStakePerDay


def test_create_alliance_task_with_participant_bounds(tasks, cast):
    tasks.createTask(TaskKind.ALLIANCE, 5 * DAY, SPEC, URI, 2, 4, sender=cast.creator)
    info = tasks.taskInfo(tasks.taskCount())
    assert (info.kind, info.minParticipants, info.maxParticipants, info.members) == (
        TaskKind.ALLIANCE,
        2,
        4,
        0,
    )


@pytest.mark.parametrize("duration", [0, 31 * DAY])
def test_create_refuses_duration_out_of_bounds(tasks, cast, params, duration):
    with ape.reverts(
        tasks.TaskRegistryInvalidDuration,
        duration=duration,
        minDuration=params.minTaskDuration,
        maxDuration=params.maxTaskDuration,
    ):
        tasks.createTask(TaskKind.ARENA, duration, SPEC, URI, 0, 0, sender=cast.creator)


@pytest.mark.parametrize(("spec", "uri"), [(bytes(32), URI), (SPEC, "")])
def test_create_refuses_an_empty_spec(tasks, cast, spec, uri):
    with ape.reverts(tasks.TaskRegistryInvalidSpec):
        tasks.createTask(TaskKind.ARENA, DAY, spec, uri, 0, 0, sender=cast.creator)


@pytest.mark.parametrize(
    ("kind", "lo", "hi"),
    [
        (TaskKind.ALLIANCE, 1, 3),
        (TaskKind.ALLIANCE, 3, 2),
        (TaskKind.ALLIANCE, 2, 65),
        (TaskKind.ARENA, 0, 2),
    ],
)
def test_create_refuses_bad_participant_bounds(tasks, cast, kind, lo, hi):
    with ape.reverts(tasks.TaskRegistryInvalidParticipantBounds, minParticipants=lo, maxParticipants=hi):
        tasks.createTask(kind, DAY, SPEC, URI, lo, hi, sender=cast.creator)


def test_create_needs_unallocated_gmflock(tasks, outsider):
    # The outsider holds no gmFLOCK: the creator stake cannot be allocated.
    # Raised by gmFLOCK's implementation behind its proxy (another address than the `gmflock`
    # fixture's, which ape's error classes are bound to): matched by name.
    with ape.reverts() as revert:
        tasks.createTask(TaskKind.ARENA, DAY, SPEC, URI, 0, 0, sender=outsider)
    assert type(revert.value).__name__ == "GmFlockInsufficientUnallocated"


# ----------------------------------------------------------------------------------------- approve


def test_approve_enrolls_the_task_for_emissions(tasks, emissions, cast, admin, new_task, reported):
    task_id = new_task(cast.creator)
    tasks.join(task_id, Role.NODE, 10_000 * E, 5_000, sender=cast.node)
    receipt = tasks.approveTask(task_id, sender=admin)
    assert events(receipt, "TaskApproved")[0].taskId == task_id
    assert tasks.taskInfo(task_id).state == TaskState.APPROVED
    assert tasks.isEligible(task_id)
    assert task_id in tasks.tasksByState(TaskState.APPROVED, 0, 100)[0]
    assert task_id not in tasks.tasksByState(TaskState.PENDING, 0, 100)[0]
    arena, expiry, units = emissions.taskEnrollment(task_id)
    assert arena and units == 10_000 * E // STAKE_UNIT
    assert expiry == -(-(tasks.taskInfo(task_id).endTime - emissions.genesis()) // emissions.epochLength())
    assert reported(receipt, task_id) == (10_000 * E // STAKE_UNIT, 0)


def test_approve_is_governance_only(tasks, cast, outsider, new_task):
    task_id = new_task(cast.creator)
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.approveTask(task_id, sender=outsider)


def test_approve_refuses_wrong_states(tasks, arena, admin, new_task, cast):
    with ape.reverts(tasks.TaskRegistryWrongState, taskId=arena, state=TaskState.APPROVED):
        tasks.approveTask(arena, sender=admin)
    cancelled = new_task(cast.creator)
    tasks.cancelTask(cancelled, sender=admin)
    with ape.reverts(tasks.TaskRegistryWrongState, state=TaskState.CANCELLED):
        tasks.approveTask(cancelled, sender=admin)
    with ape.reverts(tasks.TaskRegistryUnknownTask, taskId=999):
        tasks.approveTask(999, sender=admin)


def test_approve_refuses_a_task_past_its_end(tasks, admin, new_task, cast):
    task_id = new_task(cast.creator, duration=DAY)
    advance(DAY)
    with ape.reverts(tasks.TaskRegistryTaskNotActive, taskId=task_id):
        tasks.approveTask(task_id, sender=admin)


# ----------------------------------------------------------------------------------------- cancel


def test_cancel_pending_task_ends_it_now(tasks, admin, new_task, cast):
    task_id = new_task(cast.creator)
    receipt = tasks.cancelTask(task_id, sender=admin)
    assert events(receipt, "TaskCancelled")[0].taskId == task_id
    info = tasks.taskInfo(task_id)
    assert info.state == TaskState.CANCELLED and info.endTime == head_time()
    assert task_id in tasks.tasksByState(TaskState.CANCELLED, 0, 100)[0]


def test_cancel_approved_task_retires_it_from_emissions(tasks, emissions, arena, admin):
    tasks.cancelTask(arena, sender=admin)
    _, expiry, units = emissions.taskEnrollment(arena)
    assert units == 0 and expiry == emissions.nextEpoch()
    assert not tasks.isEligible(arena)


def test_cancel_is_governance_only_and_only_while_active(tasks, arena, admin, outsider):
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.cancelTask(arena, sender=outsider)
    tasks.cancelTask(arena, sender=admin)
    with ape.reverts(tasks.TaskRegistryTaskNotActive, taskId=arena, state=TaskState.CANCELLED):
        tasks.cancelTask(arena, sender=admin)


# ----------------------------------------------------------------------------------------- end


def test_end_task_after_its_end_time(tasks, arena, outsider):
    end = tasks.taskInfo(arena).endTime
    next_block_at(end - 1)
    with ape.reverts(tasks.TaskRegistryTaskNotOver, taskId=arena, endTime=end):
        tasks.endTask(arena, sender=outsider)
    next_block_at(end)
    receipt = tasks.endTask(arena, sender=outsider)
    assert events(receipt, "TaskEnded")[0].taskId == arena
    assert tasks.taskInfo(arena).state == TaskState.ENDED
    assert arena in tasks.tasksByState(TaskState.ENDED, 0, 100)[0]
    with ape.reverts(tasks.TaskRegistryWrongState, state=TaskState.ENDED):
        tasks.endTask(arena, sender=outsider)


def test_end_task_refuses_a_cancelled_task(tasks, arena, admin, outsider):
    tasks.cancelTask(arena, sender=admin)
    with ape.reverts(tasks.TaskRegistryWrongState, state=TaskState.CANCELLED):
        tasks.endTask(arena, sender=outsider)


# ----------------------------------------------------------------------------------------- views


def test_tasks_by_state_pages(tasks, cast, new_task):
    _, before = tasks.tasksByState(TaskState.PENDING, 0, 0)
    created = [new_task(cast.creator, duration=DAY) for _ in range(5)]
    ids, total = tasks.tasksByState(TaskState.PENDING, 0, 1000)
    assert total == before + 5 and ids[-5:] == created
    page, _ = tasks.tasksByState(TaskState.PENDING, before + 1, 2)
    assert page == created[1:3]
    assert tasks.tasksByState(TaskState.PENDING, before + 10, 5) == ([], total)


def test_is_active_while_open_and_before_its_end(tasks, admin, outsider, new_task, cast):
    pending, approved, cancelled = (new_task(cast.creator, duration=DAY) for _ in range(3))
    tasks.approveTask(approved, sender=admin)
    tasks.cancelTask(cancelled, sender=admin)
    assert tasks.isActive(pending) and tasks.isActive(approved)
    assert not tasks.isActive(cancelled) and not tasks.isActive(12345)
    end = tasks.taskInfo(approved).endTime
    mine_at(end - 10)
    assert tasks.isActive(approved)
    mine_at(end)
    assert not tasks.isActive(approved) and not tasks.isActive(pending)  # past the end, not yet ended
    tasks.endTask(approved, sender=outsider)
    assert not tasks.isActive(approved)


def test_unknown_task_views_are_empty(tasks):
    assert tasks.taskInfo(12345).state == TaskState.NONE
    assert tasks.taskStakes(12345) == (0, 0, 0, 0, 0, 0)
    assert tasks.effectiveStake(12345, tasks.address) == (0, 0, 0)


# ----------------------------------------------------------------------------------------- governance


def test_set_stake_minimums(tasks, admin, outsider, cast, new_task):
    receipt = tasks.setStakeMinimums(2 * E, 3 * E, 4 * E, 5 * E, sender=admin)
    assert events(receipt, "StakeMinimumsSet")[0].node == 2 * E
    assert tasks.stakeMinimums() == (
        2 * E,
        3 * E,
        4 * E,
        5 * E,
    )
    task_id = new_task(cast.creator)
    tasks.join(task_id, Role.NODE, 2 * E, 5_000, sender=cast.node)
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.setStakeMinimums(1, 1, 1, 1, sender=outsider)
    with ape.reverts(tasks.TaskRegistryParameterOutOfBounds):
        tasks.setStakeMinimums(0, 1, 1, 1, sender=admin)


def test_set_task_rules_applies_to_new_tasks(tasks, admin, outsider, cast, arena, new_task, gmflock):
    old_window = tasks.taskInfo(arena).disputeWindow
    receipt = tasks.setTaskRules(7 * E, 2 * DAY, 20 * DAY, 3 * DAY, 10, sender=admin)
    assert events(receipt, "TaskRulesSet")[0].disputeWindow == 3 * DAY
    assert tasks.taskInfo(arena).disputeWindow == old_window  # fixed at creation
    before = gmflock.allocatedOf(cast.creator)
    task_id = new_task(cast.creator, duration=5 * DAY)
    assert tasks.taskInfo(task_id).disputeWindow == 3 * DAY
    assert gmflock.allocatedOf(cast.creator) == before + 35 * E
    with ape.reverts(tasks.TaskRegistryInvalidDuration):
        tasks.createTask(TaskKind.ARENA, DAY, SPEC, URI, 0, 0, sender=cast.creator)
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.setTaskRules(0, DAY, DAY, 0, 2, sender=outsider)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 0, DAY, 0, 2), "minTaskDuration"),
        ((0, 2 * DAY, DAY, 0, 2), "maxTaskDuration"),
        ((0, DAY, 366 * DAY, 0, 2), "maxTaskDuration"),
        ((0, DAY, DAY, 91 * DAY, 2), "disputeWindow"),
        ((0, DAY, DAY, 0, 1), "maxParticipants"),
        ((0, DAY, DAY, 0, 1001), "maxParticipants"),
    ],
)
def test_set_task_rules_bounds(tasks, admin, args, name):
    with ape.reverts(tasks.TaskRegistryParameterOutOfBounds, parameter=name.encode().ljust(32, b"\0")):
        tasks.setTaskRules(*args, sender=admin)


def test_set_delegation_rules(tasks, admin, outsider):
    receipt = tasks.setDelegationRules(0, 10_000, 2 * DAY, 3 * DAY, 100, sender=admin)
    assert events(receipt, "DelegationRulesSet")[0].undelegationCooldown == 3 * DAY
    assert tasks.delegationRules() == (
        0,
        10_000,
        2 * DAY,
        3 * DAY,
        100,
    )
    with ape.reverts(tasks.AccessControlUnauthorizedAccount):
        tasks.setDelegationRules(0, 1, 0, 0, 0, sender=outsider)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((0, 10_001, 0, 0, 0), "maxSigmaBps"),
        ((6_000, 5_000, 0, 0, 0), "minSigmaBps"),
        ((0, 1, 366 * DAY, 0, 0), "sigmaFreeze"),
        ((0, 1, 0, 91 * DAY, 0), "undelegationCooldown"),
        ((0, 1, 0, 0, 2_001), "syncKeeperBps"),
    ],
)
def test_set_delegation_rules_bounds(tasks, admin, args, name):
    with ape.reverts(tasks.TaskRegistryParameterOutOfBounds, parameter=name.encode().ljust(32, b"\0")):
        tasks.setDelegationRules(*args, sender=admin)


def test_wiring_and_rule_views(tasks, gmflock, emissions, token, params):
    assert (tasks.gmFlock(), tasks.emissions(), tasks.flock()) == (
        gmflock.address,
        emissions.address,
        token.address,
    )
    assert tasks.taskRules() == (
        params.creatorStakePerDay,
        params.minTaskDuration,
        params.maxTaskDuration,
        params.disputeWindow,
        params.maxParticipants,
    )
    assert gmflock.hasRole(gmflock.STAKE_MANAGER_ROLE(), tasks) and gmflock.hasRole(
        gmflock.SLASHER_ROLE(), tasks
    )
    assert emissions.hasRole(emissions.TASK_REGISTRY_ROLE(), tasks)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"min_task_duration": "10 days", "max_task_duration": "5 days"}, "exceeds max_task_duration"),
        ({"min_sigma_bps": 9_500, "max_sigma_bps": 9_000}, "exceeds max_sigma_bps"),
        ({"dispute_windw": "1 day"}, "Extra inputs are not permitted"),
    ],
)
def test_tasks_config_is_validated(tmp_path, section, message):
    import yaml

    from flock.deploy.config import ConfigError, load_config

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"tasks": section}))
    with pytest.raises(ConfigError, match=message):
        load_config(path)
