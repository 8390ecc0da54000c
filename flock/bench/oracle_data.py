"""A synthetic task epoch for the oracle benchmark: 1,000 submissions scored by 1,000 validators
(1,000,000 scores, one validator in ten noisy), each validator with 99 delegators, so the reward
tree has about 100,000 leaves. Deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from eth_utils import keccak

from flock.oracle.inputs import DelegationStake, EpochChainData, MemberStake, Reveal, Submission
from flock.oracle.scorefile import encode_scores

WAD = 10**18
TASK, EPOCH = 1, 5


class MemoryStore:
    """A content source in memory (the score files as a validator's store would hold them)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        digest = "0x" + keccak(data).hex()
        self.files[digest] = data
        return digest

    def get(self, digest: str) -> bytes | None:
        return self.files.get(digest)


def offline_epoch(
    task: int, epoch: int, store: MemoryStore, files: Mapping[str, Mapping[str, float] | bytes], **fields: Any
) -> EpochChainData:
    """A task epoch as the oracle reads it, off any chain: each validator of ``files`` committed
    and revealed its score file (its scores by model hash, encoded; or raw bytes), put into
    ``store`` in that order. ``fields`` give the other fields of ``EpochChainData``; the chain's
    own facts (chain id, contract addresses, stake block), the fees and the delegations have
    placeholders (none, for the fees and delegations)."""
    reveals = tuple(
        Reveal(v, store.put(f if isinstance(f, bytes) else encode_scores(task, epoch, v, f)))
        for v, f in files.items()
    )
    placeholders: dict[str, Any] = {
        "chain_id": 31337,
        "rewards": "0x" + "01" * 20,
        "submissions_contract": "0x" + "02" * 20,
        "stake_block": 10,
        "stake_block_hash": "0x" + "03" * 32,
        "fee_bps": (0, 0, 0),
        "scoring_bps": (8_000, 5_000),
        "committed": tuple(files),
        "delegations": (),
    }
    return EpochChainData(task=task, epoch=epoch, reveals=reveals, **(placeholders | fields))


def _address(tag: str, i: int | str) -> str:
    return "0x" + keccak(text=f"{tag}-{i}")[12:].hex()


def synthetic_epoch(
    nodes: int = 1_000, validators: int = 1_000, delegators: int = 99, seed: int = 1
) -> tuple[EpochChainData, MemoryStore]:
    rnd = random.Random(seed)
    node_addresses = [_address("node", i) for i in range(nodes)]
    validator_addresses = [_address("validator", i) for i in range(validators)]
    models = {node: "0x" + keccak(text=node).hex() for node in node_addresses}
    true_bpc = {model: rnd.uniform(2.0, 6.0) for model in models.values()}
    store = MemoryStore()
    files = {}
    for j, validator in enumerate(validator_addresses):
        noise = 0.8 if j % 10 == 9 else 0.02
        scores = {m: round(q * (1 + rnd.uniform(-noise, noise)), 4) for m, q in true_bpc.items()}
        files[validator] = encode_scores(TASK, EPOCH, validator, scores)
    members = [MemberStake(n, 1, rnd.randint(1_000, 50_000) * WAD, 5_000) for n in node_addresses]
    members += [MemberStake(v, 2, rnd.randint(3_000, 50_000) * WAD, 3_000) for v in validator_addresses]
    delegations = [
        DelegationStake(_address("delegator", f"{j}-{k}"), v, rnd.randint(100, 5_000) * WAD)
        for j, v in enumerate(validator_addresses)
        for k in range(delegators)
    ]
    data = offline_epoch(
        TASK,
        EPOCH,
        store,
        files,
        rewards="0x" + "11" * 20,
        submissions_contract="0x" + "22" * 20,
        stake_block=1_000,
        stake_block_hash="0x" + "33" * 32,
        node_budget=150_000 * WAD,
        validator_budget=150_000 * WAD,
        fee_bps=(800, 800, 1_450),
        submissions=tuple(
            Submission(n, models[n], f"ipfs://model/{i}") for i, n in enumerate(node_addresses)
        ),
        members=tuple(members),
        delegations=tuple(delegations),
    )
    return data, store
