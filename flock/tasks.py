"""Task registry vocabulary shared by the demo, the benchmarks and the tests: the enums of
ITaskRegistry, spec hashing and the slash route tuple."""

from __future__ import annotations

from enum import IntEnum

from eth_utils import keccak

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class TaskKind(IntEnum):
    ARENA = 0
    ALLIANCE = 1


class TaskState(IntEnum):
    NONE = 0
    PENDING = 1
    APPROVED = 2
    CANCELLED = 3
    ENDED = 4


class Role(IntEnum):
    NONE = 0
    NODE = 1
    VALIDATOR = 2
    PARTICIPANT = 3
    DELEGATOR = 4


def spec_hash(spec: str | bytes) -> bytes:
    """The 32-byte hash a task records for its spec document (keccak-256 of its bytes)."""
    return keccak(spec.encode() if isinstance(spec, str) else spec)


def slash_route(
    recipient: str = ZERO_ADDRESS, keeper: str = ZERO_ADDRESS, keeper_bps: int = 0, burn_bps: int = 0
) -> tuple[str, str, int, int]:
    """ITaskRegistry.SlashRoute: ``keeper_bps`` to the keeper, ``burn_bps`` burned, the rest to
    the recipient (burned if the recipient is zero)."""
    return (recipient, keeper, keeper_bps, burn_bps)
