"""The reward pots' on-chain proof check accepts the Python tree's proofs, for random trees: every
leaf claims its exact amount to its account, once; a proof for any other value does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flock.harness.system import deploy_system
from flock.oracle.merkle import reward_tree
from flock.rewards import claim_args
from flock.tasks import Role, TaskKind
from flock.units import DAY, WAD

TASK, EPOCH = 1, 1

accounts = (
    st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()).filter(lambda a: int(a, 16) > 2**20)
)
trees = st.lists(
    st.tuples(accounts, st.integers(1, 10**20)), min_size=1, max_size=300, unique_by=lambda leaf: leaf[0]
)


@pytest.fixture(scope="module")
def base() -> list:
    """A task epoch that is over, with a budget and one oracle (quorum 1) and no vesting."""
    system = deploy_system()
    chain, token, gm, tasks, rewards = (
        system.chain,
        system.token,
        system.gmflock,
        system.tasks,
        system.rewards,
    )
    node = chain.accounts[1]
    token.transfer(node, 100_000 * WAD, sender=system.treasury)
    token.approve(gm.address, 100_000 * WAD, sender=node)
    gm.lock(100_000 * WAD, 365 * DAY, sender=node)
    tasks.createTask(TaskKind.ARENA, 30 * DAY, b"\x11" * 32, "ipfs://spec", 0, 0, sender=node)
    tasks.join(TASK, Role.NODE, 10_000 * WAD, 5_000, sender=node)
    tasks.approveTask(TASK, sender=system.admin)
    rewards.setOracles([chain.accounts[2]], 1, sender=system.admin)
    rewards.setRewardParameters(3600, 0, 0, sender=system.admin)
    chain.set_time(system.emissions.genesis() + 2 * DAY + 60)
    system.emissions.checkpoint(sender=node)
    return [system, chain.snapshot()]


@settings(max_examples=25, deadline=None)
@given(leaves=trees, data=st.data())
def test_python_proofs_claim_on_chain(base, leaves, data):
    system, snap = base
    base[1] = system.chain.restore(snap)
    chain, token, rewards = system.chain, system.token, system.rewards
    tree = reward_tree(leaves)
    total = sum(amount for _, amount in leaves)
    rewards.postRoot(TASK, EPOCH, tree.root, total, 0, b"\x01" * 32, sender=chain.accounts[2])
    chain.warp(3600)
    rewards.finalize(TASK, EPOCH, sender=chain.accounts[3])
    pot = chain.at("RewardPot", rewards.potOf(TASK, EPOCH))
    indices = data.draw(st.lists(st.integers(0, len(leaves) - 1), min_size=1, max_size=20, unique=True))
    for index in indices:
        claim = claim_args(tree, TASK, EPOCH, index)
        with chain.reverts("RewardPotInvalidProof"):
            pot.claim(index, claim.account, claim.amount + 1, claim.proof, sender=chain.accounts[3])
        before = token.balanceOf(claim.account)
        pot.claim(*claim.pot_args(), sender=chain.accounts[3])
        assert token.balanceOf(claim.account) == before + claim.amount
        with chain.reverts("RewardPotAlreadyClaimed"):
            pot.claim(*claim.pot_args(), sender=chain.accounts[3])
    assert all(pot.isClaimed(i) == (i in indices) for i in range(len(leaves)))
    assert token.balanceOf(pot.address) == total - sum(leaves[i][1] for i in indices)
