"""The reward pots' on-chain proof check accepts the Python tree's proofs, for random trees: every
leaf claims its exact amount to its account, once; a proof for any other value does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flock.harness.system import System, deploy_system
from flock.oracle.merkle import reward_tree
from flock.rewards import claim_args
from flock.testing.fixtures import Prepared, arena_epoch_over

TASK, EPOCH = 1, 1

accounts = (
    st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()).filter(lambda a: int(a, 16) > 2**20)
)
trees = st.lists(
    st.tuples(accounts, st.integers(1, 10**20)), min_size=1, max_size=300, unique_by=lambda leaf: leaf[0]
)


@pytest.fixture(scope="module")
def prepared() -> Prepared[System]:
    """A task epoch that is over, with a budget and one oracle (quorum 1) and no vesting."""
    system = deploy_system()
    arena_epoch_over(system, window=3600)
    return Prepared(system, system.chain)


@settings(max_examples=25, deadline=None)
@given(leaves=trees, data=st.data())
def test_python_proofs_claim_on_chain(prepared, leaves, data):
    system = prepared.fresh()
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
