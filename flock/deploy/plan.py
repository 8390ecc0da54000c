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

from flock.deploy.config import ZERO_ADDRESS, DeployConfig


@dataclass
class Context:
    """What a step may read: the config, the deployer and the addresses deployed so far."""

    config: DeployConfig
    deployer: str
    addresses: dict[str, str] = field(default_factory=dict)

    def address(self, ref: str) -> str:
        """Resolves ``deployer``, ``burn`` (zero), a deployed contract's key, or a 0x address."""
        if ref == "deployer":
            return self.deployer
        if ref == "burn":
            return ZERO_ADDRESS
        if ref in self.addresses:
            return self.addresses[ref]
        if ref.startswith("0x") and len(ref) == 42:
            return ref
        raise KeyError(f"unknown address reference {ref!r}: not deployed yet, nor an address")


class Reader(Protocol):
    def view(self, key: str, function: str, *args: Any) -> Any: ...


@dataclass(frozen=True)
class Deploy:
    """Deploy ``contract`` and remember its address under ``key``."""

    key: str
    contract: str
    args: Callable[[Context], list[Any]]


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


def protocol_plan() -> list[Step]:
    """Every step of a full deployment, in order."""
    return [
        Deploy(
            "token",
            "FlockToken",
            lambda c: [
                c.deployer,
                [c.address(g.recipient) for g in c.config.token.genesis],
                [g.wei for g in c.config.token.genesis],
            ],
        ),
        Deploy(
            "gmflock",
            "GmFlock",
            lambda c: [
                c.address("token"),
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
        Deploy(
            "emissions",
            "EmissionController",
            lambda c: [c.address("token"), c.deployer, *c.config.emissions.constructor_args()],
        ),
        Deploy(
            "tasks",
            "TaskRegistry",
            lambda c: [c.address("gmflock"), c.address("emissions"), c.deployer, c.config.tasks.parameters()],
        ),
        grant_role("gmflock", "STAKE_MANAGER_ROLE", "tasks"),
        grant_role("gmflock", "SLASHER_ROLE", "tasks"),
        grant_role("token", "MINTER_ROLE", "emissions"),
        grant_role("emissions", "TASK_REGISTRY_ROLE", "tasks"),
    ]


class Backend(Protocol):
    """Where a plan runs: a live chain through ape, or the in-process harness."""

    deployer: str

    def existing(self, key: str) -> str | None:
        """The address already deployed for ``key`` (and still live), if any."""

    def deploy(self, key: str, contract: str, args: list[Any]) -> str: ...

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
                address = backend.deploy(step.key, step.contract, step.args(ctx))
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
