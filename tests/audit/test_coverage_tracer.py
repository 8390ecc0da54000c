"""The coverage tracer's branch evidence (flock/audit/coverage.py) on synthetic steps, and the
plugin's choice of what runs on anvil with ``--coverage`` (flock/audit/coverage_plugin.py)."""

from __future__ import annotations

import pytest

from flock.audit import coverage as cov
from flock.audit import coverage_plugin as plugin
from flock.audit.srcmap import CodeMap

JUMPI, OTHER = 0x57, 0x01
FILE = 3
COND = (100, 20, FILE)  # `a || b`
BODY = (130, 10, FILE)  # the true body (a revert)
EXIT = (200, 5, FILE)  # the code after the `if`
GENERATED = (0, 0, -1)  # code without a source


def _trace(ranges_and_ops: list[tuple[tuple[int, int, int], int]]) -> cov.Coverage:
    codemap = CodeMap(pcs=list(range(len(ranges_and_ops))), ranges=[r for r, _ in ranges_and_ops])
    coverage = cov.Coverage()
    tracer = cov.Tracer(coverage, lambda address: b"")
    steps = [(pc, op, 1, lambda: []) for pc, (_, op) in enumerate(ranges_and_ops)]
    tracer.run(steps, cov._Frame(codemap, 1), targets=[])
    return coverage


def test_a_fall_through_that_stays_in_the_condition_is_followed_to_where_it_leaves():
    coverage = _trace([(COND, JUMPI), (COND, OTHER), (GENERATED, OTHER), (COND, OTHER), (EXIT, OTHER)])
    assert (COND, COND) in coverage.edges  # the step right after the JUMPI
    assert (COND, EXIT) in coverage.edges  # where the condition's code was left for
    assert all(b != BODY for _, b in coverage.edges)
    assert coverage.transactions == 1


def test_a_jump_into_the_body_gives_no_edge_elsewhere():
    coverage = _trace([(COND, JUMPI), (BODY, OTHER), (BODY, OTHER)])
    assert coverage.edges == {(COND, BODY)}
    assert {COND, BODY} <= coverage.ranges


def test_only_protocol_machines_run_on_anvil():
    from flock.testing.alliance_machine import AllianceMachine

    class Item:
        cls = AllianceMachine.TestCase

    class Plain:
        cls = None

    assert plugin._machine_of(Item()) is AllianceMachine  # type: ignore[arg-type]
    assert plugin._machine_of(Plain()) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "budget"),
    [("", (plugin.COVERAGE_EXAMPLES, plugin.COVERAGE_STEPS)), ("3,7", (3, 7)), ("0,0", (1, 1))],
)
def test_the_budget_comes_from_the_environment(monkeypatch, given, budget):
    from flock.testing.staking_machine import StakingMachine
    from flock.testing.system_machine import SystemMachine

    monkeypatch.setenv("FLOCK_COVERAGE_BUDGET", given)
    assert plugin._budget(StakingMachine) == budget
    if given:
        assert plugin._budget(SystemMachine) == budget  # the environment sets every machine's
    else:
        assert plugin._budget(SystemMachine) == plugin.MACHINE_BUDGETS["SystemMachine"]
