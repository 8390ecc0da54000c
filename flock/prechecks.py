"""Checks the command lines run before work that would be wasted: a task epoch without an emission
budget (and why), an account without the role a command needs, a step in the wrong phase.

Each check reads the chain only and returns words (or raises :class:`PrecheckError`); the commands
call them first, before training, scoring or computing anything (docs/oracle.md, "Before you run").
``contracts`` is a ``LiveProtocol`` or anything holding one as ``protocol`` (``ChainView``,
``Deployment``).

The budget checked is the task's emission budget for the epoch, computed from the emission
controller's events and the epoch's rate (``flock.chain.budgets``, decision 228): what the oracle
will pay the epoch's work from. Whether the distributor's per-task pool still covers a root is the
distributor's to say when the root is posted; it is not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape.exceptions import ApeException

from flock.chain.budgets import budget_in, weights_before
from flock.chain.clock import head_time
from flock.chain.protocol import LiveProtocol
from flock.emissions import EpochClock
from flock.tasks import Role, TaskKind, TaskState, no_such_task
from flock.units import relative_time


class PrecheckError(ApeException):
    """The command would fail or do nothing useful; the message says why and what to do."""


@dataclass(frozen=True)
class BudgetCheck:
    """A task's emission budget for one epoch, and why it is zero when it is."""

    task: int
    epoch: int
    amount: int
    reason: str = ""  # empty when the budget is positive

    @property
    def ok(self) -> bool:
        return self.amount > 0

    def warning(self) -> str:
        lead = f"task {self.task} has no budget in epoch {self.epoch}, so the work would earn nothing"
        return f"{lead} — {self.reason}"


def _protocol(contracts: Any) -> LiveProtocol:
    return contracts if isinstance(contracts, LiveProtocol) else contracts.protocol


def epoch_start(contracts: Any, epoch: int) -> int:
    return EpochClock.of(contracts.contract("emissions")).start(epoch)


def _enrolled_from(contracts: Any, task: int) -> int | None:
    """The first epoch the task earns in (its TaskEnrolled event), None if never enrolled."""
    from ape import chain

    em = contracts.contract("emissions")
    logs = list(em.TaskEnrolled.range(0, chain.blocks.height + 1, search_topics={"taskId": task}))
    return int(logs[-1].fromEpoch) if logs else None


def budget_check(contracts: Any, task: int, epoch: int) -> BudgetCheck:
    """The task's budget for ``epoch`` and, when it is zero, the reason in words with what to do."""
    em, registry = contracts.contract("emissions"), contracts.contract("tasks")
    info = registry.taskInfo(task)
    if info.state == TaskState.NONE:
        return BudgetCheck(task, epoch, 0, f"task {task} does not exist ({registry.taskCount()} tasks)")
    weights = weights_before(_protocol(contracts), task, epoch)
    amount = budget_in(em, weights, epoch).total
    if amount > 0:
        return BudgetCheck(task, epoch, amount)

    def zero(reason: str) -> BudgetCheck:
        return BudgetCheck(task, epoch, 0, reason)

    now, next_epoch = head_time(), int(em.nextEpoch())
    if info.state == TaskState.PENDING:
        return zero(
            f"the task is pending: governance has not approved it for emissions "
            f"(`ape run dao propose approve-task {task}`)"
        )
    enrolled = _enrolled_from(contracts, task)
    if enrolled is None:
        return zero(f"the task is {TaskState(info.state).name.lower()} and was never approved for emissions")
    if epoch < enrolled:
        return zero(
            f"not yet eligible: the task earns from epoch {enrolled} (approved during epoch {enrolled - 1}; "
            f"stake counts from the epoch after), which starts "
            f"{relative_time(epoch_start(contracts, enrolled), now)}"
        )
    expiry = int(em.taskEnrollment(task)[1])
    if expiry and epoch >= expiry:
        return zero(
            f"the task ended: it earned until epoch {expiry - 1} "
            f"({TaskState(info.state).name.lower()}, end {relative_time(int(info.endTime), now)})"
        )
    start = epoch_start(contracts, epoch)
    if epoch >= next_epoch:
        if start > now:
            return zero(f"epoch {epoch} has not started yet; it starts {relative_time(start, now)}")
        return zero(
            f"epoch {epoch} was not opened: nobody called checkpoint() since it started "
            f"{relative_time(start, now)}; run `ape run checkpoint` (anyone may) and retry"
        )
    if int(em.epochInfo(epoch).minted) == 0:
        return zero(f"epoch {epoch} minted nothing (no eligible stake when it opened)")
    nodes, validators = weights.units(epoch)
    if nodes + validators == 0:
        return zero(f"the task had no eligible stake when epoch {epoch} opened")
    return zero("the epoch's emission left nothing for the task (its share rounds to zero)")


def require_budget(contracts: Any, task: int, epoch: int) -> BudgetCheck:
    """Refuses (before any work) a task epoch that pays nothing."""
    check = budget_check(contracts, task, epoch)
    if not check.ok:
        raise PrecheckError(check.warning())
    return check


def require_member(contracts: Any, task: int, account: str, role: Role, command: str) -> None:
    """Refuses an account that does not hold ``role`` in the Arena task (before any work)."""
    registry = contracts.contract("tasks")
    info = registry.taskInfo(task)
    if info.state == TaskState.NONE:
        raise PrecheckError(no_such_task(task, int(registry.taskCount())))
    if info.kind != TaskKind.ARENA:
        raise PrecheckError(f"task {task} is an FL Alliance task: {command} is for AI Arena tasks")
    if info.state != TaskState.APPROVED:
        raise PrecheckError(
            f"task {task} is {TaskState(info.state).name.lower()}: only approved tasks take models and scores"
        )
    held = Role(int(registry.memberOf(task, account).role))
    if held != role:
        what = "not a member" if held == Role.NONE else f"a {held.name.lower()}"
        raise PrecheckError(
            f"{account} is {what} of task {task}; {command} needs a {role.name.lower()}: join first "
            f"(`ape run tasks join {task} {role.name.lower()} AMOUNT --account ...`)"
        )


def before_training(contracts: Any, task: int, node: str) -> int:
    """What `ape run train` checks before it trains: the node holds the node role in the approved
    Arena task, the epoch is in its submit phase, and the task has a budget this epoch. Returns the
    epoch."""
    from flock.rewards import Phase

    require_member(contracts, task, node, Role.NODE, "training")
    epoch, phase, ends = contracts.contract("submissions").currentPhase()
    if int(phase) != Phase.SUBMIT:
        raise PrecheckError(
            f"epoch {epoch} is in its {Phase(int(phase)).name.lower()} phase until "
            f"{relative_time(int(ends), head_time())}: models are submitted in the submit phase, at the "
            "start of each epoch"
        )
    require_budget(contracts, task, int(epoch))
    return int(epoch)


def before_validation(contracts: Any, task: int, validator: str) -> int:
    """What `ape run validate` checks before it scores: the validator role in the approved Arena task
    and, before the reveal phase, a budget for the epoch (a reveal is never refused for want of one:
    a commitment left unrevealed may be slashed). Returns the epoch."""
    from flock.rewards import Phase

    require_member(contracts, task, validator, Role.VALIDATOR, "validation")
    epoch, phase, _ = contracts.contract("submissions").currentPhase()
    if int(phase) in (Phase.SUBMIT, Phase.MODEL_REVEAL, Phase.COMMIT):
        require_budget(contracts, task, int(epoch))
    return int(epoch)


def before_oracle(view: Any, task: int, epoch: int) -> BudgetCheck:
    """What `ape run oracle compute/post/report` checks before computing: the task is an Arena task
    whose epoch is over, and the epoch gave it a budget (else the report would pay nothing)."""
    view.check_epoch_over(task, epoch)
    return require_budget(view, task, epoch)
