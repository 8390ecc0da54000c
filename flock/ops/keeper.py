"""The keeper's jobs, which anyone may run: open the emission epochs that have started
(``EmissionController.checkpoint``) and say what each one minted (until someone calls it, an epoch
pays nothing: the oracle finds a zero budget for every task in it); remove an expired lock's boost
(``GmFlock.kick``); apply a pool's slashes to a delegation (``TaskRegistry.sync``, for the keeper's
share); record a task's end (``endTask``); send an AI Arena task's slash pot on
(``ArenaSlasher.routeSlashPot``); and in FL Alliance tasks, evict an absent participant, pull the
emission budgets into a pool, sweep a finished task's pool (``AllianceRounds.evict``,
``pullEmissions``, ``sweep``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape.exceptions import ContractLogicError
from ape.utils import ZERO_ADDRESS

from flock.chain.clock import head_time
from flock.chain.errors import name_raw_error
from flock.emissions import STAKE_UNIT, EpochClock
from flock.ops import OpsError
from flock.ops.tasks import task_info
from flock.tasks import LockStatus, Role, TaskKind, TaskState
from flock.units import format_token, relative_time


@dataclass(frozen=True)
class OpenedEpoch:
    epoch: int
    scheduled: int
    minted: int
    units: int
    dust: int

    def line(self) -> str:
        if self.minted == 0:
            return (
                f"opened epoch {self.epoch}: minted nothing (no eligible stake; "
                f"{format_token(self.scheduled)} FLOCK scheduled)"
            )
        stake = format_token(self.units * STAKE_UNIT)
        return (
            f"opened epoch {self.epoch}: minted {format_token(self.minted)} FLOCK for {stake} gmFLOCK "
            f"of eligible stake"
        )


@dataclass(frozen=True)
class CheckpointResult:
    opened: tuple[OpenedEpoch, ...]
    current: int  # the epoch running now
    still_closed: int  # epochs that have started and remain unopened (more than one call's worth)
    next_start: int  # when the next epoch starts
    now: int
    gas: int = 0

    def lines(self) -> list[str]:
        out = [e.line() for e in self.opened]
        if not self.opened:
            out.append(f"nothing to open: epoch {self.current} is open already")
        if self.still_closed:
            out.append(f"{self.still_closed} more epoch(s) to open: run `ape run checkpoint` again")
        out.append(f"epoch {self.current + 1} starts {relative_time(self.next_start, self.now)}")
        return out


def checkpoint(emissions: Any, sender: Any) -> CheckpointResult:
    """Sends ``checkpoint()`` if an epoch is waiting to be opened and reports every epoch it opened."""
    from ape import chain

    pending_time = int(chain.pending_timestamp)
    clock = EpochClock.of(emissions)
    current = clock.epoch_at(pending_time)
    opened: tuple[OpenedEpoch, ...] = ()
    gas = 0
    if int(emissions.nextEpoch()) <= current:
        receipt = emissions.checkpoint(sender=sender)
        gas = int(receipt.gas_used)
        opened = tuple(
            OpenedEpoch(int(e.epoch), int(e.scheduled), int(e.minted), int(e.units), int(e.dust))
            for e in receipt.events
            if e.event_name == "EpochOpened"
        )
    now = head_time()
    current = int(emissions.currentEpoch())
    still = max(current + 1 - int(emissions.nextEpoch()), 0)
    return CheckpointResult(opened, current, still, clock.start(current + 1), now, gas)


def kick(gmflock: Any, sender: Any, account: str, lock_id: int) -> list[str]:
    """Burns the boost of ``account``'s expired lock (anyone may: ``GmFlock.kick``), as far as no
    task holds it; refuses before sending what the contract would refuse."""

    count, info = int(gmflock.lockCount(account)), gmflock.lockInfo(account, lock_id)
    if int(info.status) != LockStatus.ACTIVE:
        state = f"is {LockStatus(int(info.status)).name.lower()}" if lock_id < count else "does not exist"
        raise OpsError(f"lock {lock_id} of {account} {state} ({count} locks): nothing to kick")
    now = head_time()
    if now < int(info.end):
        when = relative_time(int(info.end), now)
        raise OpsError(f"lock {lock_id} of {account} has not expired: kickable {when}")
    boost = max(int(info.gm) - int(info.amount), 0)
    free = int(gmflock.balanceOf(account)) - int(gmflock.allocatedOf(account))
    if not boost:
        raise OpsError(f"lock {lock_id} of {account} has no boost left: its gmFLOCK is its FLOCK (1x)")
    if not free:
        raise OpsError(
            f"the {format_token(boost)} gmFLOCK of boost of lock {lock_id} of {account} is staked in "
            "tasks: kickable once they release it"
        )
    receipt = gmflock.kick(account, lock_id, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "Kicked"]
    lines = [
        f"kicked lock {lock_id} of {account}: burned {format_token(int(event.gmRemoved))} gmFLOCK of "
        f"expired boost (and its votes); the lock now holds {format_token(int(event.gm))} gmFLOCK"
    ]
    if int(event.gmRemoved) < boost:
        held = format_token(boost - int(event.gmRemoved))
        lines.append(f"{held} gmFLOCK of boost is staked in tasks: kick again once they release it")
    return lines


def sync(registry: Any, sender: Any, task: int, delegator: str) -> list[str]:
    """Applies the slashes of ``delegator``'s pool to its gmFLOCK (``TaskRegistry.sync``, anyone):
    a caller other than the delegator takes ``syncKeeperBps`` of the FLOCK seized, the rest goes to
    the task's slash pot. Refuses a delegation no slash reached."""

    task_info(registry, task)
    member = registry.memberOf(task, delegator)
    if int(member.role) != Role.DELEGATOR or member.released:
        raise OpsError(f"{delegator} has no delegation in task {task} (or it was released)")
    delegation = registry.delegationOf(task, delegator)
    if int(delegation.value) >= int(delegation.allocated):
        raise OpsError(
            f"nothing to sync: no slash of {delegation.operator}'s pool in task {task} reached the "
            f"delegation of {delegator} ({format_token(int(delegation.allocated))} gmFLOCK)"
        )
    receipt = registry.sync(task, delegator, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "DelegatorSynced"]
    keeper = int(event.keeperAmount)
    share = (
        f"{format_token(keeper)} FLOCK to {sender.address} (the keeper's share)"
        if keeper
        else "no keeper's share (the delegator synced its own)"
    )
    return [
        f"synced the delegation of {delegator} in task {task}: {format_token(int(event.gmLoss))} gmFLOCK "
        f"lost to slashes of {delegation.operator}, {format_token(int(event.flockSeized))} FLOCK seized",
        f"{share}; the rest into the task's slash pot (`ape run tasks route-slash-pot {task}`)",
    ]


def end_task(registry: Any, sender: Any, task: int) -> list[str]:
    """Records that ``task``'s end has passed (``TaskRegistry.endTask``, anyone): it stops earning."""

    info = task_info(registry, task)
    state = TaskState(int(info.state))
    if state not in (TaskState.PENDING, TaskState.APPROVED):
        raise OpsError(f"task {task} is {state.name.lower()} already: nothing to end")
    now = head_time()
    if now < int(info.endTime):
        when = relative_time(int(info.endTime), now)
        raise OpsError(f"task {task} runs until its end {when}: endable then")
    registry.endTask(task, sender=sender)
    return [
        f"ended task {task}: it earns no more emissions; its members release their stake after the "
        "dispute window"
    ]


def route_slash_pot(registry: Any, slasher: Any, sender: Any, task: int) -> str:
    """Sends an AI Arena task's slash pot (the FLOCK seized from its delegators when they sync) to
    the slash recipient, or burns it (``ArenaSlasher.routeSlashPot``, anyone)."""

    if int(task_info(registry, task).kind) != TaskKind.ARENA:
        raise OpsError(f"task {task} is an FL Alliance task: its slashes are routed by its rounds")
    if not int(registry.slashPot(task)):
        raise OpsError(
            f"task {task}'s slash pot is empty: delegators' shares of slashes collect there when their "
            f"delegations sync (`ape run tasks sync {task} DELEGATOR`)"
        )
    receipt = slasher.routeSlashPot(task, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "SlashPotRouted"]
    amount = format_token(int(event.amount))
    if event.to == ZERO_ADDRESS:
        return f"burned the {amount} FLOCK of task {task}'s slash pot (no slash recipient is set)"
    return f"sent the {amount} FLOCK of task {task}'s slash pot to {event.to}, the slash recipient"


# ----------------------------------------------------------------------------- FL Alliance tasks


def _call_first(alliance: Any, function: str, *args: Any, sender: Any) -> Any:
    """Calls ``function`` before sending it (a revert on a local chain would be mined). AllianceRounds
    runs evictions and sweeps in its settlement module, whose errors its compiled ABI lacks: a revert
    is named from the published ABIs (``flock.chain.errors.name_raw_error``, docs/decisions.md 217)."""
    try:
        return getattr(alliance, function).call(*args, sender=sender)
    except ContractLogicError as err:
        named = name_raw_error(str(err))
        if named is None:
            raise
        raise OpsError(named) from None


def _alliance_task(registry: Any, task: int) -> Any:
    info = task_info(registry, task)
    if int(info.kind) != TaskKind.ALLIANCE:
        raise OpsError(f"task {task} is an AI Arena task: pools, rounds and evictions are FL Alliance's")
    return info


def pull_emissions(registry: Any, alliance: Any, sender: Any, task: int) -> str:
    """Moves the FL Alliance task's emission budgets not yet drawn into its pool
    (``AllianceRounds.pullEmissions``, anyone; up to 64 epochs a call). Refuses when it would move
    nothing."""
    _alliance_task(registry, task)
    if not int(_call_first(alliance, "pullEmissions", task, sender=sender)):
        raise OpsError(
            f"nothing to pull: task {task}'s pool holds every budget of the epochs opened so far "
            "(`ape run checkpoint` opens the epochs that have started)"
        )
    receipt = alliance.pullEmissions(task, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "EmissionsPulled"]
    pool = int(alliance.poolOf(task).pool)
    return (
        f"pulled {format_token(int(event.amount))} FLOCK of epochs {int(event.fromEpoch)} to "
        f"{int(event.toEpoch) - 1} into task {task}'s pool, which holds {format_token(pool)} FLOCK"
    )


def sweep(registry: Any, alliance: Any, sender: Any, task: int) -> str:
    """Sends the pool of an FL Alliance task that is over to the treasury (``AllianceRounds.sweep``,
    anyone), after pulling its last budgets. A round in progress or an empty pool is the contract's
    error by name (a call first: nothing is sent)."""
    info = _alliance_task(registry, task)
    now = head_time()
    if now < int(info.endTime):
        raise OpsError(
            f"task {task} runs until its end {relative_time(int(info.endTime), now)}: sweepable then"
        )
    _call_first(alliance, "sweep", task, sender=sender)  # a round in progress, an empty pool: by name
    receipt = alliance.sweep(task, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "PoolSwept"]
    amount = format_token(int(event.amount))
    return f"swept {amount} FLOCK of task {task}'s pool to the treasury {event.treasury}"


def evict(registry: Any, alliance: Any, sender: Any, task: int, account: str) -> list[str]:
    """Evicts a participant of an FL Alliance task absent from its last ``evictionRounds`` rounds
    (``AllianceRounds.evict``, anyone): ``absentSlashBps`` of its stake slashed, the caller credited
    ``finalizerBps`` of the FLOCK seized (to relock), its slot freed. The absence rule itself is the
    contract's (``AllianceNotEvictable`` by name, from a call first: nothing is sent)."""
    info = _alliance_task(registry, task)
    if not registry.isActive(task):
        raise OpsError(
            f"task {task} is over ({TaskState(int(info.state)).name.lower()}): evictions free slots of "
            "active tasks only"
        )
    member = registry.memberOf(task, account)
    if int(member.role) != Role.PARTICIPANT or member.released or int(member.exitAt):
        raise OpsError(f"{account} is not a participant of task {task} (or was evicted already)")
    _call_first(alliance, "evict", task, account, sender=sender)  # not absent long enough: by name
    receipt = alliance.evict(task, account, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name == "ParticipantEvicted"]
    return [
        f"evicted {account} from task {task} (absent from rounds {int(event.fromRound)} to "
        f"{int(event.toRound)}): {format_token(int(event.gm))} gmFLOCK slashed, "
        f"{format_token(int(event.flockSeized))} FLOCK seized",
        f"{format_token(int(event.toEvictor))} FLOCK credited to {sender.address}, relocked when withdrawn "
        "(`ape run tasks withdraw`); the rest to the treasury",
    ]
