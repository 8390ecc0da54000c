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
a fixed order, so the same inputs always give the same result on any machine. numpy and floats make
the consensus and the largest-remainder order fast without changing a single result (each says how).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

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
    """Per submitted model, the stake-weighted lower median of the validators' scores (999 when no
    validator with stake scored it)."""
    models = sorted({m.lower() for m in inputs.submissions.values()})
    index = {m: i for i, m in enumerate(models)}
    weights: list[int] = []
    ids: list[np.ndarray] = []
    values: list[np.ndarray] = []
    voters: list[np.ndarray] = []
    for validator in sorted(inputs.scores, key=_key):
        weight = inputs.validators[validator].effective
        if weight <= 0:
            continue
        known = {m: score for m, score in inputs.scores[validator].scores.items() if m in index}
        ids.append(np.fromiter(map(index.__getitem__, known), np.int64, len(known)))
        values.append(np.fromiter(known.values(), np.float64, len(known)))
        voters.append(np.full(len(known), len(weights), np.int64))
        weights.append(weight)
    if not weights:
        return dict.fromkeys(models, MAX_SCORE)
    medians = _lower_medians(np.concatenate(ids), np.concatenate(values), np.concatenate(voters), weights)
    return {m: medians.get(i, MAX_SCORE) for i, m in enumerate(models)}


def _lower_medians(
    ids: np.ndarray, values: np.ndarray, voters: np.ndarray, weights: list[int]
) -> dict[int, float]:
    """The lower weighted median of every model's scores (``ids[i]`` scored ``values[i]`` by voter
    ``voters[i]`` of weight ``weights[voters[i]]``), exactly, with numpy.

    Weights are divided by their greatest common divisor, which brings stakes (multiples of a
    thousandth of a gmFLOCK in practice) into 64-bit integers; if they still do not fit, each model
    falls back to ``weighted_median`` on Python integers. Either way the result is exact."""
    if len(ids) == 0:
        return {}
    divisor = math.gcd(*weights)
    scaled = [w // divisor for w in weights]
    if 2 * sum(scaled) >= 2**62:
        by_model: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for model, score, voter in zip(ids.tolist(), values.tolist(), voters.tolist(), strict=True):
            by_model[model].append((score, weights[voter]))
        return {model: weighted_median(pairs) for model, pairs in by_model.items()}
    order = np.lexsort((values, ids))  # by model, then score
    ids, values = ids[order], values[order]
    w = np.asarray(scaled, dtype=np.int64)[voters[order]]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    counts = np.diff(np.r_[starts, len(ids)])
    running = np.cumsum(w)
    within = running - np.repeat(running[starts] - w[starts], counts)
    totals = np.repeat(np.add.reduceat(w, starts), counts)
    reached = np.flatnonzero(2 * within >= totals)
    segment_ids, first = np.unique(ids[reached], return_index=True)
    return {int(m): float(values[reached[i]]) for m, i in zip(segment_ids, first, strict=True)}


def mean_distances(inputs: EpochInputs, consensus: dict[str, float]) -> dict[str, Fraction]:
    """Per validator with scores, the mean relative distance of its scores to consensus (IEEE
    doubles summed in sorted model order, then exact)."""
    distances: dict[str, Fraction] = {}
    for validator in sorted(inputs.validators, key=_key):
        parsed = inputs.scores.get(validator)
        if parsed is None or not parsed.scores or not consensus:
            continue
        distance = 0.0
        for model in sorted(parsed.scores):
            c = consensus[model]
            distance += abs(parsed.scores[model] - c) / max(c, 1e-9)
        distances[validator] = Fraction(distance) / len(parsed.scores)
    return distances


def validator_quality(
    inputs: EpochInputs, consensus: dict[str, float], params: OracleParams
) -> dict[str, Fraction]:
    quality: dict[str, Fraction] = {}
    n_models = len(consensus)
    distances = mean_distances(inputs, consensus)
    for validator in sorted(inputs.validators, key=_key):
        if validator not in distances:
            quality[validator] = Fraction(0)
            continue
        coverage = Fraction(len(inputs.scores[validator].scores), n_models)
        quality[validator] = coverage * max(Fraction(0), 1 - distances[validator] / params.tolerance)
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


@dataclass(frozen=True)
class _Share:
    """An exact share ``numerator / denominator`` (not reduced) of one role's budget."""

    account: str
    role: str
    via: str
    numerator: int
    denominator: int


def _split(budget: int, weights: dict[str, tuple[Fraction, Stake]], role: str) -> tuple[list[_Share], int]:
    """Operator/delegator split of ``budget`` by ``weights`` (per account: a multiplier and its stake),
    in exact integer fractions; returns the shares and their exact sum (``budget``, or 0 when no
    account has weight).

    With m = mn / md the multiplier and D = Dn / Dd the total weight, an operator's shares counting
    and not counting delegation are A / C and B / C with C = md x Dn, A = budget x mn x effective x
    Dd, B the same with its own stake; it gets (B x 10,000 + sigma (A - B)) / (C x 10,000) and its
    delegators (10,000 - sigma)(A - B) amount / (C x 10,000 x delegated), pro rata."""
    denominator = sum(mult * stake.effective for mult, stake in weights.values())
    if denominator == 0:
        return [], 0
    dn, dd = denominator.numerator, denominator.denominator
    shares: list[_Share] = []
    for account in sorted(weights, key=_key):
        mult, stake = weights[account]
        common = budget * mult.numerator * dd
        c = mult.denominator * dn
        a, b = common * stake.effective, common * stake.own
        sigma = stake.sigma_bps
        shares.append(_Share(account, role, account, b * BPS + sigma * (a - b), c * BPS))
        delegated = stake.delegated
        if delegated and a > b:
            pool = (BPS - sigma) * (a - b)
            for delegator, amount in sorted(stake.delegations, key=lambda d: _key(d[0])):
                shares.append(_Share(delegator, "delegator", account, pool * amount, c * BPS * delegated))
    return shares, budget


def _integerize(shares: list[_Share], total: int) -> list[int]:
    """Largest remainder: floors, then one unit each to the largest fractional parts (ties: lower
    address, then role, then operator) until the integers sum to ``total``, the shares' exact sum.

    The order is exact, with floats for speed: a correctly rounded quotient (Python's int / int)
    never orders two fractional parts the wrong way round, it can only make different ones equal.
    Such a run of equal floats matters only where the units stop, and that one run is re-ordered
    with exact fractions."""
    floors = [s.numerator // s.denominator for s in shares]
    missing = total - sum(floors)
    if missing <= 0:
        return floors
    remainders = [s.numerator - f * s.denominator for s, f in zip(shares, floors, strict=True)]
    approx = [r / s.denominator for r, s in zip(remainders, shares, strict=True)]
    ties = [(_key(s.account), s.role, _key(s.via)) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (-approx[i], ties[i]))
    edge = approx[order[missing - 1]]
    if missing < len(order) and approx[order[missing]] == edge:
        run = [i for i, j in enumerate(order) if approx[j] == edge]
        lo, hi = run[0], run[-1] + 1
        order[lo:hi] = sorted(
            order[lo:hi], key=lambda i: (-Fraction(remainders[i], shares[i].denominator), ties[i])
        )
    for i in order[:missing]:
        floors[i] += 1
    return floors


def compute_epoch(inputs: EpochInputs, params: OracleParams = OracleParams()) -> EpochResult:
    """Every reward of one task epoch, from parsed score files and chain state."""
    consensus = consensus_scores(inputs)
    quality = validator_quality(inputs, consensus, params)
    ranks = node_ranks(inputs, consensus)

    node_weights = {node: (params.rank_ratio**rank, inputs.nodes[node]) for node, rank in ranks.items()}
    validator_weights = {v: (q, inputs.validators[v]) for v, q in quality.items() if q > 0}
    node_shares, node_total = _split(inputs.node_budget, node_weights, "node")
    validator_shares, validator_total = _split(inputs.validator_budget, validator_weights, "validator")
    shares = node_shares + validator_shares
    grosses = _integerize(shares, node_total + validator_total)
    fee_bps = {role: params.fee_bps(role) for role in ROLES}
    allocations = [
        Allocation(
            s.account,
            s.role,
            s.via,
            Fraction(s.numerator, s.denominator),
            gross,
            gross * fee_bps[s.role] // BPS,
        )
        for s, gross in zip(shares, grosses, strict=True)
    ]

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
