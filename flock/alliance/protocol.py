"""The AllianceRounds vocabulary in Python: phases, outcomes, commitments, the role draw and the
settlement rules, written to match contracts/alliance/AllianceRounds.sol exactly.

The client uses the commitments; tests and docs/alliance.md use the draw and the settlement rules
to predict what the contract does (and a test checks both agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_abi import encode
from eth_utils import keccak

BPS = 10_000


class Phase(IntEnum):
    NONE = 0
    ENROLLMENT = 1
    SEED_REVEAL = 2
    DRAW_DELAY = 3
    PROPOSAL = 4
    PROPOSAL_REVEAL = 5
    COMMIT = 6
    REVEAL = 7
    TALLY = 8
    FINALIZED = 9


class Outcome(IntEnum):
    PENDING = 0
    NOT_DRAWN = 1
    NO_PROPOSALS = 2
    NO_QUORUM = 3
    DECIDED = 4


class SlashReason(IntEnum):
    NONE = 0
    SEED_WITHHELD = 1
    NO_PROPOSAL = 2
    REJECTED = 3
    NO_VOTE = 4
    LOSING_VOTE = 5


def seed_commitment(task_id: int, round_id: int, account: str, secret: bytes) -> bytes:
    """``keccak256(abi.encode(taskId, round, account, secret))``: what ``enroll`` takes."""
    return keccak(encode(["uint256", "uint256", "address", "bytes32"], [task_id, round_id, account, secret]))


def proposal_commitment(task_id: int, round_id: int, proposer: str, update_hash: bytes, salt: bytes) -> bytes:
    """``keccak256(abi.encode(taskId, round, proposer, updateHash, salt))``: what ``commitProposal``
    takes. It names the proposer, so a copied commitment cannot be revealed by anyone else."""
    return keccak(
        encode(
            ["uint256", "uint256", "address", "bytes32", "bytes32"],
            [task_id, round_id, proposer, update_hash, salt],
        )
    )


def vote_commitment(task_id: int, round_id: int, voter: str, votes: int, salt: bytes) -> bytes:
    """``keccak256(abi.encode(taskId, round, voter, votes, salt))``: what ``commitVote`` takes."""
    return keccak(
        encode(
            ["uint256", "uint256", "address", "uint256", "bytes32"], [task_id, round_id, voter, votes, salt]
        )
    )


def xor32(values: list[bytes]) -> bytes:
    """The XOR of 32-byte values (the round's entropy before the draw)."""
    out = 0
    for v in values:
        out ^= int.from_bytes(v, "big")
    return out.to_bytes(32, "big")


def draw_seed(entropy: bytes, prevrandao: bytes | int, task_id: int, round_id: int) -> bytes:
    """``keccak256(abi.encode(entropy, block.prevrandao, taskId, round))``."""
    randao = prevrandao if isinstance(prevrandao, int) else int.from_bytes(prevrandao, "big")
    return keccak(encode(["bytes32", "uint256", "uint256", "uint256"], [entropy, randao, task_id, round_id]))


def draw_proposers(seed: bytes, seeded: list[str], proposers: int) -> list[str]:
    """The proposers, in slot order, the contract draws from ``seed`` among ``seeded`` (the
    participants in the order they revealed their secrets): a partial Fisher-Yates shuffle."""
    n = len(seeded)
    count = min(proposers, n - 1)
    order = list(range(n))
    chosen = []
    for i in range(count):
        j = i + int.from_bytes(keccak(encode(["bytes32", "uint256"], [seed, i])), "big") % (n - i)
        order[i], order[j] = order[j], order[i]
        chosen.append(seeded[order[i]])
    return chosen


# ------------------------------------------------------------------------------------ settlement


@dataclass(frozen=True)
class SlashRules:
    proposer_bps: int
    voter_bps: int
    absent_bps: int
    finalizer_bps: int


@dataclass(frozen=True)
class Participant:
    """One enrolled participant as the settlement rules see it."""

    name: str
    stake: int
    seed_revealed: bool = True
    slot: int | None = None  # proposer slot, None for a voter
    posted: bool = False  # revealed an update (a duplicate too)
    duplicate: bool = False  # its update was an earlier committer's: it gets nothing
    vote_revealed: bool = False
    votes: int = 0  # bit i accepts proposal i


@dataclass(frozen=True)
class Verdict:
    reason: SlashReason
    slash_gm: int
    honest: bool
    rewarded: bool


def assess(p: Participant, outcome: Outcome, accepted: int, posted_mask: int, rules: SlashRules) -> Verdict:
    """What a finalized round means for one participant (the contract's ``SettlementRules.assess``)."""
    posted_count = bin(posted_mask).count("1")

    def slash(reason: SlashReason, bps: int) -> Verdict:
        return Verdict(reason, p.stake * bps // BPS, False, False)

    if not p.seed_revealed:
        return slash(SlashReason.SEED_WITHHELD, rules.absent_bps)
    if outcome == Outcome.NOT_DRAWN:
        return Verdict(SlashReason.NONE, 0, True, False)
    if p.slot is not None:
        if not p.posted:
            return slash(SlashReason.NO_PROPOSAL, rules.absent_bps)
        if p.duplicate:
            return Verdict(SlashReason.NONE, 0, False, False)
        if outcome != Outcome.DECIDED:
            return Verdict(SlashReason.NONE, 0, True, False)
        if accepted >> p.slot & 1:
            return Verdict(SlashReason.NONE, 0, True, True)
        return slash(SlashReason.REJECTED, rules.proposer_bps)
    if outcome == Outcome.NO_PROPOSALS:
        return Verdict(SlashReason.NONE, 0, True, False)
    if not p.vote_revealed:
        return slash(SlashReason.NO_VOTE, rules.absent_bps)
    if outcome != Outcome.DECIDED:
        return Verdict(SlashReason.NONE, 0, True, False)
    losing = bin((p.votes ^ accepted) & posted_mask).count("1")
    if losing == 0:
        return Verdict(SlashReason.NONE, 0, True, False)
    gm = p.stake * rules.voter_bps * losing // (BPS * posted_count)
    return Verdict(SlashReason.LOSING_VOTE, gm, False, False)


@dataclass(frozen=True)
class RoundTally:
    outcome: Outcome
    accepted: int
    posted_mask: int
    honest_stake: int


def tally(participants: list[Participant], quorum_bps: int) -> RoundTally:
    """The outcome of a drawn round whose proposals and votes are in (the contract's ``finalize``,
    for rounds whose roles were drawn)."""
    voters = [p for p in participants if p.seed_revealed and p.slot is None]
    proposers = [p for p in participants if p.slot is not None]
    canonical = [p for p in proposers if p.posted and not p.duplicate and p.slot is not None]
    posted_mask = sum(1 << p.slot for p in canonical if p.slot is not None)
    voter_stake = sum(p.stake for p in voters)
    revealed = [p for p in voters if p.vote_revealed]
    revealed_stake = sum(p.stake for p in revealed)
    if posted_mask == 0:
        return RoundTally(Outcome.NO_PROPOSALS, 0, 0, voter_stake)
    if revealed_stake * BPS < quorum_bps * voter_stake:
        posted_stake = sum(p.stake for p in canonical)
        return RoundTally(Outcome.NO_QUORUM, 0, posted_mask, revealed_stake + posted_stake)
    accepted = 0
    for p in canonical:
        if p.slot is not None:
            stake_for = sum(v.stake for v in revealed if v.votes >> p.slot & 1)
            if 2 * stake_for >= revealed_stake:
                accepted |= 1 << p.slot
    accepted_stake = sum(p.stake for p in proposers if p.slot is not None and accepted >> p.slot & 1)
    agreeing = sum(v.stake for v in revealed if v.votes & posted_mask == accepted)
    return RoundTally(Outcome.DECIDED, accepted, posted_mask, accepted_stake + agreeing)


def holders(reveals: list[tuple[str, bytes, int]]) -> dict[str, str]:
    """Who holds each revealed update: ``reveals`` are (proposer, update hash, commit order) in
    reveal order; the result maps each proposer to the proposer holding its update (itself unless
    an earlier committer revealed the same hash). The contract's one-hash-once rule."""
    first: dict[bytes, tuple[str, int]] = {}
    for who, update, order in reveals:
        if update not in first or order < first[update][1]:
            first[update] = (who, order)
    return {who: first[update][0] for who, update, _ in reveals}


def split_seized(seized: int, finalizer_bps: int) -> tuple[int, int]:
    """(to the honest participants, to the finalizer) of ``seized`` FLOCK, as the registry rounds."""
    to_finalizer = seized * finalizer_bps // BPS
    return seized - to_finalizer, to_finalizer


# ------------------------------------------------------------------------------------ credits


@dataclass(frozen=True)
class Owed:
    """An account's credits not yet withdrawn (decision 195): ``liquid`` (rewards: emissions, paid
    as FLOCK) and ``relock`` (shares of slashes: the finalizer's or evictor's share and the honest
    shares, paid by ``withdraw`` as a gmFLOCK lock of the maximum lock duration)."""

    liquid: int = 0
    relock: int = 0

    @property
    def total(self) -> int:
        return self.liquid + self.relock

    def credit(self, reward: int = 0, slash_share: int = 0) -> Owed:
        """These credits plus a reward (liquid) and a share of slashed FLOCK (to relock)."""
        return Owed(self.liquid + reward, self.relock + slash_share)


def seized_rest_to_treasury(honest_stake: int) -> bool:
    """Where the honest part of a slash's seized FLOCK goes: the round's honest pot, or the treasury
    when the round has no honest stake (never the task's pool, whose rewards are paid liquid); an
    eviction's rest always goes to the treasury (decision 195)."""
    return honest_stake == 0
