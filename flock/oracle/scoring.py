"""From validated scores to integer rewards for one Arena task epoch (docs/oracle.md).

1. consensus: per submission, the stake-weighted (lower) median of the validators' scores;
2. validator quality: coverage x max(0, 1 - distance / tolerance), where distance is the mean
   relative distance of the validator's scores to consensus;
3. node reward: nodes ranked by consensus (lower is better), weight q^rank x stake (FLock's
   geometric series over rank, stake-aware); a model with consensus 999 earns nothing;
4. validator reward: quality x stake;
5. operator / delegator split: with A the share counting delegated stake and B the share of own
   stake alone, the operator gets B + sigma (A - B), its delegators (1 - sigma)(A - B) pro rata;
6. integer amounts by largest remainder (ties to the lower address), so the gross amounts sum to
   exactly the budgets allocated; then each (account, role) pays its role's claim fee, rounded
   down, which is burned; leaves are the net amounts per account.

Everything is exact (fractions, integers) except the score distances, which are IEEE doubles summed in
a fixed order, so the same inputs always give the same result on any machine.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from flock.oracle.scorefile import MAX_SCORE, ParsedScores, Rejection

ROLES = ("node", "validator", "delegator")
BPS = 10_000


@dataclass(frozen=True)
class Stake:
    """A node's or validator's stake in the task: its own gmFLOCK and what delegators put with it."""

    own: int
    delegations: tuple[tuple[str, int], ...] = ()  # (delegator, amount)
    sigma_bps: int = 0  # the operator's share of delegation-earned reward

    @property
    def delegated(self) -> int:
        return sum(amount for _, amount in self.delegations)

    @property
    def effective(self) -> int:
        return self.own + self.delegated


@dataclass(frozen=True)
class OracleParams:
    rank_ratio: Fraction = Fraction(4, 5)  # q: each rank down earns q times the one above
    tolerance: Fraction = Fraction(1, 2)  # mean relative distance at which quality reaches zero
    node_fee_bps: int = 800
    validator_fee_bps: int = 800
    delegator_fee_bps: int = 1_450

    def fee_bps(self, role: str) -> int:
        return {
            "node": self.node_fee_bps,
            "validator": self.validator_fee_bps,
            "delegator": self.delegator_fee_bps,
        }[role]


@dataclass(frozen=True)
class EpochInputs:
    task: int
    epoch: int
    node_budget: int
    validator_budget: int
    nodes: dict[str, Stake]
    validators: dict[str, Stake]
    submissions: dict[str, str]  # node -> model hash
    scores: dict[str, ParsedScores]  # validator -> its parsed, accepted score file


@dataclass(frozen=True)
class Allocation:
    account: str
    role: str
    via: str  # the operator a delegator earned through; the account itself otherwise
    exact: Fraction
    gross: int
    fee: int

    @property
    def net(self) -> int:
        return self.gross - self.fee


@dataclass
class EpochResult:
    consensus: dict[str, float]  # model hash -> consensus score
    quality: dict[str, Fraction]  # validator -> quality F
    ranks: dict[str, int]  # node -> rank (0 best); unranked nodes absent
    allocations: list[Allocation]
    leaves: list[tuple[str, int]]  # (account, net amount), sorted by address
    total: int  # sum of leaves
    burn: int  # sum of claim fees
    unallocated: int  # budget not given out (no valid model, no quality)
    rejections: list[Rejection] = field(default_factory=list)


def _key(address: str) -> str:
    return address.lower()


def weighted_median(pairs: list[tuple[float, int]]) -> float:
    """The lower weighted median: the smallest score at which the cumulative weight reaches half."""
    ordered = sorted(pairs)
    total = sum(weight for _, weight in ordered)
    if total <= 0:
        raise ValueError("weighted median of no weight")
    cumulative = 0
    for score, weight in ordered:
        cumulative += weight
        if 2 * cumulative >= total:
            return score
    raise AssertionError("unreachable")


def consensus_scores(inputs: EpochInputs) -> dict[str, float]:
    by_model: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for validator in sorted(inputs.scores, key=_key):
        weight = inputs.validators[validator].effective
        if weight <= 0:
            continue
        for model, score in inputs.scores[validator].scores.items():
            by_model[model].append((score, weight))
    models = sorted({m.lower() for m in inputs.submissions.values()})
    return {m: weighted_median(by_model[m]) if by_model.get(m) else MAX_SCORE for m in models}


def validator_quality(
    inputs: EpochInputs, consensus: dict[str, float], params: OracleParams
) -> dict[str, Fraction]:
    quality: dict[str, Fraction] = {}
    n_models = len(consensus)
    for validator in sorted(inputs.validators, key=_key):
        parsed = inputs.scores.get(validator)
        if parsed is None or not parsed.scores or n_models == 0:
            quality[validator] = Fraction(0)
            continue
        distance = 0.0
        for model in sorted(parsed.scores):
            c = consensus[model]
            distance += abs(parsed.scores[model] - c) / max(c, 1e-9)
        mean_distance = Fraction(distance) / len(parsed.scores)
        coverage = Fraction(len(parsed.scores), n_models)
        quality[validator] = coverage * max(Fraction(0), 1 - mean_distance / params.tolerance)
    return quality


def node_ranks(inputs: EpochInputs, consensus: dict[str, float]) -> dict[str, int]:
    """Competition ranking by consensus score (equal scores share a rank); invalid models unranked."""
    valid = sorted(
        (consensus[model.lower()], _key(node), node)
        for node, model in inputs.submissions.items()
        if consensus[model.lower()] < MAX_SCORE and node in inputs.nodes
    )
    ranks: dict[str, int] = {}
    for position, (score, _, node) in enumerate(valid):
        ranks[node] = (
            ranks[valid[position - 1][2]] if position and valid[position - 1][0] == score else position
        )
    return ranks


def _split(
    budget: int, weights: dict[str, tuple[Fraction, Stake]], role: str
) -> list[tuple[str, str, str, Fraction]]:
    """Operator/delegator split of ``budget`` by ``weights`` (per account: a multiplier and its stake)."""
    denominator = sum(mult * stake.effective for mult, stake in weights.values())
    if denominator == 0:
        return []
    shares: list[tuple[str, str, str, Fraction]] = []
    for account in sorted(weights, key=_key):
        mult, stake = weights[account]
        a = Fraction(budget) * mult * stake.effective / denominator
        b = Fraction(budget) * mult * stake.own / denominator
        sigma = Fraction(stake.sigma_bps, BPS)
        shares.append((account, role, account, b + sigma * (a - b)))
        delegated = stake.delegated
        if delegated and a > b:
            pool = (1 - sigma) * (a - b)
            for delegator, amount in sorted(stake.delegations, key=lambda d: _key(d[0])):
                shares.append((delegator, "delegator", account, pool * amount / delegated))
    return shares


def _integerize(shares: list[tuple[str, str, str, Fraction]]) -> list[tuple[str, str, str, Fraction, int]]:
    """Largest remainder: floors, then one unit each to the largest fractional parts (ties: lower
    address, then role, then operator) until the integers sum to the exact total."""
    exact_total = sum(s[3] for s in shares)
    target = exact_total.numerator // exact_total.denominator if shares else 0
    floors = [s[3].numerator // s[3].denominator for s in shares]
    missing = target - sum(floors)
    order = sorted(
        range(len(shares)),
        key=lambda i: (-(shares[i][3] - floors[i]), _key(shares[i][0]), shares[i][1], _key(shares[i][2])),
    )
    for i in order[:missing]:
        floors[i] += 1
    return [(*s, floors[i]) for i, s in enumerate(shares)]


def compute_epoch(inputs: EpochInputs, params: OracleParams = OracleParams()) -> EpochResult:
    """Every reward of one task epoch, from parsed score files and chain state."""
    consensus = consensus_scores(inputs)
    quality = validator_quality(inputs, consensus, params)
    ranks = node_ranks(inputs, consensus)

    node_weights = {node: (params.rank_ratio**rank, inputs.nodes[node]) for node, rank in ranks.items()}
    validator_weights = {v: (q, inputs.validators[v]) for v, q in quality.items() if q > 0}
    shares = _split(inputs.node_budget, node_weights, "node") + _split(
        inputs.validator_budget, validator_weights, "validator"
    )
    allocations = []
    for account, role, via, exact, gross in _integerize(shares):
        fee = gross * params.fee_bps(role) // BPS
        allocations.append(Allocation(account, role, via, exact, gross, fee))

    per_account: dict[str, int] = defaultdict(int)
    for allocation in allocations:
        per_account[allocation.account] += allocation.net
    leaves = sorted(((a, v) for a, v in per_account.items() if v > 0), key=lambda leaf: _key(leaf[0]))
    allocated = sum(a.gross for a in allocations)
    rejections = [r for v in sorted(inputs.scores, key=_key) for r in inputs.scores[v].rejections]
    return EpochResult(
        consensus=consensus,
        quality=quality,
        ranks=ranks,
        allocations=allocations,
        leaves=leaves,
        total=sum(v for _, v in leaves),
        burn=sum(a.fee for a in allocations),
        unallocated=inputs.node_budget + inputs.validator_budget - allocated,
        rejections=rejections,
    )
