"""Task registry vocabulary shared by the demo, the benchmarks and the tests: the enums of
ITaskRegistry, spec hashing and the slash route tuple."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

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


@dataclass(frozen=True)
class TaskParameters:
    """The registry's governance parameters, field for field (and name for name) as
    ITaskRegistry.Parameters."""

    creatorStakePerDay: int
    minTaskDuration: int
    maxTaskDuration: int
    disputeWindow: int
    maxParticipants: int
    minNodeStake: int
    minValidatorStake: int
    minParticipantStake: int
    minDelegation: int
    minSigmaBps: int
    maxSigmaBps: int
    sigmaFreeze: int
    undelegationCooldown: int
    syncKeeperBps: int


def read_parameters(registry: Any) -> TaskParameters:
    """Reads the three parameter getters of a TaskRegistry (ape or harness handle)."""
    node, validator, participant, delegation = registry.stakeMinimums()
    per_day, min_duration, max_duration, dispute, max_participants = registry.taskRules()
    min_sigma, max_sigma, freeze, cooldown, keeper = registry.delegationRules()
    return TaskParameters(
        per_day,
        min_duration,
        max_duration,
        dispute,
        max_participants,
        node,
        validator,
        participant,
        delegation,
        min_sigma,
        max_sigma,
        freeze,
        cooldown,
        keeper,
    )


def _own_stakes(stakes: Any) -> int:
    """The creator's and the members' own stakes of a ``taskStakes`` view."""
    return int(stakes.creator) + int(stakes.nodes) + int(stakes.validators) + int(stakes.participants)


def staked_now(stakes: Any) -> int:
    """The gmFLOCK a task's stake counts now, from its ``taskStakes`` view: the creator's stake,
    the members' own stakes and the delegations' values after the pools' slashes."""
    return _own_stakes(stakes) + int(stakes.delegatedToNodes) + int(stakes.delegatedToValidators)


def allocated_in_task(registry: Any, task_id: int, operators: Iterable[str]) -> int:
    """The gmFLOCK a task holds allocated: the creator's and the members' own stakes (its
    ``taskStakes`` view) + the ``allocated`` of its operators' delegation pools (before unsynced
    slashes). The registry keeps no per-task total of the pools' allocations (decision 190), so
    the caller names the accounts that may hold a pool; any other account's pool is empty."""
    pools = sum(int(registry.poolOf(task_id, op).allocated) for op in operators)
    return _own_stakes(registry.taskStakes(task_id)) + pools


class LockStatus(IntEnum):
    """IGmFlock.LockStatus."""

    NONE = 0
    ACTIVE = 1
    UNLOCKED = 2
    VOIDED = 3


def no_such_task(task: int, count: int) -> str:
    """The words for a task id the registry does not have (its ids run from 1 to ``count``)."""
    known = "the registry has no task yet" if count == 0 else f"the registry has tasks 1 to {count:,}"
    return f"task {task} does not exist ({known})"
