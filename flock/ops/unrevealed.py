"""The keeper's provable Arena slashes: a node that committed to a model, or a validator to a score
file, and did not reveal it by the end of its reveal phase is slashed by anyone
(``ArenaSlasher.slashUnrevealed``; the caller takes the keeper's share of the FLOCK seized,
docs/oracle.md "Slashing"). These find a task epoch's unrevealed commitments from the submission
events and slash each one not slashed yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape.exceptions import ContractLogicError

from flock.chain.clock import head_time
from flock.chain.errors import describe_revert
from flock.ops import OpsError
from flock.ops.scan import BlockRange, during
from flock.ops.tasks import task_info
from flock.rewards import Offence
from flock.tasks import TaskKind
from flock.units import format_token, relative_time

ZERO_HASH = b"\0" * 32


@dataclass(frozen=True)
class Unrevealed:
    account: str
    offence: Offence
    deadline: int  # the end of the reveal phase; slashable from then on

    @property
    def what(self) -> str:
        return "model" if self.offence == Offence.MODEL_NOT_REVEALED else "score file"


def commit_blocks(submissions: Any, epoch: int, deployed: int = 0) -> BlockRange:
    """The blocks in which ``epoch``'s commitments can have been made: its submit phase through its
    commit phase (``schedule(epoch)``: from its start to ``commitEnd``), found by block time."""
    phases = submissions.schedule(epoch)
    why = f"epoch {epoch}'s submit to commit phases"
    return during(int(phases.start), int(phases.commitEnd), deployed, why)


def unrevealed(submissions: Any, slasher: Any, task: int, epoch: int, blocks: BlockRange) -> list[Unrevealed]:
    """The commitments of ``task``'s ``epoch`` (made in ``blocks``) never revealed and not slashed
    yet, models first."""
    if blocks.empty:
        return []
    phases = submissions.schedule(epoch)
    kinds = (
        ("ModelCommitted", "node", submissions.modelOf, Offence.MODEL_NOT_REVEALED, phases.modelRevealEnd),
        ("ScoresCommitted", "validator", submissions.scoresOf, Offence.SCORES_NOT_REVEALED, phases.revealEnd),
    )
    found = []
    for event, field, view, offence, deadline in kinds:
        logs = getattr(submissions, event).range(
            blocks.first, blocks.last + 1, search_topics={"taskId": task, "epoch": epoch}
        )
        for log in logs:
            account = str(getattr(log, field))
            revealed = bytes(view(task, epoch, account)[1])
            if revealed == ZERO_HASH and not slasher.isSlashed(task, epoch, account, int(offence)):
                found.append(Unrevealed(account, offence, int(deadline)))
    return found


def slash_unrevealed(
    registry: Any,
    submissions: Any,
    slasher: Any,
    token: Any,
    sender: Any,
    task: int,
    epoch: int,
    deployed: int,
) -> list[str]:
    """Slashes every unrevealed commitment of ``task``'s ``epoch`` whose reveal phase is over; the
    sender takes the keeper's share. Refuses when there is none (or none due yet)."""
    info = task_info(registry, task)
    if int(info.kind) != TaskKind.ARENA:
        raise OpsError(f"task {task} is an FL Alliance task: commitments and reveals are AI Arena's")
    blocks = commit_blocks(submissions, epoch, deployed)
    pending = unrevealed(submissions, slasher, task, epoch, blocks)
    if not pending:
        raise OpsError(f"task {task} epoch {epoch}: no unrevealed commitment left to slash ({blocks.line()})")
    now = head_time()
    due = [u for u in pending if now >= u.deadline]
    if not due:
        first = min(u.deadline for u in pending)
        raise OpsError(
            f"task {task} epoch {epoch}: {len(pending)} commitment(s) not revealed yet; their reveal "
            f"phase is still open, slashable {relative_time(first, now)}"
        )
    before = int(token.balanceOf(sender))
    lines, slashed = [], 0
    for u in due:
        try:
            receipt = slasher.slashUnrevealed(task, epoch, u.account, sender=sender)
        except ContractLogicError as err:  # one refusal does not stop the others
            if len(due) == 1:
                raise
            lines.append(f"not slashed {u.account} (its {u.what} not revealed): {describe_revert(err)}")
            continue
        (event,) = [e for e in receipt.events if e.event_name == "ArenaSlashed"]
        slashed += 1
        lines.append(
            f"slashed {u.account} (its {u.what} not revealed): {format_token(int(event.gmAmount))} gmFLOCK, "
            f"{format_token(int(event.flockSeized))} FLOCK seized"
        )
    if not slashed:
        raise OpsError(f"task {task} epoch {epoch}: no slash went through; {lines[0]}")
    paid = int(token.balanceOf(sender)) - before
    lines.append(f"{sender.address} received {format_token(paid)} FLOCK, the keeper's share")
    if len(due) < len(pending):
        later = min(u.deadline for u in pending if u not in due)
        lines.append(f"{len(pending) - len(due)} more slashable {relative_time(later, head_time())}")
    return lines
