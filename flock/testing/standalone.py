"""Test-only contracts that import nothing from contracts/ (a forwarder standing for a smart-contract
wallet, say), compiled on their own with the project's solc and cached by a digest of the source
in .build/standalone: a second's compile the first time, nothing after. Deployed on the harness
with ``Chain.deploy_artifact``; never part of the build or abi/."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from flock.artifacts import Artifact
from flock.audit.srcmap import SOLC
from flock.files import atomic_write_text
from flock.paths import PROJECT_ROOT

CACHE = PROJECT_ROOT / ".build" / "standalone"


class StandaloneCompileError(RuntimeError):
    """solc refused the source or is missing."""


def compile_standalone(source: Path, name: str) -> Artifact:
    """Contract ``name`` of ``source`` (a file importing nothing), with its creation code."""
    text = source.read_text()
    request = {
        "language": "Solidity",
        "sources": {source.name: {"content": text}},
        "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:16]
    cached = CACHE / f"{digest}.json"
    if not cached.is_file():
        if not SOLC.is_file():
            raise StandaloneCompileError(f"{SOLC.relative_to(PROJECT_ROOT)} is missing: run `make setup`")
        done = subprocess.run(
            [str(SOLC), "--standard-json"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            check=False,
        )
        output = json.loads(done.stdout or "{}")
        errors = [e["formattedMessage"] for e in output.get("errors", []) if e.get("severity") == "error"]
        if done.returncode != 0 or errors or "contracts" not in output:
            raise StandaloneCompileError(f"{source.name}: {(errors or [done.stderr.strip()[:300]])[0]}")
        atomic_write_text(cached, json.dumps(output["contracts"][source.name]))
    compiled = json.loads(cached.read_text())
    if name not in compiled:
        raise StandaloneCompileError(f"no contract {name} in {source.name}")
    entry = compiled[name]
    code = bytes.fromhex(entry["evm"]["bytecode"]["object"])
    return Artifact(name=name, abi=tuple(entry["abi"]), bytecode=code, runtime=b"")
