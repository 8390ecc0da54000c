"""The whole protocol deployed into the in-process harness, by the same plan as a live deploy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flock.deploy.config import DeployConfig, load_config
from flock.deploy.plan import Context, Step, protocol_plan, run_plan
from flock.harness.evm import Chain, Contract
from flock.paths import CONFIG_DIR


class HarnessBackend:
    """A plan backend that deploys into a harness ``Chain``."""

    def __init__(self, chain: Chain, deployer: str) -> None:
        self.chain = chain
        self.deployer = deployer
        self.contracts: dict[str, Contract] = {}

    def existing(self, key: str) -> str | None:
        contract = self.contracts.get(key)
        return contract.address if contract else None

    def deploy(self, key: str, contract: str, args: list[Any]) -> str:
        self.contracts[key] = self.chain.deploy(contract, *args, sender=self.deployer)
        return self.contracts[key].address

    def transact(self, key: str, target: str, function: str, args: list[Any]) -> None:
        getattr(self.contracts[target], function)(*args, sender=self.deployer)

    def view(self, key: str, function: str, *args: Any) -> Any:
        return getattr(self.contracts[key], function)(*args)


@dataclass
class System:
    """A deployed protocol in the harness: contracts by key, plus the chain and deployer."""

    chain: Chain
    deployer: str
    config: DeployConfig
    contracts: dict[str, Contract]

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
    return System(chain, deployer, cfg, backend.contracts)
