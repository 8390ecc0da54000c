"""Reward vocabulary shared by the oracle, the clients, the demo, the benchmarks and the tests: the
enums of IArenaSubmissions, IRewardDistributor and IArenaSlasher, the nodes' and validators'
commitments, and claim arguments from a reward tree."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from flock.oracle.merkle import StandardMerkleTree


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


def claim_args(tree: StandardMerkleTree, task: int, epoch: int, index: int) -> ClaimArgs:
    """The claim of leaf ``index`` of ``tree`` (a ``reward_tree``)."""
    position, account, amount = tree.leaves[index].value
    return ClaimArgs(task, epoch, position, to_checksum_address(account), amount, tree.proof(index))
