"""What the protocol deployment consists of, in order: one list of steps for every backend.

The same plan deploys to a live network through ape (``flock.deploy.ape_backend``) and into the
in-process harness for property tests (``flock.harness.system``), so both run the same wiring.
Each step is idempotent: a deploy step is skipped when the manifest already holds a live contract
for its key, a call step when its ``done`` check already holds on chain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from flock import artifacts
from flock.deploy.config import ZERO_ADDRESS, DeployConfig
from flock.deploy.governed import TIMELOCK_ADMINISTERED


@dataclass
class Context:
    """What a step may read: the config, the deployer and the addresses deployed so far."""

    config: DeployConfig
    deployer: str
    addresses: dict[str, str] = field(default_factory=dict)

    def address(self, ref: str) -> str:
        """Resolves ``deployer``, ``burn`` (zero), ``treasury`` (the timelock), a deployed contract's
        key, or a 0x address."""
        if ref == "deployer":
            return self.deployer
        if ref == "burn":
            return ZERO_ADDRESS
        if ref == "treasury":
            ref = "timelock"
        if ref in self.addresses:
            return self.addresses[ref]
        if ref.startswith("0x") and len(ref) == 42:
            return ref
        raise KeyError(f"unknown address reference {ref!r}: not deployed yet, nor an address")


class Reader(Protocol):
    def view(self, key: str, function: str, *args: Any) -> Any: ...


@dataclass(frozen=True)
class Deploy:
    """Deploy ``contract`` and remember its address under ``key``.

    With ``init``, the contract is upgradeable: ``args`` are its implementation's constructor
    arguments (what is fixed across upgrades), and the address remembered is a proxy's
    (``flock.deploy.proxies``) whose constructor runs ``initialize(*init(ctx))``."""

    key: str
    contract: str
    args: Callable[[Context], list[Any]]
    init: Callable[[Context], list[Any]] | None = None


@dataclass(frozen=True)
class Call:
    """Send ``function(*args)`` to the contract deployed under ``target``, unless ``done``."""

    key: str
    target: str
    function: str
    args: Callable[[Context, Reader], list[Any]]
    done: Callable[[Context, Reader], bool]


Step = Deploy | Call


def _role(reader: Reader, key: str, role_constant: str) -> bytes:
    if role_constant == "DEFAULT_ADMIN_ROLE":
        return bytes(32)
    return reader.view(key, role_constant)


def grant_role(target: str, role: str, holder: str) -> Call:
    """Grant ``role`` (a role constant's name) on ``target`` to ``holder`` (a reference)."""
    return Call(
        key=f"grant:{target}:{role}:{holder}",
        target=target,
        function="grantRole",
        args=lambda c, r: [_role(r, target, role), c.address(holder)],
        done=lambda c, r: r.view(target, "hasRole", _role(r, target, role), c.address(holder)),
    )


def renounce_role(target: str, role: str) -> Call:
    """The deployer gives up ``role`` (a role constant's name) on ``target``, if it holds it."""
    return Call(
        key=f"renounce:{target}:{role}",
        target=target,
        function="renounceRole",
        args=lambda c, r: [_role(r, target, role), c.deployer],
        done=lambda c, r: not r.view(target, "hasRole", _role(r, target, role), c.deployer),
    )


def roles_of(contract: str) -> list[str]:
    """The role constants a compiled contract exposes (``X_ROLE()`` views), DEFAULT_ADMIN_ROLE last."""
    names = {
        entry["name"]
        for entry in artifacts.load()[contract].abi
        if entry.get("type") == "function"
        and entry["name"].endswith("_ROLE")
        and not entry.get("inputs")
        and [o["type"] for o in entry.get("outputs", [])] == ["bytes32"]
    }
    return sorted(names, key=lambda n: (n == "DEFAULT_ADMIN_ROLE", n))


def contracts_of(plan: Sequence[Step]) -> dict[str, str]:
    """The contract name deployed under each key of ``plan``."""
    return {step.key: step.contract for step in plan if isinstance(step, Deploy)}


def governance_steps() -> list[Step]:
    """The governor and its wiring to the timelock (deployed first, see ``protocol_plan``)."""
    return [
        Deploy(
            "governor",
            "FlockGovernor",
            lambda c: [
                c.address("gmflock"),
                c.address("timelock"),
                c.config.governance.voting_delay,
                c.config.governance.voting_period,
                c.config.governance.proposal_threshold_wei,
                c.config.governance.quorum_percent,
                c.config.governance.late_quorum_extension,
            ],
        ),
        # The governor is the timelock's only proposer, and a canceller (it cancels the timelock
        # operation of a proposal it cancels). Anyone executes: the timelock was built with the
        # zero address as executor.
        grant_role("timelock", "PROPOSER_ROLE", "governor"),
        grant_role("timelock", "CANCELLER_ROLE", "governor"),
    ]


def task_steps() -> list[Step]:
    """The emission controller and the task registry, and the roles they need (issue 4)."""
    return [
        Deploy(
            "emissions",
            "EmissionController",
            lambda c: [c.address("token"), *c.config.emissions.schedule_args()],
            lambda c: [c.deployer, *c.config.emissions.initialize_args()],
        ),
        Deploy(
            "tasks",
            "TaskRegistry",
            lambda c: [c.address("gmflock"), c.address("emissions")],
            lambda c: [c.deployer, c.config.tasks.parameters()],
        ),
        grant_role("gmflock", "STAKE_MANAGER_ROLE", "tasks"),
        grant_role("gmflock", "SLASHER_ROLE", "tasks"),
        grant_role("token", "MINTER_ROLE", "emissions"),
        grant_role("emissions", "TASK_REGISTRY_ROLE", "tasks"),
    ]


def reward_steps() -> list[Step]:
    """Submissions and the reward distributor, and the roles they need (issue 5): the distributor
    draws budgets (DISTRIBUTOR_ROLE); governance, and an optional guardian, may veto roots."""
    return [
        Deploy(
            "submissions",
            "ArenaSubmissions",
            lambda c: [c.address("tasks"), c.address("emissions")],
            lambda c: [c.deployer, c.config.rewards.phases()],
        ),
        Deploy(
            "rewards",
            "RewardDistributor",
            lambda c: [c.address("emissions"), c.address("tasks"), c.address("submissions")],
            lambda c: [
                c.deployer,
                c.config.rewards.parameters(),
                [c.address(oracle) for oracle in c.config.rewards.oracles],
                c.config.rewards.quorum,
            ],
        ),
        grant_role("emissions", "DISTRIBUTOR_ROLE", "rewards"),
        grant_role("rewards", "GUARDIAN_ROLE", "timelock"),
        Call(
            key="grant:rewards:GUARDIAN_ROLE:guardian",
            target="rewards",
            function="grantRole",
            args=lambda c, r: [
                _role(r, "rewards", "GUARDIAN_ROLE"),
                c.address(c.config.rewards.guardian or ""),
            ],
            # Nothing to do without a configured guardian.
            done=lambda c, r: (
                c.config.rewards.guardian is None
                or r.view(
                    "rewards",
                    "hasRole",
                    _role(r, "rewards", "GUARDIAN_ROLE"),
                    c.address(c.config.rewards.guardian),
                )
            ),
        ),
    ]


def slashing_steps() -> list[Step]:
    """ArenaSlasher and its roles (issue 11): the registry's SLASHER_ROLE (it slashes Arena nodes
    and validators through the registry); governance, and the rewards guardian if any, veto its
    oracle-reported slash roots."""
    return [
        Deploy(
            "slasher",
            "ArenaSlasher",
            lambda c: [c.address("tasks"), c.address("submissions"), c.address("rewards")],
            lambda c: [c.deployer, c.config.slashing.parameters(c.address)],
        ),
        grant_role("tasks", "SLASHER_ROLE", "slasher"),
        grant_role("slasher", "GUARDIAN_ROLE", "timelock"),
        Call(
            key="grant:slasher:GUARDIAN_ROLE:guardian",
            target="slasher",
            function="grantRole",
            args=lambda c, r: [
                _role(r, "slasher", "GUARDIAN_ROLE"),
                c.address(c.config.rewards.guardian or ""),
            ],
            done=lambda c, r: (
                c.config.rewards.guardian is None
                or r.view(
                    "slasher",
                    "hasRole",
                    _role(r, "slasher", "GUARDIAN_ROLE"),
                    c.address(c.config.rewards.guardian),
                )
            ),
        ),
    ]


def alliance_steps() -> list[Step]:
    """AllianceRounds and its roles: the registry's SLASHER_ROLE (it slashes participants through
    the registry), the controller's DISTRIBUTOR_ROLE (it draws each task's budget into the
    task's round pool) (issue 6) and gmFLOCK's LOCKER_ROLE (its `withdraw` pays the shares of
    slashes as locks, decision 195)."""
    return [
        Deploy(
            "alliance",
            "AllianceRounds",
            lambda c: [c.address("tasks"), c.address(c.config.alliance.treasury)],
            lambda c: [c.deployer, c.config.alliance.parameters()],
        ),
        grant_role("tasks", "SLASHER_ROLE", "alliance"),
        grant_role("emissions", "DISTRIBUTOR_ROLE", "alliance"),
        grant_role("gmflock", "LOCKER_ROLE", "alliance"),
    ]


def api_steps() -> list[Step]:
    """The API platform's credits (issue 14): it funds task epochs' reward budgets with the revenue
    of their models (the distributor's REVENUE_ROLE)."""
    return [
        Deploy(
            "api",
            "ApiCredits",
            lambda c: [c.address("rewards")],
            lambda c: [
                c.deployer,
                c.config.api.report_window,
                c.config.api.collect_window,
                c.config.api.protocol_share_bps,
                c.address(c.config.api.treasury),
                [c.address(operator) for operator in c.config.api.operators],
                c.config.api.quorum,
            ],
        ),
        grant_role("rewards", "REVENUE_ROLE", "api"),
    ]


def handover_steps(contracts: dict[str, str]) -> list[Step]:
    """The timelock becomes admin of every contract in ``governed.TIMELOCK_ADMINISTERED``; then the
    deployer renounces every role it holds on them and on the timelock. Must be the last steps of the
    plan: nothing can be wired after them."""
    steps: list[Step] = [grant_role(key, "DEFAULT_ADMIN_ROLE", "timelock") for key in TIMELOCK_ADMINISTERED]
    for key in (*TIMELOCK_ADMINISTERED, "timelock"):
        steps += [renounce_role(key, role) for role in roles_of(contracts[key])]
    return steps


def vesting_steps(keys: Sequence[str]) -> list[Step]:
    """A ``GenesisVesting`` wallet for each vesting allocation of the config, before the token, so
    that the token's constructor mints into it (issue 12). Which keys exist depends on the config
    (``TokenConfig.grants``): ``protocol_plan(config)`` lists them."""

    def args(key: str) -> Callable[[Context], list[Any]]:
        def wallet_args(c: Context) -> list[Any]:
            grants = {g.key: g for g in c.config.token.vesting_grants()}
            if key not in grants:
                raise KeyError(f"the deploy config has no vesting allocation {key}")
            grant = grants[key]
            schedule = grant.vesting
            assert schedule is not None
            return [c.address(grant.recipient), schedule.start, schedule.duration, schedule.cliff]

        return wallet_args

    return [Deploy(key, "GenesisVesting", args(key)) for key in keys]


def protocol_plan(config: DeployConfig | None = None) -> list[Step]:
    """Every step of a full deployment, in order: the timelock first (so that genesis and fee
    recipients may name the ``treasury``), the genesis vesting wallets of ``config`` (none without
    one), the token minting the genesis into the treasury, the wallets and the explicit recipients,
    the protocol, the governor, and the handover last."""
    vesting_keys = [g.key for g in config.token.vesting_grants() if g.key] if config else []
    steps: list[Step] = [
        Deploy(
            "timelock",
            "FlockTimelock",
            # No proposer yet (the governor does not exist); executor: the zero address, anyone;
            # the deployer is admin until the handover renounces it.
            lambda c: [c.config.governance.timelock_delay, [], [ZERO_ADDRESS], c.deployer],
        ),
        *vesting_steps(vesting_keys),
        Deploy(
            "token",
            "FlockToken",
            lambda c: [
                c.deployer,
                [c.address(g.key or g.recipient) for g in c.config.token.grants()],
                [g.wei for g in c.config.token.grants()],
            ],
        ),
        Deploy(
            "gmflock",
            "GmFlock",
            lambda c: [c.address("token")],
            lambda c: [
                c.deployer,
                c.config.gmflock.boost_floor,
                c.config.gmflock.boost_horizon,
                c.config.gmflock.boost_epsilon_wad,
                c.config.gmflock.min_lock_duration,
                c.config.gmflock.max_lock_duration,
                c.config.gmflock.withdrawal_fee_bps,
                c.address(c.config.gmflock.fee_recipient),
            ],
        ),
        *governance_steps(),
        *task_steps(),
        *alliance_steps(),
        *reward_steps(),
        *slashing_steps(),
        *api_steps(),
    ]
    return [*steps, *handover_steps(contracts_of(steps))]


class Backend(Protocol):
    """Where a plan runs: a live chain through ape, or the in-process harness."""

    deployer: str

    def existing(self, key: str) -> str | None:
        """The address already deployed for ``key`` (and still live), if any."""

    def deploy(self, key: str, contract: str, args: list[Any]) -> str: ...

    def deploy_proxy(self, key: str, contract: str, args: list[Any], init: list[Any]) -> str:
        """Deploys ``contract``'s implementation with constructor ``args`` (or reuses the one an
        interrupted run deployed) and a proxy to it running ``initialize(*init)``; returns the
        proxy's address."""

    def transact(self, key: str, target: str, function: str, args: list[Any]) -> None: ...

    def view(self, key: str, function: str, *args: Any) -> Any: ...


def run_plan(
    plan: Sequence[Step],
    ctx: Context,
    backend: Backend,
    on_step: Callable[[Step, str], None] | None = None,
) -> dict[str, str]:
    """Runs every step not yet done; returns the addresses by key. ``on_step(step, outcome)``
    reports progress ("deployed", "exists", "sent", "done")."""
    for step in plan:
        if isinstance(step, Deploy):
            address = backend.existing(step.key)
            outcome = "exists"
            if address is None:
                if step.init is None:
                    address = backend.deploy(step.key, step.contract, step.args(ctx))
                else:
                    address = backend.deploy_proxy(step.key, step.contract, step.args(ctx), step.init(ctx))
                outcome = "deployed"
            ctx.addresses[step.key] = address
        else:
            if step.done(ctx, backend):
                outcome = "done"
            else:
                backend.transact(step.key, step.target, step.function, step.args(ctx, backend))
                outcome = "sent"
        if on_step:
            on_step(step, outcome)
    return dict(ctx.addresses)
