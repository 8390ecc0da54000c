"""Constants and helpers shared by the alliance tests."""

from __future__ import annotations

from flock.units import WAD

E = WAD
STAKES = (1_000, 2_000, 3_000, 4_000, 5_000)  # gmFLOCK, participants p1..p5


def events(receipt, name, contract):
    """Logs named ``name`` emitted by ``contract``."""
    return [
        log for log in receipt.events if log.event_name == name and log.contract_address == contract.address
    ]
