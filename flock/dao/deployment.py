"""The deployed protocol as the DAO tools see it: its handle (``flock.chain.protocol``), names for
addresses and roles."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from ape.exceptions import ApeException
from eth_utils import is_hex_address, keccak, to_checksum_address

from flock import artifacts
from flock.chain.network import is_dev
from flock.chain.protocol import LiveProtocol
from flock.deploy.config import ZERO_ADDRESS

DEFAULT_ADMIN_ROLE = bytes(32)


class DaoError(ApeException):
    """Something the operator asked for cannot be done; the message says why and what to do."""


class Deployment:
    """One deployment on the connected chain, through its handle, with the DAO's names."""

    def __init__(self, protocol: LiveProtocol, manifest_file: Path | None = None) -> None:
        self.protocol = protocol
        self.manifest = protocol.manifest
        self.manifest_file = manifest_file
        if "governor" not in protocol.keys or "timelock" not in protocol.keys:
            raise DaoError(
                f"{manifest_file or 'the manifest'} has no governor and timelock: deploy governance first"
            )

    @classmethod
    def load(cls, manifest_file: Path) -> Deployment:
        return cls(LiveProtocol.load(manifest_file), manifest_file)

    # -- contracts

    def contract(self, key: str) -> Any:
        """The ape contract deployed under ``key``."""
        return self.protocol.contract(key)

    @property
    def governor(self) -> Any:
        return self.contract("governor")

    @property
    def timelock(self) -> Any:
        return self.contract("timelock")

    @property
    def keys(self) -> list[str]:
        return list(self.protocol.keys)

    def address(self, key: str) -> str:
        return self.protocol.address(key)

    def abi(self, key: str) -> tuple[dict[str, Any], ...]:
        return artifacts.load()[self.manifest.contracts[key].contract].abi

    def key_of(self, target: str) -> str:
        """A contract's key from its key (``gmflock``), contract name (``GmFlock``) or address."""
        lowered = target.lower()
        for key, record in self.manifest.contracts.items():
            if lowered in (key.lower(), record.contract.lower(), record.address.lower()):
                return key
        if lowered == "treasury":
            return "timelock"
        raise DaoError(f"no contract {target!r} in the deployment; known: {', '.join(self.keys)}")

    # -- addresses

    def resolve(self, ref: str) -> str:
        """An address from a contract key or name, ``treasury`` (the timelock), ``burn``/``zero``,
        ``deployer``, a 0x address, or ``test:N`` on a local chain."""
        text = str(ref).strip()
        if text.lower() in ("burn", "zero"):
            return ZERO_ADDRESS
        if text.lower().startswith("test:"):
            return self._test_account(text)
        if text.lower() == "deployer":
            return self.manifest.deployer
        if is_hex_address(text):
            return to_checksum_address(text)
        try:
            return self.address(self.key_of(text))
        except DaoError:
            raise DaoError(
                f"{ref!r} is not an address, nor a contract of the deployment ({', '.join(self.keys)}), "
                "nor one of treasury, burn, deployer"
            ) from None

    @staticmethod
    def _test_account(text: str) -> str:
        """``test:N``: the N-th test account, on a local or forked chain only."""
        from ape import accounts, chain

        if not is_dev(chain.provider.network.name):
            raise DaoError(f"{text}: test accounts exist on local and forked chains only")
        try:
            return str(accounts.test_accounts[int(text[5:])].address)
        except (ValueError, IndexError):
            raise DaoError(f"{text!r}: expected test:N with N a test account index") from None

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {record.address.lower(): key for key, record in self.manifest.contracts.items()}
        names[self.manifest.deployer.lower()] = "deployer"
        names[ZERO_ADDRESS] = "zero address"
        return names

    def name_of(self, address: Any) -> str | None:
        """The key (or ``deployer``) of a known address, else None."""
        return self._names.get(str(address).lower())

    def describe_address(self, address: Any) -> str:
        name = self.name_of(address)
        return f"{name} ({address})" if name else str(address)

    # -- roles

    @cached_property
    def role_names(self) -> dict[bytes, str]:
        """Role values of every compiled contract (``keccak256("X_ROLE")``) to their names."""
        names = {DEFAULT_ADMIN_ROLE: "DEFAULT_ADMIN_ROLE"}
        for artifact in artifacts.load().artifacts.values():
            for entry in artifact.abi:
                name = entry.get("name", "")
                if entry.get("type") == "function" and name.endswith("_ROLE") and not entry.get("inputs"):
                    names.setdefault(keccak(text=name), name)
        return names

    def role_value(self, key: str, role: str) -> bytes:
        """The bytes32 of ``role`` (a name such as ``MINTER_ROLE``, or 0x hex) on the contract ``key``."""
        text = role.strip()
        if text.startswith("0x") and len(text) == 66:
            return bytes.fromhex(text[2:])
        name = text.upper()
        if not name.endswith("_ROLE"):
            name += "_ROLE"
        if name == "DEFAULT_ADMIN_ROLE":
            return DEFAULT_ADMIN_ROLE
        roles = [
            e["name"] for e in self.abi(key) if e.get("type") == "function" and e["name"].endswith("_ROLE")
        ]
        if name not in roles:
            raise DaoError(f"{key} has no role {name}; its roles: {', '.join(sorted(roles))}")
        return bytes(self.protocol.view(key, name))
