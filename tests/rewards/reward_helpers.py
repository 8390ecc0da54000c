"""Helpers for the reward tests: task epochs, posting accepted roots, finalizing them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.chain.clock import head_time, mine_at
from flock.oracle.merkle import StandardMerkleTree, reward_tree
from flock.rewards import ClaimArgs, claim_args

REPORT = b"\x07" * 32


@dataclass(frozen=True)
class TaskEpoch:
    task: int
    epoch: int


def open_epoch(emissions, keeper, epoch: int, offset: int = 60) -> None:
    """Mines a block ``offset`` seconds into ``epoch`` and opens every started epoch."""
    mine_at(max(head_time() + 1, emissions.genesis() + epoch * emissions.epochLength() + offset))
    emissions.checkpoint(sender=keeper)


@dataclass
class Posted:
    """A tree whose root was accepted for a task epoch."""

    at: TaskEpoch
    tree: StandardMerkleTree
    total: int
    burn: int

    def claim(self, index: int) -> ClaimArgs:
        return claim_args(self.tree, self.at.task, self.at.epoch, index)


def leaves_for(accounts: list[Any], amounts: list[int]) -> list[tuple[str, int]]:
    return [(str(a), amount) for a, amount in zip(accounts, amounts, strict=True)]


def post(rewards, oracles, at: TaskEpoch, leaves, burn: int = 0, report: bytes = REPORT) -> Posted:
    """The first two oracles post the same tuple: accepted (quorum 2)."""
    tree = reward_tree(leaves)
    total = sum(amount for _, amount in leaves)
    for oracle in oracles[:2]:
        rewards.postRoot(at.task, at.epoch, tree.root, total, burn, report, sender=oracle)
    return Posted(at, tree, total, burn)


def finalize(rewards, posted: Posted, keeper) -> Any:
    """Moves past the challenge window and finalizes; returns the root's pot."""
    info = rewards.epochRewards(posted.at.task, posted.at.epoch)
    mine_at(max(head_time() + 1, info.finalizesAt))
    rewards.finalize(posted.at.task, posted.at.epoch, sender=keeper)
    return pot_of(rewards, posted.at)


def pot_of(rewards, at: TaskEpoch) -> Any:
    from ape import project

    return project.RewardPot.at(rewards.potOf(at.task, at.epoch))


def epoch_budget(emissions, task: int, epoch: int) -> int:
    """One opened epoch's budget of a task whose weight has not changed since it was enrolled:
    its units x the epoch's rate (the off-chain arithmetic of decision 236, `flock.emissions`)."""
    _, expiry, units = emissions.taskEnrollment(task)
    return units * emissions.epochInfo(epoch).rate if epoch < expiry else 0
