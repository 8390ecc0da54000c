"""Shared by the governance tests: stakes, vote and state numbers, and a one-action proposal."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from flock.chain.clock import advance

# gmFLOCK of each staker (7-day locks: no boost). Supply 175,000: quorum (4%) is 7,000; the proposal
# threshold is 10,000, above dave's 5,000.
STAKES = {"alice": 100_000, "bob": 50_000, "carol": 20_000, "dave": 5_000}
FOR, AGAINST, ABSTAIN = 1, 0, 2
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)


@dataclass
class Proposal:
    """A one-action proposal, with its lifecycle helpers."""

    governor: object
    targets: list
    values: list
    calldatas: list
    description: str

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    @property
    def id(self) -> int:
        return self.governor.hashProposal(self.targets, self.values, self.calldatas, self.description_hash)

    @property
    def args(self) -> tuple:
        return self.targets, self.values, self.calldatas, self.description_hash

    def state(self) -> int:
        return self.governor.state(self.id)

    def propose(self, sender):
        return self.governor.propose(
            self.targets, self.values, self.calldatas, self.description, sender=sender
        )

    def open_voting(self) -> None:
        advance(self.governor.proposalSnapshot(self.id) - self.governor.clock() + 1)

    def close_voting(self) -> None:
        advance(self.governor.proposalDeadline(self.id) - self.governor.clock() + 1)
