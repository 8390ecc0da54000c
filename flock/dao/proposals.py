"""Proposals: read from the governor's ProposalCreated events (cached in a local index beside the
manifest), their state in words, and the lifecycle transactions with clear refusals.

Every proposal the governor knows is found from its id alone, whoever created it (this command
line, Tally, a script): the event carries the targets, values, calldatas and description that
queue and execute need. The index (``<manifest>.proposals.json``) only remembers what was already
scanned, so each command reads the blocks since the last one; it is rebuilt when it belongs to
another chain or governor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ape import chain
from eth_utils import keccak
from pydantic import BaseModel, Field

from flock.chain.clock import head_time
from flock.chain.network import is_dev
from flock.dao.actions import Action, Draft, title_of
from flock.dao.deployment import DaoError, Deployment
from flock.files import atomic_write_text
from flock.units import format_token, relative_time

STATES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed")
SUPPORT = {"against": 0, "for": 1, "abstain": 2}
MIN_PREFIX = 4


class StoredProposal(BaseModel):
    """A ProposalCreated event, as the index keeps it (integers as decimal strings, bytes as hex)."""

    id: str
    proposer: str
    targets: list[str]
    values: list[str]
    calldatas: list[str]
    description: str
    vote_start: int
    vote_end: int
    block: int
    tx_hash: str


class ProposalIndex(BaseModel):
    governor: str
    chain_id: int
    genesis_hash: str
    scanned_to: int = -1
    scanned_hash: str = ""  # hash of block `scanned_to`: a reorg or a reverted snapshot changes it
    proposals: list[StoredProposal] = Field(default_factory=list)


@dataclass(frozen=True)
class Proposal:
    """A proposal as created: enough to decode, queue and execute it."""

    id: int
    proposer: str
    actions: tuple[Action, ...]
    description: str
    vote_start: int
    vote_end: int
    block: int
    tx_hash: str

    @property
    def title(self) -> str:
        return title_of(self.description)

    @property
    def short_id(self) -> str:
        return str(self.id)[:10]

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    def draft(self) -> Draft:
        return Draft(self.description, self.actions)

    @classmethod
    def from_stored(cls, stored: StoredProposal) -> Proposal:
        actions = tuple(
            Action(t, int(v), bytes.fromhex(c.removeprefix("0x")))
            for t, v, c in zip(stored.targets, stored.values, stored.calldatas, strict=True)
        )
        return cls(
            int(stored.id),
            stored.proposer,
            actions,
            stored.description,
            stored.vote_start,
            stored.vote_end,
            stored.block,
            stored.tx_hash,
        )


PROPOSER_SUFFIX = re.compile(r"#proposer=0x[0-9a-fA-F]{40}\s*$")


def protected_description(description: str, proposer: str) -> str:
    """``description`` ending in ``#proposer=<proposer>``: OpenZeppelin's Governor then refuses the
    same proposal from anyone else, so a copier who front-runs it cannot own (and cancel) it. A
    description that names its proposer already is kept as written."""
    if PROPOSER_SUFFIX.search(description):
        return description
    return f"{description.rstrip()}\n\n#proposer={proposer}"


def index_path(manifest_file: Path) -> Path:
    return manifest_file.with_name(manifest_file.stem + ".proposals.json")


def _stored(log: Any) -> StoredProposal:
    args = log.event_arguments
    return StoredProposal(
        id=str(args["proposalId"]),
        proposer=str(args["proposer"]),
        targets=[str(t) for t in args["targets"]],
        values=[str(v) for v in args["values"]],
        calldatas=["0x" + bytes(c).hex() for c in args["calldatas"]],
        description=str(args["description"]),
        vote_start=int(args["voteStart"]),
        vote_end=int(args["voteEnd"]),
        block=int(log.block_number),
        tx_hash=str(log.transaction_hash),
    )


def _block_hash(number: int) -> str:
    return "0x" + bytes(chain.blocks[number].hash).hex()


@dataclass(frozen=True)
class Status:
    """Where a proposal stands, read from the chain at ``now``."""

    proposal: Proposal
    state: str
    now: int
    snapshot: int
    deadline: int
    eta: int
    against: int
    for_: int
    abstain: int
    quorum: int
    quorum_is_estimate: bool  # before the snapshot: from today's supply

    @property
    def counted(self) -> int:
        return self.for_ + self.abstain

    @property
    def extended(self) -> bool:
        return self.deadline > self.proposal.vote_end


def when(timestamp: int, now: int) -> str:
    """``in 2 d 3 h, at 2026-12-08 14:00 UTC`` or ``3 h ago, at ...``."""
    return relative_time(timestamp, now)


class Governance:
    """The governor of a deployment, as an operator uses it."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.governor = deployment.governor
        self.gmflock = deployment.contract("gmflock")

    # ------------------------------------------------------------------ proposals from events

    @cached_property
    def _index_file(self) -> Path | None:
        manifest_file = self.deployment.manifest_file
        return index_path(manifest_file) if manifest_file else None

    def _load_index(self) -> ProposalIndex:
        manifest = self.deployment.manifest
        fresh = ProposalIndex(
            governor=manifest.address("governor"),
            chain_id=manifest.chain_id,
            genesis_hash=manifest.genesis_hash,
        )
        if self._index_file is None or not self._index_file.is_file():
            return fresh
        try:
            index = ProposalIndex.model_validate(json.loads(self._index_file.read_text()))
        except (ValueError, OSError):
            return fresh  # a damaged cache is rebuilt from the chain
        same = (index.governor, index.chain_id, index.genesis_hash) == (
            fresh.governor,
            fresh.chain_id,
            fresh.genesis_hash,
        )
        if not same or index.scanned_to > chain.blocks.height:
            return fresh
        if index.scanned_to >= 0 and _block_hash(index.scanned_to) != index.scanned_hash:
            return fresh  # the chain changed under the index (a reorg, a reverted local snapshot)
        return index

    @cached_property
    def proposals(self) -> list[Proposal]:
        """Every proposal of the governor, oldest first (scanning blocks not yet in the index)."""
        index = self._load_index()
        start = max(index.scanned_to + 1, self.deployment.manifest.contracts["governor"].block, 0)
        head = chain.blocks.height
        if start <= head:
            known = {p.id for p in index.proposals}
            for log in self.governor.ProposalCreated.range(start, head + 1):
                stored = _stored(log)
                if stored.id not in known:
                    index.proposals.append(stored)
            index.scanned_to, index.scanned_hash = head, _block_hash(head)
            if self._index_file is not None:
                atomic_write_text(self._index_file, index.model_dump_json(indent=2) + "\n")
        return [Proposal.from_stored(p) for p in index.proposals]

    def refresh(self) -> None:
        self.__dict__.pop("proposals", None)

    def find(self, text: str) -> Proposal:
        """A proposal by its id (decimal or 0x hex) or a unique prefix of its decimal id."""
        text = text.strip()
        exact: int | None = None
        try:
            exact = int(text, 16) if text.lower().startswith("0x") else int(text)
        except ValueError:
            raise DaoError(f"{text!r} is not a proposal id") from None
        for proposal in self.proposals:
            if proposal.id == exact:
                return proposal
        matches = [p for p in self.proposals if str(p.id).startswith(text)] if len(text) >= MIN_PREFIX else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise DaoError(f"{text!r} matches {len(matches)} proposals; give more digits")
        hint = "" if len(text) >= MIN_PREFIX else f" (a prefix needs at least {MIN_PREFIX} digits)"
        raise DaoError(
            f"no proposal {text} on governor {self.governor.address}{hint}; `ape run dao list` shows them"
        )

    # ------------------------------------------------------------------ state

    def now(self) -> int:
        return head_time()

    def state(self, proposal: Proposal) -> str:
        return STATES[int(self.governor.state(proposal.id))]

    def status(self, proposal: Proposal) -> Status:
        pid, now = proposal.id, self.now()
        snapshot = int(self.governor.proposalSnapshot(pid))
        against, for_, abstain = (int(v) for v in self.governor.proposalVotes(pid))
        if snapshot < now:
            quorum, estimate = int(self.governor.quorum(snapshot)), False
        else:
            supply = int(self.gmflock.totalSupply())
            quorum, estimate = supply * int(self.governor.quorumNumerator()) // 100, True
        return Status(
            proposal=proposal,
            state=self.state(proposal),
            now=now,
            snapshot=snapshot,
            deadline=int(self.governor.proposalDeadline(pid)),
            eta=int(self.governor.proposalEta(pid)),
            against=against,
            for_=for_,
            abstain=abstain,
            quorum=quorum,
            quorum_is_estimate=estimate,
        )

    def explain(self, status: Status) -> str:
        """Why a proposal is where it is, and what can happen next."""
        s, now = status, status.now
        if s.state == "Pending":
            return f"voting opens {when(s.snapshot + 1, now)}"
        if s.state == "Active":
            reached = "reached" if s.counted >= s.quorum else "not yet reached"
            counted, needed = format_token(s.counted), format_token(s.quorum)
            progress = f"quorum {reached}: {counted} counted, {needed} gmFLOCK needed"
            return f"voting ends {when(s.deadline + 1, now)}; {progress}"
        if s.state == "Defeated":
            if s.counted < s.quorum:
                return f"quorum not reached ({format_token(s.counted)} of {format_token(s.quorum)} gmFLOCK)"
            return "no majority: Against >= For"
        if s.state == "Succeeded":
            return "passed; waiting to be queued in the timelock"
        if s.state == "Queued":
            if s.eta > now:
                return f"in the timelock; executable {when(s.eta, now)}"
            return "in the timelock and ready: anyone may execute it"
        return {
            "Executed": "its actions have run",
            "Canceled": "canceled; it can never run",
            "Expired": "it was not executed in time",
        }.get(s.state, s.state.lower())

    def _refuse(self, proposal: Proposal, verb: str, participle: str, allowed: str) -> DaoError:
        status = self.status(proposal)
        return DaoError(
            f"cannot {verb} proposal {proposal.short_id}: it is {status.state} ({self.explain(status)}); "
            f"only a {allowed} proposal can be {participle}"
        )

    # ------------------------------------------------------------------ transactions

    def propose(self, draft: Draft, sender: Any) -> Proposal:
        if not draft.actions:
            raise DaoError("a proposal needs at least one action")
        description = protected_description(draft.description, str(sender.address))
        targets, values, calldatas = draft.proposal_args()
        pid = int(self.governor.hashProposal(targets, values, calldatas, keccak(text=description)))
        if int(self.governor.proposalSnapshot(pid)) != 0:
            existing = Proposal(pid, "", draft.actions, description, 0, 0, 0, "")
            raise DaoError(
                f"this proposal exists already ({existing.short_id}…, {self.state(existing)}); "
                "a new one needs another description"
            )
        # The governor counts the proposer's votes one second before the proposing block. On a live
        # chain that block is later than the latest one, so today's votes are what it sees; a local
        # chain may mine it in the same second, when votes gained in that second do not count yet.
        threshold = int(self.governor.proposalThreshold())
        votes = int(self.gmflock.getVotes(sender))
        if votes < threshold:
            raise DaoError(
                f"{sender.address} has {format_token(votes)} gmFLOCK of votes; proposing needs "
                f"{format_token(threshold)} (lock FLOCK in gmFLOCK, or be delegated votes)"
            )
        if is_dev(chain.provider.network.name):
            settled = int(self.governor.getVotes(sender, self.now() - 1))
            if settled < threshold:
                raise DaoError(
                    f"{sender.address}'s votes were gained in the latest second and count from the next "
                    "one: move the clock on (`ape run dao warp 1s`) and propose again"
                )
        self.governor.propose(targets, values, calldatas, description, sender=sender)
        self.refresh()
        return self.find(str(pid))

    def vote(self, proposal: Proposal, support: str, sender: Any, reason: str = "") -> int:
        """Casts ``support`` (for, against, abstain) for ``sender``; returns the weight counted."""
        choice = SUPPORT.get(support.lower())
        if choice is None:
            raise DaoError(f"{support!r}: vote for, against or abstain")
        state = self.state(proposal)
        if state != "Active":
            status = self.status(proposal)
            raise DaoError(
                f"cannot vote on proposal {proposal.short_id}: it is {state} ({self.explain(status)}); "
                "votes are cast while it is Active"
            )
        if self.governor.hasVoted(proposal.id, sender):
            raise DaoError(f"{sender.address} has already voted on proposal {proposal.short_id}")
        snapshot = int(self.governor.proposalSnapshot(proposal.id))
        weight = int(self.governor.getVotes(sender, snapshot))
        if weight == 0:
            raise DaoError(
                f"{sender.address} had no votes at the proposal's snapshot: only gmFLOCK locked (or "
                "delegated) before voting opened counts"
            )
        if reason:
            self.governor.castVoteWithReason(proposal.id, choice, reason, sender=sender)
        else:
            self.governor.castVote(proposal.id, choice, sender=sender)
        return weight

    def _lifecycle_args(self, proposal: Proposal) -> tuple[list[str], list[int], list[bytes], bytes]:
        targets, values, calldatas = proposal.draft().proposal_args()
        return targets, values, calldatas, proposal.description_hash

    def queue(self, proposal: Proposal, sender: Any) -> int:
        """Queues a succeeded proposal in the timelock; returns its eta."""
        if self.state(proposal) != "Succeeded":
            raise self._refuse(proposal, "queue", "queued", "Succeeded")
        self.governor.queue(*self._lifecycle_args(proposal), sender=sender)
        return int(self.governor.proposalEta(proposal.id))

    def execute(self, proposal: Proposal, sender: Any) -> Any:
        """Executes a queued proposal whose timelock delay has passed; returns the receipt."""
        if self.state(proposal) != "Queued":
            raise self._refuse(proposal, "execute", "executed", "Queued")
        eta, now = int(self.governor.proposalEta(proposal.id)), self.now()
        if eta > now:
            raise DaoError(
                f"cannot execute proposal {proposal.short_id} yet: the timelock delay ends {when(eta, now)}"
            )
        value = sum(a.value for a in proposal.actions)
        return self.governor.execute(*self._lifecycle_args(proposal), sender=sender, value=value)

    def cancel(self, proposal: Proposal, sender: Any) -> None:
        """Cancels a proposal: its proposer may while it is Pending (the governor's rule)."""
        state = self.state(proposal)
        if state != "Pending":
            raise DaoError(
                f"cannot cancel proposal {proposal.short_id}: it is {state}; its proposer may cancel it "
                "only while Pending (before voting opens)"
            )
        if str(sender.address).lower() != proposal.proposer.lower():
            raise DaoError(f"only the proposer ({proposal.proposer}) may cancel proposal {proposal.short_id}")
        self.governor.cancel(*self._lifecycle_args(proposal), sender=sender)
