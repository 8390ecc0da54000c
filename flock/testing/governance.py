"""Governance in the harness: a world with role holders, voters and a funded treasury, and a helper
that takes actions through a real proposal (propose, vote, queue, execute) with time moved on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak

from flock.deploy.governed import TIMELOCK_ADMINISTERED
from flock.harness.evm import Contract, Receipt
from flock.harness.system import System, deploy_system
from flock.units import DAY, WAD

VOTER_LOCK = 1_000_000 * WAD
STAKER_LOCK = 100_000 * WAD
STAKER_ALLOCATION = 50_000 * WAD
HELPER_INDEX = 18
HELPER_FLOCK = 1_000_000 * WAD
DRAW_TASK, RANGE_TASK = 1_000_000, 1_000_001  # ids the stand-in registry enrolls (no such tasks)
# The world's labelled accounts besides the deployer, the timelock and the governor, in the order
# of the chain's accounts (from the second on).
LABELS = (
    "voter",
    "staker",
    "minter",
    "manager",
    "slasher",
    "user",
    "outsider",
    "sink",
    "distributor",
    "oracle",
)
# Whom the access tests send privileged calls from: every labelled account but the sink.
CALLERS = ("deployer", *LABELS[:7], "timelock", "governor", "distributor", "oracle")
# The contracts with roles: every contract the timelock administers, and the timelock itself.
ROLE_CONTRACTS = (*TIMELOCK_ADMINISTERED, "timelock")


@dataclass(frozen=True)
class Call:
    """One action of a proposal, in harness terms."""

    contract: Contract
    function: str
    args: tuple[Any, ...]

    def calldata(self) -> bytes:
        return getattr(self.contract, self.function).encode(*self.args)


@dataclass
class World:
    """The deployed protocol after the handover, with named accounts:

    - ``voter`` holds most gmFLOCK (enough to propose and to pass a proposal alone);
    - ``staker`` holds locked gmFLOCK, part of it allocated (so allocate, release and slash work);
    - ``minter``, ``manager``, ``slasher`` hold MINTER_ROLE, STAKE_MANAGER_ROLE, SLASHER_ROLE, granted
      by the timelock (``slasher`` gmFLOCK's LOCKER_ROLE too);
    - ``user`` and ``outsider`` hold nothing; ``sink`` receives slashes and fees;
    - ``timelock``, ``governor`` and ``deployer`` are what their names say; the timelock holds
      the FLOCK treasury;
    - rewards: ``oracle`` is the reward distributor's only oracle (quorum 1), appointed by the
      timelock; the timelock holds GUARDIAN_ROLE (the deploy plan grants it);
    - tasks and emissions: ``manager`` also plays the task registry for the emission controller
      (TASK_REGISTRY_ROLE), ``slasher`` the reward contract for the task registry (its SLASHER_ROLE)
      and ``distributor`` the reward distributor (DISTRIBUTOR_ROLE); epoch 1 is open with budgets
      for the tasks ``DRAW_TASK`` and ``RANGE_TASK``. ``helper`` (no label, so never a caller in the
      access tests) holds the same two roles, for set-up steps that must not depend on them.
    """

    system: System
    accounts: dict[str, str]
    proposals: int = 0
    executed: list[Receipt] = field(default_factory=list)
    _role_ids: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)

    def __getitem__(self, label: str) -> str:
        return self.accounts[label]

    def label_of(self, address: str) -> str:
        return next((label for label, a in self.accounts.items() if a.lower() == address.lower()), address)

    def contract(self, key: str) -> Contract:
        return self.system.contracts[key]

    @property
    def helper(self) -> str:
        """An unlabeled account holding TASK_REGISTRY_ROLE and the registry's SLASHER_ROLE, and FLOCK
        for set-up steps."""
        return self.system.chain.accounts[HELPER_INDEX]

    def role(self, key: str, role: str) -> bytes:
        """The id of ``role`` at ``key``: read once (a role id is a constant of the contract's code;
        the access invariants ask for it hundreds of times per step)."""
        if (key, role) not in self._role_ids:
            read = bytes(32) if role == "DEFAULT_ADMIN_ROLE" else getattr(self.contract(key), role)()
            self._role_ids[(key, role)] = bytes(read)
        return self._role_ids[(key, role)]

    def has_role(self, key: str, role: str, label: str) -> bool:
        return bool(self.contract(key).hasRole(self.role(key, role), self.accounts[label]))

    def govern(self, calls: list[Call]) -> Receipt:
        """Passes ``calls`` through the governor: the voter proposes and votes For, time moves past
        the voting period and the timelock delay, then anyone executes. Returns the execute receipt."""
        chain, gov, voter = self.system.chain, self.contract("governor"), self.accounts["voter"]
        targets = [c.contract.address for c in calls]
        values = [0] * len(calls)
        calldatas = [c.calldata() for c in calls]
        self.proposals += 1
        description = f"# harness proposal {self.proposals}"
        description_hash = keccak(text=description)
        gov.propose(targets, values, calldatas, description, sender=voter)
        proposal_id = gov.hashProposal(targets, values, calldatas, description_hash)
        chain.warp(gov.votingDelay() + 1)
        gov.castVote(proposal_id, 1, sender=voter)  # 1: For (GovernorCountingSimple)
        chain.warp(gov.proposalDeadline(proposal_id) - chain.now + 1)
        gov.queue(targets, values, calldatas, description_hash, sender=self.accounts["outsider"])
        chain.warp(self.contract("timelock").getMinDelay() + 1)
        receipt = gov.execute(targets, values, calldatas, description_hash, sender=self.accounts["user"])
        self.executed.append(receipt)
        return receipt


def build_world(system: System | None = None) -> World:
    """Deploys the protocol (by the deploy plan, handover included) and sets the world up."""
    system = system or deploy_system()
    chain, token, gm = system.chain, system.token, system.gmflock
    timelock = system.timelock.address
    accounts = {"deployer": system.deployer, "timelock": timelock, "governor": system.governor.address}
    accounts |= {name: chain.accounts[i + 1] for i, name in enumerate(LABELS)}
    world = World(system, accounts)

    for label, amount in (("voter", VOTER_LOCK), ("staker", STAKER_LOCK)):
        token.transfer(accounts[label], amount, sender=system.treasury)
        token.approve(gm.address, amount, sender=accounts[label])
        gm.lock(amount, 365 * DAY, sender=accounts[label])
    # Set-up steps hand out FLOCK from the helper, never from the treasury (INV-09: the treasury
    # moves only by governance).
    token.transfer(world.helper, HELPER_FLOCK, sender=system.treasury)
    # The timelock appoints the role holders (in the harness it may send directly).
    token.grantRole(token.MINTER_ROLE(), accounts["minter"], sender=timelock)
    gm.grantRole(gm.STAKE_MANAGER_ROLE(), accounts["manager"], sender=timelock)
    gm.grantRole(gm.SLASHER_ROLE(), accounts["slasher"], sender=timelock)
    gm.grantRole(gm.LOCKER_ROLE(), accounts["slasher"], sender=timelock)
    gm.allocate(accounts["staker"], STAKER_ALLOCATION, sender=accounts["manager"])
    _appoint_task_roles(world)
    system.rewards.setOracles([accounts["oracle"]], 1, sender=timelock)
    # The API credits: the oracle runs the gateway too (quorum 1); the distributor label may fund
    # reward budgets like the API credits contract does.
    system.api.setOperators([accounts["oracle"]], 1, sender=timelock)
    system.rewards.grantRole(system.rewards.REVENUE_ROLE(), accounts["distributor"], sender=timelock)
    chain.warp(1)
    return world


def _appoint_task_roles(world: World) -> None:
    """The emission controller's and the task registry's roles, and budgets to draw in epoch 1."""
    system, timelock = world.system, world["timelock"]
    emissions, tasks = system.emissions, system.tasks
    for holder in (world["manager"], world.helper):
        emissions.grantRole(emissions.TASK_REGISTRY_ROLE(), holder, sender=timelock)
    for holder in (world["slasher"], world.helper):
        tasks.grantRole(tasks.SLASHER_ROLE(), holder, sender=timelock)
    emissions.grantRole(emissions.DISTRIBUTOR_ROLE(), world["distributor"], sender=timelock)
    far = system.chain.now + 365 * DAY
    emissions.enrollTask(DRAW_TASK, False, far, 1_234_567 * WAD // 1_000, 0, sender=world["manager"])
    emissions.enrollTask(RANGE_TASK, True, far, 500 * WAD, 277_777 * WAD // 1_000, sender=world["manager"])
    system.chain.warp(emissions.epochLength())
    emissions.checkpoint(sender=world["user"])
