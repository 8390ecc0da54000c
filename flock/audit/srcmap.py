"""The coverage profile of the contracts: which program counters belong to which statement, line,
function and branch of contracts/, from the compiler's own source maps and AST.

ape's build keeps only the creation code's source map; coverage needs the runtime code's too, so
the contracts are compiled once more here, through the same solc-js shim with the same settings as
ape-config.yaml (optimizer, runs, EVM version, remappings), asking for both source maps and the
AST. The result is cached in .build/coverage/ under a digest of the sources and settings. The
bytecode is checked against ape's build (``check_against_ape``), so the maps describe exactly the
code the tests run.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from flock import artifacts
from flock.paths import PROJECT_ROOT

SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
CACHE_DIR = PROJECT_ROOT / ".build" / "coverage"
CONTRACTS_DIR = "contracts"

# AST nodes that are statements (a line is executable if one starts on it).
_STATEMENTS = frozenset(
    {
        "ExpressionStatement",
        "VariableDeclarationStatement",
        "Return",
        "RevertStatement",
        "EmitStatement",
        "IfStatement",
        "ForStatement",
        "WhileStatement",
        "DoWhileStatement",
        "Break",
        "Continue",
        "InlineAssembly",
        "TryStatement",
        "UncheckedBlock",
    }
)
# Statements whose own line is covered by their parts (their body's statements carry the lines).
_CONTAINERS = frozenset({"UncheckedBlock"})

_PUSH1, _PUSH32 = 0x60, 0x7F


class SourceMapError(RuntimeError):
    """The coverage compilation failed or does not match ape's build."""


@dataclass(frozen=True)
class Branch:
    """One way of an `if` or a `?:`: ``arm`` is "true" or "false"."""

    node: int  # the AST id of the if / conditional
    arm: str
    line: int
    function: str
    # (start, end) of the arm's code; None for a missing else (taken when the body is skipped)
    body: tuple[int, int] | None
    cond: tuple[int, int]
    # A missing else after a true body that always leaves (revert, return, break, continue): the
    # next statement of the same block, which only the false arm reaches.
    after: tuple[int, int] | None = None
    # The whole `if` statement or `?:` expression, the enclosing function, and whether the true
    # body is a bare `return;` (no code of its own): for the jump evidence (flock/audit/jumps.py).
    span: tuple[int, int] | None = None
    function_span: tuple[int, int] | None = None
    bare_return: bool = False


@dataclass
class CodeMap:
    """pc -> source range for one bytecode (runtime or creation)."""

    pcs: list[int]  # pc of each instruction
    ranges: list[tuple[int, int, int]]  # (start, length, file index) per instruction
    jumpis: set[int] = field(default_factory=set)
    code: bytes = b""
    key: str = ""  # "<contract>:runtime" or "<contract>:creation": names the code in recorded jumps


@dataclass
class ContractProfile:
    name: str
    source: str  # path relative to the project
    text: str
    runtime: CodeMap
    creation: CodeMap
    file_index: int
    lines: dict[int, str] = field(default_factory=dict)  # executable line -> function
    statements: list[tuple[int, int, int, str]] = field(default_factory=list)  # start, end, line, fn
    functions: dict[str, int] = field(default_factory=dict)  # function -> first line
    branches: list[Branch] = field(default_factory=list)

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def statement_at(self, start: int, length: int) -> tuple[int, str] | None:
        """(line, function) of the innermost statement containing [start, start + length)."""
        best: tuple[int, int, int, str] | None = None
        for s in self.statements:
            if s[0] <= start and start + length <= s[1] and (best is None or s[1] - s[0] < best[1] - best[0]):
                best = s
        return (best[2], best[3]) if best else None


def _instructions(code: bytes) -> Iterator[tuple[int, int]]:
    pc = 0
    while pc < len(code):
        op = code[pc]
        yield pc, op
        pc += 1 + (op - _PUSH1 + 1 if _PUSH1 <= op <= _PUSH32 else 0)


def _decode_sourcemap(text: str, code: bytes, key: str = "") -> CodeMap:
    entries: list[tuple[int, int, int]] = []
    s, ln, f = -1, -1, -1
    for item in text.split(";") if text else []:
        parts = item.split(":")
        if len(parts) > 0 and parts[0] != "":
            s = int(parts[0])
        if len(parts) > 1 and parts[1] != "":
            ln = int(parts[1])
        if len(parts) > 2 and parts[2] != "":
            f = int(parts[2])
        entries.append((s, ln, f))
    pcs: list[int] = []
    jumpis: set[int] = set()
    for i, (pc, op) in enumerate(_instructions(code)):
        if i >= len(entries):
            break
        pcs.append(pc)
        if op == 0x57:
            jumpis.add(pc)
    return CodeMap(pcs, entries[: len(pcs)], jumpis, code, key)


def _settings() -> dict[str, Any]:
    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())["solidity"]
    remappings = list(config["import_remapping"])
    return {
        "optimizer": {
            "enabled": bool(config.get("optimize", True)),
            "runs": int(config["optimization_runs"]),
        },
        "evmVersion": config["evm_version"],
        "remappings": remappings,
        "outputSelection": {
            "*": {
                "": ["ast"],
                "*": [
                    "evm.bytecode.object",
                    "evm.bytecode.sourceMap",
                    "evm.deployedBytecode.object",
                    "evm.deployedBytecode.sourceMap",
                    "evm.deployedBytecode.immutableReferences",
                ],
            }
        },
    }


def _sources() -> list[Path]:
    return sorted((PROJECT_ROOT / CONTRACTS_DIR).rglob("*.sol"))


def _compile() -> dict[str, Any]:
    settings = _settings()
    sources = {str(p.relative_to(PROJECT_ROOT)): {"content": p.read_text()} for p in _sources()}
    digest = hashlib.sha256(json.dumps([sources, settings], sort_keys=True).encode()).hexdigest()[:16]
    cached = CACHE_DIR / f"solc-{digest}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    if not SOLC.is_file():
        raise SourceMapError(f"{SOLC.relative_to(PROJECT_ROOT)} missing: run `make setup`")
    request = json.dumps({"language": "Solidity", "sources": sources, "settings": settings})
    done = subprocess.run(
        [str(SOLC), "--standard-json", "--base-path", str(PROJECT_ROOT)],
        input=request,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    output = json.loads(done.stdout or "{}")
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if done.returncode != 0 or errors or "contracts" not in output:
        first = errors[0]["formattedMessage"] if errors else done.stderr[:300]
        raise SourceMapError(f"coverage compilation failed: {first}")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(output))
    tmp.replace(cached)
    return output


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "nodeType" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _span(node: dict[str, Any]) -> tuple[int, int]:
    start, length, _ = (int(x) for x in node["src"].split(":"))
    return start, start + length


def _leaves(node: dict[str, Any] | None) -> bool:
    """The statement always leaves its block: revert, return, break, continue (or ends with one)."""
    if node is None:
        return False
    kind = node["nodeType"]
    if kind in ("Return", "RevertStatement", "Break", "Continue"):
        return True
    if kind == "ExpressionStatement":
        call = node.get("expression", {})
        return call.get("nodeType") == "FunctionCall" and call.get("expression", {}).get("name") == "revert"
    if kind in ("Block", "UncheckedBlock"):
        statements = node.get("statements") or []
        return bool(statements) and _leaves(statements[-1])
    return False


def _note_followers(statements: list[dict[str, Any]], followers: dict[int, tuple[int, int]]) -> None:
    """For each `if` without else whose body always leaves: the span of the statement after it."""
    for current, following in pairwise(statements):
        if (
            current["nodeType"] == "IfStatement"
            and not current.get("falseBody")
            and _leaves(current["trueBody"])
        ):
            followers[current["id"]] = _span(following)


def _bare_return(node: dict[str, Any] | None) -> bool:
    """``return;`` alone, or a block holding only it."""
    if node is None:
        return False
    if node["nodeType"] == "Block":
        statements = node.get("statements") or []
        return len(statements) == 1 and _bare_return(statements[0])
    return node["nodeType"] == "Return" and node.get("expression") is None


def _profile_ast(profile: ContractProfile, contract_node: dict[str, Any]) -> None:
    for fn in _walk(contract_node.get("nodes", [])):
        if fn["nodeType"] not in ("FunctionDefinition", "ModifierDefinition") or not fn.get("body"):
            continue
        name = fn.get("name") or fn.get("kind", "fallback")
        if fn.get("kind") == "constructor":
            name = "constructor"
        profile.functions[name] = profile.line_of(_span(fn)[0])
        followers: dict[int, tuple[int, int]] = {}
        _note_followers(fn["body"].get("statements", []), followers)
        for node in _walk(fn["body"]):
            kind = node["nodeType"]
            if kind in _STATEMENTS and kind not in _CONTAINERS:
                start, end = _span(node)
                line = profile.line_of(start)
                profile.statements.append((start, end, line, name))
                profile.lines.setdefault(line, name)
            if kind in ("Block", "UncheckedBlock"):
                _note_followers(node.get("statements", []), followers)
            if kind in ("IfStatement", "Conditional"):
                true_key, false_key = (
                    ("trueBody", "falseBody")
                    if kind == "IfStatement"
                    else ("trueExpression", "falseExpression")
                )
                cond = _span(node["condition"])
                line = profile.line_of(_span(node)[0])
                true_node, false_node = node.get(true_key), node.get(false_key)
                shape = {
                    "span": _span(node),
                    "function_span": _span(fn),
                    "bare_return": kind == "IfStatement" and not false_node and _bare_return(true_node),
                }
                profile.branches.append(
                    Branch(
                        node["id"], "true", line, name, _span(true_node) if true_node else None, cond, **shape
                    )
                )
                profile.branches.append(
                    Branch(
                        node["id"],
                        "false",
                        line,
                        name,
                        _span(false_node) if false_node else None,
                        cond,
                        followers.get(node["id"]) if kind == "IfStatement" and not false_node else None,
                        **shape,
                    )
                )


@cache
def load_profiles() -> dict[str, ContractProfile]:
    """Every contract (not interface, not library without code) of contracts/, by name."""
    output = _compile()
    file_ids = {path: data["id"] for path, data in output["sources"].items()}
    profiles: dict[str, ContractProfile] = {}
    for path, contracts in output["contracts"].items():
        if not path.startswith(CONTRACTS_DIR + "/"):
            continue
        text = (PROJECT_ROOT / path).read_text()
        ast = output["sources"][path]["ast"]
        nodes = {n["name"]: n for n in ast["nodes"] if n.get("nodeType") == "ContractDefinition"}
        for name, data in contracts.items():
            evm = data["evm"]
            runtime = bytes.fromhex(evm["deployedBytecode"]["object"])
            if not runtime:
                continue
            creation = bytes.fromhex(evm["bytecode"]["object"])
            profile = ContractProfile(
                name=name,
                source=path,
                text=text,
                runtime=_decode_sourcemap(evm["deployedBytecode"]["sourceMap"], runtime, f"{name}:runtime"),
                creation=_decode_sourcemap(evm["bytecode"]["sourceMap"], creation, f"{name}:creation"),
                file_index=file_ids[path],
            )
            _profile_ast(profile, nodes[name])
            profile.statements.sort()
            profiles[name] = profile
    return profiles


@cache
def runtime_codes() -> dict[str, tuple[bytes, list[tuple[int, int]]]]:
    """name -> (runtime code, immutable ranges) for recognising deployed code."""
    output = _compile()
    codes: dict[str, tuple[bytes, list[tuple[int, int]]]] = {}
    for path, contracts in output["contracts"].items():
        if not path.startswith(CONTRACTS_DIR + "/"):
            continue
        for name, data in contracts.items():
            dep = data["evm"]["deployedBytecode"]
            code = bytes.fromhex(dep["object"])
            if code:
                refs = [
                    (r["start"], r["length"]) for v in dep.get("immutableReferences", {}).values() for r in v
                ]
                codes[name] = (code, refs)
    return codes


def _masked(code: bytes, refs: list[tuple[int, int]]) -> bytes:
    out = bytearray(code)
    for start, length in refs:
        out[start : start + length] = bytes(length)
    # the CBOR metadata at the end (its length in the last two bytes) differs between builds
    if len(out) >= 2:
        meta = int.from_bytes(out[-2:], "big") + 2
        if meta <= len(out):
            out[-meta:] = bytes(meta)
    return bytes(out)


def identify_runtime(code: bytes) -> str | None:
    """The contract of contracts/ whose runtime code ``code`` is (immutables and metadata aside)."""
    return _identify(bytes(code))


@cache
def _identify(code: bytes) -> str | None:
    # The contract of the same length whose code agrees on the most bytes (immutables, the metadata
    # and an EVM's own padding aside). revm pads analysed code with zeros: try without them too.
    best: tuple[int, str] | None = None
    for name, (ours, refs) in runtime_codes().items():
        candidate = code[: len(ours)] if len(code) > len(ours) and not any(code[len(ours) :]) else code
        if len(candidate) != len(ours):
            continue
        a, b = _masked(ours, refs), _masked(candidate, refs)
        same = sum(1 for x, y in zip(a, b, strict=True) if x == y)
        if same * 100 >= 95 * len(ours) and (best is None or same > best[0]):
            best = (same, name)
    return best[1] if best else None


def identify_creation(code: bytes) -> str | None:
    """The contract whose creation code starts ``code`` (constructor arguments follow it)."""
    return _identify_creation(bytes(code))


@cache
def _identify_creation(code: bytes) -> str | None:
    best: tuple[int, str] | None = None
    for name in load_profiles():
        ours = _creation_bytes(name)
        body = len(ours) - (int.from_bytes(ours[-2:], "big") + 2 if len(ours) >= 2 else 0)
        if len(code) < len(ours) or body <= 0:
            continue
        same = sum(1 for x, y in zip(code[:body], ours[:body], strict=True) if x == y)
        if same * 100 >= 95 * body and (best is None or same > best[0]):
            best = (same, name)
    return best[1] if best else None


@cache
def _creation_bytes(name: str) -> bytes:
    output = _compile()
    for contracts in output["contracts"].values():
        if name in contracts:
            return bytes.fromhex(contracts[name]["evm"]["bytecode"]["object"])
    return b""


def check_against_ape() -> list[str]:
    """Names of contracts whose runtime code here differs from ape's build (should be none)."""
    built = artifacts.load().artifacts
    mismatched = []
    for name, (code, refs) in runtime_codes().items():
        if name in built and _masked(built[name].runtime, refs) != _masked(code, refs):
            mismatched.append(name)
    return mismatched


def index_of(codemap: CodeMap, pc: int) -> int | None:
    i = bisect.bisect_left(codemap.pcs, pc)
    return i if i < len(codemap.pcs) and codemap.pcs[i] == pc else None
