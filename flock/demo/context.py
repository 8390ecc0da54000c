"""What every demo chapter gets: the deployed protocol, named accounts and a console."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from flock.chain.protocol import LiveProtocol

CAST = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")


@dataclass
class DemoContext:
    protocol: LiveProtocol
    people: dict[str, Any]
    console: Console
    notes: dict[str, Any] = field(default_factory=dict)  # results chapters hand to later ones

    def name_of(self, address: Any) -> str:
        for name, account in self.people.items():
            if str(account.address) == str(address):
                return name
        return str(address)[:10]
