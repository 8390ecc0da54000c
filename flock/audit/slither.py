"""Runs slither over the project's contracts, offline, and checks every finding against the triage
in docs/security.md.

slither normally compiles through crytic-compile with a native solc; here crytic-compile's
standard-JSON platform drives the project's solc-js shim (the same compiler and settings as ape),
so it works on these machines, offline. Findings whose first element lies outside the project's own
sources (OpenZeppelin and solady under node_modules/) are dropped, and the detectors in
``EXCLUDED_DETECTORS`` are not run; docs/security.md says why for both. Each remaining finding has a
stable key ``check:Contract.element`` that docs/security.md must list with what was done about it,
and every key the document lists must still occur (no stale triage).

``python -m flock.audit.slither`` (``make slither``) prints the findings and exits 1 while any is
untriaged or any documented key is stale.
"""

from __future__ import annotations

import inspect
import logging
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flock.paths import DOCS_DIR, PROJECT_ROOT

SECURITY_DOC = DOCS_DIR / "security.md"
SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
_TRIAGE_RE = re.compile(r"`([a-z0-9-]+:[A-Za-z0-9_.$()-]+)`")
# The project's own sources; everything else slither sees is a dependency under node_modules/.
PROJECT_SOURCES = ("contracts/", "interfaces/")
# Detectors not run at all (docs/security.md, "Excluded detectors", gives the reasons).
EXCLUDED_DETECTORS = frozenset({"pragma"})


@dataclass(frozen=True)
class Finding:
    check: str
    impact: str
    confidence: str
    element: str  # Contract.function or Contract.variable the finding is about
    description: str

    @property
    def key(self) -> str:
        return f"{self.check}:{self.element}"


def _qualified(element: dict) -> str:
    """``Contract.function.local`` style name of a slither result element."""
    parts = [element.get("name", "?")]
    parent = element.get("type_specific_fields", {}).get("parent")
    while parent:
        if parent.get("type") != "node":
            parts.append(parent.get("name", "?"))
        parent = parent.get("type_specific_fields", {}).get("parent")
    return ".".join(reversed(parts))


def _element_name(result: dict) -> str:
    for element in result.get("elements", []):
        if element.get("type") == "node":
            parent = element.get("type_specific_fields", {}).get("parent")
            if parent:
                return _qualified(parent)
        elif element.get("type") in ("function", "variable", "contract", "event", "modifier"):
            return _qualified(element)
    return "?"


def _in_project(result: dict) -> bool:
    elements = result.get("elements", [])
    if not elements:
        return False
    path = elements[0].get("source_mapping", {}).get("filename_relative", "")
    return path.startswith(PROJECT_SOURCES)


def _remappings() -> list[str]:
    """The import remappings ape compiles with (ape-config.yaml), so both see the same sources."""
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())
    return list(config.get("solidity", {}).get("import_remapping", []))


def run_slither() -> list[Finding]:
    """Compiles with the project's solc and runs every slither detector; project findings only."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors

    logging.getLogger("CryticCompile").setLevel(logging.ERROR)
    logging.getLogger("ContractSolcParsing").setLevel(logging.CRITICAL)
    standard = SolcStandardJson()
    for path in sorted((PROJECT_ROOT / "contracts").rglob("*.sol")):
        standard.add_source_file(str(path.relative_to(PROJECT_ROOT)))
    for remapping in _remappings():
        standard.add_remapping(remapping)
    settings = standard.to_dict()["settings"]
    settings["optimizer"] = {"enabled": True, "runs": 200}
    settings["evmVersion"] = "cancun"
    compilation = CryticCompile(
        standard, solc=str(SOLC), solc_disable_warnings=True, solc_working_dir=str(PROJECT_ROOT)
    )
    slither = Slither(compilation)
    for _, detector in inspect.getmembers(all_detectors, inspect.isclass):
        if detector.ARGUMENT not in EXCLUDED_DETECTORS:
            slither.register_detector(detector)
    findings = []
    for results in slither.run_detectors():
        for result in results:
            if _in_project(result):
                findings.append(
                    Finding(
                        result["check"],
                        result["impact"],
                        result["confidence"],
                        _element_name(result),
                        " ".join(result["description"].split()),
                    )
                )
    return sorted(set(findings), key=lambda f: (f.impact, f.check, f.element))


def triaged_keys(doc: Path = SECURITY_DOC) -> set[str]:
    """The finding keys docs/security.md explains (written as `check:Contract.element`)."""
    return set(_TRIAGE_RE.findall(doc.read_text())) if doc.is_file() else set()


def untriaged(findings: list[Finding], doc: Path = SECURITY_DOC) -> list[Finding]:
    known = triaged_keys(doc)
    return [f for f in findings if f.key not in known]


def stale_keys(findings: Iterable[Finding], doc: Path = SECURITY_DOC) -> list[str]:
    """Keys docs/security.md explains that no finding has any more: the document must stay honest."""
    return sorted(triaged_keys(doc) - {f.key for f in findings})


def main(doc: Path = SECURITY_DOC) -> int:
    """Runs slither, prints one row per finding key; 1 if anything is untriaged or stale."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if Console().is_terminal else 140)
    started = time.monotonic()
    findings = run_slither()
    elapsed = time.monotonic() - started
    known = triaged_keys(doc)
    by_key: dict[str, list[Finding]] = {}
    for f in findings:
        by_key.setdefault(f.key, []).append(f)
    table = Table(title=f"slither: {len(by_key)} finding keys ({len(findings)} results) in {elapsed:.0f} s")
    for column in ("impact", "check", "element", "n", "triage"):
        table.add_column(column)
    order = {"High": 0, "Medium": 1, "Low": 2, "Informational": 3, "Optimization": 4}
    for key, group in sorted(by_key.items(), key=lambda kv: (order.get(kv[1][0].impact, 9), kv[0])):
        f = group[0]
        status = "explained" if key in known else "[bold red]UNTRIAGED[/]"
        table.add_row(f.impact, f.check, f.element, str(len(group)), status)
    console.print(table)
    missing = untriaged(findings, doc)
    for f in missing:
        console.print(f"[bold red]untriaged[/] `{f.key}` ({f.impact}): {f.description}", soft_wrap=True)
    stale = stale_keys(findings, doc)
    for key in stale:
        console.print(f"[bold red]stale[/] `{key}`: explained in {doc.name} but no longer found")
    if missing or stale:
        console.print(
            f"{len({f.key for f in missing})} untriaged, {len(stale)} stale: fix the contract or "
            f"explain the key in {doc.relative_to(PROJECT_ROOT)}"
        )
        return 1
    console.print(f"every finding is explained in {doc.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
