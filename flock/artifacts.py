"""Compiled contracts, read from ape's build manifest (``.build/__local__.json``).

The in-process harness and the off-chain tools use the very bytecode and ABIs that ``ape compile``
produced, so what they test is what gets deployed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flock.paths import BUILD_MANIFEST


class ArtifactError(RuntimeError):
    """The build manifest is missing or lacks a contract."""


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: bytes  # creation code, without constructor arguments
    runtime: bytes


@dataclass(frozen=True)
class Compilation:
    """All compiled contracts plus the compiler that built them."""

    artifacts: dict[str, Artifact]
    compiler_version: str
    compiler_settings: dict[str, Any]

    def __getitem__(self, name: str) -> Artifact:
        try:
            return self.artifacts[name]
        except KeyError as err:
            known = ", ".join(sorted(self.artifacts))
            raise ArtifactError(f"no compiled contract named {name!r} (known: {known})") from err


def _hex(value: dict[str, Any] | None) -> bytes:
    text = (value or {}).get("bytecode") or "0x"
    return bytes.fromhex(text.removeprefix("0x"))


@cache
def load(path: Path = BUILD_MANIFEST) -> Compilation:
    """Reads the build manifest. Run ``make compile`` (or ``ape compile``) first."""
    if not path.is_file():
        raise ArtifactError(f"{path} not found: run `make compile` first")
    manifest = json.loads(path.read_text())
    artifacts = {
        name: Artifact(
            name=name,
            abi=tuple(ct.get("abi", [])),
            bytecode=_hex(ct.get("deploymentBytecode")),
            runtime=_hex(ct.get("runtimeBytecode")),
        )
        for name, ct in manifest.get("contractTypes", {}).items()
    }
    compiler = (manifest.get("compilers") or [{}])[0]
    settings = {k: v for k, v in compiler.get("settings", {}).items() if k != "outputSelection"}
    return Compilation(artifacts, compiler.get("version", "unknown"), settings)
