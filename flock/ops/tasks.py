"""Task jobs: create a task (with its creator stake), join it as a node, validator or participant,
add to that stake, set an operator's sigma, delegate stake to an operator, undelegate it, release
stake after the task's end and dispute window (a delegation's after its undelegation cooldown).
docs/tasks.md has the rules these check."""

from __future__ import annotations

from typing import Any

from flock.chain.clock import head_time
from flock.ops import OpsError
from flock.tasks import Role, TaskKind, TaskState, no_such_task, spec_hash
from flock.units import DAY, format_token, human_duration, relative_time

ROLES = {"node": Role.NODE, "validator": Role.VALIDATOR, "participant": Role.PARTICIPANT}
KINDS = {"arena": TaskKind.ARENA, "alliance": TaskKind.ALLIANCE}


def _free_gm(gmflock: Any, account: Any) -> int:
    return int(gmflock.balanceOf(account)) - int(gmflock.allocatedOf(account))


def _need_free_gm(gmflock: Any, account: Any, amount: int, what: str) -> None:
    free = _free_gm(gmflock, account)
    if free < amount:
        raise OpsError(
            f"{what} needs {format_token(amount)} gmFLOCK; {account.address} has {format_token(free)} "
            "not yet staked: lock more FLOCK first (`ape run stake lock AMOUNT DURATION`)"
        )


def task_info(registry: Any, task: int) -> Any:
    info = registry.taskInfo(task)
    if int(info.state) == TaskState.NONE:
        raise OpsError(no_such_task(task, int(registry.taskCount())))
    return info


def _check_sigma(registry: Any, sigma_bps: int, what: str = "--sigma") -> None:
    low, high = (int(x) for x in registry.delegationRules()[:2])
    if not low <= sigma_bps <= high:
        allowed = f"{low / 100:g}% to {high / 100:g}%"
        raise OpsError(f"{what} {sigma_bps / 100:g}% is outside the allowed {allowed}")


def _active_task(registry: Any, task: int, what: str) -> Any:
    info = task_info(registry, task)
    if not registry.isActive(task):  # pending or approved, and not past its end (TaskStatus)
        raise OpsError(f"task {task} is {TaskState(int(info.state)).name.lower()} or over: {what}")
    return info


def create(
    registry: Any,
    gmflock: Any,
    sender: Any,
    kind: TaskKind,
    seconds: int,
    spec_uri: str,
    participants: tuple[int, int] = (0, 0),
) -> list[str]:
    """Creates a task ending ``seconds`` from now; its creator stake is allocated from gmFLOCK."""
    per_day, low, high = (int(x) for x in registry.taskRules()[:3])
    if not low <= seconds <= high:
        raise OpsError(
            f"a task lasts {human_duration(low)} to {human_duration(high)}; "
            f"{human_duration(seconds)} is outside"
        )
    if kind == TaskKind.ALLIANCE and not 2 <= participants[0] <= participants[1]:
        raise OpsError("an FL Alliance task needs --participants MIN MAX with 2 <= MIN <= MAX")
    stake = per_day * -(-seconds // DAY)
    _need_free_gm(gmflock, sender, stake, f"the creator stake ({human_duration(seconds)} of task)")
    spec = spec_hash(spec_uri)
    registry.createTask(int(kind), seconds, spec, spec_uri, *participants, sender=sender)
    task = int(registry.taskCount())
    info = registry.taskInfo(task)
    return [
        f"created task {task} ({kind.name.lower()}), ending {relative_time(int(info.endTime), head_time())}; "
        f"creator stake {format_token(stake)} gmFLOCK",
        f"it earns emissions once governance approves it: `ape run dao propose approve-task {task}`",
    ]


def join(registry: Any, gmflock: Any, sender: Any, task: int, role: Role, amount: int, sigma_bps: int) -> str:
    """Joins ``task`` as ``role`` with ``amount`` gmFLOCK (``sigma_bps`` for operators)."""
    info = _active_task(registry, task, "it takes no new members")
    held = Role(int(registry.memberOf(task, sender).role))
    if held != Role.NONE:
        raise OpsError(f"{sender.address} is already a {held.name.lower()} of task {task}")
    if (role == Role.PARTICIPANT) != (int(info.kind) == TaskKind.ALLIANCE):
        kind = TaskKind(int(info.kind)).name.lower()
        allowed = "participant" if kind == "alliance" else "node or validator"
        raise OpsError(f"task {task} is an {kind} task: join it as a {allowed}")
    minimum = int(registry.stakeMinimums()[int(role) - 1])
    if amount < minimum:
        raise OpsError(
            f"a {role.name.lower()} stakes at least {format_token(minimum)} gmFLOCK; "
            f"{format_token(amount)} is less"
        )
    if role != Role.PARTICIPANT:
        _check_sigma(registry, sigma_bps)
    _need_free_gm(gmflock, sender, amount, f"joining as a {role.name.lower()}")
    registry.join(task, int(role), amount, sigma_bps if role != Role.PARTICIPANT else 0, sender=sender)
    keeps = f", keeping {sigma_bps / 100:g}% of what delegations earn" if role != Role.PARTICIPANT else ""
    return f"joined task {task} as a {role.name.lower()} with {format_token(amount)} gmFLOCK{keeps}"


def add_stake(registry: Any, gmflock: Any, sender: Any, task: int, amount: int) -> str:
    """Adds ``amount`` gmFLOCK to the sender's own stake as a node, validator or participant."""
    _active_task(registry, task, "stake can no longer be added")
    member = registry.memberOf(task, sender)
    role = Role(int(member.role))
    if role not in (Role.NODE, Role.VALIDATOR, Role.PARTICIPANT):
        raise OpsError(
            f"{sender.address} is not a node, validator or participant of task {task} "
            "(a delegator adds with `ape run tasks delegate`)"
        )
    if int(member.exitAt):
        raise OpsError(f"{sender.address} was evicted from task {task}: it cannot add stake")
    _need_free_gm(gmflock, sender, amount, "adding stake")
    receipt = registry.addStake(task, amount, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "StakeAdded"]
    return (
        f"added {format_token(amount)} gmFLOCK to the stake of {role.name.lower()} {sender.address} "
        f"in task {task}: {format_token(int(event.stake))} gmFLOCK now"
    )


def set_sigma(registry: Any, sender: Any, task: int, sigma_bps: int) -> str:
    """Sets the sender's sigma as a node or validator of ``task`` (bounds, once a day, not in the
    freeze before the task's end)."""
    info = _active_task(registry, task, "its sigmas are final")
    member = registry.memberOf(task, sender)
    role = Role(int(member.role))
    if role not in (Role.NODE, Role.VALIDATOR):
        raise OpsError(f"{sender.address} is not a node or validator of task {task}: sigma is an operator's")
    now = head_time()
    end = int(info.endTime)
    frozen_from = end - min(int(registry.delegationRules()[2]), end)
    if now >= frozen_from:
        raise OpsError(f"the sigmas of task {task} are frozen since {relative_time(frozen_from, now)}")
    _check_sigma(registry, sigma_bps, "sigma")
    interval = int(registry.SIGMA_CHANGE_INTERVAL())
    next_allowed = int(member.sigmaSetAt) + interval
    if now < next_allowed:
        raise OpsError(
            f"a sigma changes at most once every {human_duration(interval)}: "
            f"{sender.address} may change its sigma in task {task} {relative_time(next_allowed, now)}"
        )
    registry.setSigma(task, sigma_bps, sender=sender)
    return (
        f"{role.name.lower()} {sender.address} of task {task} now keeps {sigma_bps / 100:g}% of what "
        f"delegations earn (was {int(member.sigmaBps) / 100:g}%)"
    )


def delegate(registry: Any, gmflock: Any, sender: Any, task: int, operator: str, amount: int) -> str:
    """Delegates ``amount`` gmFLOCK to ``operator``, a node or validator of the Arena ``task``."""
    info = task_info(registry, task)
    if int(info.kind) != TaskKind.ARENA:
        raise OpsError(f"task {task} is an FL Alliance task: delegation is for AI Arena tasks")
    role = Role(int(registry.memberOf(task, operator).role))
    if role not in (Role.NODE, Role.VALIDATOR):
        raise OpsError(
            f"{operator} is not a node or validator of task {task}: delegate to one of its operators"
        )
    _need_free_gm(gmflock, sender, amount, "this delegation")
    registry.delegateStake(task, operator, amount, sender=sender)
    return f"delegated {format_token(amount)} gmFLOCK to {role.name.lower()} {operator} in task {task}"


def undelegate(registry: Any, sender: Any, task: int) -> list[str]:
    """Stops the sender's delegation in ``task`` counting; ``release`` returns it after the
    cooldown (the task's dispute window at least)."""
    task_info(registry, task)
    account = str(sender.address)
    member = registry.memberOf(task, account)
    if int(member.role) != Role.DELEGATOR or member.released:
        raise OpsError(f"{account} has no delegation in task {task}")
    now = head_time()
    if int(member.exitAt):
        release_at = int(registry.delegationOf(task, account).releaseAt)
        raise OpsError(
            f"{account} undelegated from task {task} {relative_time(int(member.exitAt), now)}: "
            f"`ape run tasks release {task}` returns it {relative_time(release_at, now)}"
        )
    if not registry.isActive(task):
        raise OpsError(
            f"task {task} is over: its delegations stopped counting at its end; "
            f"`ape run tasks release {task}` returns them after its dispute window"
        )
    receipt = registry.undelegate(task, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "UndelegationRequested"]
    return [
        f"undelegated {format_token(int(event.value))} gmFLOCK from {event.operator} in task {task}: "
        "it no longer counts, and stays slashable for offences before now",
        f"`ape run tasks release {task}` returns it {relative_time(int(event.releaseAt), head_time())}",
    ]


def release(registry: Any, sender: Any, task: int, account: str) -> str:
    """Releases ``account``'s stake in ``task`` (anyone may send it) once the dispute window is over."""
    info = task_info(registry, task)
    member = registry.memberOf(task, account)
    creator = str(info.creator).lower() == account.lower()
    if int(member.role) == Role.NONE and not creator:
        raise OpsError(f"{account} has no stake in task {task}")
    now = head_time()
    free_at = int(info.endTime) + int(info.disputeWindow)
    exiting = int(member.role) == Role.DELEGATOR and int(member.exitAt) != 0
    if now < free_at and not exiting:
        raise OpsError(
            f"stake in task {task} is released after its end and its "
            f"{human_duration(int(info.disputeWindow))} dispute window: {relative_time(free_at, now)}"
        )
    receipt = registry.release(task, account, sender=sender)
    amount = sum(int(e.amount) for e in receipt.events if e.event_name == "StakeReleased")
    if amount == 0:
        return f"nothing released for {account} in task {task} (already released, or still locked)"
    return f"released {format_token(amount)} gmFLOCK of {account} from task {task}"
