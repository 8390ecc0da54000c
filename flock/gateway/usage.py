"""Usage leaves, the usage report and its Merkle tree (docs/api.md).

A leaf is ``(uint256 index, address account, uint256 taskId, uint256 modelEpoch, uint256 amount)``
in OpenZeppelin's standard tree, as ``ApiCredits.charge`` checks it: one per (account, model) that
used the API in the epoch, ``amount`` = ceil(sum over its requests of tokens x price / 1,000) in
FLOCK wei. The report is canonical JSON (sorted keys, no whitespace): the gateway operators post
its keccak256 next to the root and anyone holding it can rebuild the tree and every proof.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak

from flock.oracle.merkle import StandardMerkleTree

USAGE_LEAF = ("uint256", "address", "uint256", "uint256", "uint256")
REPORT_FORMAT = "flock-api-usage-v1"


@dataclass(frozen=True)
class Metered:
    """One account's usage of one model in the epoch: tokens and their exact cost x 1,000."""

    account: str
    task: int
    model_epoch: int
    tokens: int
    cost_milli: int  # sum of tokens x price (FLOCK wei per 1,000 tokens)
    requests: int

    @property
    def amount(self) -> int:
        return -(-self.cost_milli // 1_000)


@dataclass(frozen=True)
class UsageReport:
    epoch: int
    rows: tuple[Metered, ...]  # sorted by (account, task, model epoch)
    tree: StandardMerkleTree
    data: bytes

    @property
    def root(self) -> bytes:
        return self.tree.root

    @property
    def total(self) -> int:
        return sum(r.amount for r in self.rows)

    @property
    def report_hash(self) -> bytes:
        return keccak(self.data)

    def leaf(self, index: int) -> tuple[int, str, int, int, int]:
        return self.tree.leaves[index].value  # type: ignore[return-value]

    def charge_args(self, index: int) -> tuple[Any, ...]:
        """``ApiCredits.Charge`` for leaf ``index``."""
        i, account, task, model_epoch, amount = self.leaf(index)
        return (self.epoch, i, account, task, model_epoch, amount, self.tree.proof(index))


def build_report(epoch: int, metered: Iterable[Metered], chain: dict[str, Any] | None = None) -> UsageReport:
    """The usage report of ``epoch``: rows with a non-zero amount, in a canonical order."""
    rows = tuple(
        sorted(
            (m for m in metered if m.amount > 0),
            key=lambda m: (m.account.lower(), m.task, m.model_epoch),
        )
    )
    if not rows:
        raise ValueError(f"epoch {epoch} has no usage to report")
    values = [(i, r.account.lower(), r.task, r.model_epoch, r.amount) for i, r in enumerate(rows)]
    tree = StandardMerkleTree(values, USAGE_LEAF)
    payload = {
        "format": REPORT_FORMAT,
        "epoch": epoch,
        "chain": chain or {},
        "leaf_encoding": list(USAGE_LEAF),
        "rows": [
            {
                "index": i,
                "account": r.account.lower(),
                "task": r.task,
                "model_epoch": r.model_epoch,
                "tokens": r.tokens,
                "requests": r.requests,
                "cost_milli": str(r.cost_milli),
                "amount": str(r.amount),
            }
            for i, r in enumerate(rows)
        ],
        "total": str(sum(r.amount for r in rows)),
        "root": "0x" + tree.root.hex(),
    }
    data = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return UsageReport(epoch, rows, tree, data)


def report_from_bytes(data: bytes) -> UsageReport:
    """Rebuilds a report (tree and proofs) from its canonical bytes; the bytes must round-trip."""
    payload = json.loads(data)
    if payload.get("format") != REPORT_FORMAT:
        raise ValueError(f"not a {REPORT_FORMAT} report")
    rows = [
        Metered(r["account"], r["task"], r["model_epoch"], r["tokens"], int(r["cost_milli"]), r["requests"])
        for r in payload["rows"]
    ]
    report = build_report(payload["epoch"], rows, payload.get("chain"))
    if report.data != data:
        raise ValueError("the report is not canonical: it does not rebuild to the same bytes")
    return report
