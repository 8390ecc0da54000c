"""Bounded event scans: which blocks an ops command reads events from. A scan from a contract's
deployment block to the head grows with the chain (on Base, 2 s blocks: 1.3 million a month) and
RPC providers cap the ranges of ``eth_getLogs``; where only events after some time can matter (an
accepted root still inside its challenge window, a commitment made during an epoch's phases), the
scan starts at the first block at or after that time (a binary search on block timestamps,
:func:`flock.chain.clock.first_block_at`) and, where there is one, ends at the last block before a
time too. Each command says which blocks it read (:meth:`BlockRange.line`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.chain.clock import first_block_at
from flock.ops import OpsError
from flock.rewards import Phase
from flock.units import utc

# ``IArenaSubmissions.Schedule``'s field at which each phase starts; a phase ends where the next starts.
_PHASE_STARTS = ("start", "submitEnd", "modelRevealEnd", "commitEnd", "revealEnd")


@dataclass(frozen=True)
class BlockRange:
    """Blocks ``first`` to ``last`` (both included; empty when ``first > last``) and why those."""

    first: int
    last: int
    why: str

    @property
    def empty(self) -> bool:
        return self.first > self.last

    def clamp(self, deployed: int) -> BlockRange:
        """The part of the range at or after a contract's deployment block."""
        return BlockRange(max(self.first, deployed), self.last, self.why)

    def line(self) -> str:
        if self.empty:
            return f"scanned no block ({self.why})"
        count = self.last - self.first + 1
        blocks = f"{count:,} block{'s' * (count != 1)}"
        return f"scanned blocks {self.first:,} to {self.last:,} ({blocks}; {self.why})"


def head_height() -> int:
    from ape import chain

    return chain.blocks.height


def from_block_given(from_block: int) -> BlockRange:
    """The range an explicit ``--from-block`` asks for, to the head; refused past the head."""
    head = head_height()
    if from_block > head:
        raise OpsError(f"--from-block {from_block:,} is past the head of the chain (block {head:,})")
    return BlockRange(max(from_block, 0), head, f"--from-block {from_block:,}")


def since(timestamp: int, deployed: int, why: str) -> BlockRange:
    """From the first block at or after ``timestamp`` (not before ``deployed``) to the head."""
    head = head_height()
    first = first_block_at(timestamp, deployed, head)
    return BlockRange(first, head, f"{why}: from {utc(timestamp)}")


def during(start: int, end: int, deployed: int, why: str) -> BlockRange:
    """The blocks with ``start <= timestamp < end`` (not before ``deployed``), up to the head."""
    head = head_height()
    first = first_block_at(start, deployed, head)
    last = first_block_at(end, first, head) - 1
    return BlockRange(first, last, f"{why}: {utc(start)} to {utc(end)}")


def _phase_name(phase: Phase) -> str:
    return phase.name.lower().replace("_", " ")


def phase_bounds(schedule: Any, phase: Phase) -> tuple[int, int]:
    """When ``phase`` starts and ends (its first second, and the first second after it) in an
    ``IArenaSubmissions.Schedule``."""
    return int(getattr(schedule, _PHASE_STARTS[phase])), int(getattr(schedule, _PHASE_STARTS[phase + 1]))


def epoch_phases(submissions: Any, epoch: int, first: Phase, last: Phase, deployed: int = 0) -> BlockRange:
    """The blocks of ``epoch``'s phases ``first`` to ``last`` (``schedule(epoch)``: from the start of
    ``first`` to the end of ``last``), found by block time. ArenaSubmissions emits an epoch's events
    only in their phase, and a started epoch's schedule never changes (``setPhases`` takes effect
    from the next epoch), so no event of those phases is outside these blocks."""
    schedule = submissions.schedule(epoch)
    start, end = phase_bounds(schedule, first)[0], phase_bounds(schedule, last)[1]
    names = _phase_name(first) if first == last else f"{_phase_name(first)} to {_phase_name(last)}"
    why = f"epoch {epoch}'s {names} phase{'s' * (first != last)}"
    return during(start, end, deployed, why)
