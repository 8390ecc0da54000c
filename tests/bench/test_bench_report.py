"""The benchmark report: only gas budgets and ratios fail, absolute times are information, and the
table shows each changed key's previous figure (its anchor) beside the new one."""

from __future__ import annotations

import pytest

from flock.bench.budgets import BUDGETS
from flock.bench.report import (
    AnchorError,
    change,
    gas_markdown,
    previous_results,
    unmet_budgets,
    update_gas_doc,
)


def test_absolute_times_never_fail_and_ratios_do():
    timed = ("fuzz.tx_per_second", "fuzz.staking_tx_per_second", "oracle.scores_1m_seconds")
    assert not unmet_budgets(dict.fromkeys(timed, 0.001))
    assert not unmet_budgets({"fuzz.tx_per_second": 10**9})
    assert unmet_budgets({"fuzz.vs_anvil": 14.9}) == ["fuzz.vs_anvil"]
    assert unmet_budgets({"oracle.merkle_vs_ozjs": 1.01}) == ["oracle.merkle_vs_ozjs"]
    # Every judged budget is gas, a ratio or memory: no seconds, no rates.
    judged = [key for key, b in BUDGETS.items() if b.kind != "info"]
    assert not [k for k in judged if k.endswith(("_seconds", "_per_second"))]


def test_the_table_shows_each_change_beside_its_anchor(tmp_path):
    doc = tmp_path / "gas.md"
    doc.write_text("# Gas\n\nintro\n")
    update_gas_doc({"gas.a": 100, "gas.b": 7, "gas.gone": 3}, doc)  # no table yet: nothing to compare
    assert previous_results(doc) == {"gas.a": 100, "gas.b": 7, "gas.gone": 3}
    update_gas_doc({"gas.a": 80, "gas.b": 7, "gas.new": 1}, doc)
    rows = {
        line.split("|")[1].strip(): line for line in doc.read_text().splitlines() if line.startswith("| `")
    }
    assert "| 100 (-20.0%) |" in rows["`gas.a`"]
    assert rows["`gas.b`"].split("|")[3].strip() == ""  # unchanged: no anchor
    assert "| new |" in rows["`gas.new`"]
    assert "| removed | 3 |" in rows["`gas.gone`"]
    assert doc.read_text().startswith("# Gas\n\nintro\n")
    # The next run compares with this table; a removed key's row is no figure.
    assert previous_results(doc) == {"gas.a": 80, "gas.b": 7, "gas.new": 1}


def test_change_formats():
    assert change("k", {"k": 680_800}, {"k": 680_800}) == ""
    assert change("k", {"k": 146_610}, {"k": 680_800}) == "680,800 (-78.5%)"
    assert change("k", {"k": 1}, {}) == ""  # no previous table at all
    assert "| key | latest | previous | budget | anchor |" in gas_markdown({"k": 1})


def test_anchors_can_come_from_a_git_revision():
    at_head = previous_results(ref="HEAD")
    assert at_head["gas.reward_post"] > 0 and "gas.reward_finalize" in at_head
    with pytest.raises(AnchorError, match="no-such-revision-anywhere"):
        previous_results(ref="no-such-revision-anywhere")


def test_the_gateway_ratio_interleaves_the_same_chunks_in_alternating_order():
    """api.overhead_ratio (decision 122): every request runs once on each side, chunk by chunk, the
    two sides of a chunk back to back, and which goes first alternates, so a slow spell of the
    machine falls on both sides of a round, not on one side of the whole run."""
    from flock.bench.api import interleaved

    calls: list[tuple[str, list[int]]] = []
    base, measured = interleaved(
        lambda chunk: calls.append(("base", chunk)), lambda chunk: calls.append(("http", chunk)), 10, 4
    )
    assert [side for side, _ in calls] == ["base", "http", "http", "base", "base", "http", "http", "base"]
    chunks = [chunk for _, chunk in calls]
    assert chunks[0::2] == chunks[1::2] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert base.cpu >= 0 and measured.wall > 0
