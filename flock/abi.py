"""The suite's published ABIs and the completeness of ``interfaces/``.

Integrators use the suite without its Python: ``abi/<Contract>.json`` (the build's ABIs, written by
``make compile``) and the Solidity interfaces under ``interfaces/``. This module

- writes and checks ``abi/`` against the build (``python -m flock.abi write|check``);
- generates ``interfaces/IFlockErrors.sol``: every error any contract of the suite can revert with
  (its own, OpenZeppelin's, a library's), in one interface a client decodes any revert with, since
  a call can bubble up the errors of the contracts it calls;
- compiles ``interfaces/`` alone (OpenZeppelin's interfaces are its only import) and lists what a
  contract's ABI has that its interfaces lack (:func:`coverage_gaps`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flock.artifacts import load
from flock.paths import BUILD_MANIFEST, PROJECT_ROOT

ABI_DIR = PROJECT_ROOT / "abi"
INTERFACES_DIR = PROJECT_ROOT / "interfaces"
ERRORS_INTERFACE = INTERFACES_DIR / "IFlockErrors.sol"
SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
OZ_PREFIX = "@openzeppelin/contracts/"
OZ_DIR = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts"

# The deployed contracts and the interfaces a client uses for each (besides IFlockErrors).
INTERFACES_OF: dict[str, tuple[str, ...]] = {
    "FlockToken": ("IFlockToken", "IFlockAccessControl"),
    "GenesisVesting": ("IGenesisVesting",),
    "GmFlock": ("IGmFlock", "IFlockAccessControl", "IFlockUpgradeable"),
    "FlockGovernor": ("IFlockGovernor",),
    "FlockTimelock": ("IFlockTimelock",),
    "TaskRegistry": ("ITaskRegistry", "IFlockAccessControl", "IFlockUpgradeable"),
    "EmissionController": ("IEmissionController", "IFlockAccessControl", "IFlockUpgradeable"),
    "AllianceRounds": ("IAllianceRounds", "IFlockAccessControl", "IFlockUpgradeable"),
    "ArenaSubmissions": ("IArenaSubmissions", "IFlockAccessControl", "IFlockUpgradeable"),
    "RewardDistributor": ("IRewardDistributor", "IFlockAccessControl", "IFlockUpgradeable"),
    "RewardPot": ("IRewardPot",),
    "ApiCredits": ("IApiCredits", "IFlockAccessControl", "IFlockUpgradeable"),
    "ArenaSlasher": ("IArenaSlasher", "IFlockAccessControl", "IFlockUpgradeable"),
    # The ERC-1967 proxy in front of each upgradeable contract: its own surface is the Upgraded event.
    "FlockProxy": ("IFlockUpgradeable",),
    # Reached only by AllianceRounds' delegatecall: its functions are AllianceRounds'.
    "AllianceSettlement": ("IAllianceRounds",),
    # Reached only by TaskRegistry's delegatecall: its functions are TaskRegistry's.
    "TaskLifecycle": ("ITaskRegistry",),
}
# Compiled but not contracts a client calls (libraries, storage bases).
NOT_PUBLISHED = frozenset({"PackedCheckpoints", "AllianceRoundsStorage", "TaskRegistryStorage"})


class AbiError(RuntimeError):
    """The interfaces do not compile, or the published files disagree with the build."""


def _type(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_type(c) for c in item.get("components", []))
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def signature(item: dict[str, Any]) -> str:
    """``name(types)`` of a function, event or error (tuples spelled out)."""
    return f"{item['name']}({','.join(_type(i) for i in item.get('inputs', []))})"


def entry_key(item: dict[str, Any]) -> str:
    """What must match between a contract's ABI entry and its interface's: for functions the
    signature, outputs and whether it is payable (a `pure` implementation of a `view` or
    non-payable declaration serves a client the same); for events the signature and which fields
    are indexed."""
    kind = item["type"]
    if kind == "function":
        outputs = ",".join(_type(o) for o in item.get("outputs", []))
        payable = " payable" if item.get("stateMutability") == "payable" else ""
        return f"function {signature(item)} returns ({outputs}){payable}"
    if kind == "event":
        indexed = ",".join("1" if i.get("indexed") else "0" for i in item.get("inputs", []))
        return f"event {signature(item)} indexed[{indexed}]"
    if kind == "error":
        return f"error {signature(item)}"
    return kind  # constructor, receive, fallback: not part of an interface


def published_abis() -> dict[str, list[dict[str, Any]]]:
    """The build's ABIs of every contract a client calls (an internal library has none: skipped)."""
    compilation = load(BUILD_MANIFEST)
    return {
        name: list(art.abi)
        for name, art in sorted(compilation.artifacts.items())
        if name not in NOT_PUBLISHED and art.abi
    }


def abi_text(abi: list[dict[str, Any]]) -> str:
    return json.dumps(abi, indent=2, sort_keys=True) + "\n"


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text() == text:
        return False
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return True


def write_abi_files(out_dir: Path = ABI_DIR) -> list[Path]:
    """Writes ``abi/<Contract>.json`` for every published contract and removes stale files.
    Returns the files that changed."""
    out_dir.mkdir(exist_ok=True)
    abis = published_abis()
    changed = [
        out_dir / f"{n}.json"
        for n, abi in abis.items()
        if _write_if_changed(out_dir / f"{n}.json", abi_text(abi))
    ]
    for stale in out_dir.glob("*.json"):
        if stale.stem not in abis:
            stale.unlink()
            changed.append(stale)
    return changed


def abi_drift(out_dir: Path = ABI_DIR) -> list[str]:
    """What differs between ``abi/`` and the build (empty when they match)."""
    abis = published_abis()
    problems = []
    for name, abi in abis.items():
        path = out_dir / f"{name}.json"
        if not path.is_file():
            problems.append(f"abi/{name}.json is missing")
        elif path.read_text() != abi_text(abi):
            problems.append(f"abi/{name}.json differs from the build")
    problems += [
        f"abi/{p.name} has no contract in the build" for p in out_dir.glob("*.json") if p.stem not in abis
    ]
    return problems


# ----------------------------------------------------------------------------------- IFlockErrors


@dataclass(frozen=True)
class ErrorDecl:
    name: str
    params: tuple[tuple[str, str], ...]  # (solidity type, name)
    doc: str
    raised_by: tuple[str, ...]


def _solidity_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        raise AbiError(f"error parameter {item.get('name')} is a struct; IFlockErrors cannot declare it")
    return item["type"]  # contracts as address, enums as uint8: what the selector is made of


def _error_doc(art_doc: dict[str, Any], sig: str) -> str:
    for section, field in (("userdoc", "notice"), ("devdoc", "details")):
        for entry in art_doc.get(section, {}).get("errors", {}).get(sig, []):
            if entry.get(field):
                # One line; no "@", which NatSpec would read as a tag.
                return " ".join(entry[field].split()).replace("@", "(at)")
    return ""


def collect_errors() -> list[ErrorDecl]:
    """Every error in the ABI of a published contract, with the notice its declaration carries."""
    raw = json.loads(BUILD_MANIFEST.read_text())["contractTypes"]
    found: dict[str, dict[str, Any]] = {}
    for cname in sorted(raw):
        if cname in NOT_PUBLISHED:
            continue
        for item in raw[cname]["abi"]:
            if item["type"] != "error":
                continue
            sig = signature(item)
            entry = found.setdefault(sig, {"item": item, "doc": "", "by": []})
            entry["by"].append(cname)
            entry["doc"] = entry["doc"] or _error_doc(raw[cname], sig)
    names: dict[str, str] = {}
    decls = []
    for sig, entry in sorted(found.items()):
        item = entry["item"]
        if item["name"] in names:
            raise AbiError(f"two errors named {item['name']}: {names[item['name']]} and {sig}")
        names[item["name"]] = sig
        params = tuple((_solidity_type(i), i.get("name") or f"arg{k}") for k, i in enumerate(item["inputs"]))
        decls.append(ErrorDecl(item["name"], params, entry["doc"], tuple(entry["by"])))
    return decls


def errors_interface_source(decls: list[ErrorDecl]) -> str:
    lines = [
        "// SPDX-License-Identifier: MIT",
        "pragma solidity ^0.8.24;",
        "",
        "// Generated by `make compile` (python -m flock.abi write) from the build: do not edit.",
        "",
        "/**",
        " * @title IFlockErrors",
        " * @notice Every error a call to a contract of the FLock suite can revert with: the contracts' own,",
        " * OpenZeppelin's and the libraries'. A call can bubble up the errors of the contracts it calls (a",
        " * governor vote reads gmFLOCK, an execution runs the timelock and the proposal's targets, a claim",
        " * pays through the token), so a client decodes any revert of the suite with this one interface.",
        " * Each contract's own interface declares the errors the contract itself defines.",
        " */",
        "interface IFlockErrors {",
    ]
    for k, d in enumerate(decls):
        if k:
            lines.append("")
        doc = d.doc or f"Raised by {', '.join(d.raised_by)}."
        lines.append(f"    /// @notice {doc}")
        lines.append(f"    /// @dev In the ABI of: {', '.join(d.raised_by)}.")
        params = ", ".join(f"{t} {n}" for t, n in d.params)
        lines.append(f"    error {d.name}({params});")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_errors_interface(path: Path = ERRORS_INTERFACE) -> bool:
    return _write_if_changed(path, errors_interface_source(collect_errors()))


def errors_interface_drift(path: Path = ERRORS_INTERFACE) -> list[str]:
    expected = errors_interface_source(collect_errors())
    if not path.is_file():
        return ["interfaces/IFlockErrors.sol is missing"]
    return [] if path.read_text() == expected else ["interfaces/IFlockErrors.sol differs from the build"]


# ----------------------------------------------------------------------- the interfaces, compiled

_IMPORT = re.compile(r'import\s+(?:[^"\']*from\s+)?["\']([^"\']+)["\']\s*;')


def _resolve(importer: str, target: str) -> str:
    if target.startswith(OZ_PREFIX):
        return target
    if target.startswith("."):
        parts = importer.split("/")[:-1]
        for piece in target.split("/"):
            if piece == "..":
                parts.pop()
            elif piece != ".":
                parts.append(piece)
        return "/".join(parts)
    raise AbiError(f"{importer} imports {target}: interfaces may import each other and OpenZeppelin only")


def _read_source(unit: str) -> str:
    if unit.startswith(OZ_PREFIX):
        return (OZ_DIR / unit[len(OZ_PREFIX) :]).read_text()
    path = PROJECT_ROOT / unit
    if not path.resolve().is_relative_to(INTERFACES_DIR.resolve()):
        raise AbiError(f"{unit} is outside interfaces/")
    return path.read_text()


def interface_sources() -> dict[str, str]:
    """interfaces/*.sol and, transitively, what they import (OpenZeppelin's interfaces)."""
    pending = [f"interfaces/{p.name}" for p in sorted(INTERFACES_DIR.glob("*.sol"))]
    sources: dict[str, str] = {}
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        sources[unit] = _read_source(unit)
        pending += [_resolve(unit, t) for t in _IMPORT.findall(sources[unit])]
    return sources


def compile_interfaces() -> dict[str, list[dict[str, Any]]]:
    """Compiles interfaces/ alone; returns each interface's ABI (inherited entries included)."""
    sources = interface_sources()
    request = {
        "language": "Solidity",
        "sources": {unit: {"content": text} for unit, text in sources.items()},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    proc = subprocess.run(
        [str(SOLC), "--standard-json"], input=json.dumps(request), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AbiError(f"solc failed: {proc.stderr.strip()[:500]}")
    out = json.loads(proc.stdout)
    errors = [e["formattedMessage"] for e in out.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise AbiError("interfaces/ does not compile alone:\n" + "\n".join(errors))
    return {
        name: contract["abi"]
        for unit, contracts in out["contracts"].items()
        if unit.startswith("interfaces/")
        for name, contract in contracts.items()
    }


def coverage_gaps(
    contracts: dict[str, list[dict[str, Any]]], interfaces: dict[str, list[dict[str, Any]]]
) -> dict[str, list[str]]:
    """For each contract, the functions, events and errors of its ABI (inherited ones included)
    that neither its interfaces (INTERFACES_OF) nor IFlockErrors declare identically."""
    shared = {entry_key(e) for e in interfaces.get("IFlockErrors", []) if e["type"] == "error"}
    gaps: dict[str, list[str]] = {}
    for cname, abi in contracts.items():
        names = INTERFACES_OF.get(cname)
        if names is None:
            gaps[cname] = ["no interface is assigned to it in flock.abi.INTERFACES_OF"]
            continue
        declared = set(shared)
        for iname in names:
            if iname not in interfaces:
                gaps.setdefault(cname, []).append(f"interface {iname} not found in interfaces/")
            declared |= {entry_key(e) for e in interfaces.get(iname, [])}
        wanted = {entry_key(e) for e in abi if e["type"] in ("function", "event", "error")}
        missing = sorted(wanted - declared)
        if missing:
            gaps.setdefault(cname, []).extend(missing)
    return gaps


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    try:
        if command == "write":
            changed = write_abi_files()
            if write_errors_interface():
                changed.append(ERRORS_INTERFACE)
            for path in changed:
                print(f"wrote {path.relative_to(PROJECT_ROOT)}")
            return 0
        if command == "check":
            problems = abi_drift() + errors_interface_drift()
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print("run `make compile` and commit abi/ and interfaces/IFlockErrors.sol", file=sys.stderr)
            return 1 if problems else 0
    except (AbiError, OSError) as err:
        print(f"flock.abi: {err}", file=sys.stderr)
        return 1
    print("usage: python -m flock.abi write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
