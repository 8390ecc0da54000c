"""Runs slither over the project's contracts, offline, and checks every finding against the triage
in docs/security.md.

slither normally compiles through crytic-compile with a native solc; here crytic-compile's
standard-JSON platform drives the project's solc-js shim (the same compiler and settings as ape),
so it works on these machines. Findings in OpenZeppelin's sources are dropped; each remaining one has
a stable key ``check:Contract.element`` that docs/security.md must list with what was done about it.
"""

from __future__ import annotations

import inspect
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from flock.paths import DOCS_DIR, PROJECT_ROOT

SECURITY_DOC = DOCS_DIR / "security.md"
SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
_TRIAGE_RE = re.compile(r"`([a-z0-9-]+:[A-Za-z0-9_.$()-]+)`")


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
    return path.startswith("contracts/")


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
    standard.add_remapping("@openzeppelin/contracts=node_modules/@openzeppelin/contracts")
    settings = standard.to_dict()["settings"]
    settings["optimizer"] = {"enabled": True, "runs": 200}
    settings["evmVersion"] = "cancun"
    compilation = CryticCompile(
        standard, solc=str(SOLC), solc_disable_warnings=True, solc_working_dir=str(PROJECT_ROOT)
    )
    slither = Slither(compilation)
    for _, detector in inspect.getmembers(all_detectors, inspect.isclass):
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
