"""Issue 12's deployer takeover, run through the real governor and timelock in the harness.

Before: both shipped configs minted the whole genesis to the deployer, who, after the clean role
handover, locked half of it for the longest boost, proposed itself MINTER_ROLE, voted it through and
minted 900,000,000 FLOCK. Now every shipped config passes the rule of ``flock.deploy.genesis``; the
attack runs here on each of them at the rule's worst case for everyone else: the holder with the
largest worst-case share attacks at its worst moment (vesting released as far as it has vested),
locking all it holds for the longest boost, while every other holder locks all it holds for the
shortest one and nobody votes with it. The proposal is defeated for want of quorum. The same attack
on the old genesis passes, so the test has teeth, and ``deploy verify``'s check refuses that genesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak, to_checksum_address

from flock.deploy import genesis
from flock.deploy.config import DeployConfig, load_config
from flock.deploy.plan import Context
from flock.deploy.verify import check_voting_power
from flock.harness.system import System, deploy_system
from flock.paths import CONFIG_DIR
from flock.units import WAD

SHIPPED = sorted(CONFIG_DIR.glob("*.yaml"))
LOCAL = CONFIG_DIR / "ethereum-local.yaml"
FOR, DEFEATED, EXECUTED = 1, 3, 7
MINT = 900_000_000 * WAD


@dataclass
class Reader:
    """What ``deploy verify``'s genesis checks read, from a harness deployment."""

    system: System

    def contract_name(self, key: str) -> str:
        return self.system.contracts[key].name

    def view(self, key: str, function: str, *args: Any) -> Any:
        return getattr(self.system.contracts[key], function)(*args)


def _context(system: System) -> Context:
    return Context(system.config, system.deployer, {k: c.address for k, c in system.contracts.items()})


def _lock_all(system: System, account: str, duration: int) -> None:
    token, gm = system.token, system.gmflock
    amount = token.balanceOf(account)
    if amount:
        token.approve(gm.address, amount, sender=account)
        gm.lock(amount, duration, sender=account)


def _propose_minter(system: System, attacker: str) -> tuple[int, list[Any]]:
    """The attacker proposes MINTER_ROLE for itself."""
    token, gov = system.token, system.governor
    targets, calldatas = [token.address], [token.grantRole.encode(token.MINTER_ROLE(), attacker)]
    description = "# Grant the minter role"
    gov.propose(targets, [0], calldatas, description, sender=attacker)
    proposal = gov.hashProposal(targets, [0], calldatas, keccak(text=description))
    return proposal, [targets, [0], calldatas, keccak(text=description)]


def _vote_alone(system: System, attacker: str) -> tuple[int, list[Any]]:
    chain, gov = system.chain, system.governor
    chain.warp(1)  # votes count from the second after the locks
    proposal, call = _propose_minter(system, attacker)
    chain.warp(gov.votingDelay() + 1)
    gov.castVote(proposal, FOR, sender=attacker)
    chain.warp(gov.proposalDeadline(proposal) - chain.now + 1)
    return proposal, call


@pytest.mark.parametrize("config_file", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_largest_holder_cannot_take_the_dao_over(config_file):
    system = deploy_system(config=config_file)
    chain, token, gov, cfg = system.chain, system.token, system.governor, system.config
    ctx = _context(system)
    distribution = genesis.from_config(cfg, ctx.address, chain.now)
    worst = genesis.worst_shares(distribution, chain.now)[0]
    assert worst.percent < cfg.voting_share_limit <= cfg.governance.quorum_percent

    # The attacker's worst moment: vesting wallets release whatever has vested by then.
    chain.warp(worst.at - chain.now)
    for grant in cfg.token.vesting_grants():
        wallet = system.contracts[grant.key]
        if wallet.releasable(token.address):
            wallet.release(token.address, sender=system.deployer)
    attacker = to_checksum_address(worst.account)
    for account in sorted(distribution.accounts() - {worst.account}):
        _lock_all(system, to_checksum_address(account), cfg.gmflock.min_lock_duration)
    _lock_all(system, attacker, cfg.gmflock.max_lock_duration)
    assert token.balanceOf(attacker) == 0 and system.gmflock.lockedOf(attacker) == worst.lockable

    proposal, call = _vote_alone(system, attacker)
    _, for_votes, _ = gov.proposalVotes(proposal)
    assert for_votes < gov.quorum(gov.proposalSnapshot(proposal))
    assert gov.state(proposal) == DEFEATED
    with chain.reverts("GovernorUnexpectedProposalState"):
        gov.queue(*call, sender=attacker)
    assert not token.hasRole(token.MINTER_ROLE(), attacker)
    assert token.totalSupply() == sum(g.wei for g in cfg.token.grants())


@pytest.mark.parametrize("config_file", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_the_deployer_holds_nothing_to_propose_with(config_file):
    system = deploy_system(config=config_file)
    assert system.token.balanceOf(system.deployer) == 0
    with system.chain.reverts("GovernorInsufficientProposerVotes"):
        _propose_minter(system, system.deployer)


def _old_genesis() -> DeployConfig:
    """The shipped local config as it was: the whole genesis to the deployer."""
    data = load_config(LOCAL).model_dump(mode="json")
    data["token"] = {"genesis": [{"recipient": "deployer", "amount": 100_000_000}]}
    return DeployConfig.model_validate(data)


def test_the_same_attack_takes_the_old_genesis_and_verify_refuses_it():
    system = deploy_system(config=_old_genesis())
    chain, token, gov, deployer = system.chain, system.token, system.governor, system.deployer
    token.approve(system.gmflock.address, 50_000_000 * WAD, sender=deployer)
    system.gmflock.lock(50_000_000 * WAD, system.config.gmflock.max_lock_duration, sender=deployer)

    proposal, call = _vote_alone(system, deployer)
    gov.queue(*call, sender=deployer)
    chain.warp(system.timelock.getMinDelay() + 1)
    gov.execute(*call, sender=deployer)
    assert gov.state(proposal) == EXECUTED
    token.mint(deployer, MINT, sender=deployer)
    assert token.totalSupply() == token.cap() and token.balanceOf(deployer) == 50_000_000 * WAD + MINT

    [row] = [r for r in check_voting_power(system.config, _context(system), Reader(system)) if not r.ok]
    assert row.group == "voting power" and row.actual.startswith("100.00% at genesis")


@pytest.mark.parametrize("config_file", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_verify_lists_the_largest_holders_within_the_limit(config_file):
    system = deploy_system(config=config_file)
    rows = list(check_voting_power(system.config, _context(system), Reader(system)))
    assert len(rows) == 3 and all(r.ok for r in rows), rows
    assert all(r.expected == f"below {system.config.voting_share_limit}% (quorum 4%)" for r in rows)
