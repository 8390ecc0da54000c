"""A participant that is a contract (a smart-contract wallet, a multisig): its owner, an externally
owned account, has it join, enroll, reveal its seed, propose, vote and withdraw through a forwarder
(tests/fixtures/participants/Forwarder.sol), so inside those calls msg.sender is the contract and
tx.origin its owner. The protocol names a participant by msg.sender: every step is recorded for the
contract, never for the account behind it, and the owner itself is a stranger to the task.

Every other test sends from an externally owned account, where msg.sender and tx.origin are one
address: without this one, AllianceRounds reading ``tx.origin`` for ``msg.sender`` (mutant
07f02f693c0e, docs/audit.md "Mutation") went unnoticed. On the in-process harness (a second or two).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest

from flock.alliance.chain import HarnessClock, RoundDriver, owed_of
from flock.alliance.protocol import Owed, proposal_commitment, seed_commitment, vote_commitment
from flock.harness.evm import Contract
from flock.harness.system import deploy_system
from flock.paths import PROJECT_ROOT
from flock.tasks import Role, TaskKind
from flock.testing.standalone import compile_standalone
from flock.units import DAY, WAD

FORWARDER = PROJECT_ROOT / "tests" / "fixtures" / "participants" / "Forwarder.sol"
STAKES = (1_000, 2_000, 3_000, 4_000)  # gmFLOCK of the four participants that are accounts
WALLET_STAKE = 2_500  # gmFLOCK of the contract participant


@dataclass
class Wallet:
    """A contract participant: ``forwarder`` holds the stake and acts; ``owner`` sends."""

    forwarder: Contract
    owner: str

    @property
    def address(self) -> str:
        return self.forwarder.address

    def send(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` called by the forwarder, in a transaction its owner sends."""
        return self.forwarder.forward(fn.contract.address, fn.encode(*args), sender=self.owner)


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first():
    """This module runs on the harness alone: none of conftest's anvil set-up (a few seconds)."""


@pytest.fixture(scope="module")
def base():
    system = deploy_system()
    accounts, owner = system.chain.accounts[1:7], system.chain.accounts[7]
    for user in accounts:
        system.token.transfer(user, 100_000 * WAD, sender=system.treasury)
        system.token.approve(system.gmflock.address, 2**256 - 1, sender=user)
        system.gmflock.lock(50_000 * WAD, 365 * DAY, sender=user)
    wallet = Wallet(
        system.chain.deploy_artifact(compile_standalone(FORWARDER, "Forwarder"), owner, sender=owner), owner
    )
    system.token.transfer(wallet.address, 100_000 * WAD, sender=system.treasury)
    wallet.send(system.token.approve, system.gmflock.address, 2**256 - 1)
    wallet.send(system.gmflock.lock, 50_000 * WAD, 365 * DAY)
    creator, members, keeper = accounts[0], accounts[1:5], accounts[5]
    task = system.tasks.createTask(
        TaskKind.ALLIANCE, 10 * DAY, b"\x01" * 32, "ipfs://contract-participant", 2, 8, sender=creator
    ).return_value
    system.tasks.approveTask(task, sender=system.admin)
    for user, stake in zip(members, STAKES, strict=True):
        system.tasks.join(task, Role.PARTICIPANT, stake * WAD, 0, sender=user)
    wallet.send(system.tasks.join, task, Role.PARTICIPANT, WALLET_STAKE * WAD, 0)
    system.chain.warp(DAY)
    system.emissions.checkpoint(sender=system.deployer)
    driver = RoundDriver(system.alliance, task, HarnessClock(system.chain), keeper)
    return system, wallet, members, driver


def _secret(attempt: int, who: str) -> bytes:
    return hashlib.sha256(f"{attempt}:{who}".encode()).digest()


def _drawn(system, wallet: Wallet, members: list[str], d: RoundDriver, wallet_proposes: bool) -> list[str]:
    """Opens a round; everyone (the wallet through its forwarder) enrolls and reveals; roles are
    drawn again from other secrets until the wallet has the wanted role. Returns the proposers."""
    alliance, chain = system.alliance, system.chain
    d.open()
    before = chain.snapshot()
    for attempt in range(64):
        for user in members:
            d.enroll(user, _secret(attempt, user))
        secret = _secret(attempt, wallet.address)
        commitment = seed_commitment(d.task_id, d.round_id, wallet.address, secret)
        (enrolled,) = wallet.send(alliance.enroll, d.task_id, d.round_id, commitment).events_named("Enrolled")
        assert (enrolled["account"], enrolled["stake"]) == (wallet.address, WALLET_STAKE * WAD)
        d.to_seed_reveal()
        for user in members:
            d.reveal_seed(user, _secret(attempt, user))
        (revealed,) = wallet.send(alliance.revealSeed, d.task_id, d.round_id, secret).events_named(
            "SeedRevealed"
        )
        assert revealed["account"] == wallet.address
        d.to_draw()
        proposers = d.draw()
        if (wallet.address in proposers) == wallet_proposes:
            return proposers
        before = chain.restore(before)
    raise AssertionError("64 draws never gave the wallet the wanted role")


def test_a_contract_participant_votes_as_itself_not_as_its_owner(base):
    system, wallet, members, d = base
    alliance, owner = system.alliance, wallet.owner
    proposers = _drawn(system, wallet, members, d, wallet_proposes=False)
    assert d.entry(wallet.address).seedRevealed and not d.entry(owner).enrolled
    d.propose([(p, bytes.fromhex(p[2:].lower()).rjust(32, b"\x07"), f"store://{p}") for p in proposers])
    d.to_commit()
    voters = [u for u in members if u not in proposers]
    accept = (1 << len(proposers)) - 1
    salts = {v: d.commit(v, accept) for v in voters}
    # The owner is no voter of the round: its own commit is refused under its own address...
    with system.chain.reverts("AllianceNotVoter", account=owner):
        alliance.commitVote(d.task_id, d.round_id, b"\x11" * 32, sender=owner)
    # ...and the contract's commit, which the owner sends, is the contract's.
    salt = b"\x22" * 32
    commitment = vote_commitment(d.task_id, d.round_id, wallet.address, accept, salt)
    receipt = wallet.send(alliance.commitVote, d.task_id, d.round_id, commitment)
    (committed,) = receipt.events_named("VoteCommitted")
    assert (committed["voter"], committed["commitment"]) == (wallet.address, commitment)
    assert d.entry(wallet.address).committed and not d.entry(owner).committed
    assert d.info().committed == len(voters) + 1
    with system.chain.reverts("AllianceAlreadyCommitted", account=wallet.address):
        wallet.send(alliance.commitVote, d.task_id, d.round_id, commitment)
    d.to_reveal()
    for v in voters:
        d.reveal(v, accept, salts[v])
    (revealed,) = wallet.send(alliance.revealVote, d.task_id, d.round_id, accept, salt).events_named(
        "VoteRevealed"
    )
    assert (revealed["voter"], revealed["votes"], revealed["stake"]) == (
        wallet.address,
        accept,
        WALLET_STAKE * WAD,
    )
    entry = d.entry(wallet.address)
    assert entry.voteRevealed and entry.votes == accept
    d.to_tally()
    d.finalize()
    d.settle([*members, wallet.address])
    assert owed_of(alliance, owner) == Owed()


def test_a_contract_participant_proposes_and_withdraws_as_itself(base):
    system, wallet, members, d = base
    alliance, owner = system.alliance, wallet.owner
    proposers = _drawn(system, wallet, members, d, wallet_proposes=True)
    update = b"\x5a" * 32
    salt = b"\x33" * 32
    commitment = proposal_commitment(d.task_id, d.round_id, wallet.address, update, salt)
    (committed,) = wallet.send(alliance.commitProposal, d.task_id, d.round_id, commitment).events_named(
        "ProposalCommitted"
    )
    assert committed["proposer"] == wallet.address
    others = [p for p in proposers if p != wallet.address]
    d.propose([(p, bytes.fromhex(p[2:].lower()).rjust(32, b"\x08"), f"store://{p}") for p in others])
    (posted,) = wallet.send(
        alliance.revealProposal, d.task_id, d.round_id, update, salt, "store://wallet"
    ).events_named("UpdateProposed")
    assert posted["proposer"] == wallet.address and d.entry(wallet.address).posted
    d.to_commit()
    voters = [u for u in members if u not in proposers]
    accept = (1 << len(proposers)) - 1
    salts = {v: d.commit(v, accept) for v in voters}
    d.to_reveal()
    for v in voters:
        d.reveal(v, accept, salts[v])
    d.to_tally()
    d.finalize()
    d.settle([*members, wallet.address])
    assert (update, wallet.address) in [
        (bytes(alliance.lineageAt(d.task_id, i)[0]), alliance.lineageAt(d.task_id, i)[1])
        for i in range(alliance.lineageLength(d.task_id))
    ]
    owed = owed_of(alliance, wallet.address)
    assert owed.liquid > 0 and owed_of(alliance, owner) == Owed()
    # The owner cannot withdraw the contract's credits itself; the contract pays them to it.
    with system.chain.reverts("AllianceNothingToWithdraw", account=owner):
        alliance.withdraw(owner, sender=owner)
    held = system.token.balanceOf(owner)
    (paid,) = wallet.send(alliance.withdraw, owner).events_named("Withdrawn")
    assert (paid["account"], paid["to"], paid["amount"]) == (wallet.address, owner, owed.liquid)
    assert system.token.balanceOf(owner) == held + owed.liquid
    assert owed_of(alliance, wallet.address) == Owed()
