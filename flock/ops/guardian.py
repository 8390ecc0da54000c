"""The guardian's veto: an accepted reward root (RewardDistributor), slash root (ArenaSlasher) or
usage report (ApiCredits) stands unless a ``GUARDIAN_ROLE`` holder vetoes it before its challenge
window ends (the distributor's window, the same for all three; docs/oracle.md, "Guardians").
These list what is in its window now, from the acceptance events, and veto one, refusing in words
what the contract would refuse: a caller that is not a guardian, nothing accepted, a closed window.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from flock.chain.clock import head_time
from flock.ops import OpsError
from flock.ops.scan import BlockRange, from_block_given, since
from flock.ops.tasks import task_info
from flock.rewards import SlashStatus, Status, UsageStatus
from flock.units import format_token, human_duration, relative_time, utc


@dataclass(frozen=True)
class Kind:
    """One vetoable thing: the contract (manifest key) that holds it and how it reads."""

    name: str  # the command's word
    key: str  # the manifest key of the contract
    what: str  # in words
    accepted_event: str
    accepted: IntEnum  # the contract's Status member for "accepted, in its window"
    statuses: dict[IntEnum, str]  # every member of that Status, in words
    per_task: bool = True

    def status(self, value: int) -> IntEnum:
        """``value`` as a member of the contract's Status enum."""
        return type(self.accepted)(value)

    def where(self, task: int | None, epoch: int) -> str:
        return f"task {task} epoch {epoch}" if self.per_task else f"epoch {epoch}"

    def command(self, task: int | None, epoch: int) -> str:
        target = f"--task {task} --epoch {epoch}" if self.per_task else f"--epoch {epoch}"
        return f"`ape run oracle veto {self.name} {target} --account GUARDIAN`"


REWARDS = Kind(
    "rewards",
    "rewards",
    "reward root",
    "RootAccepted",
    Status.ACCEPTED,
    {
        Status.NONE: "nothing posted",
        Status.OPEN: "no root reached quorum in this round",
        Status.ACCEPTED: "accepted",
        Status.FINAL: "final: claims are open",
    },
)
SLASHES = Kind(
    "slashes",
    "slasher",
    "slash root",
    "SlashRootAccepted",
    SlashStatus.ACCEPTED,
    {
        SlashStatus.NONE: "nothing posted",
        SlashStatus.OPEN: "no slash root reached quorum in this round",
        SlashStatus.ACCEPTED: "accepted",
    },
)
USAGE = Kind(
    "usage",
    "api",
    "usage report",
    "UsageAccepted",
    UsageStatus.ACCEPTED,
    {
        UsageStatus.NONE: "no report reached quorum in this round",
        UsageStatus.ACCEPTED: "accepted",
        UsageStatus.FINAL: "final: its charges apply",
    },
    per_task=False,
)
KINDS = {k.name: k for k in (REWARDS, SLASHES, USAGE)}


@dataclass(frozen=True)
class Accepted:
    """An accepted root or report of ``kind`` and the end of its challenge window."""

    kind: Kind
    task: int | None
    epoch: int
    status: IntEnum  # a member of the kind's Status enum
    root: bytes
    ends: int
    round: int
    detail: str  # what it pays, slashes or charges

    @property
    def where(self) -> str:
        return self.kind.where(self.task, self.epoch)

    def line(self, now: int) -> str:
        return (
            f"{self.kind.what} of {self.where} (0x{self.root.hex()}): {self.detail}; vetoable until its "
            f"window closes {relative_time(self.ends, now)}: {self.kind.command(self.task, self.epoch)}"
        )


def read(contract: Any, kind: Kind, task: int | None, epoch: int) -> Accepted:
    """The current state of ``kind`` for the task epoch (or the usage epoch)."""
    if kind is REWARDS:
        r = contract.epochRewards(task, epoch)
        burned = f" (+ {format_token(int(r.burn))} FLOCK of claim fees burned)" if int(r.burn) else ""
        detail, ends = f"pays {format_token(int(r.total))} FLOCK{burned}", int(r.finalizesAt)
    elif kind is SLASHES:
        r = contract.reportOf(task, epoch)
        count = int(r.count)
        detail, ends = f"lists {count} slash(es) to execute", int(r.executableAt)
    else:
        r = contract.settlementOf(epoch)
        detail, ends = f"charges {format_token(int(r.total))} FLOCK of API usage", int(r.finalizesAt)
    return Accepted(kind, task, epoch, kind.status(int(r.status)), bytes(r.root), ends, int(r.round), detail)


def scan_range(contracts: dict[str, Any], deployed: dict[str, int], from_block: int | None) -> BlockRange:
    """The blocks whose acceptance events can still be vetoed: from the first block at or after now
    minus the challenge window (all three kinds take the distributor's window when accepted), or
    from ``from_block`` when given (an item accepted before governance shortened the window keeps
    its longer one: decision 225)."""
    if from_block is not None:
        return from_block_given(from_block)
    window = int(contracts["rewards"].rewardParameters()[0])
    why = f"what was accepted within the challenge window of {human_duration(window)}"
    return since(head_time() - window, min(deployed.values()), why)


def vetoable(contracts: dict[str, Any], deployed: dict[str, int], blocks: BlockRange) -> list[Accepted]:
    """Every root or report accepted and still in its challenge window, from the acceptance events
    of ``blocks`` (each contract's from its deployment block on); the one closing first first."""
    now, found = head_time(), {}
    for kind in (k for k in KINDS.values() if k.key in contracts):
        contract, scan = contracts[kind.key], blocks.clamp(deployed[kind.key])
        if scan.empty:
            continue
        for log in getattr(contract, kind.accepted_event).range(scan.first, scan.last + 1):
            task = int(log.taskId) if kind.per_task else None
            state = read(contract, kind, task, int(log.epoch))
            if state.status is kind.accepted and now < state.ends:
                found[(kind.name, task, state.epoch)] = state
    return sorted(found.values(), key=lambda a: a.ends)


def _guardian_of(contracts: dict[str, Any], kind: Kind) -> Any:
    """The contract whose ``GUARDIAN_ROLE`` may veto ``kind``: ApiCredits asks the distributor's."""
    return contracts["rewards"] if kind is USAGE else contracts[kind.key]


def veto(contracts: dict[str, Any], kind: Kind, sender: Any, task: int | None, epoch: int) -> list[str]:
    """Vetoes ``kind``'s accepted root (report) of the task epoch; refuses before sending what the
    contract would refuse."""
    if kind.key not in contracts:
        raise OpsError(f"this deployment has no {kind.key} contract: no {kind.what} to veto")
    if kind.per_task:
        if task is None:
            raise OpsError(f"veto {kind.name} needs --task: a {kind.what} is per task and epoch")
        task_info(contracts["tasks"], task)
    elif task is not None:
        raise OpsError(f"a {kind.what} is per epoch, for every task: drop --task {task}")
    account, role_holder = str(sender.address), _guardian_of(contracts, kind)
    if not role_holder.hasRole(role_holder.GUARDIAN_ROLE(), account):
        raise OpsError(
            f"{account} is not a guardian: only GUARDIAN_ROLE holders of {role_holder.contract_type.name} "
            "(governance and the guardians it appoints) may veto"
        )
    contract = contracts[kind.key]
    state, now = read(contract, kind, task, epoch), head_time()
    if state.status is not kind.accepted:
        raise OpsError(
            f"{kind.where(task, epoch)} has no accepted {kind.what} to veto: "
            f"{kind.statuses[state.status]} (round {state.round})"
        )
    if now >= state.ends:
        raise OpsError(
            f"the challenge window of {state.where}'s {kind.what} closed at {utc(state.ends)}: "
            "it can no longer be vetoed"
        )
    args = (task, epoch) if kind.per_task else (epoch,)
    receipt = contract.veto(*args, sender=sender)
    (event,) = [e for e in receipt.events if e.event_name.endswith("Vetoed")]
    lines = [f"vetoed the {kind.what} of {state.where} (0x{bytes(event.root).hex()}): {state.detail}"]
    if kind is REWARDS:
        lines.append(f"{format_token(int(event.returned))} FLOCK back in the task's pool (unallocated)")
    if kind is USAGE:
        lines.append(
            f"round {state.round + 1} is open: the gateway operators post again (epoch {epoch}'s usage is "
            f"reported during epoch {epoch + 1} only)"
        )
    else:
        lines.append(f"round {state.round + 1} is open: the oracles post again")
    return lines
