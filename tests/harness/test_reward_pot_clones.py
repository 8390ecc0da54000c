"""RewardPots are clones with immutable arguments: each final root's pot is at the address its task
epoch and root fix, holds its terms in its code, and cannot be initialized, replaced, front-run or
bypassed. The attacks: using the implementation directly, a second pot for the same root (a second
finalize, the same clone made by someone else), funds or claims crossing between a copy and the
genuine pot."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from flock.harness.system import deploy_system
from flock.oracle.merkle import reward_tree
from flock.rewards import CLONE_PROXY_BYTES, PotTerms, claim_args, pot_address, pot_init_code, pot_runtime
from flock.testing.fixtures import arena_epoch_over
from flock.units import DAY, WAD

TASK, EPOCH = 1, 1
WINDOW = 3600


@pytest.fixture(scope="module")
def final():
    """A task epoch whose 3-leaf root is final, 90% locked over 30 days; its pot and tree."""
    system = deploy_system()
    chain, rewards = system.chain, system.rewards
    oracle = arena_epoch_over(system, WINDOW, locked_share_bps=9_000, vesting_period=30 * DAY)
    leaves = [(chain.accounts[5 + i], (i + 1) * WAD) for i in range(3)]
    tree = reward_tree(leaves)
    rewards.postRoot(TASK, EPOCH, tree.root, 6 * WAD, 0, b"\x01" * 32, sender=oracle)
    finalizes_at = rewards.epochRewards(TASK, EPOCH).finalizesAt
    chain.set_time(finalizes_at)
    receipt = rewards.finalize(TASK, EPOCH, sender=chain.accounts[9])
    pot = chain.at("RewardPot", rewards.potOf(TASK, EPOCH))
    terms = PotTerms(tree.root, TASK, EPOCH, 9_000, finalizes_at, 30 * DAY)
    return system, pot, tree, terms, receipt


def test_the_pot_is_where_its_task_epoch_and_root_put_it(final):
    system, pot, tree, terms, receipt = final
    rewards, chain = system.rewards, system.chain
    implementation = rewards.potImplementation()
    assert pot.address == pot_address(rewards.address, implementation, terms)
    (finalized,) = receipt.events_named("RootFinalized")
    assert to_checksum_address(finalized["pot"]) == pot.address
    code, expected = chain.evm.get_code(pot.address), pot_runtime(implementation, terms)
    assert code[: len(expected)] == expected and not any(code[len(expected) :])  # revm pads code with zeros
    assert len(terms.args()) == 76 and CLONE_PROXY_BYTES == 45
    root, task, epoch, bps, start, period = pot.terms()
    assert (bytes(root), task, epoch, bps, start, period) == (
        tree.root,
        TASK,
        EPOCH,
        terms.locked_share_bps,
        terms.vesting_start,
        terms.vesting_period,
    )
    assert pot.distributor() == rewards.address and pot.implementation() == implementation
    assert pot.flock() == system.token.address
    assert system.token.balanceOf(pot.address) == 6 * WAD


def test_the_implementation_refuses_to_act_as_a_pot(final):
    """Called directly, the implementation has no root and holds nothing: every pot function refuses."""
    system, _, tree, _, _ = final
    chain = system.chain
    implementation = chain.at("RewardPot", system.rewards.potImplementation())
    claim = claim_args(tree, TASK, EPOCH, 0)
    attacker = chain.accounts[7]
    with chain.reverts("RewardPotNotAClone"):
        implementation.claim(*claim.pot_args(), sender=attacker)
    with chain.reverts("RewardPotNotAClone"):
        implementation.claim(0, attacker, 0, [], sender=attacker)  # leaf == "root" read from its own code
    with chain.reverts("RewardPotNotAClone"):
        implementation.release(attacker, sender=attacker)
    for view, args in (("isClaimed", (0,)), ("vestingOf", (attacker,)), ("terms", ())):
        with chain.reverts("RewardPotNotAClone"):
            getattr(implementation, view)(*args)


def test_no_second_pot_for_a_root(final):
    """Finalizing again fails; the same clone made by anyone else lands elsewhere, and the distributor
    never routes to it; a pot has no initializer to front-run."""
    system, pot, tree, terms, _ = final
    chain, rewards, token = system.chain, system.rewards, system.token
    snap = chain.snapshot()
    try:
        with chain.reverts("RewardNothingToFinalize"):
            rewards.finalize(TASK, EPOCH, sender=chain.accounts[9])
        attacker = chain.accounts[7]
        copy = to_checksum_address(
            chain.evm.deploy(attacker, pot_init_code(rewards.potImplementation(), terms))
        )
        assert copy != pot.address and rewards.potOf(TASK, EPOCH) == pot.address
        copy_pot = chain.at("RewardPot", copy)
        claim = claim_args(tree, TASK, EPOCH, 2)
        # The copy shares the root, but holds nothing: its claim pays from nothing and reverts.
        with chain.reverts():
            copy_pot.claim(*claim.pot_args(), sender=attacker)
        # Funded by someone, the copy pays from its own balance only; the genuine pot is untouched,
        # its bitmap too: the leaf still claims there, once.
        token.transfer(copy, 3 * WAD, sender=system.treasury)
        copy_pot.claim(*claim.pot_args(), sender=attacker)
        assert token.balanceOf(pot.address) == 6 * WAD and not pot.isClaimed(claim.index)
        pot.claim(*claim.pot_args(), sender=attacker)
        with chain.reverts("RewardPotAlreadyClaimed"):
            rewards.claimMany([claim.args()], sender=attacker)
        # Nothing to initialize: an initializer call finds no such function.
        with chain.reverts():
            chain.call(attacker, pot.address, bytes.fromhex("8129fc1c"), static=False)  # initialize()
    finally:
        chain.revert(snap)


def test_a_pot_claims_and_vests_with_its_arguments(final):
    """The terms read from the clone's code drive the claim: 10% paid, 90% vesting from the end of
    the challenge window over 30 days, released by the day."""
    system, pot, tree, terms, _ = final
    chain, token = system.chain, system.token
    snap = chain.snapshot()
    try:
        claim = claim_args(tree, TASK, EPOCH, 1)
        before = token.balanceOf(claim.account)
        pot.claim(*claim.pot_args(), sender=chain.accounts[9])
        locked = claim.amount * 9_000 // 10_000
        assert token.balanceOf(claim.account) - before == claim.amount - locked
        assert pot.vestingOf(claim.account) == (locked, 0, 0)
        chain.set_time(terms.vesting_start + 3 * DAY)
        expected = locked * 3 * DAY // (30 * DAY)
        assert pot.vestingOf(claim.account)[2] == expected
        assert pot.release(claim.account, sender=chain.accounts[9]).return_value == expected
    finally:
        chain.revert(snap)
