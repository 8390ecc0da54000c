"""Reward vocabulary shared by the oracle, the clients, the gateway, the guardian's commands, the demo,
the benchmarks and the tests: the enums of IArenaSubmissions, IRewardDistributor, IArenaSlasher and
IApiCredits (whose usage settles into the reward roots), the nodes' and validators' commitments, and
claim arguments from a reward tree."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from eth_abi import encode
from eth_utils import keccak, to_checksum_address


class Phase(IntEnum):
    """IArenaSubmissions.Phase."""

    SUBMIT = 0
    MODEL_REVEAL = 1
    COMMIT = 2
    REVEAL = 3
    CLOSED = 4


class Status(IntEnum):
    """IRewardDistributor.Status."""

    NONE = 0
    OPEN = 1
    ACCEPTED = 2
    FINAL = 3


def commitment(file_hash: bytes, salt: bytes, validator: str, task: int, epoch: int) -> bytes:
    """What a validator commits: keccak256(abi.encode(fileHash, salt, validator, taskId, epoch)),
    as ``ArenaSubmissions.commitmentOf`` computes it."""
    return keccak(
        encode(
            ["bytes32", "bytes32", "address", "uint256", "uint256"],
            [file_hash, salt, to_checksum_address(validator), task, epoch],
        )
    )


def model_commitment(model_hash: bytes, uri: str, salt: bytes, node: str, task: int, epoch: int) -> bytes:
    """What a training node commits: keccak256(abi.encode(modelHash, keccak256(uri), salt, node,
    taskId, epoch)), as ``ArenaSubmissions.modelCommitmentOf`` computes it."""
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "address", "uint256", "uint256"],
            [model_hash, keccak(uri.encode()), salt, to_checksum_address(node), task, epoch],
        )
    )


class Offence(IntEnum):
    """IArenaSlasher.Offence."""

    NONE = 0
    MODEL_NOT_REVEALED = 1
    SCORES_NOT_REVEALED = 2
    DEVIATION = 3
    UNREADABLE_SCORES = 4
    INVALID_MODEL = 5


class SlashStatus(IntEnum):
    """IArenaSlasher.Status: where a task epoch's slash report is."""

    NONE = 0
    OPEN = 1
    ACCEPTED = 2


class UsageStatus(IntEnum):
    """IApiCredits.Status: where an epoch's usage settlement is."""

    NONE = 0
    ACCEPTED = 1
    FINAL = 2


def new_salt() -> bytes:
    return secrets.token_bytes(32)


@dataclass(frozen=True)
class ClaimArgs:
    """One leaf of a reward tree: ``args()`` as ``RewardDistributor.claimMany`` takes each claim,
    ``pot_args()`` as the task epoch's ``RewardPot.claim`` takes it."""

    task: int
    epoch: int
    index: int
    account: str
    amount: int
    proof: list[bytes]

    def args(self) -> tuple[Any, ...]:
        return (self.task, self.epoch, self.index, self.account, self.amount, self.proof)

    def pot_args(self) -> tuple[Any, ...]:
        return (self.index, self.account, self.amount, self.proof)


class RewardTree(Protocol):
    """What a claim needs of a reward tree (``flock.oracle.merkle.reward_tree`` builds one): its
    leaves' values (position, account, amount) and a leaf's proof."""

    leaves: Sequence[Any]  # each with ``value``: (position, account, amount)

    def proof(self, index: int) -> list[bytes]: ...


def claim_args(tree: RewardTree, task: int, epoch: int, index: int) -> ClaimArgs:
    """The claim of leaf ``index`` of ``tree`` (a ``reward_tree``)."""
    position, account, amount = tree.leaves[index].value
    return ClaimArgs(task, epoch, position, to_checksum_address(account), amount, tree.proof(index))


# The RewardPot clones (OpenZeppelin Clones.cloneDeterministicWithImmutableArgs): init code
# PUSH2 <runtime length> + _CLONE_INIT returns the runtime, which is the EIP-1167 proxy (its head, the
# implementation's address, its tail: 45 bytes) followed by the arguments.
_CLONE_INIT = bytes.fromhex("3d81600a3d39f3")
_PROXY_HEAD = bytes.fromhex("363d3d373d3d3d363d73")
_PROXY_TAIL = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
CLONE_PROXY_BYTES = 0x2D  # where the arguments start in a pot's code (RewardPot's _ARGS)


@dataclass(frozen=True)
class PotTerms:
    """A pot's immutable arguments, as ``RewardPot.terms()`` returns them."""

    root: bytes
    task: int
    epoch: int
    locked_share_bps: int
    vesting_start: int
    vesting_period: int

    def args(self) -> bytes:
        """Packed as the distributor packs them: root, lockedShareBps (16 bits), vestingStart and
        vestingPeriod (40 bits each), taskId << 128 | epoch (256 bits)."""
        return (
            bytes(self.root).rjust(32, b"\0")
            + self.locked_share_bps.to_bytes(2, "big")
            + self.vesting_start.to_bytes(5, "big")
            + self.vesting_period.to_bytes(5, "big")
            + (self.task << 128 | self.epoch).to_bytes(32, "big")
        )


def pot_init_code(implementation: str, terms: PotTerms) -> bytes:
    """The CREATE2 init code of the pot with ``terms`` (what ``Clones`` deploys)."""
    runtime = pot_runtime(implementation, terms)
    return b"\x61" + len(runtime).to_bytes(2, "big") + _CLONE_INIT + runtime


def pot_runtime(implementation: str, terms: PotTerms) -> bytes:
    """The code of the pot with ``terms``: the proxy, then the arguments."""
    return _PROXY_HEAD + bytes.fromhex(implementation[2:]) + _PROXY_TAIL + terms.args()


def pot_address(distributor: str, implementation: str, terms: PotTerms) -> str:
    """Where ``distributor`` creates the pot with ``terms``: CREATE2 with salt taskId << 128 | epoch
    and the clone's init code, so one address per task epoch and root."""
    salt = (terms.task << 128 | terms.epoch).to_bytes(32, "big")
    digest = keccak(
        b"\xff" + bytes.fromhex(distributor[2:]) + salt + keccak(pot_init_code(implementation, terms))
    )
    return to_checksum_address(digest[12:])
