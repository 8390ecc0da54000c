"""Oracle arithmetic: the hand-computed example of docs/oracle.md and the properties it must keep."""

from fractions import Fraction

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from flock.oracle.example import D1, M1, M2, M3, N1, N2, N3, V1, V2, V3, example
from flock.oracle.scorefile import ParsedScores
from flock.oracle.scoring import (
    EpochInputs,
    Stake,
    _integerize,
    _lower_medians,
    _Share,
    compute_epoch,
    weighted_median,
)


def test_hand_computed_example():
    result = compute_epoch(example())
    # Consensus: stake-weighted lower medians.
    assert result.consensus == {M1: 3.0, M2: 2.5, M3: 4.0}
    # Ranks: N2 (2.5) first, N1 (3.0), N3 (4.0).
    assert result.ranks == {N2: 0, N1: 1, N3: 2}
    # Quality: V1 exact; V2 mean distance (0.2/3 + 0.1/2.5 + 0.2/4)/3; V3 far off.
    assert result.quality[V1] == 1
    assert abs(float(result.quality[V2]) - (1 - ((0.2 / 3 + 0.1 / 2.5 + 0.2 / 4) / 3) / 0.5)) < 1e-12
    assert result.quality[V3] == 0
    exact = {(a.account, a.role): a.exact for a in result.allocations}
    # Node weights q^rank x stake = 200 (N2, delegation included), 80 (N1), 128 (N3): 408 in all.
    assert exact[(N1, "node")] == Fraction(1_000_000 * 80, 408)
    assert exact[(N3, "node")] == Fraction(1_000_000 * 128, 408)
    a, b = Fraction(1_000_000 * 200, 408), Fraction(1_000_000 * 100, 408)
    assert exact[(N2, "node")] == b + Fraction(1, 5) * (a - b)
    assert exact[(D1, "delegator")] == Fraction(4, 5) * (a - b)
    gross = {(a.account, a.role): a.gross for a in result.allocations}
    assert gross == {
        (N1, "node"): 196_078,
        (N2, "node"): 294_118,
        (D1, "delegator"): 196_078,
        (N3, "node"): 313_726,
        (V1, "validator"): 385_054,
        (V2, "validator"): 114_946,
    }
    fees = {(a.account, a.role): a.fee for a in result.allocations}
    assert fees[(D1, "delegator")] == 196_078 * 1_450 // 10_000
    assert fees[(N1, "node")] == 196_078 * 800 // 10_000
    assert result.total + result.burn == 1_500_000
    assert result.unallocated == 0
    assert dict(result.leaves)[N1] == 196_078 - 15_686


def test_no_valid_model_leaves_the_node_budget_unallocated():
    inputs = example()
    for parsed in inputs.scores.values():
        parsed.scores.update(dict.fromkeys(parsed.scores, 999.0))
    result = compute_epoch(inputs)
    assert result.ranks == {}
    assert result.unallocated >= inputs.node_budget


# ---------------------------------------------------------------------- properties

stake = st.integers(1, 10**24)
score = st.floats(0, 20, allow_nan=False)


@st.composite
def epochs(draw):
    n_nodes = draw(st.integers(1, 6))
    n_validators = draw(st.integers(1, 5))
    nodes = {f"0x{i + 1:040x}": Stake(draw(stake)) for i in range(n_nodes)}
    validators = {f"0x{i + 101:040x}": Stake(draw(stake)) for i in range(n_validators)}
    submissions = {node: f"0x{i:064x}" for i, node in enumerate(nodes)}
    scores = {}
    for v in validators:
        chosen = draw(st.lists(st.sampled_from(sorted(submissions.values())), unique=True))
        scores[v] = ParsedScores(v, {m: draw(score) for m in chosen})
    budget = st.integers(0, 10**27)
    return EpochInputs(1, 1, draw(budget), draw(budget), nodes, validators, submissions, scores)


@given(epochs())
def test_leaves_sum_to_total_within_budget(inputs):
    result = compute_epoch(inputs)
    assert sum(amount for _, amount in result.leaves) == result.total
    assert result.total + result.burn + result.unallocated == inputs.node_budget + inputs.validator_budget
    assert all(amount > 0 for _, amount in result.leaves)
    assert len({a.lower() for a, _ in result.leaves}) == len(result.leaves)


@given(epochs(), st.randoms())
def test_permuting_inputs_changes_nothing(inputs, rnd):
    def shuffled(d):
        items = list(d.items())
        rnd.shuffle(items)
        return dict(items)

    permuted = EpochInputs(
        inputs.task,
        inputs.epoch,
        inputs.node_budget,
        inputs.validator_budget,
        shuffled(inputs.nodes),
        shuffled(inputs.validators),
        shuffled(inputs.submissions),
        shuffled(inputs.scores),
    )
    a, b = compute_epoch(inputs), compute_epoch(permuted)
    assert a.leaves == b.leaves and a.burn == b.burn and a.consensus == b.consensus


@given(st.lists(st.tuples(score, st.integers(1, 1000)), min_size=1, max_size=30))
def test_weighted_median_properties(pairs):
    median = weighted_median(pairs)
    total = sum(w for _, w in pairs)
    assert median in [s for s, _ in pairs]
    assert 2 * sum(w for s, w in pairs if s <= median) >= total  # at least half the weight at or below
    assert 2 * sum(w for s, w in pairs if s < median) < total  # less than half strictly below
    doubled = [(s, 2 * w) for s, w in pairs]
    assert weighted_median(doubled) == median  # scale-free in the weights


@given(epochs(), st.floats(0.5, 50))
def test_a_validator_far_from_consensus_never_out_earns_an_honest_one(inputs, noise):
    """Add an honest validator (scores = consensus of the others) and a noisy one of equal stake."""
    assume(inputs.submissions)
    base = compute_epoch(inputs)
    honest, noisy = "0x" + "ee" * 20, "0x" + "ff" * 20
    equal = Stake(10**20)
    validators = dict(inputs.validators) | {honest: equal, noisy: equal}
    scores = dict(inputs.scores)
    scores[honest] = ParsedScores(honest, dict(base.consensus))
    scores[noisy] = ParsedScores(noisy, {m: c + noise for m, c in base.consensus.items()})
    result = compute_epoch(
        EpochInputs(1, 1, inputs.node_budget, 10**24, inputs.nodes, validators, inputs.submissions, scores)
    )
    earned = {a.account: a.gross for a in result.allocations if a.role == "validator"}
    assert earned.get(noisy, 0) <= earned.get(honest, 0)
    assert result.quality[noisy] <= result.quality[honest]


def test_largest_remainder_is_exact_where_floats_tie():
    """Fractional parts that are equal as floats but not exactly: the larger one gets the unit,
    whatever the order of the addresses (the float order alone would give it to the lower address)."""
    big = 10**40
    low, high = "0x" + "01" * 20, "0x" + "02" * 20
    # 1/3 exactly, and 1/3 + 1e-40: the same float.
    shares = [_Share(low, "node", low, 1, 3), _Share(high, "node", high, big + 3, 3 * big)]
    assert (big + 3) / (3 * big) == 1 / 3  # the floats tie
    assert _integerize(shares, 1) == [0, 1]
    # With the shares the other way round, still the larger fraction.
    assert _integerize(shares[::-1], 1) == [1, 0]
    # Exact ties go to the lower address.
    assert _integerize([_Share(high, "node", high, 1, 3), _Share(low, "node", low, 2, 6)], 1) == [0, 1]


@given(
    st.lists(st.tuples(st.integers(0, 4), score, st.integers(0, 5)), min_size=1, max_size=60),
    st.lists(st.integers(1, 10**6), min_size=6, max_size=6),
    st.sampled_from([1, 10**15, 10**30]),
)
def test_consensus_fast_path_is_the_weighted_median(entries, weights, unit):
    """numpy's exact 64-bit path (and its fallback for weights too large for it) give what
    ``weighted_median`` gives per model."""
    scaled = [w * unit for w in weights]
    ids, values, voters = (np.asarray(column) for column in zip(*entries, strict=True))
    medians = _lower_medians(ids.astype(np.int64), values.astype(np.float64), voters.astype(np.int64), scaled)
    for model in range(5):
        pairs = [(s, scaled[v]) for m, s, v in entries if m == model]
        assert medians.get(model) == (weighted_median(pairs) if pairs else None)
