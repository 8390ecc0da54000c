"""Branch arms proved by the way a condition's jump went (the recorded ``Coverage.jumps``).

The source-range evidence (flock/audit/coverage_report.py) cannot see an arm without code of its
own, nor tell the two arms of a one-armed `if` apart when the optimizer maps the `JUMPI` to the
whole statement (docs/audit.md, "Coverage"). Here the bytecode decides. A `JUMPI` of an `if` or a
`?:` (its source inside the statement, outside both arms) has two successors: the next instruction
and the pushed destination. From each, the straight-line code is followed (through `JUMPDEST`s,
generated code, constants pushed under a declaration outside the function, and jumps to a pushed
destination; never through another `JUMPI`) to the first instruction that says where the path went
(a `JUMPDEST`'s range says nothing: a label both ways reach carries the range of the block that made
it):

- ``"true"`` / ``"false"``: code mapped inside that arm;
- ``"after"``: code of the same function that starts at or after the statement's end;
- ``"exit"``: code mapped to a range enclosing the whole statement (the function's shared exit, the
  declaration a `?:` initialises, an enclosing loop).

Anything else (another `JUMPI`, a revert, a dynamic jump, code of another function or file: a
condition calling a function, a deduplicated block) leaves the successor unknown. A `JUMPI` decides
an arm when its two successors are known and name one arm on one side only:

- one successor enters an arm's code and the other does not: the other is the other arm's path (a
  one-armed `if`'s skip, an arm whose code is a constant or a conversion);
- a bare `return;` body: one successor leaves the function at once (only the exit's code, up to a
  `STOP`/`RETURN` or the dynamic jump back to the caller) and the other runs the next statement: the
  first is the true arm, the second the false arm.

The arm is credited when a recorded jump took that successor. Nothing is credited from a `JUMPI`
whose successors cannot both be placed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flock.audit import srcmap

_JUMP, _JUMPI, _JUMPDEST = 0x56, 0x57, 0x5B
_ENDS = frozenset({0x00, 0xF3, 0xFD, 0xFE, 0xFF})  # STOP, RETURN, REVERT, INVALID, SELFDESTRUCT
_PUSH1, _PUSH32 = 0x60, 0x7F
_WALK_LIMIT = 256  # instructions followed from a successor before giving up

Span = tuple[int, int]
Jump = tuple[str, int, int]  # as flock.audit.coverage records it


def _inside(r: tuple[int, int, int], span: Span) -> bool:
    return span[0] <= r[0] and r[0] + r[1] <= span[1]


def _push_value(codemap: srcmap.CodeMap, index: int) -> int | None:
    """The value the instruction at ``index`` pushes, if it is a PUSH."""
    pc = codemap.pcs[index]
    op = codemap.code[pc]
    if not _PUSH1 <= op <= _PUSH32:
        return None
    return int.from_bytes(codemap.code[pc + 1 : pc + 2 + op - _PUSH1], "big")


def _where(r: tuple[int, int, int], branch: srcmap.Branch, file_index: int) -> str | None:
    """Where an instruction mapped to ``r`` puts the path; "" when it says nothing (keep going)."""
    if r[2] < 0:
        return ""
    if r[2] != file_index:
        return None
    span = branch.span or branch.cond
    if _inside(r, span):
        return ""
    function = branch.function_span or span
    if not _inside(r, function):
        return None
    if r[0] >= span[1]:
        return "after"
    if r[0] <= span[0] and span[1] <= r[0] + r[1]:
        return "exit"
    return None


def _neutral(op: int, r: tuple[int, int, int], branch: srcmap.Branch, file_index: int) -> bool:
    """An instruction whose range says nothing of the path: a `JUMPDEST` (a label both ways may reach
    carries the range of the block that made it) or a constant pushed under its declaration outside
    the function (``_VALUE_BITS``)."""
    if op == _JUMPDEST:
        return True
    function = branch.function_span or branch.cond
    return _PUSH1 <= op <= _PUSH32 and r[2] >= 0 and (r[2] != file_index or not _inside(r, function))


def _follow(
    codemap: srcmap.CodeMap, pc: int, arms: dict[str, Span], branch: srcmap.Branch, file_index: int
) -> tuple[str, int] | None:
    """The first telling instruction on the straight-line path from ``pc``: (place, index) or None."""
    index = srcmap.index_of(codemap, pc)
    for _ in range(_WALK_LIMIT):
        if index is None:
            return None
        r = codemap.ranges[index]
        op = codemap.code[codemap.pcs[index]]
        if _neutral(op, r, branch, file_index):
            r = (-1, -1, -1)
        if r[2] == file_index:
            for arm, body in arms.items():
                if _inside(r, body):
                    return arm, index
        place = _where(r, branch, file_index)
        if place is None:
            return None
        if place:
            return place, index
        if op == _JUMPI or op in _ENDS:
            return None
        if op == _JUMP:
            target = _push_value(codemap, index - 1) if index > 0 else None
            if target is None or target >= len(codemap.code) or codemap.code[target] != _JUMPDEST:
                return None
            index = srcmap.index_of(codemap, target)
        else:
            index = index + 1 if index + 1 < len(codemap.pcs) else None
    return None


def _leaves_function(codemap: srcmap.CodeMap, index: int, branch: srcmap.Branch) -> bool:
    """From ``index`` (an "exit" instruction) the code only leaves: every instruction mapped to no
    source or to a range enclosing the statement, up to a STOP/RETURN or a dynamic jump."""
    span = branch.span or branch.cond
    for _ in range(_WALK_LIMIT):
        r = codemap.ranges[index]
        op = codemap.code[codemap.pcs[index]]
        if r[2] >= 0 and op != _JUMPDEST and not (r[0] <= span[0] and span[1] <= r[0] + r[1]):
            return False
        if op in (0x00, 0xF3):
            return True
        if op in _ENDS or op == _JUMPI:
            return False
        if op == _JUMP:
            target = _push_value(codemap, index - 1) if index > 0 else None
            if target is None:
                return True  # the jump back to an internal function's caller
            found = srcmap.index_of(codemap, target)
            if found is None:
                return False
            index = found
        elif index + 1 < len(codemap.pcs):
            index += 1
        else:
            return False
    return False


def _arms_of(branch: srcmap.Branch, profile: srcmap.ContractProfile) -> dict[str, Span]:
    return {b.arm: b.body for b in profile.branches if b.node == branch.node and b.body is not None}


def successors(codemap: srcmap.CodeMap, jumpi_index: int) -> tuple[int, int] | None:
    """(fall-through pc, destination pc) of the JUMPI at ``jumpi_index``, when the destination is pushed."""
    if jumpi_index == 0 or jumpi_index + 1 >= len(codemap.pcs):
        return None
    target = _push_value(codemap, jumpi_index - 1)
    if target is None:
        return None
    return codemap.pcs[jumpi_index + 1], target


def deciding_pcs(branch: srcmap.Branch, profile: srcmap.ContractProfile) -> frozenset[tuple[str, int, int]]:
    """(code key, JUMPI pc, successor pc) of every jump that proves ``branch`` taken, over the code of
    every contract that holds the branch's file (a library inlined, a base contract)."""
    return _deciding(branch, profile.name)


@cache
def _deciding(branch: srcmap.Branch, name: str) -> frozenset[tuple[str, int, int]]:
    profile = srcmap.load_profiles()[name]
    span = branch.span or branch.cond
    found = [(codemap, index) for codemap, index, r in _file_jumpis(profile.file_index) if _inside(r, span)]
    return decisions(branch, _arms_of(branch, profile), profile.file_index, found)


def decisions(
    branch: srcmap.Branch,
    arms: dict[str, Span],
    file_index: int,
    jumpis: Iterable[tuple[srcmap.CodeMap, int]],
) -> frozenset[tuple[str, int, int]]:
    """Of ``jumpis`` ((code, instruction index) of the JUMPIs mapped inside the statement), the
    (code key, JUMPI pc, successor pc) that prove ``branch`` taken; ``arms``: the arms with code."""
    out: set[tuple[str, int, int]] = set()
    for codemap, index in jumpis:
        r = codemap.ranges[index]
        if any(_inside(r, body) for body in arms.values()):
            continue
        pair = successors(codemap, index)
        if pair is None:
            continue
        places = [_follow(codemap, pc, arms, branch, file_index) for pc in pair]
        if places[0] is None or places[1] is None:
            continue
        taken = _arm_path(branch, [p[0] for p in places], codemap, [p[1] for p in places])
        if taken is not None:
            out.add((codemap.key, codemap.pcs[index], pair[taken]))
    return frozenset(out)


def _arm_path(branch: srcmap.Branch, places: list[str], codemap: srcmap.CodeMap, at: list[int]) -> int | None:
    """Which successor (0 or 1) is ``branch``'s arm, if the two places prove it."""
    other = "false" if branch.arm == "true" else "true"
    outside = ("after", "exit")
    for mine, theirs in ((0, 1), (1, 0)):
        if places[mine] == branch.arm and places[theirs] != branch.arm:
            return mine
        if places[theirs] == other and places[mine] in outside:
            return mine
    if branch.bare_return and sorted(places) == ["after", "exit"]:
        exit_side = places.index("exit")
        if not _leaves_function(codemap, at[exit_side], branch):
            return None
        return exit_side if branch.arm == "true" else 1 - exit_side
    return None


@cache
def _file_jumpis(file_index: int) -> list[tuple[srcmap.CodeMap, int, tuple[int, int, int]]]:
    out = []
    for profile in srcmap.load_profiles().values():
        for codemap in (profile.runtime, profile.creation):
            for index, pc in enumerate(codemap.pcs):
                if pc in codemap.jumpis and codemap.ranges[index][2] == file_index:
                    out.append((codemap, index, codemap.ranges[index]))
    return out


def arm_taken(branch: srcmap.Branch, profile: srcmap.ContractProfile, jumps: set[Jump]) -> bool:
    """A recorded jump went down a successor that is ``branch``'s arm."""
    return bool(deciding_pcs(branch, profile) & jumps)
