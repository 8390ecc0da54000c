"""The oracle's report for one task epoch: every input and its hash, the parameters, the
per-account breakdown, and the Merkle root. Canonical JSON, so the same inputs give the same bytes,
and its keccak256 is the report hash posted on-chain next to the root."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from eth_hash.auto import keccak

from flock.oracle.merkle import REWARD_LEAF, StandardMerkleTree, reward_tree
from flock.oracle.scorefile import Rejection
from flock.oracle.scoring import EpochInputs, EpochResult, OracleParams

REPORT_FORMAT = "flock-oracle-report-v1"


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


def build_tree(result: EpochResult) -> StandardMerkleTree | None:
    """The reward tree of an epoch (leaf i = (i, account, amount)), or None when nothing is paid."""
    return reward_tree(result.leaves) if result.leaves else None


def report_payload(
    inputs: EpochInputs,
    params: OracleParams,
    result: EpochResult,
    *,
    score_file_hashes: dict[str, str],
    chain: dict[str, Any] | None = None,
    notes: list[Rejection] | None = None,
    tree: StandardMerkleTree | None = None,
) -> dict[str, Any]:
    """The report as a JSON-ready dict (see ``encode_report`` for the bytes); ``tree`` is the result's
    tree if already built."""
    tree = tree or build_tree(result)
    return {
        "format": REPORT_FORMAT,
        "task": inputs.task,
        "epoch": inputs.epoch,
        "chain": chain or {},
        "parameters": {
            "rank_ratio": _fraction(params.rank_ratio),
            "tolerance": _fraction(params.tolerance),
            "fee_bps": {
                "node": params.node_fee_bps,
                "validator": params.validator_fee_bps,
                "delegator": params.delegator_fee_bps,
            },
        },
        "inputs": {
            "budgets": {"nodes": str(inputs.node_budget), "validators": str(inputs.validator_budget)},
            "nodes": {
                node.lower(): {
                    "own_stake": str(stake.own),
                    "delegations": {d.lower(): str(a) for d, a in sorted(stake.delegations)},
                    "sigma_bps": stake.sigma_bps,
                    "model": inputs.submissions.get(node, "").lower() or None,
                }
                for node, stake in inputs.nodes.items()
            },
            "validators": {
                v.lower(): {
                    "own_stake": str(stake.own),
                    "delegations": {d.lower(): str(a) for d, a in sorted(stake.delegations)},
                    "sigma_bps": stake.sigma_bps,
                    "score_file": score_file_hashes.get(v),
                    "accepted": v in inputs.scores and inputs.scores[v].accepted,
                }
                for v, stake in inputs.validators.items()
            },
        },
        "rejections": [
            {"validator": r.validator.lower(), "model": r.model, "reason": r.reason}
            for r in result.rejections
        ],
        "set_aside": [
            {"account": r.validator.lower(), "model": r.model, "reason": r.reason} for r in notes or []
        ],
        "consensus": result.consensus,
        "quality": {v.lower(): _fraction(q) for v, q in result.quality.items()},
        "ranks": {n.lower(): r for n, r in result.ranks.items()},
        "allocations": [
            {
                "account": a.account.lower(),
                "role": a.role,
                "via": a.via.lower(),
                "exact": _fraction(a.exact),
                "gross": str(a.gross),
                "fee": str(a.fee),
                "net": str(a.net),
            }
            for a in result.allocations
        ],
        "leaf_encoding": list(REWARD_LEAF),
        "leaves": [[i, account.lower(), str(amount)] for i, (account, amount) in enumerate(result.leaves)],
        "totals": {
            "total": str(result.total),
            "burn": str(result.burn),
            "unallocated": str(result.unallocated),
        },
        "root": "0x" + tree.root.hex() if tree else None,
    }


def encode_report(payload: dict[str, Any]) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, floats in Python's shortest round-trip form."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def report_hash(data: bytes) -> bytes:
    return keccak(data)
