"""The whole protocol deployed into the in-process harness, by the same plan as a live deploy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flock.chain.erc1967 import IMPLEMENTATION_SLOT, implementation_from_slot
from flock.deploy.config import DeployConfig, load_config
from flock.deploy.plan import Context, Step, protocol_plan, run_plan
from flock.deploy.proxies import (
    PROXY_CONTRACT,
    initialize_data,
)
from flock.harness.evm import Chain, Contract
from flock.paths import CONFIG_DIR


def deploy_upgradeable(
    chain: Chain, contract: str, args: list[Any], init: list[Any], *, sender: str
) -> Contract:
    """Deploys ``contract``'s implementation (constructor ``args``) and a proxy to it that runs
    ``initialize(*init)``, as the deploy plan does; returns the proxy with ``contract``'s ABI."""
    implementation = chain.deploy(contract, *args, sender=sender)
    proxy = chain.deploy(
        PROXY_CONTRACT, implementation.address, initialize_data(contract, init), sender=sender
    )
    return chain.at(contract, proxy.address)


def implementation_of(chain: Chain, proxy: str) -> str:
    """The implementation in a proxy's ERC-1967 slot."""
    return implementation_from_slot(chain.storage_at(proxy, IMPLEMENTATION_SLOT))


class HarnessBackend:
    """A plan backend that deploys into a harness ``Chain``."""

    def __init__(self, chain: Chain, deployer: str) -> None:
        self.chain = chain
        self.deployer = deployer
        self.contracts: dict[str, Contract] = {}
        self.implementations: dict[str, Contract] = {}

    def existing(self, key: str) -> str | None:
        contract = self.contracts.get(key)
        return contract.address if contract else None

    def deploy(self, key: str, contract: str, args: list[Any]) -> str:
        self.contracts[key] = self.chain.deploy(contract, *args, sender=self.deployer)
        return self.contracts[key].address

    def deploy_proxy(self, key: str, contract: str, args: list[Any], init: list[Any]) -> str:
        self.contracts[key] = deploy_upgradeable(self.chain, contract, args, init, sender=self.deployer)
        self.implementations[key] = self.chain.at(
            contract, implementation_of(self.chain, self.contracts[key].address)
        )
        return self.contracts[key].address

    def transact(self, key: str, target: str, function: str, args: list[Any]) -> None:
        getattr(self.contracts[target], function)(*args, sender=self.deployer)

    def view(self, key: str, function: str, *args: Any) -> Any:
        return getattr(self.contracts[key], function)(*args)


@dataclass
class System:
    """A deployed protocol in the harness: contracts by plan key (``ProtocolHandle``), plus the chain
    and the deployer."""

    chain: Chain
    deployer: str
    config: DeployConfig
    contracts: dict[str, Contract]
    # The implementation behind each upgradeable contract's proxy (``contracts`` holds the proxies).
    implementations: dict[str, Contract] = field(default_factory=dict)

    # -- the handle (flock.chain.protocol.ProtocolHandle, as LiveProtocol on a live chain)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.contracts)

    def contract(self, key: str) -> Contract:
        return self.contracts[key]

    def address(self, key: str) -> str:
        return self.contracts[key].address

    def __getattr__(self, key: str) -> Contract:
        try:
            return self.contracts[key]
        except KeyError as err:
            raise AttributeError(key) from err

    @property
    def admin(self) -> str:
        """The address holding every admin role: the timelock once governance is deployed, else
        the deployer. The harness sends from any address, so tests act as the timelock directly."""
        return self.contracts["timelock"].address if "timelock" in self.contracts else self.deployer

    @property
    def treasury(self) -> str:
        """Where tests draw FLOCK from: the timelock, which holds the treasury's genesis share (the
        deployer holds none: config/ethereum-local.yaml). The harness sends as it directly."""
        return self.admin


def deploy_system(
    chain: Chain | None = None,
    config: DeployConfig | Path = CONFIG_DIR / "ethereum-local.yaml",
    plan: list[Step] | None = None,
) -> System:
    """Deploys the protocol into ``chain`` (a new one by default) from a deploy config."""
    chain = chain or Chain()
    cfg = config if isinstance(config, DeployConfig) else load_config(config)
    deployer = chain.accounts[0]
    backend = HarnessBackend(chain, deployer)
    run_plan(plan or protocol_plan(cfg), Context(config=cfg, deployer=deployer), backend)
    return System(chain, deployer, cfg, backend.contracts, backend.implementations)
