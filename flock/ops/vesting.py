"""Vested rewards: the locked share of a claimed reward vests linearly in its task epoch's pot; these
find an account's pots (from the distributor's RootFinalized events), show what vests and release
what has vested, in one ``releaseVested`` transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.ops import OpsError
from flock.units import format_token, relative_time


@dataclass(frozen=True)
class Vesting:
    task: int
    epoch: int
    locked: int
    released: int
    releasable: int
    ends: int  # when everything has vested

    def row(self, now: int) -> list[str]:
        return [
            str(self.task),
            str(self.epoch),
            format_token(self.locked),
            format_token(self.released),
            format_token(self.releasable),
            relative_time(self.ends, now),
        ]


def vestings(rewards: Any, account: str, from_block: int = 0) -> list[Vesting]:
    """Every pot in which ``account`` has a vesting reward, oldest first."""
    from ape import chain, project

    found = []
    for event in rewards.RootFinalized.range(from_block, chain.blocks.height + 1):
        pot = project.RewardPot.at(str(event.pot))
        locked, released, releasable = (int(x) for x in pot.vestingOf(account))
        if locked == 0:
            continue
        terms = pot.terms()
        ends = int(terms.vestingStart) + int(terms.vestingPeriod)
        found.append(Vesting(int(event.taskId), int(event.epoch), locked, released, releasable, ends))
    return found


def release(rewards: Any, sender: Any, account: str, from_block: int = 0) -> list[str]:
    """Releases everything vested for ``account`` (anyone may send it; the FLOCK goes to ``account``)."""
    from ape import chain

    pending = [v for v in vestings(rewards, account, from_block) if v.releasable > 0]
    if not pending:
        mine = vestings(rewards, account, from_block)
        if not mine:
            raise OpsError(f"{account} has no vesting rewards (claim first: `ape run oracle claim`)")
        now = int(chain.blocks.head.timestamp)
        nxt = min((v for v in mine if v.released < v.locked), key=lambda v: v.ends, default=None)
        when = f"; vesting continues until {relative_time(nxt.ends, now)}" if nxt else ": all released"
        raise OpsError(f"nothing has vested for {account} since the last release{when}")
    receipt = rewards.releaseVested(
        account, [v.task for v in pending], [v.epoch for v in pending], sender=sender
    )
    paid = sum(int(e.amount) for e in receipt.events if e.event_name == "VestingReleased")
    epochs = ", ".join(f"task {v.task} epoch {v.epoch}" for v in pending)
    return [f"released {format_token(paid)} vested FLOCK to {account} ({epochs})"]
