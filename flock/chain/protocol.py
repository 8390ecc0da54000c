"""Helpers for benchmarks and the demo on a live local chain (anvil through ape)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape import accounts, chain, project
from ape.exceptions import APINotImplementedError

from flock.chain.manifest import Manifest
from flock.deploy.ape_backend import deploy_protocol
from flock.paths import CONFIG_DIR

LOCAL_CONFIG = CONFIG_DIR / "ethereum-local.yaml"


@dataclass
class LiveProtocol:
    """The protocol deployed on the connected chain, with ape contract handles by key."""

    manifest: Manifest
    deployer: Any

    def __getattr__(self, key: str) -> Any:
        try:
            record = self.manifest.contracts[key]
        except KeyError as err:
            raise AttributeError(key) from err
        return project.get_contract(record.contract).at(record.address)

    @property
    def admin(self) -> Any:
        """The account holding every admin role: the timelock once governance is deployed
        (impersonated, local chains only), else the deployer."""
        if "timelock" in self.manifest.contracts:
            return impersonate(self.manifest.address("timelock"))
        return self.deployer


def impersonate(address: str, eth: int = 10**20) -> Any:
    """An ape account that sends as ``address`` on a local chain (anvil), funded for gas."""
    chain.provider.set_balance(address, eth)
    return accounts.test_accounts.impersonate_account(address)


def deploy_fresh(config_file: Path = LOCAL_CONFIG, manifest_file: Path | None = None) -> LiveProtocol:
    """Deploys a new copy of the protocol from test account 0 (manifest in a temp folder)."""
    deployer = accounts.test_accounts[0]
    if manifest_file is None:
        manifest_file = Path(tempfile.mkdtemp(prefix="flock-bench-")) / "manifest.json"
    manifest = deploy_protocol(deployer, config_file, fresh=True, manifest_file=manifest_file)
    return LiveProtocol(manifest, deployer)


def new_accounts(n: int, funder: Any, eth: int = 10**18) -> list[Any]:
    """``n`` brand-new funded accounts (no FLOCK, no history)."""
    fresh = []
    for _ in range(n):
        account = accounts.test_accounts.generate_test_account()
        funder.transfer(account, eth)
        fresh.append(account)
    return fresh


def _node_mine_at(timestamp: int) -> None:
    """Mines a block at ``timestamp`` through anvil's RPC, for providers that cannot move time
    themselves (ape's generic node provider on the Base rehearsal chain)."""
    chain.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    chain.provider.make_request("evm_mine", [])


def advance(seconds: int) -> None:
    """Mines a block ``seconds`` after the pending timestamp."""
    try:
        chain.mine(timestamp=chain.pending_timestamp + seconds)
    except APINotImplementedError:
        _node_mine_at(head_time() + seconds)


def head_time() -> int:
    """The timestamp of the latest block (what views see as ``block.timestamp``)."""
    return chain.blocks.head.timestamp


def next_block_at(timestamp: int) -> None:
    """The next transaction is mined at exactly ``timestamp``."""
    chain.pending_timestamp = timestamp


def mine_at(timestamp: int) -> None:
    """Mines a block at ``timestamp`` (later transactions follow it)."""
    try:
        chain.mine(timestamp=timestamp)
    except APINotImplementedError:
        _node_mine_at(timestamp)
