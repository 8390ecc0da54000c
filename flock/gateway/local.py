"""The API platform on a local chain, ready to call: the suite deployed, one Arena epoch trained,
scored and rewarded (``flock.protocol_epoch``), the winning model priced by governance, and a
developer holding credit and a registered API key. ``ape run gateway`` on the local network, the
tests and the demo start from here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from flock.chain.protocol import LiveProtocol
from flock.deploy.ape_backend import deploy_fresh
from flock.gateway.chain import ApeLedger
from flock.gateway.keys import ApiKey, new_key
from flock.gateway.service import Gateway
from flock.gateway.store import MeteringStore
from flock.protocol_epoch import EpochOutcome, run_epoch
from flock.store import ContentStore
from flock.units import WAD

PRICE_PER_1K = WAD // 2  # 0.5 FLOCK per 1,000 tokens
DEVELOPERS = (7, 8, 9)  # test accounts (1 to 6 are the epoch's cast, 10 to 12 the oracles)
OPERATORS = (10, 11, 12)  # the local config's gateway operators (quorum 2)


@dataclass
class LocalPlatform:
    protocol: LiveProtocol
    outcome: EpochOutcome
    folder: Path

    @property
    def content(self) -> ContentStore:
        return ContentStore(self.folder / "store")

    @property
    def task(self) -> int:
        return self.outcome.task

    def gateway(self, db_url: str | None = None, ttl: float = 0.5) -> Gateway:
        url = db_url or f"sqlite:///{self.folder / 'metering.db'}"
        return Gateway(ApeLedger(self.protocol, self.content, ttl), MeteringStore(url), self.content)


def prepare(folder: Path, console: Console, price: int = PRICE_PER_1K) -> LocalPlatform:
    """Deploys, runs one Arena epoch and prices its task's model (the timelock, impersonated: a local
    chain stands in for the DAO proposal `ape run dao propose` would make)."""
    protocol = deploy_fresh()
    outcome = run_epoch(protocol, protocol.deployer, console, folder)
    protocol.api.setPrice(outcome.task, price, sender=protocol.admin)
    return LocalPlatform(protocol, outcome, folder)


def open_account(protocol: LiveProtocol, developer: Any, deposit: int, cap: int | None = None) -> ApiKey:
    """The developer buys ``deposit`` FLOCK of credit (from the deployer), authorises ``cap`` (all
    of it by default) and registers a fresh API key."""
    token, api = protocol.token, protocol.api
    token.transfer(developer, deposit, sender=protocol.deployer)
    token.approve(api.address, deposit, sender=developer)
    api.deposit(deposit, sender=developer)
    api.setCap(deposit if cap is None else cap, sender=developer)
    key = new_key(developer.address)
    api.registerKey(key.key_hash, sender=developer)
    return key
