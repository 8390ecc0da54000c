"""Reads one task epoch's facts from the chain through ape (``EpochChainData``).

Events give the epoch's model commitments and reveals (with the commitments' block and log index,
for the first-committer rule) and its score commitments and reveals (ArenaSubmissions), read from
the blocks of the epoch's phases only (:meth:`ChainView.epoch_blocks`, found by block time: decision
232); the models revealed in earlier epochs of the task and the task's operators and delegators
(TaskRegistry ``Joined`` and ``Delegated``), read from the deployment to the stake block (their
history is what matters); views at the stake block give
their stakes, sigmas and delegation values as they were when the epoch started; the epoch's budget
is computed from the emission controller's events about the task up to the stake block and the
epoch's rate (``flock.chain.budgets``, decision 228: the controller keeps no per-epoch budget), and
the distributor gives the parameters governance set (read at the stake block too, so a later change
does not alter an epoch already paid).

Reading state at a past block needs an archive node on a live network (anvil keeps every state).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape import chain

from flock.chain.budgets import budget_of
from flock.chain.clock import block_time, first_block_at, head_time
from flock.chain.protocol import LiveProtocol
from flock.emissions import Budget
from flock.ops.scan import BlockRange, epoch_phases
from flock.oracle.errors import OracleError
from flock.oracle.inputs import DelegationStake, EpochChainData, MemberStake, Reveal, Submission
from flock.oracle.revenue import read_fundings
from flock.rewards import Phase
from flock.tasks import Role, no_such_task
from flock.units import relative_time

__all__ = ["ChainView", "OracleError"]


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


@dataclass
class ChainView:
    """The reward contracts of a deployment on the connected chain, read through its handle."""

    protocol: LiveProtocol

    def __post_init__(self) -> None:
        missing = [k for k in ("tasks", "emissions", "submissions", "rewards") if k not in self.protocol.keys]
        if missing:
            raise OracleError(
                f"the deployment has no {', '.join(missing)}: deploy the rewards contracts first"
            )

    def contract(self, key: str) -> Any:
        return self.protocol.contract(key)

    @property
    def rewards(self) -> Any:
        return self.contract("rewards")

    @property
    def submissions(self) -> Any:
        return self.contract("submissions")

    @property
    def slasher(self) -> Any:
        if "slasher" not in self.protocol.keys:
            raise OracleError("the deployment has no ArenaSlasher: deploy it first")
        return self.contract("slasher")

    def pot(self, task: int, epoch: int) -> Any | None:
        """The RewardPot of a task epoch's final root (None before finalization)."""
        from ape import project

        address = str(self.rewards.potOf(task, epoch))
        return None if int(address, 16) == 0 else project.RewardPot.at(address)

    def first_block(self) -> int:
        return min(self.protocol.manifest.contracts[k].block for k in ("tasks", "submissions"))

    # ------------------------------------------------------------------ epochs

    def check_arena_task(self, task: int) -> None:
        """Refuses a task that does not exist or is not an AI Arena task."""
        registry = self.contract("tasks")
        info = registry.taskInfo(task)
        if info.state == 0:
            raise OracleError(no_such_task(task, int(registry.taskCount())))
        if info.kind != 0:
            raise OracleError(f"task {task} is an FL Alliance task: its rewards come from its rounds")

    def check_epoch_over(self, task: int, epoch: int) -> None:
        """Refuses an epoch whose reveal phase has not ended yet, or a task that is not Arena."""
        self.check_arena_task(task)
        reveal_end = self.submissions.schedule(epoch).revealEnd
        now = head_time()
        if now < reveal_end:
            raise OracleError(
                f"epoch {epoch} is still open: its reveal phase ends {relative_time(reveal_end, now)}; "
                "compute after that"
            )

    def latest_ended_epoch(self) -> int:
        """The latest epoch whose reveal phase is over; refuses when none is yet."""
        epoch, phase, ends = self.submissions.currentPhase()
        if phase == Phase.CLOSED:
            return int(epoch)
        if epoch == 0:
            raise OracleError(
                f"no epoch is over yet: epoch 0's {Phase(phase).name.lower().replace('_', ' ')} phase ends "
                f"{relative_time(int(ends), head_time())}, then its later phases"
            )
        return int(epoch) - 1

    def stake_block(self, epoch: int) -> int:
        """The last block mined before ``epoch`` started (binary search on timestamps)."""
        start = self.submissions.schedule(epoch).start
        low = self.first_block()
        if block_time(low) >= start:
            raise OracleError(f"epoch {epoch} started before the contracts were deployed")
        return first_block_at(start, low) - 1

    # ------------------------------------------------------------------ facts

    def epoch_blocks(self, epoch: int) -> BlockRange:
        """The blocks in which ArenaSubmissions can have emitted ``epoch``'s events: its submit to
        reveal phases (``schedule(epoch)``, from ``start`` to ``revealEnd``), found by block time."""
        return epoch_phases(self.submissions, epoch, Phase.SUBMIT, Phase.REVEAL, self.first_block())

    def budget(self, task: int, epoch: int, stake_block: int | None = None) -> Budget:
        """The task's emission budget for the epoch, from the controller's events up to the stake
        block (every event that sets a weight in force in the epoch is in a block before it started)."""
        block = self.stake_block(epoch) if stake_block is None else stake_block
        return budget_of(self.protocol, task, epoch, block)

    def _events(self, key: str, event: str, blocks: BlockRange, **topics: Any) -> list[Any]:
        if blocks.empty:
            return []
        contract = self.contract(key)
        return list(getattr(contract, event).range(blocks.first, blocks.last + 1, search_topics=topics))

    def read(self, task: int, epoch: int, blocks: BlockRange | None = None) -> EpochChainData:
        """Every fact the oracle needs for task ``task``, epoch ``epoch``; the epoch's own events
        from ``blocks`` (by default :meth:`epoch_blocks`)."""
        self.check_epoch_over(task, epoch)
        block = self.stake_block(epoch)
        blocks = self.epoch_blocks(epoch) if blocks is None else blocks
        history = BlockRange(self.first_block(), block, f"task {task}'s history before epoch {epoch}")
        tasks, rewards = self.contract("tasks"), self.rewards
        # an earlier epoch's reveals end before this epoch starts: at or before the stake block
        earlier = self._events("submissions", "ModelRevealed", history, taskId=task)
        models = self._events("submissions", "ModelRevealed", blocks, taskId=task, epoch=epoch)
        commits = {
            str(e.node).lower(): (e.block_number, e.log_index)
            for e in self._events("submissions", "ModelCommitted", blocks, taskId=task, epoch=epoch)
        }
        committed = self._events("submissions", "ScoresCommitted", blocks, taskId=task, epoch=epoch)
        revealed = self._events("submissions", "ScoresRevealed", blocks, taskId=task, epoch=epoch)
        joined = self._events("tasks", "Joined", history, taskId=task)
        delegated = self._events("tasks", "Delegated", history, taskId=task)

        members = []
        for account in sorted({str(e.account) for e in joined if e.role in (Role.NODE, Role.VALIDATOR)}):
            member = tasks.memberOf(task, account, block_id=block)
            if member.role in (Role.NODE, Role.VALIDATOR) and not member.released:
                members.append(MemberStake(account, member.role, member.stake, member.sigmaBps))
        delegations = []
        for delegator in sorted({str(e.delegator) for e in delegated}):
            info = tasks.delegationOf(task, delegator, block_id=block)
            if info.exitAt == 0 and info.value > 0:
                delegations.append(DelegationStake(delegator, str(info.operator), info.value))
        budget = self.budget(task, epoch, block)
        return EpochChainData(
            chain_id=chain.chain_id,
            rewards=str(rewards.address),
            submissions_contract=str(self.submissions.address),
            task=task,
            epoch=epoch,
            stake_block=block,
            stake_block_hash=_hex(chain.blocks[block].hash),
            node_budget=budget.nodes,
            validator_budget=budget.validators,
            fee_bps=tuple(rewards.claimFees(block_id=block)),
            scoring_bps=tuple(rewards.scoringParameters(block_id=block)),
            submissions=tuple(
                Submission(str(e.node), _hex(e.modelHash).lower(), e.uri, commits[str(e.node).lower()])
                for e in models
            ),
            committed=tuple(str(e.validator) for e in committed),
            reveals=tuple(Reveal(str(e.validator), _hex(e.fileHash).lower()) for e in revealed),
            members=tuple(members),
            delegations=tuple(delegations),
            earlier_models=tuple(sorted({_hex(e.modelHash).lower() for e in earlier if e.epoch < epoch})),
            revenue=read_fundings(self, task, epoch),
        )
