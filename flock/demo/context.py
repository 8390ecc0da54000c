"""What every demo chapter gets: the deployed protocol, named accounts and a console."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from flock.chain.protocol import LiveProtocol

CAST = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")


@dataclass
class DemoContext:
    protocol: LiveProtocol
    people: dict[str, Any]
    console: Console
    workdir: Path  # the run's scratch folder (stores, journals, databases), removed when it ends
    notes: dict[str, Any] = field(default_factory=dict)  # results chapters hand to later ones

    def folder(self, name: str) -> Path:
        """A new folder ``name`` of the run's scratch folder."""
        path = self.workdir / name
        path.mkdir()
        return path

    def name_of(self, address: Any) -> str:
        for name, account in self.people.items():
            if str(account.address) == str(address):
                return name
        return str(address)[:10]
