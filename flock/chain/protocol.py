"""One handle on a deployed protocol: its contracts by plan key.

``ProtocolHandle`` is what the rooms of the suite (demo, dao, oracle, alliance, the epoch, tests)
ask of a deployed protocol; ``LiveProtocol`` answers it on the chain ape is connected to, the
harness's ``System`` (``flock.harness.system``) answers it in process. ``LiveProtocol.load`` is the
one way to open a deployment from its manifest: it refuses a manifest written for another chain
(chain id and genesis hash), so a command never reads or sends to the wrong contracts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ape.utils import ManagerAccessMixin

from flock.chain.erc1967 import IMPLEMENTATION_SLOT, implementation_from_slot
from flock.chain.local import impersonate
from flock.chain.manifest import Manifest, ManifestError
from flock.chain.network import is_local


@runtime_checkable
class ProtocolHandle(Protocol):
    """A deployed protocol, by plan key (``tasks``, ``rewards``, ``timelock``...; see
    ``flock.deploy.plan``). Both implementations also give ``handle.<key>`` for ``contract(key)``."""

    deployer: Any  # who deployed it: an ape account (live) or an address (harness)

    @property
    def keys(self) -> tuple[str, ...]:
        """The plan keys deployed, in deployment order."""
        ...

    def contract(self, key: str) -> Any:
        """The contract deployed under ``key`` (KeyError if there is none)."""
        ...

    def address(self, key: str) -> str:
        """The address of the contract deployed under ``key``."""
        ...

    @property
    def admin(self) -> Any:
        """Who holds every admin role: the timelock once governance is deployed, else the deployer."""
        ...


def genesis_hash() -> str:
    """The connected chain's genesis block hash, 0x-prefixed."""
    return "0x" + bytes(ManagerAccessMixin.chain_manager.blocks[0].hash).hex()


class LiveProtocol(ManagerAccessMixin):
    """The protocol of a manifest on the chain ape is connected to (``ProtocolHandle``), with the
    chain reads the deploy verifier needs (``flock.deploy.verify.ChainReader``)."""

    def __init__(self, manifest: Manifest, deployer: Any = None) -> None:
        self.manifest = manifest
        self.deployer = deployer
        self._instances: dict[str, Any] = {}

    @classmethod
    def load(cls, manifest_file: Path, deployer: Any = None, *, complete: bool = False) -> LiveProtocol:
        """The deployment recorded at ``manifest_file``, checked to be on the connected chain (same
        chain id and genesis hash), and finished if ``complete``; ``ManifestError`` says what to do
        otherwise."""
        manifest = Manifest.load(manifest_file)
        if complete and (manifest is None or not manifest.complete):
            raise ManifestError(
                f"no complete deployment manifest at {manifest_file}: run `ape run deploy` first"
            )
        if manifest is None:
            raise ManifestError(
                f"no deployment manifest at {manifest_file}: deploy first (`ape run deploy`) or pass "
                "--manifest"
            )
        provider = cls.provider
        genesis = genesis_hash()
        if manifest.chain_id != provider.chain_id or manifest.genesis_hash != genesis:
            hint = (
                " A local network run by `ape run` is a new chain every time: start anvil once and point "
                "the commands at it (docs/governance.md, 'A persistent local chain')."
                if is_local(provider.network.name)
                else ""
            )
            raise ManifestError(
                f"{manifest_file} describes chain {manifest.chain_id} (genesis "
                f"{manifest.genesis_hash[:10]}…), not the connected chain {provider.chain_id} (genesis "
                f"{genesis[:10]}…).{hint}"
            )
        return cls(manifest, deployer)

    # -- the handle

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.manifest.contracts)

    def contract(self, key: str) -> Any:
        if key not in self._instances:
            record = self.manifest.contracts[key]
            contract_type = self.local_project.get_contract(record.contract).contract_type
            # The manifest says what is deployed: never ask a block explorer (offline, and slower).
            self._instances[key] = self.chain_manager.contracts.instance_at(
                record.address, contract_type=contract_type, fetch_from_explorer=False, detect_proxy=False
            )
        return self._instances[key]

    def address(self, key: str) -> str:
        return self.manifest.address(key)

    @property
    def admin(self) -> Any:
        """The timelock once governance is deployed (impersonated: local chains only), else the deployer."""
        if "timelock" in self.manifest.contracts:
            return impersonate(self.address("timelock"))
        return self.deployer

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key == "manifest":
            raise AttributeError(key)
        try:
            return self.contract(key)
        except KeyError as err:
            raise AttributeError(key) from err

    # -- reads by plan key (the deploy verifier's ChainReader)

    def contract_name(self, key: str) -> str:
        return self.manifest.contracts[key].contract

    def view(self, key: str, function: str, *args: Any) -> Any:
        return self.contract(key).call_view_method(function, *args)

    def code(self, key: str) -> bytes:
        return self.code_at(self.address(key))

    def code_at(self, address: str) -> bytes:
        return bytes(self.provider.get_code(address))

    def implementation(self, key: str) -> str | None:
        """The implementation behind the proxy ``key`` (None if its ERC-1967 slot is empty)."""
        return implementation_at(self.address(key))

    def storage_at(self, address: str, slot: int) -> int:
        return int.from_bytes(bytes(self.provider.get_storage(address, slot)), "big")

    def succeeds(self, key: str, data: bytes, sender: str) -> bool:
        """Whether a call of ``data`` to the contract from ``sender`` would succeed: an ``eth_call``,
        nothing is sent."""
        call = {"from": sender, "to": self.address(key), "data": "0x" + data.hex()}
        try:
            self.provider.make_request("eth_call", [call, "latest"])
        except Exception:  # the call reverts (the node answers with an error)
            return False
        return True

    def role_members(self, key: str) -> dict[bytes, set[str]]:
        """Every role's holders, replayed from the contract's RoleGranted / RoleRevoked events."""
        contract = self.contract(key)
        start = max(self.manifest.contracts[key].block, 0)
        stop = self.chain_manager.blocks.height + 1
        logs = [*contract.RoleGranted.range(start, stop), *contract.RoleRevoked.range(start, stop)]
        logs.sort(key=lambda log: (log.block_number, log.log_index))
        members: dict[bytes, set[str]] = {}
        for log in logs:
            holders = members.setdefault(bytes(log.role), set())
            if log.event_name == "RoleGranted":
                holders.add(str(log.account))
            else:
                holders.discard(str(log.account))
        return members


def implementation_at(proxy: str) -> str | None:
    """The implementation in a proxy's ERC-1967 slot on the connected chain; None where it is empty."""
    word = ManagerAccessMixin.provider.get_storage(proxy, IMPLEMENTATION_SLOT)
    address = implementation_from_slot(word)
    return None if int(address, 16) == 0 else address
