"""The keeper's job: open the emission epochs that have started (``EmissionController.checkpoint``,
anyone may call it) and say what each one minted. Until someone calls it, an epoch pays nothing:
the oracle finds a zero budget for every task in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.chain.clock import head_time
from flock.emissions import EpochClock
from flock.units import format_token, relative_time

STAKE_UNIT = 10**15  # gmFLOCK wei per stake unit (IEmissionController)


@dataclass(frozen=True)
class OpenedEpoch:
    epoch: int
    scheduled: int
    minted: int
    units: int
    dust: int

    def line(self) -> str:
        if self.minted == 0:
            return (
                f"opened epoch {self.epoch}: minted nothing (no eligible stake; "
                f"{format_token(self.scheduled)} FLOCK scheduled)"
            )
        stake = format_token(self.units * STAKE_UNIT)
        return (
            f"opened epoch {self.epoch}: minted {format_token(self.minted)} FLOCK for {stake} gmFLOCK "
            f"of eligible stake"
        )


@dataclass(frozen=True)
class CheckpointResult:
    opened: tuple[OpenedEpoch, ...]
    current: int  # the epoch running now
    still_closed: int  # epochs that have started and remain unopened (more than one call's worth)
    next_start: int  # when the next epoch starts
    now: int
    gas: int = 0

    def lines(self) -> list[str]:
        out = [e.line() for e in self.opened]
        if not self.opened:
            out.append(f"nothing to open: epoch {self.current} is open already")
        if self.still_closed:
            out.append(f"{self.still_closed} more epoch(s) to open: run `ape run checkpoint` again")
        out.append(f"epoch {self.current + 1} starts {relative_time(self.next_start, self.now)}")
        return out


def checkpoint(emissions: Any, sender: Any) -> CheckpointResult:
    """Sends ``checkpoint()`` if an epoch is waiting to be opened and reports every epoch it opened."""
    from ape import chain

    pending_time = int(chain.pending_timestamp)
    clock = EpochClock.of(emissions)
    current = clock.epoch_at(pending_time)
    opened: tuple[OpenedEpoch, ...] = ()
    gas = 0
    if int(emissions.nextEpoch()) <= current:
        receipt = emissions.checkpoint(sender=sender)
        gas = int(receipt.gas_used)
        opened = tuple(
            OpenedEpoch(int(e.epoch), int(e.scheduled), int(e.minted), int(e.units), int(e.dust))
            for e in receipt.events
            if e.event_name == "EpochOpened"
        )
    now = head_time()
    current = int(emissions.currentEpoch())
    still = max(current + 1 - int(emissions.nextEpoch()), 0)
    return CheckpointResult(opened, current, still, clock.start(current + 1), now, gas)
