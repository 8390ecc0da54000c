"""API revenue in the reward roots (docs/api.md): the revenue each model earned through the API
platform, split among that model's contributors and paid by the same Merkle root as its task's
emission rewards.

``ApiCredits.flush`` sends a model's revenue (after the protocol share) into the reward budget of
its task's next epoch and says so in a ``RevenueFlushed`` event: (task, model epoch, target epoch,
amount). The model is the winner (rank 0) of the final root of (task, model epoch). Computing the
target epoch's root, the oracle splits each such amount R, read from the model epoch's accepted
report (fetched by the hash posted with that root, and checked against the root):

- between the model's training node and the validators who scored that epoch in the proportion of
  the epoch's node and validator budgets (all to the node if no validator had quality);
- the node's part to the node and its delegators, the validators' part by quality x stake, each
  operator's share split with its delegators by sigma: exactly the emission rules
  (``scoring._split``), integers by the same largest remainder, summing to R to the wei;
- each share pays its role's claim fee (the target epoch's fees), burned like the emission's.

The allocations join the epoch's own; leaves are the per-account sums, so a contributor claims its
emission reward and its API revenue with one proof.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from flock.oracle.errors import OracleError
from flock.oracle.merkle import reward_tree
from flock.oracle.scoring import (
    BPS,
    ROLES,
    Allocation,
    EpochResult,
    OracleParams,
    Stake,
    _integerize,
    _key,
    _split,
)
from flock.store import ContentSource, StoreError


@dataclass(frozen=True)
class RevenueFunding:
    """API revenue funded into the epoch's budget for the model of (task, model epoch)."""

    model_epoch: int
    amount: int
    model_root: str  # 0x, the model epoch's final root
    model_report: str  # 0x, the report hash posted with it


@dataclass(frozen=True)
class RevenueShare:
    funding: RevenueFunding
    node: str
    allocations: tuple[Allocation, ...]


def _fraction(text: str) -> Fraction:
    return Fraction(text)


def _stake(entry: dict[str, Any]) -> Stake:
    delegations = tuple(sorted((d, int(a)) for d, a in entry["delegations"].items()))
    return Stake(int(entry["own_stake"]), delegations, int(entry["sigma_bps"]))


def model_report(source: ContentSource, funding: RevenueFunding) -> dict[str, Any]:
    """The model epoch's accepted report, checked against its root."""
    try:
        data = source.get(funding.model_report)
    except StoreError as err:
        raise OracleError(f"report {funding.model_report}: {err}") from err
    if data is None:
        raise OracleError(
            f"report {funding.model_report} (epoch {funding.model_epoch}) is not in the store: the API "
            "revenue of its model cannot be split without it"
        )
    payload = json.loads(data)
    tree = reward_tree([(account, int(amount)) for _, account, amount in payload["leaves"]])
    if "0x" + tree.root.hex() != funding.model_root.lower():
        raise OracleError(
            f"report {funding.model_report} does not rebuild epoch {funding.model_epoch}'s root"
        )
    return payload


def split_revenue(funding: RevenueFunding, report: dict[str, Any], params: OracleParams) -> RevenueShare:
    """One funding's allocations among its model's contributors (see the module)."""
    ranks = sorted((rank, node) for node, rank in report["ranks"].items())
    if not ranks:
        raise OracleError(f"epoch {funding.model_epoch} has no ranked model to pay revenue to")
    node = ranks[0][1]
    nodes, validators = report["inputs"]["nodes"], report["inputs"]["validators"]
    node_weights = {node: (Fraction(1), _stake(nodes[node]))}
    validator_weights = {
        v: (_fraction(q), _stake(validators[v])) for v, q in report["quality"].items() if _fraction(q) > 0
    }
    budgets = report["inputs"]["budgets"]
    node_budget, validator_budget = int(budgets["nodes"]), int(budgets["validators"])
    amount = funding.amount
    if validator_weights and node_budget + validator_budget > 0:
        node_part = amount * node_budget // (node_budget + validator_budget)
    else:
        node_part = amount
    node_shares, node_total = _split(node_part, node_weights, "node")
    validator_shares, validator_total = _split(amount - node_part, validator_weights, "validator")
    shares = node_shares + validator_shares
    grosses = _integerize(shares, node_total + validator_total)
    fee_bps = {role: params.fee_bps(role) for role in ROLES}
    allocations = tuple(
        Allocation(
            s.account, s.role, s.via, Fraction(s.numerator, s.denominator), g, g * fee_bps[s.role] // BPS
        )
        for s, g in zip(shares, grosses, strict=True)
    )
    if sum(a.gross for a in allocations) != amount:
        raise OracleError(f"revenue of epoch {funding.model_epoch} did not split exactly")
    return RevenueShare(funding, node, allocations)


def revenue_shares(
    fundings: tuple[RevenueFunding, ...], source: ContentSource, params: OracleParams
) -> list[RevenueShare]:
    return [split_revenue(f, model_report(source, f), params) for f in fundings]


def with_revenue(result: EpochResult, shares: list[RevenueShare]) -> EpochResult:
    """The epoch's result with the revenue allocations added: leaves, total and burn recomputed."""
    if not shares:
        return result
    per_account: dict[str, int] = defaultdict(int)
    for allocation in result.allocations:
        per_account[allocation.account] += allocation.net
    for share in shares:
        for allocation in share.allocations:
            per_account[allocation.account] += allocation.net
    leaves = sorted(((a, v) for a, v in per_account.items() if v > 0), key=lambda leaf: _key(leaf[0]))
    burn = result.burn + sum(a.fee for s in shares for a in s.allocations)
    return replace(result, leaves=leaves, total=sum(v for _, v in leaves), burn=burn)


def revenue_payload(shares: list[RevenueShare]) -> list[dict[str, Any]]:
    """The report's ``revenue`` section: each funding and its split."""
    return [
        {
            "model_epoch": s.funding.model_epoch,
            "amount": str(s.funding.amount),
            "model_root": s.funding.model_root.lower(),
            "model_report": s.funding.model_report.lower(),
            "node": s.node.lower(),
            "allocations": [
                {
                    "account": a.account.lower(),
                    "role": a.role,
                    "via": a.via.lower(),
                    "gross": str(a.gross),
                    "fee": str(a.fee),
                    "net": str(a.net),
                }
                for a in s.allocations
            ],
        }
        for s in shares
    ]


def read_fundings(view: Any, task: int, epoch: int) -> tuple[RevenueFunding, ...]:
    """The API revenue flushed into (task, epoch), per model epoch, from the chain (through ape);
    none for a deployment without the API credits contract."""
    if "api" not in view.protocol.keys:
        return ()
    from ape import chain

    api, rewards = view.contract("api"), view.rewards
    head = chain.blocks.head.number
    start = view.protocol.manifest.contracts["api"].block
    amounts: dict[int, int] = defaultdict(int)
    for event in api.RevenueFlushed.range(
        start, head + 1, search_topics={"taskId": task, "targetEpoch": epoch}
    ):
        amounts[int(event.modelEpoch)] += int(event.contributors)
    out = []
    for model_epoch, amount in sorted(amounts.items()):
        if amount == 0:
            continue
        root = bytes(rewards.epochRewards(task, model_epoch).root)
        accepted = [
            e
            for e in rewards.RootAccepted.range(
                view.first_block(), head + 1, search_topics={"taskId": task, "epoch": model_epoch}
            )
            if bytes(e.root) == root
        ]
        if not accepted:
            raise OracleError(f"task {task} epoch {model_epoch} earned API revenue but has no accepted root")
        report = "0x" + bytes(accepted[-1].reportHash).hex()
        out.append(RevenueFunding(model_epoch, amount, "0x" + root.hex(), report))
    return tuple(out)


def funded_revenue(view: Any, task: int, epoch: int) -> int:
    """What was funded into (task, epoch) beside its emission budget: the amounts of the
    distributor's ``BudgetFunded`` events for it (API revenue flushed by ``ApiCredits``, or any other
    ``REVENUE_ROLE`` holder's), from the distributor's deployment to the head."""
    from ape import chain

    rewards = view.rewards
    start = max(view.protocol.manifest.contracts["rewards"].block, 0)
    events = rewards.BudgetFunded.range(
        start, chain.blocks.head.number + 1, search_topics={"taskId": task, "epoch": epoch}
    )
    return sum(int(event.amount) for event in events)
