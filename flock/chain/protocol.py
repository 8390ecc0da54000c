"""The protocol deployed on the connected chain (ape), with contract handles by plan key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape import project

from flock.chain.local import impersonate
from flock.chain.manifest import Manifest


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
