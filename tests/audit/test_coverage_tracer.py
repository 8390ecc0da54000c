"""The coverage tracer's branch evidence (flock/audit/coverage.py) on synthetic steps, and the
plugin's choice of what runs on anvil with ``--coverage`` (flock/audit/coverage_plugin.py)."""

from __future__ import annotations

import pytest

from flock.audit import coverage as cov
from flock.audit import coverage_plugin as plugin
from flock.audit import jumps, srcmap
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


# ------------------------------------------------------------ arms proved by the way a JUMPI went
# Small hand-assembled codes with their source maps (flock/audit/jumps.py): the three shapes the
# source ranges cannot see (docs/audit.md, "Coverage": (A), (B), (C)).

STMT = (96, 160)  # the whole `if` statement (or the `?:`), starting 4 characters before COND
FUNCTION = (50, 200)
WHOLE = (STMT[0], STMT[1] - STMT[0], FILE)  # the optimizer's range for the `if`'s JUMPI
NEXT = (170, 10, FILE)  # the statement after the `if`
EXIT_RANGE = (FUNCTION[0], FUNCTION[1] - FUNCTION[0], FILE)  # the function's shared exit
ELSEWHERE = (300, 10, FILE)  # another function's code (a deduplicated revert lives there)
PUSH1, JUMP, JUMPDEST, STOP, REVERT, DUP1 = 0x60, 0x56, 0x5B, 0x00, 0xFD, 0x80


def _code(program: list[tuple[int, int | None, tuple[int, int, int]]], key: str = "C:runtime") -> CodeMap:
    """(opcode, push byte or None, source range) per instruction -> a CodeMap with its bytecode."""
    code, pcs, ranges, jumpis = bytearray(), [], [], set()
    for op, arg, r in program:
        pcs.append(len(code))
        if op == JUMPI:
            jumpis.add(len(code))
        code.append(op)
        if arg is not None:
            code.append(arg)
        ranges.append(r)
    return CodeMap(pcs, ranges, jumpis, bytes(code), key)


def _branch(arm: str, body: tuple[int, int] | None, *, bare_return: bool = False) -> srcmap.Branch:
    return srcmap.Branch(
        1,
        arm,
        5,
        "f",
        body,
        (COND[0], COND[0] + COND[1]),
        span=STMT,
        function_span=FUNCTION,
        bare_return=bare_return,
    )


def _decided(codemap: CodeMap, branch: srcmap.Branch, arms: dict) -> frozenset:
    found = [(codemap, i) for i, pc in enumerate(codemap.pcs) if pc in codemap.jumpis]
    return jumps.decisions(branch, arms, FILE, found)


def _run(codemap: CodeMap, pcs: list[int]) -> cov.Coverage:
    coverage = cov.Coverage()
    steps = [(pc, codemap.code[pc], 1, lambda: []) for pc in pcs]
    cov.Tracer(coverage, lambda address: b"").run(steps, cov._Frame(codemap, 1), targets=[])
    return coverage


# `if (c) revert E(); x = 1;` with the JUMPI mapped to the whole statement: pcs 0 2 4 | 5 7 | 8 9 11 12
BODY_SPAN = (BODY[0], BODY[0] + BODY[1])
ONE_ARMED = [
    (PUSH1, 1, COND),
    (PUSH1, 8, WHOLE),
    (JUMPI, None, WHOLE),
    (PUSH1, 0, NEXT),  # pc 5: the false arm goes on with the next statement
    (STOP, None, NEXT),
    (JUMPDEST, None, WHOLE),  # pc 8: the true arm
    (PUSH1, 0, BODY),
    (DUP1, None, BODY),
    (REVERT, None, BODY),
]


def test_the_tracer_records_which_way_each_jumpi_went():
    codemap = _code(ONE_ARMED)
    assert _run(codemap, [0, 2, 4, 5, 7]).jumps == {("C:runtime", 4, 5)}
    assert _run(codemap, [0, 2, 4, 8, 9, 11, 12]).jumps == {("C:runtime", 4, 8)}
    saved = cov.Coverage.from_json(_run(codemap, [0, 2, 4, 5, 7]).to_json())
    assert saved.jumps == {("C:runtime", 4, 5)}
    assert cov.Coverage.from_json('{"ranges": [], "edges": [], "transactions": 0}').jumps == set()


def test_a_one_armed_if_mapped_to_the_whole_statement_credits_the_false_arm_only_when_skipped():
    codemap = _code(ONE_ARMED)
    false_arm = _branch("false", None)
    decided = _decided(codemap, false_arm, {"true": BODY_SPAN})
    assert decided == {("C:runtime", 4, 5)}
    assert decided & _run(codemap, [0, 2, 4, 5, 7]).jumps  # skipped: the false arm ran
    assert not decided & _run(codemap, [0, 2, 4, 8, 9, 11, 12]).jumps  # reverted: it did not
    true_arm = _branch("true", BODY_SPAN)
    assert _decided(codemap, true_arm, {"true": BODY_SPAN}) == {("C:runtime", 4, 8)}


def test_a_body_whose_code_lives_elsewhere_proves_nothing():
    # The optimizer shared the revert with another function: neither successor enters the body, so
    # the skip cannot be told from the body, and no arm is credited whichever way the jump went.
    program = [*ONE_ARMED[:6], (PUSH1, 0, ELSEWHERE), (DUP1, None, ELSEWHERE), (REVERT, None, ELSEWHERE)]
    codemap = _code(program)
    assert _decided(codemap, _branch("false", None), {"true": BODY_SPAN}) == frozenset()


def test_a_condition_that_goes_on_after_the_jump_decides_nothing():
    # `if (a || b)`: the first JUMPI's fall-through evaluates `b` (another JUMPI): not decisive.
    program = [
        (PUSH1, 1, COND),
        (PUSH1, 13, WHOLE),
        (JUMPI, None, COND),  # pc 4: `a` true -> body
        (PUSH1, 1, COND),  # pc 5: evaluate `b`
        (PUSH1, 13, WHOLE),
        (JUMPI, None, WHOLE),  # pc 9
        (PUSH1, 0, NEXT),  # pc 10
        (STOP, None, NEXT),
        (JUMPDEST, None, WHOLE),  # pc 13
        (PUSH1, 0, BODY),
        (REVERT, None, BODY),
    ]
    codemap = _code(program)
    assert _decided(codemap, _branch("false", None), {"true": BODY_SPAN}) == {("C:runtime", 9, 10)}


# `if (c) return; x = 1;` in a private function: the body has no code, the JUMPI goes to the exit.
BARE_RETURN = [
    (PUSH1, 1, COND),
    (PUSH1, 8, WHOLE),
    (JUMPI, None, WHOLE),
    (PUSH1, 0, NEXT),  # pc 5
    (JUMP, None, GENERATED),  # a dynamic jump (no PUSH before it): the caller, unknown
    (JUMPDEST, None, EXIT_RANGE),  # pc 8: the function's shared exit
    (STOP, None, EXIT_RANGE),
]


RETURN = {"true": (140, 147)}  # the `return;` (no instruction is mapped inside it)


def test_a_bare_return_is_credited_by_the_jump_that_leaves_the_function():
    codemap = _code(BARE_RETURN)
    true_arm = _branch("true", RETURN["true"], bare_return=True)
    assert _decided(codemap, true_arm, RETURN) == {("C:runtime", 4, 8)}
    assert _decided(codemap, true_arm, RETURN) & _run(codemap, [0, 2, 4, 8, 9]).jumps
    assert not _decided(codemap, true_arm, RETURN) & _run(codemap, [0, 2, 4, 5, 7]).jumps
    false_arm = _branch("false", None, bare_return=True)
    assert _decided(codemap, false_arm, RETURN) == {("C:runtime", 4, 5)}


def test_without_a_bare_return_an_exit_and_a_next_statement_prove_nothing():
    codemap = _code(BARE_RETURN)
    assert _decided(codemap, _branch("true", RETURN["true"]), RETURN) == frozenset()
    # the exit path runs a statement's code before leaving: not a bare return's path
    program = [*BARE_RETURN[:6], (PUSH1, 0, NEXT), (STOP, None, EXIT_RANGE)]
    true_arm = _branch("true", RETURN["true"], bare_return=True)
    assert _decided(_code(program), true_arm, RETURN) == frozenset()


# `y = c ? type(uint256).max : v;`: the true arm is a constant pushed under the declaration's range.
DECLARATION = (90, 80, FILE)  # encloses the `?:` (STMT)
TRUE_EXPR, FALSE_EXPR = (130, 138), (145, 150)  # (start, end)
CONDITIONAL = [
    (PUSH1, 1, COND),
    (PUSH1, 9, WHOLE),
    (JUMPI, None, WHOLE),
    (DUP1, None, (145, 5, FILE)),  # pc 5: `v`
    (PUSH1, 12, WHOLE),
    (JUMP, None, WHOLE),
    (JUMPDEST, None, GENERATED),  # pc 9: the true arm
    (PUSH1, 0xFF, DECLARATION),  # the constant
    (JUMPDEST, None, DECLARATION),  # pc 12
    (STOP, None, DECLARATION),
]


def test_a_constant_arm_is_credited_by_the_jump_that_avoids_the_other_arm():
    codemap = _code(CONDITIONAL)
    arms = {"true": TRUE_EXPR, "false": FALSE_EXPR}
    true_arm = _branch("true", TRUE_EXPR)
    assert _decided(codemap, true_arm, arms) == {("C:runtime", 4, 9)}
    assert not _decided(codemap, true_arm, arms) & _run(codemap, [0, 2, 4, 5, 6, 8, 12, 13]).jumps
    assert _decided(codemap, _branch("false", FALSE_EXPR), arms) == {("C:runtime", 4, 5)}


def test_a_jump_against_the_arms_own_code_is_not_counted(monkeypatch):
    # The report's guard: an arm with code of its own that did not run is not credited by a jump.
    from flock.audit import coverage_report as report

    profile = srcmap.ContractProfile("C", "c.sol", "", CodeMap([], []), CodeMap([], []), FILE)
    monkeypatch.setattr(report, "_file_ranges", lambda file_index: frozenset({BODY}))
    arm = _branch("true", BODY_SPAN)
    assert report._contradicted(arm, profile, [])
    assert not report._contradicted(arm, profile, [BODY])
    assert not report._contradicted(_branch("true", RETURN["true"]), profile, [])  # no code of its own
