"""Storage safety of upgrades, checked by OpenZeppelin's own validator (``@openzeppelin/upgrades-core``).

The validator reads solc "build info" (the compiler's input and output, storage layouts included).
``build_info`` compiles contracts/ (and any extra sources, e.g. a test's V2 contracts) through the
project's solc shim with the settings of ape-config.yaml and the outputs the validator needs, into
a directory of its own (cached by a digest of the sources and settings). ``validate`` runs
upgrades-core's ``validate`` command on one upgradeable contract (or all of them): constructors,
immutables, ``selfdestruct``, ``delegatecall``, initializers, UUPS, namespaced storage.
``validate_upgrade`` compares a new implementation with a reference one: a contract of the same
build (a V2 beside its V1), or the build a deployment recorded (``reference_build_info``, the
directory ``save_reference`` writes when an implementation is deployed). The report's text is
OpenZeppelin's own explanation.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ape.exceptions import ApeException

from flock.artifacts import Artifact
from flock.paths import PROJECT_ROOT

SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
SOLC_VERSION = "0.8.28"
CLI = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "upgrades-core" / "dist" / "cli" / "cli.js"
CACHE_DIR = PROJECT_ROOT / ".build" / "upgrades"
CACHE_KEPT = 4  # builds kept in the cache (each about 16 MB): the newest
CONTRACTS_DIR = PROJECT_ROOT / "contracts"

# The upgradeable contracts of the suite, by contract name (flock.deploy.proxies.UPGRADEABLE has
# their plan keys). The delegatecall modules share their contract's namespace and are checked with it.
UPGRADEABLE_CONTRACTS: tuple[str, ...] = (
    "GmFlock",
    "EmissionController",
    "TaskRegistry",
    "AllianceRounds",
    "ArenaSubmissions",
    "RewardDistributor",
    "ArenaSlasher",
    "ApiCredits",
)


class UpgradeSafetyError(ApeException):
    """The validator could not run (no compiler, a source that does not compile, no node)."""


@dataclass(frozen=True)
class UpgradeReport:
    """The validator's verdict: ``ok``, and OpenZeppelin's explanation in ``text``."""

    ok: bool
    contract: str
    reference: str | None
    text: str

    def __str__(self) -> str:
        return self.text

    def sections(self) -> dict[str, tuple[bool, str]]:
        """Per contract validated (by name): whether it passed and OpenZeppelin's lines about it."""
        found: dict[str, tuple[bool, str]] = {}
        name, passed, lines = "", False, []
        for line in self.text.splitlines():
            head = line.strip()
            if head[:1] in ("\u2714", "\u2718") and ".sol:" in head:
                if name:
                    found[name] = (passed, "\n".join(lines))
                qualified = head[1:].strip().split(" ")[0]
                name, passed, lines = qualified.split(":")[-1], head.startswith("\u2714"), [line]
            elif name and not head.startswith(("SUCCESS", "FAILED")):
                lines.append(line)
        if name:
            found[name] = (passed, "\n".join(lines))
        return found


_ANALYSIS = ["abi", "storageLayout"]
_CODE = ["evm.bytecode.object", "evm.bytecode.linkReferences"]


def _settings(deployable: Sequence[str] = ()) -> dict[str, Any]:
    """ape-config.yaml's settings, with the outputs the validator reads; code only for the source
    units in ``deployable`` (a test's second versions, to deploy them)."""
    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())["solidity"]
    selection: dict[str, Any] = {"*": {"": ["ast"], "*": _ANALYSIS}}
    selection |= {unit: {"": ["ast"], "*": [*_ANALYSIS, *_CODE]} for unit in deployable}
    return {
        "optimizer": {
            "enabled": bool(config.get("optimize", True)),
            "runs": int(config["optimization_runs"]),
        },
        "evmVersion": config["evm_version"],
        "remappings": list(config["import_remapping"]),
        # Analysis only unless asked (no code generation: seconds instead of minutes). The validator
        # reads the ASTs and storage layouts; of the bytecode only its link references (the suite
        # links no library) and a version hash (a stand-in where no code was generated, below).
        "outputSelection": selection,
    }


def _unit(path: Path) -> str:
    """A source's unit name: its path relative to the repository."""
    return str(path.resolve().relative_to(PROJECT_ROOT))


def _add_version_stand_ins(output: dict[str, Any]) -> None:
    """The validator keys each contract by a hash of its bytecode and takes a contract without
    bytecode for abstract. An analysis-only build has none, so each concrete contract without code
    gets a stand-in "bytecode": the hash of its fully qualified name, unique in the build; abstract
    contracts and interfaces keep none. No link references: the suite links no library."""
    concrete: set[tuple[str, str]] = set()
    for unit, source in output.get("sources", {}).items():
        for node in source.get("ast", {}).get("nodes", []):
            kind = node.get("contractKind") if node.get("nodeType") == "ContractDefinition" else None
            if kind in ("contract", "library") and not node.get("abstract"):
                concrete.add((unit, node["name"]))
    for unit, contracts in output["contracts"].items():
        for name, compiled in contracts.items():
            if compiled.get("evm", {}).get("bytecode", {}).get("object"):
                continue  # real code (a deployable source)
            stand_in = (
                hashlib.sha256(f"{unit}:{name}".encode()).hexdigest() if (unit, name) in concrete else ""
            )
            compiled["evm"] = {"bytecode": {"object": stand_in, "linkReferences": {}}}


def build_info(extra_sources: Sequence[Path] = (), *, deployable: bool = False) -> Path:
    """A directory holding one build-info file for contracts/ plus ``extra_sources`` (compiled once
    per distinct set of sources and settings; later calls return the cached directory). With
    ``deployable``, the extra sources' contracts get their bytecode too (``artifact``)."""
    extra = sorted({Path(p).resolve() for p in extra_sources})
    paths = sorted({*CONTRACTS_DIR.rglob("*.sol"), *extra})
    sources = {_unit(p): {"content": p.read_text()} for p in paths}
    settings = _settings([_unit(p) for p in extra] if deployable else ())
    request = {"language": "Solidity", "sources": sources, "settings": settings}
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:16]
    directory = CACHE_DIR / digest
    target = directory / f"{digest}.json"
    if target.is_file():
        os.utime(directory)  # recently used: kept by _prune
        return directory
    if not SOLC.is_file():
        raise UpgradeSafetyError(f"{SOLC.relative_to(PROJECT_ROOT)} is missing: run `make setup` first")
    done = subprocess.run(
        [str(SOLC), "--standard-json", "--base-path", str(PROJECT_ROOT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    output = json.loads(done.stdout or "{}")
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if done.returncode != 0 or errors or "contracts" not in output:
        first = errors[0]["formattedMessage"].strip() if errors else done.stderr.strip()[:300]
        raise UpgradeSafetyError(f"the storage-layout compilation failed: {first}")
    _add_version_stand_ins(output)
    # The validator reads every source's text (imports included) to point at lines in its messages.
    for unit in output.get("sources", {}):
        if unit not in sources:
            sources[unit] = {"content": (PROJECT_ROOT / unit).read_text()}
    directory.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"solcVersion": SOLC_VERSION, "input": request, "output": output}))
    tmp.replace(target)
    _prune(keep=directory)
    return directory


def _prune(keep: Path) -> None:
    """Drops all but the newest CACHE_KEPT cached builds (never ``keep``)."""
    builds = sorted(
        (d for d in CACHE_DIR.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True
    )
    for old in builds[CACHE_KEPT:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _output(build: Path) -> dict[str, Any]:
    return json.loads(next(build.glob("*.json")).read_text())["output"]


def artifact(contract: str, extra_sources: Sequence[Path]) -> Artifact:
    """A contract of ``extra_sources`` compiled with its bytecode (a test's V2, to deploy it)."""
    output = _output(build_info(extra_sources, deployable=True))
    for unit, contracts in output["contracts"].items():
        compiled = contracts.get(contract)
        if compiled is not None and unit.startswith(tuple(_unit(Path(p)) for p in extra_sources)):
            code = bytes.fromhex(compiled["evm"]["bytecode"]["object"])
            return Artifact(name=contract, abi=tuple(compiled["abi"]), bytecode=code, runtime=b"")
    raise UpgradeSafetyError(f"no contract {contract!r} in {', '.join(str(p) for p in extra_sources)}")


def save_reference(directory: Path, extra_sources: Sequence[Path] = (), *, deployable: bool = False) -> Path:
    """Copies the current build info into ``directory`` (created or replaced): what a deployment
    keeps of the implementations it deployed, the reference of their next upgrade."""
    source = build_info(extra_sources, deployable=deployable)
    if directory.exists():
        shutil.rmtree(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, directory)
    return directory


def _run(build: Path, args: list[str], contract: str, reference: str | None) -> UpgradeReport:
    if shutil.which("node") is None:
        raise UpgradeSafetyError("node is not on PATH: the OpenZeppelin validator runs on Node.js")
    if not CLI.is_file():
        raise UpgradeSafetyError(f"{CLI.relative_to(PROJECT_ROOT)} is missing: run `make setup` first")
    done = subprocess.run(
        ["node", str(CLI), "validate", str(build), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        check=False,
    )
    text = (done.stdout + done.stderr).strip()
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise UpgradeSafetyError(f"the OpenZeppelin validator failed to run: {text[:400]}")
    return UpgradeReport(ok=done.returncode == 0, contract=contract, reference=reference, text=text)


def validate(
    contract: str | None = None, *, extra_sources: Sequence[Path] = (), deployable: bool = False
) -> UpgradeReport:
    """Upgrade safety of ``contract`` (a name or fully qualified name) as an implementation, or of
    every upgradeable contract of the build when None (those of ``extra_sources`` included, each
    against its ``@custom:oz-upgrades-from`` reference)."""
    build = build_info(extra_sources, deployable=deployable)
    args = ["--contract", contract] if contract else []
    return _run(build, args, contract or "every upgradeable contract", None)


def validate_upgrade(
    reference: str,
    new: str,
    *,
    reference_build_info: Path | None = None,
    extra_sources: Sequence[Path] = (),
    deployable: bool = False,
) -> UpgradeReport:
    """Whether ``new`` may replace ``reference`` behind a proxy: ``new``'s own safety and its storage
    layout against ``reference``'s. ``reference`` is a contract of the same build, or, with
    ``reference_build_info`` (a directory ``save_reference`` wrote), of that recorded build."""
    build = build_info(extra_sources, deployable=deployable)
    args = ["--contract", new, "--requireReference"]
    if reference_build_info is None:
        args += ["--reference", reference]
    else:
        directory = reference_build_info.resolve()
        if directory.name == build.name:
            raise UpgradeSafetyError(f"{directory} is the current build itself, not a recorded reference")
        args += ["--reference", f"{directory.name}:{reference}", "--referenceBuildInfoDirs", str(directory)]
    return _run(build, args, new, reference)
