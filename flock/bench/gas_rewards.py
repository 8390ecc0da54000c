"""Gas of the reward distributor, whole-transaction, measured on anvil.

One AI Arena task earns budgets; a reward tree of 100,000 leaves (fresh recipients, holding no
FLOCK) is posted for an epoch by two of the three configured oracles; the second post, which
completes the quorum, is ``gas.reward_post`` (a 10-leaf tree's completing post is measured too: the
same). The first post of a task epoch, ``gas.reward_post_first``, also draws everything the task
accrued at the emission controller into the task's pool (decision 236: ``drawAccrued``, a transfer
and the pool's slot), information only. After the challenge window, finalizing creates the root's
pot (``gas.reward_finalize``), and claims go to the pot:

- ``gas.reward_claim_fresh``: the first claim of the tree, a leaf with a 17-level proof, whose
  bitmap word nobody used yet, no vesting (locked share 0);
- ``gas.reward_claim``: the average of 200 other random leaves of the same tree (some land in
  bitmap words already written);
- ``gas.reward_claim_vesting``: a 17-level leaf of the same tree posted for a later epoch with the
  FLock terms (90% locked, vesting over 30 days), claimed a day into its vesting;
- ``gas.reward_batch_claim_10``: one account's leaves in ten epochs, claimed in one transaction.
"""

from __future__ import annotations

import random
from typing import Any

from eth_utils import keccak, to_checksum_address

from flock.bench.registry import Results, benchmark
from flock.chain.clock import head_time, mine_at
from flock.chain.local import new_accounts
from flock.chain.protocol import LiveProtocol
from flock.deploy.ape_backend import deploy_fresh
from flock.oracle.merkle import StandardMerkleTree, reward_tree
from flock.rewards import claim_args
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

LEAVES = 100_000
SAMPLE = 200
REPORT = keccak(text="bench report")


def _fresh_leaves(n: int, seed: int) -> list[tuple[str, int]]:
    """``n`` brand-new recipients (no FLOCK) with amounts between 0.01 and 1 FLOCK."""
    rnd = random.Random(seed)
    return [
        (to_checksum_address(keccak(text=f"bench-recipient-{seed}-{i}")[12:]), rnd.randint(WAD // 100, WAD))
        for i in range(n)
    ]


class _Bench:
    def __init__(self) -> None:
        self.p: LiveProtocol = deploy_fresh()
        self.admin, self.deployer = self.p.admin, self.p.deployer
        from ape import accounts

        self.oracles = [accounts.test_accounts[i] for i in (10, 11, 12)]
        self.keeper = new_accounts(1, self.deployer)[0]
        self.task = self._arena_task()
        self.epoch = self.p.emissions.currentEpoch() + 1  # the task's first earning epoch

    def _arena_task(self) -> int:
        p = self.p
        creator, node, validator = new_accounts(3, self.deployer)
        for account in (creator, node, validator):
            p.token.transfer(account, 100_000 * WAD, sender=self.deployer)
            p.token.approve(p.gmflock, 100_000 * WAD, sender=account)
            p.gmflock.lock(100_000 * WAD, 365 * DAY, sender=account)
        p.tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("bench"), "ipfs://bench", 0, 0, sender=creator)
        task = p.tasks.taskCount()
        p.tasks.join(task, Role.NODE, 20_000 * WAD, 5_000, sender=node)
        p.tasks.join(task, Role.VALIDATOR, 20_000 * WAD, 5_000, sender=validator)
        p.tasks.approveTask(task, sender=self.admin)
        return task

    def terms(self, locked_bps: int, period: int) -> None:
        self.p.rewards.setRewardParameters(3600, locked_bps, period, sender=self.admin)

    def end_of(self, epoch: int) -> None:
        """Moves past ``epoch``'s reveal phase (a minute into the next epoch) and opens epochs."""
        em = self.p.emissions
        mine_at(max(head_time() + 1, em.genesis() + (epoch + 1) * em.epochLength() + 60))
        em.checkpoint(sender=self.keeper)

    def post(self, epoch: int, tree: StandardMerkleTree, total: int) -> int:
        """Two oracles post; returns the gas of the second (completing) post."""
        return self.posts(epoch, tree, total)[1]

    def posts(self, epoch: int, tree: StandardMerkleTree, total: int) -> tuple[int, int]:
        """Two oracles post; returns the gas of the first post (which draws) and the second."""
        rewards = self.p.rewards
        first = rewards.postRoot(self.task, epoch, tree.root, total, 0, REPORT, sender=self.oracles[0])
        receipt = rewards.postRoot(self.task, epoch, tree.root, total, 0, REPORT, sender=self.oracles[1])
        assert any(e.event_name == "RootAccepted" for e in receipt.events)
        return first.gas_used, receipt.gas_used

    def finalize(self, epoch: int) -> int:
        rewards = self.p.rewards
        mine_at(max(head_time() + 1, rewards.epochRewards(self.task, epoch).finalizesAt))
        return rewards.finalize(self.task, epoch, sender=self.keeper).gas_used

    def claim(self, tree: StandardMerkleTree, epoch: int, index: int) -> Any:
        """A claim sent to the task epoch's pot, as claimers do."""
        from ape import project

        pot = project.RewardPot.at(self.p.rewards.potOf(self.task, epoch))
        return pot.claim(*claim_args(tree, self.task, epoch, index).pot_args(), sender=self.keeper)


def _seventeen_level(tree: StandardMerkleTree, rnd: random.Random) -> int:
    while True:
        index = rnd.randrange(len(tree.leaves))
        if len(tree.proof(index)) == 17:
            return index


@benchmark("rewards", needs_chain=True)
def reward_gas() -> Results:
    b = _Bench()
    out: Results = {}
    rnd = random.Random(5)
    leaves = _fresh_leaves(LEAVES, seed=1)
    tree, total = reward_tree(leaves), sum(amount for _, amount in leaves)
    small = _fresh_leaves(10, seed=2)

    b.terms(0, 0)
    b.end_of(b.epoch + 1)  # two epochs with budgets are over
    out["gas.reward_post_first"], out["gas.reward_post"] = b.posts(b.epoch, tree, total)
    out["gas.reward_post_10_leaves"] = b.post(b.epoch + 1, reward_tree(small), sum(a for _, a in small))
    out["gas.reward_finalize"] = b.finalize(b.epoch)

    fresh = _seventeen_level(tree, rnd)
    out["gas.reward_claim_fresh"] = b.claim(tree, b.epoch, fresh).gas_used
    sample = rnd.sample([i for i in range(LEAVES) if i != fresh], SAMPLE)
    gases = [b.claim(tree, b.epoch, i).gas_used for i in sample]
    out["gas.reward_claim"] = round(sum(gases) / len(gases))
    out["gas.reward_claim_max"] = max(gases)

    # The FLock vesting terms, for roots accepted from now: the same tree, a later epoch.
    b.terms(9_000, 30 * DAY)
    vesting_epoch = b.epoch + 2
    b.end_of(vesting_epoch)
    b.post(vesting_epoch, tree, total)
    b.finalize(vesting_epoch)
    mine_at(head_time() + DAY)
    out["gas.reward_claim_vesting"] = b.claim(tree, vesting_epoch, _seventeen_level(tree, rnd)).gas_used

    # One account's leaves in ten epochs (the same tree posted for each), claimed at once.
    b.terms(0, 0)
    first = vesting_epoch + 1
    b.end_of(first + 9)
    for epoch in range(first, first + 10):
        b.post(epoch, tree, total)
    b.finalize(first + 9)
    for epoch in range(first, first + 9):
        b.p.rewards.finalize(b.task, epoch, sender=b.keeper)
    account = _seventeen_level(tree, rnd)
    batch = [claim_args(tree, b.task, epoch, account).args() for epoch in range(first, first + 10)]
    out["gas.reward_batch_claim_10"] = b.p.rewards.claimMany(batch, sender=b.keeper).gas_used
    return out
