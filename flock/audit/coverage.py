"""Line and branch coverage of contracts/ from execution traces.

Traces come from both EVMs the tests use: anvil (ape's tests: ``debug_traceTransaction`` and
``debug_traceCall``, geth's struct logs) and pyrevm (the in-process harness: its EIP-3155 tracer).
Each step's program counter is mapped through the source maps of the contract whose code runs
(flock/audit/srcmap.py) to a source range; a line is covered when a statement starting on it ran;
an `if` or `?:` arm is covered when code of its body ran, or, for a missing else, when a jump of
its condition skipped the body. Results accumulate in a ``Coverage`` and are merged across
processes through JSON files in reports/coverage/parts/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flock.audit import srcmap

Range = tuple[int, int, int]  # start, length, file index
Step = tuple[int, int, int, Callable[[], list[str]]]  # pc, opcode, depth, the stack (bottom first)
Jump = tuple[str, int, int]  # code key (srcmap.CodeMap.key), pc of a JUMPI, pc of the next step

_CALLS = {0xF1, 0xF2, 0xF4, 0xFA}  # CALL, CALLCODE, DELEGATECALL, STATICCALL
_CREATES = {0xF0, 0xF5}
_JUMPI = 0x57
_OPS = {
    "CALL": 0xF1,
    "CALLCODE": 0xF2,
    "DELEGATECALL": 0xF4,
    "STATICCALL": 0xFA,
    "CREATE": 0xF0,
    "CREATE2": 0xF5,
}
_OPS["JUMPI"] = _JUMPI


@dataclass
class _Frame:
    codemap: srcmap.CodeMap | None
    depth: int
    pending: list[tuple[int, int]] = field(default_factory=list)  # creation pcs before the name is known
    creation: bool = False
    created: str | None = None  # the created address, when a call tracer told it


@dataclass
class Coverage:
    """Executed source ranges and branch edges, over any number of transactions."""

    ranges: set[Range] = field(default_factory=set)
    edges: set[tuple[Range, Range]] = field(default_factory=set)
    transactions: int = 0
    # (code key, pc of a JUMPI, pc of the step right after it): which way each JUMPI went
    jumps: set[Jump] = field(default_factory=set)

    def merge(self, other: Coverage) -> None:
        self.ranges |= other.ranges
        self.edges |= other.edges
        self.transactions += other.transactions
        self.jumps |= other.jumps

    def to_json(self) -> str:
        return json.dumps(
            {
                "ranges": sorted(self.ranges),
                "edges": sorted(self.edges),
                "transactions": self.transactions,
                "jumps": sorted(self.jumps),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        data = json.loads(text)
        return cls(
            {tuple(r) for r in data["ranges"]},
            {(tuple(a), tuple(b)) for a, b in data["edges"]},
            int(data["transactions"]),
            {(str(k), int(a), int(b)) for k, a, b in data.get("jumps", [])},  # parts of before had none
        )


class Tracer:
    """Turns one transaction's steps into ranges and edges of a ``Coverage``.

    ``code_of(address)`` returns the runtime code at an address (to recognise the contract).
    Steps are (pc, opcode, depth, stack) with the stack bottom first, as both tracers print it.
    """

    def __init__(self, coverage: Coverage, code_of: Callable[[str], bytes]) -> None:
        self.coverage = coverage
        self.code_of = code_of
        self._names: dict[str, str | None] = {}

    def _runtime_map(self, address: str) -> srcmap.CodeMap | None:
        address = address.lower()
        if address not in self._names:
            self._names[address] = srcmap.identify_runtime(self.code_of(address))
        name = self._names[address]
        return srcmap.load_profiles()[name].runtime if name else None

    def run(self, steps: Iterable[Step], top: _Frame, targets: list[tuple[str, str]] | None = None) -> None:
        """``targets``: the transaction's calls in the order they start, (kind, address), from a call
        tracer (then the steps need no stack: the struct logs come without it, several times smaller);
        without it, each call's target is read from the stack of the CALL step."""
        pending_targets = iter(_frames_with_code(targets, self.code_of)) if targets is not None else None
        frames = [top]
        ranges, edges, jumps = self.coverage.ranges, self.coverage.edges, self.coverage.jumps
        last_jumpi: dict[int, Range] = {}
        # The JUMPI each frame executed last (code key, pc): the next step of that frame says which
        # way it went (its pc is either the JUMPI's pc + 1 or the jump's destination).
        jumpi_at: dict[int, tuple[str, int]] = {}
        # After a JUMPI, the first source range outside the JUMPI's own range (same frame): where
        # the condition's code was left for. A fall-through that stays in the condition (``a || b``
        # or the optimizer's shared exit code) and only then leaves is seen by this edge.
        leaving: dict[int, Range] = {}
        previous: tuple[int, int, list[str] | None] | None = None  # op, depth, stack of the step before
        for pc, op, depth, stack_of in steps:
            frame = frames[-1]
            if depth > frame.depth and previous is not None:
                prev_op, _, prev_stack = previous
                if pending_targets is not None:
                    kind, target = next(pending_targets, ("CALL", ""))
                    if kind.startswith("CREATE"):
                        frames.append(_Frame(None, depth, creation=True, created=target))
                    else:
                        frames.append(_Frame(self._runtime_map(target) if target else None, depth))
                elif prev_op in _CALLS and prev_stack:
                    target = "0x" + prev_stack[-2].removeprefix("0x").rjust(40, "0")[-40:]
                    frames.append(_Frame(self._runtime_map(target), depth))
                elif prev_op in _CREATES:
                    frames.append(_Frame(None, depth, creation=True))
                else:
                    frames.append(_Frame(None, depth))
                frame = frames[-1]
                last_jumpi.pop(depth, None)
                leaving.pop(depth, None)
                jumpi_at.pop(depth, None)
            while depth < frame.depth and len(frames) > 1:
                ended = frames.pop()
                last_jumpi.pop(ended.depth, None)
                leaving.pop(ended.depth, None)
                jumpi_at.pop(ended.depth, None)
                stack = stack_of() if ended.creation and ended.pending and not ended.created else None
                created = ended.created if ended.creation and ended.pending else None
                if stack:
                    # The address CREATE pushed: name the frame after the code now there.
                    created = "0x" + stack[-1].removeprefix("0x").rjust(40, "0")[-40:]
                if created:
                    name = self._names.get(created.lower()) or srcmap.identify_runtime(self.code_of(created))
                    if name:
                        self._record_pending(srcmap.load_profiles()[name].creation, ended.pending)
                frame = frames[-1]
            codemap = frame.codemap
            if codemap is not None:
                went = jumpi_at.pop(depth, None)
                if went is not None:
                    jumps.add((went[0], went[1], pc))
                if op == _JUMPI:
                    jumpi_at[depth] = (codemap.key, pc)
                index = srcmap.index_of(codemap, pc)
                if index is not None:
                    r = codemap.ranges[index]
                    if r[2] >= 0:
                        ranges.add(r)
                    jumped_from = last_jumpi.pop(depth, None)
                    if jumped_from is not None:
                        edges.add((jumped_from, r))
                    left = leaving.get(depth)
                    if left is not None and r[2] >= 0 and not _within(r, left):
                        edges.add((left, r))
                        del leaving[depth]
                    if op == _JUMPI:
                        last_jumpi[depth] = r
                        leaving[depth] = r
            elif frame.creation:
                frame.pending.append((pc, op))
            previous = (op, depth, stack_of() if op in _CALLS and pending_targets is None else None)
        self.coverage.transactions += 1

    def _record_pending(self, codemap: srcmap.CodeMap, steps: list[tuple[int, int]]) -> None:
        last: Range | None = None
        last_pc: int | None = None
        for pc, op in steps:
            if last_pc is not None:
                self.coverage.jumps.add((codemap.key, last_pc, pc))
            last_pc = pc if op == _JUMPI else None
            index = srcmap.index_of(codemap, pc)
            if index is None:
                continue
            r = codemap.ranges[index]
            if r[2] >= 0:
                self.coverage.ranges.add(r)
            if last is not None:
                self.coverage.edges.add((last, r))
            last = r if op == _JUMPI else None


def _within(r: Range, outer: Range) -> bool:
    return r[2] == outer[2] and outer[0] <= r[0] and r[0] + r[1] <= outer[0] + outer[1]


_PRECOMPILE_LIMIT = 0x100  # addresses up to here are precompiles: no code, no steps of their own


def call_targets(call: dict) -> list[tuple[str, str]]:
    """The nested calls of a callTracer result in the order they start: (type, address)."""
    out: list[tuple[str, str]] = []
    stack = list(reversed(call.get("calls") or []))
    while stack:
        node = stack.pop()
        out.append((str(node.get("type", "CALL")).upper(), str(node.get("to") or "").lower()))
        stack.extend(reversed(node.get("calls") or []))
    return out


def _frames_with_code(
    targets: list[tuple[str, str]], code_of: Callable[[str], bytes]
) -> Iterable[tuple[str, str]]:
    """The calls that open a frame with steps: a creation, or a call to an address with code (a call to
    an account without code or to a precompile runs no step, so the struct logs show no frame)."""
    for kind, address in targets:
        creation = kind.startswith("CREATE")
        if creation or (address and int(address, 16) > _PRECOMPILE_LIMIT and code_of(address)):
            yield kind, address


def top_frame_for_call(tracer: Tracer, to: str) -> _Frame:
    return _Frame(tracer._runtime_map(to), 1)


def top_frame_for_creation(code: bytes) -> _Frame:
    name = srcmap.identify_creation(code)
    return _Frame(srcmap.load_profiles()[name].creation if name else None, 1)


# ---------------------------------------------------------------------------------- trace parsers


_PC_RE = re.compile(rb'^\{"pc":(\d+),"op":(\d+),.*"depth":(\d+)')


def _stack_of(line: bytes) -> Callable[[], list[str]]:
    def parse() -> list[str]:
        start = line.index(b'"stack":[') + 9
        end = line.index(b"]", start)
        return [item.strip(b'"').decode() for item in line[start:end].split(b",") if item]

    return parse


def eip3155_steps(lines: Iterable[bytes]) -> Iterable[Step]:
    """pyrevm's tracer output: one JSON object per step (and a summary line, skipped)."""
    for line in lines:
        match = _PC_RE.match(line)
        if match:
            yield int(match.group(1)), int(match.group(2)), int(match.group(3)), _stack_of(line)


def structlog_steps(logs: Iterable[dict]) -> Iterable[Step]:
    """geth-style struct logs (anvil's ``debug_trace*``)."""
    for log in logs:
        stack = log.get("stack") or []
        yield log["pc"], _OPS.get(log["op"], 0), log["depth"], (lambda s=stack: s)


# ------------------------------------------------------------------------------- parts on disk


def parts_dir(root: Path) -> Path:
    return root / "coverage" / "parts"


def save_part(coverage: Coverage, root: Path, label: str) -> Path:
    directory = parts_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{label}-{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(coverage.to_json())
    tmp.replace(path)
    return path


def load_parts(root: Path) -> Coverage:
    total = Coverage()
    for path in sorted(parts_dir(root).glob("*.json")):
        total.merge(Coverage.from_json(path.read_text()))
    return total
