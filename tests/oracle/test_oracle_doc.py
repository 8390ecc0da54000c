"""The worked example in docs/oracle.md is what the oracle computes (flock/oracle/example.py)."""

from fractions import Fraction

from flock.oracle.example import D1, M1, M2, M3, N1, N2, N3, V1, V2, V3, example
from flock.oracle.report import build_tree
from flock.oracle.scoring import compute_epoch
from flock.paths import DOCS_DIR

DOC = (DOCS_DIR / "oracle.md").read_text()
NAMES = {"N1": N1, "N2": N2, "N3": N3, "V1": V1, "V2": V2, "V3": V3, "D1": D1}
MODELS = {"M1": M1, "M2": M2, "M3": M3}
RESULT = compute_epoch(example())


def table(name: str) -> list[list[str]]:
    block = DOC.split(f"<!-- example:{name}:start -->")[1].split(f"<!-- example:{name}:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def number(cell: str) -> float:
    return float(cell.split("=")[-1].replace(",", "").strip())


def test_consensus_table():
    inputs = example()
    for model, v1, v2, v3, consensus in table("consensus"):
        m = MODELS[model]
        for cell, validator in ((v1, V1), (v2, V2), (v3, V3)):
            scored = inputs.scores[validator].scores.get(m)
            assert (scored is None and cell == "") or scored == float(cell)
        assert RESULT.consensus[m] == float(consensus)


def test_quality_table():
    for validator, coverage, _, quality, weight in table("quality"):
        v = NAMES[validator]
        scored = len(example().scores[v].scores)
        assert Fraction(coverage) == Fraction(scored, 3)
        assert abs(float(RESULT.quality[v]) - number(quality)) < 5e-7
        stake = example().validators[v].effective
        assert abs(float(RESULT.quality[v]) * stake - number(weight)) < 5e-4


def test_allocations_table():
    allocations = {(a.account, a.role): a for a in RESULT.allocations}
    rows = table("allocations")
    assert len(rows) == len(allocations)
    for account, role, exact, gross, fee, net in rows:
        a = allocations[(NAMES[account], role.split()[0])]
        if "/" in exact.split("=")[0]:
            assert a.exact == Fraction(exact.split("=")[0].strip())
        assert abs(float(a.exact) - number(exact)) < 0.005
        assert (a.gross, a.fee, a.net) == (int(number(gross)), int(number(fee)), int(number(net)))
        if role.startswith("delegator"):
            assert NAMES[role.split()[-1]] == a.via


def test_totals_table():
    ((total, burn, unallocated, root),) = table("totals")
    assert (RESULT.total, RESULT.burn, RESULT.unallocated) == (
        int(number(total)),
        int(number(burn)),
        int(number(unallocated)),
    )
    assert "0x" + build_tree(RESULT).root.hex() == root
    assert RESULT.total + RESULT.burn + RESULT.unallocated == 1_500_000
