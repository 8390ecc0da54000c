"""A federation of participants running FL Alliance rounds for real: the chain decides roles, votes,
rewards and slashes; the participants train, aggregate and judge on their private data.

Per round: every participant enrolls and reveals its secret; the roles are drawn; every participant
trains a local update from the current global model (the head of the task's lineage) and shares it,
content-addressed, with the proposers; each proposer aggregates and commits to its candidate's
hash, then reveals it after the proposal deadline (so nobody can copy it); each voter fetches every
candidate by hash, judges it on its private held-out split and commits, then reveals, its votes;
the round is finalized and every participant settled. The new global model is
whatever the chain's lineage says it is, fetched from the store by hash.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from flock.alliance.chain import RoundDriver, address_of, events_of, lineage_of, round_info
from flock.alliance.client import Client, votes_bits
from flock.alliance.data import Federation as Data
from flock.alliance.model import SoftmaxModel
from flock.alliance.protocol import Outcome, SlashReason
from flock.store import ContentStore, StoreError


class LineageError(RuntimeError):
    """The chain's model lineage does not match the models the participants hold."""


@dataclass
class Member:
    """A participant: its chain account and its off-chain client."""

    client: Client
    account: Any

    @property
    def address(self) -> str:
        return address_of(self.account)

    @property
    def name(self) -> str:
        return self.client.name


@dataclass(frozen=True)
class Proposal:
    proposer: str
    slot: int
    digest: str
    test_accuracy: float
    averaged: int  # local updates the proposer averaged (1: its own only)
    malicious: bool
    stake_for: int = 0
    accepted: bool = False
    duplicate: bool = False  # an earlier committer proposed the same update: this one gets nothing


@dataclass(frozen=True)
class Vote:
    voter: str
    votes: int  # bit i accepts proposal i
    heldout: tuple[float, ...]  # the voter's held-out accuracy of each proposal
    malicious: bool


@dataclass(frozen=True)
class Slash:
    account: str
    reason: SlashReason
    gm: int
    flock: int
    to_honest: int
    to_finalizer: int


@dataclass
class RoundReport:
    number: int
    outcome: Outcome
    proposals: list[Proposal]
    votes: list[Vote]
    slashes: list[Slash]
    credits: dict[str, tuple[int, int]]  # name -> (reward, honest share)
    reward: int
    accuracy_before: float
    accuracy_after: float
    lineage_index: int | None
    finalizer: str

    @property
    def accepted(self) -> list[Proposal]:
        return [p for p in self.proposals if p.accepted]


@dataclass(frozen=True)
class LineageRow:
    index: int
    round: int
    proposer: str
    digest: str
    test_accuracy: float


@dataclass
class Federation:
    """The participants of one Alliance task and the rounds they run."""

    driver: RoundDriver
    members: list[Member]
    data: Data
    store: ContentStore
    rng: np.random.Generator
    model: SoftmaxModel = field(init=False)
    held: list[str] = field(default_factory=list)  # digests of the lineage as the members hold it
    rounds_run: int = 0
    # Role-draw secrets: unpredictable in real use; tests pass a seeded source to replay a run.
    new_secret: Callable[[], bytes] = field(default=lambda: os.urandom(32), repr=False)

    def __post_init__(self) -> None:
        self.model = SoftmaxModel.zeros(self.data.features, self.data.classes)

    # ------------------------------------------------------------------ helpers

    def _by_address(self, address: str) -> Member:
        return next(m for m in self.members if m.address.lower() == str(address).lower())

    def name_of(self, address: str) -> str:
        try:
            return self._by_address(address).name
        except StopIteration:
            return str(address)[:10]

    def accuracy(self, model: SoftmaxModel | None = None) -> float:
        m = model or self.model
        return m.accuracy(self.data.test.x, self.data.test.y)

    def _put(self, model: SoftmaxModel) -> str:
        return self.store.put(model.to_bytes())

    def _fetch(self, digest: str) -> SoftmaxModel:
        data = self.store.get(digest)
        if data is None:
            raise StoreError(f"model {digest} is not in the store")
        return SoftmaxModel.from_bytes(data)

    # ------------------------------------------------------------------ a round

    def run_round(self) -> RoundReport:
        d = self.driver
        before = self.accuracy()
        d.open()
        secrets = {m.address: d.enroll(m.account, self.new_secret()) for m in self.members}
        d.to_seed_reveal()
        for m in self.members:
            d.reveal_seed(m.account, secrets[m.address])
        d.to_draw()
        proposers = [self._by_address(a) for a in d.draw()]
        voters = [m for m in self.members if m not in proposers]

        # Local training: everyone, from the current global model; updates travel by hash.
        updates = {m.name: m.client.local_update(self.model, self.rng, self.rounds_run) for m in self.members}
        self.rounds_run += 1
        shared = {m.name: self._put(u) for m, u in zip(self.members, updates.values(), strict=True)}
        proposals = self._propose(proposers, updates, shared)

        d.to_commit()
        candidates = [self._fetch(p.digest) for p in proposals]
        votes, salts = [], {}
        for m in voters:
            judgements = m.client.judge(self.model, candidates)
            bits = votes_bits(judgements)
            salts[m.address] = (bits, d.commit(m.account, bits))
            votes.append(Vote(m.name, bits, tuple(j.accuracy for j in judgements), m.client.malicious))
        d.to_reveal()
        for m in voters:
            d.reveal(m.account, *salts[m.address])
        d.to_tally()
        d.finalize()
        receipt = d.settle([m.account for m in self.members])
        return self._report(before, proposals, votes, receipt)

    def _propose(
        self, proposers: list[Member], updates: dict[str, SoftmaxModel], shared: dict[str, str]
    ) -> list[Proposal]:
        d = self.driver
        proposals, salts = [], []
        for slot, m in enumerate(proposers):
            received = [(self._fetch(shared[o.name]), o.client.samples) for o in self.members if o is not m]
            candidate, kept = m.client.aggregate(updates[m.name], received)
            digest = self._put(candidate)
            salt, _ = d.commit_proposal(m.account, bytes.fromhex(digest[2:]), self.new_secret())
            salts.append(salt)
            proposals.append(
                Proposal(m.name, slot, digest, self.accuracy(candidate), len(kept), m.client.malicious)
            )
        d.to_proposal_reveal()
        for m, p, salt in zip(proposers, proposals, salts, strict=True):
            if p.digest in self.held:
                continue  # already in the lineage: the contract refuses it (no work, no reveal)
            d.reveal_proposal(m.account, bytes.fromhex(p.digest[2:]), salt, self.store.uri(p.digest))
        return [
            Proposal(**{**p.__dict__, "duplicate": d.entry(m.account).duplicate})
            for m, p in zip(proposers, proposals, strict=True)
        ]

    def _report(
        self, before: float, proposals: list[Proposal], votes: list[Vote], receipt: Any
    ) -> RoundReport:
        d = self.driver
        info = round_info(d.alliance, d.task_id, d.round_id)
        stake_for = d.alliance.proposalsOf(d.task_id, d.round_id)[2]
        proposals = [
            Proposal(
                **{
                    **p.__dict__,
                    "stake_for": int(stake_for[p.slot]),
                    "accepted": bool(info.acceptedMask >> p.slot & 1),
                }
            )
            for p in proposals
        ]
        lineage = lineage_of(d.alliance, d.task_id)
        index = None
        if len(lineage) > len(self.held):
            index = len(lineage) - 1
            digest = "0x" + lineage[-1][0].hex()
            self.model = self._fetch(digest)
            self.held.append(digest)
        slashes = [
            Slash(
                self.name_of(e["account"]),
                SlashReason(e["reason"]),
                e["gm"],
                e["flockSeized"],
                e["toHonest"],
                e["toFinalizer"],
            )
            for e in events_of(receipt, "ParticipantSlashed")
        ]
        credits = {
            self.name_of(e["account"]): (e["reward"], e["honestShare"])
            for e in events_of(receipt, "Credited")
        }
        return RoundReport(
            d.round_id,
            info.outcome,
            proposals,
            votes,
            slashes,
            credits,
            info.reward,
            before,
            self.accuracy(),
            index,
            info.finalizer,
        )

    # ------------------------------------------------------------------ the lineage

    def verify_lineage(self) -> list[LineageRow]:
        """Checks the chain's lineage entry by entry against the models the members hold: the same
        hashes in the same order, each in the store and hashing to its name (the store checks), each
        a loadable model. Raises LineageError on any difference."""
        d = self.driver
        chain = lineage_of(d.alliance, d.task_id)
        if len(chain) != len(self.held):
            raise LineageError(
                f"the chain lists {len(chain)} accepted models, the members hold {len(self.held)}"
            )
        rows = []
        for i, (update_hash, proposer, round_id) in enumerate(chain):
            digest = "0x" + update_hash.hex()
            if digest != self.held[i]:
                raise LineageError(f"lineage entry {i}: chain {digest}, members {self.held[i]}")
            model = self._fetch(digest)
            rows.append(LineageRow(i, round_id, self.name_of(proposer), digest, self.accuracy(model)))
        if self.held and self._fetch(self.held[-1]).to_bytes() != self.model.to_bytes():
            raise LineageError("the members' global model is not the lineage's head")
        return rows
