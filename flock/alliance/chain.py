"""Driving AllianceRounds from Python, the same way on anvil (ape) and in the in-process harness.

A :class:`RoundDriver` wraps one task's rounds: it moves the clock to each phase and sends the
participants' transactions. The contract handle may be an ape contract or a harness ``Contract``
(both take ``sender=``); a :class:`Clock` moves time on either chain. Views that return structs
read by name on both: :func:`round_info` and :func:`entry_info` give them as the same dataclasses
(ape's values and the harness's alike).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any, Protocol

from flock.alliance.protocol import (
    Outcome,
    Owed,
    Phase,
    proposal_commitment,
    seed_commitment,
    vote_commitment,
)


class Clock(Protocol):
    def now(self) -> int:
        """The timestamp the next transaction sees at the earliest."""

    def move_to(self, timestamp: int) -> None:
        """The next transaction happens at ``timestamp`` (or later, never earlier)."""


class HarnessClock:
    def __init__(self, chain: Any) -> None:
        self.chain = chain

    def now(self) -> int:
        return self.chain.now

    def move_to(self, timestamp: int) -> None:
        if timestamp > self.chain.now:
            self.chain.set_time(timestamp)


class ApeClock:
    """Anvil through ape: the next transaction is mined at the pending timestamp."""

    def now(self) -> int:
        from ape import chain

        return chain.pending_timestamp

    def move_to(self, timestamp: int) -> None:
        from ape import chain

        if timestamp > chain.pending_timestamp:
            chain.pending_timestamp = timestamp


@dataclass(frozen=True)
class RoundInfo:
    """IAllianceRounds.RoundInfo, field for field."""

    phase: Phase
    outcome: Outcome
    openedAt: int
    enrollEnd: int
    seedEnd: int
    drawAt: int
    proposeEnd: int
    proposalRevealEnd: int
    commitEnd: int
    revealEnd: int
    enrolled: int
    seeded: int
    proposers: int
    posted: int
    committed: int
    revealed: int
    postedMask: int
    acceptedMask: int
    seededStake: int
    voterStake: int
    revealedStake: int
    honestStake: int
    reward: int
    rewardCredited: int
    honestPot: int
    finalizer: str
    seed: bytes


@dataclass(frozen=True)
class EntryInfo:
    """IAllianceRounds.EntryInfo, field for field."""

    enrolled: bool
    seedRevealed: bool
    proposer: bool
    slot: int
    stake: int
    posted: bool
    committed: bool
    voteRevealed: bool
    votes: int
    slashSettled: bool
    rewardCredited: bool
    honestCredited: int
    duplicate: bool
    commitOrder: int


def _struct(cls: type, result: Any) -> Any:
    return cls(*(getattr(result, f.name) for f in fields(cls)))


def round_info(alliance: Any, task_id: int, round_id: int) -> RoundInfo:
    info = _struct(RoundInfo, alliance.roundInfo(task_id, round_id))
    seed = info.seed if isinstance(info.seed, bytes) else bytes(info.seed)
    return RoundInfo(
        **{**info.__dict__, "phase": Phase(info.phase), "outcome": Outcome(info.outcome), "seed": seed}
    )


def entry_info(alliance: Any, task_id: int, round_id: int, account: Any) -> EntryInfo:
    return _struct(EntryInfo, alliance.entryOf(task_id, round_id, account))


def address_of(account: Any) -> str:
    """The checksummed address of an ape account or a harness address string."""
    return str(getattr(account, "address", account))


@dataclass
class RoundDriver:
    """One task's rounds on one chain. ``keeper`` sends the permissionless transactions (open,
    draw, finalize, settle)."""

    alliance: Any
    task_id: int
    clock: Clock
    keeper: Any

    round_id: int = 0

    def info(self) -> RoundInfo:
        return round_info(self.alliance, self.task_id, self.round_id)

    def entry(self, account: Any) -> EntryInfo:
        return entry_info(self.alliance, self.task_id, self.round_id, account)

    def open(self) -> int:
        receipt = self.alliance.openRound(self.task_id, sender=self.keeper)
        self.round_id = int(self.alliance.poolOf(self.task_id)[1])
        return receipt

    def enroll(self, account: Any, secret: bytes | None = None) -> bytes:
        """Enrolls ``account`` with a fresh (or given) secret; returns the secret."""
        secret = secret if secret is not None else os.urandom(32)
        commitment = seed_commitment(self.task_id, self.round_id, address_of(account), secret)
        self.alliance.enroll(self.task_id, self.round_id, commitment, sender=account)
        return secret

    def to_seed_reveal(self) -> None:
        self.clock.move_to(self.info().enrollEnd)

    def reveal_seed(self, account: Any, secret: bytes) -> Any:
        return self.alliance.revealSeed(self.task_id, self.round_id, secret, sender=account)

    def to_draw(self) -> None:
        self.clock.move_to(self.info().drawAt)

    def draw(self) -> list[str]:
        """Draws the roles; returns the proposers in slot order."""
        self.alliance.drawRoles(self.task_id, self.round_id, sender=self.keeper)
        return self.proposers()

    def proposers(self) -> list[str]:
        return [str(a) for a in self.alliance.proposalsOf(self.task_id, self.round_id)[0]]

    def commit_proposal(
        self, account: Any, update_hash: bytes, salt: bytes | None = None
    ) -> tuple[bytes, Any]:
        """Commits ``account``'s update; returns the salt and the receipt."""
        salt = salt if salt is not None else os.urandom(32)
        commitment = proposal_commitment(self.task_id, self.round_id, address_of(account), update_hash, salt)
        receipt = self.alliance.commitProposal(self.task_id, self.round_id, commitment, sender=account)
        return salt, receipt

    def to_proposal_reveal(self) -> None:
        self.clock.move_to(self.info().proposeEnd)

    def reveal_proposal(self, account: Any, update_hash: bytes, salt: bytes, uri: str) -> Any:
        return self.alliance.revealProposal(
            self.task_id, self.round_id, update_hash, salt, uri, sender=account
        )

    def propose(self, proposals: list[tuple[Any, bytes, str]]) -> tuple[list[Any], list[Any]]:
        """Each (account, update hash, uri) commits in the proposal phase, then (after the proposal
        deadline) reveals; returns the commit and reveal receipts. Leaves the clock in the
        proposal-reveal phase."""
        committed = [(a, u, uri, *self.commit_proposal(a, u)) for a, u, uri in proposals]
        self.to_proposal_reveal()
        reveals = [self.reveal_proposal(a, u, salt, uri) for a, u, uri, salt, _ in committed]
        return [c[-1] for c in committed], reveals

    def to_commit(self) -> None:
        self.clock.move_to(self.info().proposalRevealEnd)

    def commit(self, account: Any, votes: int, salt: bytes | None = None) -> bytes:
        """Commits ``votes`` for ``account``; returns the salt."""
        salt = salt if salt is not None else os.urandom(32)
        commitment = vote_commitment(self.task_id, self.round_id, address_of(account), votes, salt)
        self.alliance.commitVote(self.task_id, self.round_id, commitment, sender=account)
        return salt

    def to_reveal(self) -> None:
        self.clock.move_to(self.info().commitEnd)

    def reveal(self, account: Any, votes: int, salt: bytes) -> Any:
        return self.alliance.revealVote(self.task_id, self.round_id, votes, salt, sender=account)

    def to_tally(self) -> None:
        self.clock.move_to(self.info().revealEnd)

    def finalize(self, sender: Any | None = None) -> Any:
        return self.alliance.finalize(self.task_id, self.round_id, sender=sender or self.keeper)

    def settle(self, accounts: list[Any], sender: Any | None = None) -> Any:
        return self.alliance.settle(
            self.task_id, self.round_id, [address_of(a) for a in accounts], sender=sender or self.keeper
        )


def run_round(
    driver: RoundDriver,
    participants: list[Any],
    votes_of: dict[str, int] | None = None,
    withhold_seed: tuple[str, ...] = (),
    silent: tuple[str, ...] = (),
    update_of: dict[str, bytes] | None = None,
    open_round: bool = True,
) -> dict[str, Any]:
    """A whole round with scripted behaviour, for tests and benchmarks: everyone enrolls; those in
    ``withhold_seed`` keep their secret; proposers commit to, then reveal, ``update_of[address]``
    (default: their address and the round); voters vote ``votes_of[address]`` (default: accept
    all); accounts in ``silent`` neither post nor vote. Opens the round unless ``open_round`` is
    false (it is open already). Stops after the tally is due (not finalized). Returns the secrets,
    the proposers and the voters."""
    if open_round:
        driver.open()
    secrets = {address_of(a): driver.enroll(a) for a in participants}
    by_address = {address_of(a): a for a in participants}
    driver.to_seed_reveal()
    for address, secret in secrets.items():
        if address not in withhold_seed:
            driver.reveal_seed(by_address[address], secret)
    driver.to_draw()
    proposers = driver.draw()
    proposals = []
    for address in proposers:
        if address not in silent:
            default = bytes.fromhex(address[2:].lower()).rjust(32, bytes([1 + driver.round_id % 255]))
            update = (update_of or {}).get(address) or default  # new each round: the lineage refuses repeats
            proposals.append((by_address[address], update, f"store://{update.hex()}"))
    driver.propose(proposals)
    driver.to_commit()
    voters = [a for a in secrets if a not in proposers and a not in withhold_seed]
    salts = {}
    for address in voters:
        if address not in silent:
            votes = (votes_of or {}).get(address, (1 << len(proposers)) - 1)
            salts[address] = (votes, driver.commit(by_address[address], votes))
    driver.to_reveal()
    for address, (votes, salt) in salts.items():
        driver.reveal(by_address[address], votes, salt)
    driver.to_tally()
    return {"secrets": secrets, "proposers": proposers, "voters": voters}


def events_of(receipt: Any, name: str) -> list[dict[str, Any]]:
    """The arguments of every ``name`` event in a receipt, from ape or the harness."""
    out = []
    for log in receipt.events:
        if getattr(log, "event_name", getattr(log, "name", None)) != name:
            continue
        args = getattr(log, "event_arguments", None)
        out.append(dict(args) if args is not None else dict(log.args))
    return out


def lineage_of(alliance: Any, task_id: int) -> list[tuple[bytes, str, int]]:
    """The task's model lineage on chain: (update hash, proposer, round) per entry."""
    entries = []
    for i in range(int(alliance.lineageLength(task_id))):
        e = alliance.lineageAt(task_id, i)
        entries.append((bytes(e.updateHash), str(e.proposer), int(e.round)))
    return entries


@dataclass(frozen=True)
class Withdrawal:
    """What ``withdraw`` paid: ``liquid`` FLOCK to the recipient, ``relocked`` FLOCK as the caller's
    gmFLOCK lock ``lock_id`` (None when nothing was relocked)."""

    liquid: int
    relocked: int
    lock_id: int | None


def owed_of(alliance: Any, account: Any) -> Owed:
    """The credits ``account`` has not withdrawn, liquid and to relock."""
    liquid, relock = alliance.owed(address_of(account))
    return Owed(int(liquid), int(relock))


def withdraw(alliance: Any, account: Any, to: Any | None = None) -> Withdrawal:
    """Withdraws ``account``'s credits (rewards to ``to``, by default itself; shares of slashes as
    a lock of ``account``) and reads what was paid from the receipt's events."""
    receipt = alliance.withdraw(address_of(to if to is not None else account), sender=account)
    paid = events_of(receipt, "Withdrawn")
    relocked = events_of(receipt, "Relocked")
    return Withdrawal(
        int(paid[0]["amount"]) if paid else 0,
        int(relocked[0]["amount"]) if relocked else 0,
        int(relocked[0]["lockId"]) if relocked else None,
    )
