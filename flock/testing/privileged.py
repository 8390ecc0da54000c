"""Every privileged function of every contract, with who may call it: ONE table.

tests/access/test_privileged.py proves, row by row, that each function refuses every other known
account with the named error and succeeds for its holder; the INV-09 state machine
(``flock.testing.access_machine``) calls the rows with random callers. A new contract adds its rows
here; docs/governance.md's access matrix is written from these tables (`flock.testing.access_table`).

Holders:

- a role name (``MINTER_ROLE``, ``DEFAULT_ADMIN_ROLE``): whoever holds that role on the contract;
- ``GOVERNANCE``: an ``onlyGovernance`` function of the governor, reachable only from the timelock
  while it executes one of the governor's proposals (the timelock calling directly is refused too);
- ``SELF``: only the contract itself may call it (the timelock's ``updateDelay``), that is, a
  proposal executed by the timelock;
- ``ORACLE``: a member of the reward distributor's oracle set (which governance sets with
  ``setOracles``), not an AccessControl role; the ArenaSlasher's slash roots use the same set;
- ``OPERATOR``: a member of the API credits' gateway operator set (``setOperators``);
- ``REWARD_GUARDIAN``: a ``GUARDIAN_ROLE`` holder of the reward distributor (the API credits'
  veto reads the distributor's guardians);
- ``NOBODY``: nobody, ever: an upgradeable contract's ``initialize`` ran once, in its proxy's
  deployment (every caller, the timelock and a proposal included, gets ``InvalidInitialization``).

Every upgradeable contract (``flock.deploy.proxies.UPGRADEABLE``) has an ``upgradeToAndCall`` row
(``DEFAULT_ADMIN_ROLE``: only the timelock upgrades) and an ``initialize`` row (``NOBODY``).

A holder that is the target contract itself can only act through a proposal, so the tests take
that path for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak, to_checksum_address

from flock.deploy.plan import Context, Deploy, protocol_plan
from flock.deploy.proxies import UPGRADEABLE
from flock.tasks import Role, TaskKind, slash_route, spec_hash
from flock.testing.governance import DRAW_TASK, RANGE_TASK, Call, World
from flock.units import DAY, WAD

GOVERNANCE = "governance"
SELF = "self"
ORACLE = "oracle set"
OPERATOR = "operator set"
REWARD_GUARDIAN = "reward guardian"
NOBODY = "nobody"
ZERO32 = bytes(32)


def fresh(nonce: int) -> str:
    """A brand-new address for ``nonce`` (a grantee no one has seen)."""
    return to_checksum_address(keccak(text=f"fresh-{nonce}")[12:])


Args = Callable[[World, int], tuple[Any, ...]]


@dataclass(frozen=True)
class Privileged:
    """A function only ``holder`` may call on the contract under ``contract`` (a plan key)."""

    contract: str
    function: str
    holder: str
    args: Args
    error: str
    error_for: dict[str, str] = field(default_factory=dict)  # caller label -> another error
    prepare: Callable[[World, int], None] | None = None  # run first, by whoever may

    @property
    def id(self) -> str:
        return f"{self.contract}.{self.function}"

    def expected_error(self, caller: str) -> str:
        return self.error_for.get(caller, self.error)

    def call(self, world: World, nonce: int) -> Call:
        return Call(world.contract(self.contract), self.function, self.args(world, nonce))


def _role(world: World, key: str, role: str) -> bytes:
    return world.role(key, role)


def _schedule_args(world: World, nonce: int) -> tuple[Any, ...]:
    target = world.contract("token").address
    return (target, 0, b"", ZERO32, nonce.to_bytes(32, "big"), world.contract("timelock").getMinDelay())


def _schedule_batch_args(world: World, nonce: int) -> tuple[Any, ...]:
    target, value, data, predecessor, salt, delay = _schedule_args(world, nonce)
    return ([target], [value], [data], predecessor, salt, delay)


def _schedule_for_cancel(world: World, nonce: int) -> None:
    args = _schedule_args(world, 10**9 + nonce)
    world.contract("timelock").schedule(*args, sender=world["governor"])


def _cancel_args(world: World, nonce: int) -> tuple[Any, ...]:
    target, value, data, predecessor, salt, _ = _schedule_args(world, 10**9 + nonce)
    return (world.contract("timelock").hashOperation(target, value, data, predecessor, salt),)


def _relay_args(world: World, nonce: int) -> tuple[Any, ...]:
    token = world.contract("token")
    return (token.address, 0, token.approve.encode(world["sink"], nonce))


# ------------------------------------------------------------------ tasks and emissions set-up


def _caught_up(world: World, _: int = 0) -> None:
    """Opens every started epoch (anyone may), so registry reports are never refused as behind."""
    emissions = world.contract("emissions")
    while emissions.nextEpoch() <= emissions.currentEpoch():
        emissions.checkpoint(sender=world["user"])


def _enrolled(offset: int) -> Callable[[World, int], None]:
    """Set-up: the helper (a stand-in registry) enrolls task ``offset + nonce``."""

    def prepare(world: World, nonce: int) -> None:
        _caught_up(world)
        far = world.system.chain.now + 60 * DAY
        world.contract("emissions").enrollTask(offset + nonce, True, far, 1_000 * WAD, 0, sender=world.helper)

    return prepare


def _locker_funded(world: World, nonce: int) -> None:
    """Set-up: the helper gives the ``slasher`` (gmFLOCK's LOCKER_ROLE in the harness) the FLOCK
    its ``lockFor`` pulls, approved to gmFLOCK."""
    gm, token = world.contract("gmflock"), world.contract("token")
    token.transfer(world["slasher"], 1 + nonce, sender=world.helper)
    token.approve(gm.address, 1 + nonce, sender=world["slasher"])


def _new_task(world: World, _: int = 0) -> None:
    """Set-up: the voter creates a 30-day Arena task and joins it as a training node."""
    _caught_up(world)
    tasks = world.contract("tasks")
    tasks.createTask(
        TaskKind.ARENA, 30 * DAY, spec_hash("access"), "ipfs://access", 0, 0, sender=world["voter"]
    )
    tasks.join(tasks.taskCount(), Role.NODE, 2_000 * WAD, 5_000, sender=world["voter"])


def _alliance_member(world: World, _: int = 0) -> None:
    """Set-up: the voter creates a 30-day Alliance task and joins it as a participant."""
    _caught_up(world)
    tasks = world.contract("tasks")
    tasks.createTask(
        TaskKind.ALLIANCE, 30 * DAY, spec_hash("access"), "ipfs://access", 2, 8, sender=world["voter"]
    )
    tasks.join(tasks.taskCount(), Role.PARTICIPANT, 2_000 * WAD, 0, sender=world["voter"])


def _task_with_pot(world: World, nonce: int) -> None:
    """Set-up: a task whose node has a delegator, slashed by the helper and synced: FLOCK in the pot."""
    _new_task(world, nonce)
    tasks = world.contract("tasks")
    task_id = tasks.taskCount()
    tasks.delegateStake(task_id, world["voter"], 100 * WAD, sender=world["staker"])
    offence_at = world.system.chain.now  # after the delegation, which is at risk for it
    tasks.slash(task_id, world["voter"], 1_000 * WAD, offence_at, slash_route(), sender=world.helper)
    tasks.sync(task_id, world["staker"], sender=world.helper)


def _latest_task(world: World, _: int) -> tuple[Any, ...]:
    return (world.contract("tasks").taskCount(),)


# ------------------------------------------------------------------ rewards set-up


def _granted(key: str, role: str) -> Callable[[World, int], None]:
    """Set-up: the timelock grants ``role`` on ``key`` to the brand-new address ``fresh(nonce)``
    (never a labelled account, so the role models of the tests stay right)."""

    def prepare(world: World, nonce: int) -> None:
        world.contract(key).grantRole(_role(world, key, role), fresh(nonce), sender=world["timelock"])

    return prepare


def _reward_epoch(world: World, nonce: int) -> None:
    """Set-up: a new approved Arena task (the voter its node) that earned a budget in the epoch
    before the current one, whose reveal phase is over: ready for an oracle's post."""
    _new_task(world, nonce)
    tasks, emissions = world.contract("tasks"), world.contract("emissions")
    tasks.approveTask(tasks.taskCount(), sender=world["timelock"])
    earning = emissions.currentEpoch() + 1  # approval counts from the next epoch
    world.system.chain.set_time(emissions.genesis() + (earning + 1) * emissions.epochLength())
    _caught_up(world)


def _reward_key(world: World, _: int = 0) -> tuple[int, int]:
    """The task epoch ``_reward_epoch`` prepared: the latest task, in the epoch after its creation
    (it was created and approved in one epoch, and earns from the next)."""
    tasks, emissions = world.contract("tasks"), world.contract("emissions")
    task_id = tasks.taskCount()
    created_at = tasks.taskInfo(task_id).createdAt
    return task_id, (created_at - emissions.genesis()) // emissions.epochLength() + 1


def _post_args(world: World, nonce: int) -> tuple[Any, ...]:
    return (*_reward_key(world), keccak(text=f"root-{nonce}"), 1 + nonce, 0, keccak(text=f"report-{nonce}"))


def _accepted_root(world: World, nonce: int) -> None:
    """Set-up: the oracle (quorum 1) posts a root for a prepared task epoch: it is accepted."""
    _reward_epoch(world, nonce)
    world.contract("rewards").postRoot(*_post_args(world, nonce), sender=world["oracle"])


def _final_root(world: World, nonce: int) -> None:
    """Set-up: an accepted root past its challenge window, finalized: the rest of the budget is
    unallocated."""
    _accepted_root(world, nonce)
    rewards = world.contract("rewards")
    world.system.chain.warp(rewards.rewardParameters().challengeWindow)
    rewards.finalize(*_reward_key(world), sender=world["user"])


def _slash_root_args(world: World, nonce: int) -> tuple[Any, ...]:
    return (*_reward_key(world), keccak(text=f"slash-root-{nonce}"), 1, keccak(text=f"slash-report-{nonce}"))


def _accepted_slash_root(world: World, nonce: int) -> None:
    """Set-up: the oracle (quorum 1) posts a slash root for a prepared task epoch: it is accepted."""
    _reward_epoch(world, nonce)
    world.contract("slasher").postSlashRoot(*_slash_root_args(world, nonce), sender=world["oracle"])


def _second_admin(nonce: int) -> str:
    return fresh(5_000_000 + nonce)


def _appoint_second_admin(world: World, nonce: int) -> None:
    """Set-up: the timelock makes an unlabeled account a second admin of the alliance rounds (the
    contract has no other role to revoke, and the timelock must keep its own)."""
    world.contract("alliance").grantRole(ZERO32, _second_admin(nonce), sender=world["timelock"])


# ------------------------------------------------------------------ API credits set-up


def _credit(world: World, _: int = 0) -> None:
    """Set-up: the user holds 100 FLOCK of API credit (so a usage report's total fits)."""
    token, api = world.contract("token"), world.contract("api")
    token.transfer(world["user"], 100 * WAD, sender=world.helper)
    token.approve(api.address, 100 * WAD, sender=world["user"])
    api.deposit(100 * WAD, sender=world["user"])


def _usage_epoch(world: World, nonce: int) -> None:
    """Set-up: credit, and a new epoch whose previous one nobody has reported."""
    _credit(world)
    world.system.chain.warp(world.contract("emissions").epochLength())


def _usage_args(world: World, nonce: int) -> tuple[Any, ...]:
    epoch = world.contract("emissions").currentEpoch() - 1
    return (epoch, keccak(text=f"usage-{nonce}"), 1 + nonce, keccak(text=f"usage-report-{nonce}"))


def _accepted_usage(world: World, nonce: int) -> None:
    """Set-up: the operator (quorum 1) reports the previous epoch's usage: accepted."""
    _usage_epoch(world, nonce)
    world.contract("api").postUsage(*_usage_args(world, nonce), sender=world["oracle"])


def _fundable(world: World, nonce: int) -> None:
    """Set-up: a new Arena task; the distributor label (which holds REVENUE_ROLE in the world)
    holds FLOCK approved to the reward distributor."""
    _new_task(world, nonce)
    token, funder = world.contract("token"), world["distributor"]
    token.transfer(funder, 10 * WAD, sender=world.helper)
    token.approve(world.contract("rewards").address, 10 * WAD, sender=funder)


def _fund_args(world: World, nonce: int) -> tuple[Any, ...]:
    emissions = world.contract("emissions")
    return (world.contract("tasks").taskCount(), emissions.currentEpoch() + 2, 1 + nonce)


def _appoint_second_api_admin(world: World, nonce: int) -> None:
    world.contract("api").grantRole(ZERO32, _second_admin(nonce), sender=world["timelock"])


UNAUTHORIZED = "AccessControlUnauthorizedAccount"
NOT_EXECUTOR = "GovernorOnlyExecutor"
# The timelock calling an onlyGovernance function outside governor.execute: the governor's queue of
# authorized calls is empty, and popping it panics (0x31).
FROM_TIMELOCK_DIRECTLY = {"timelock": "Panic"}

PRIVILEGED: tuple[Privileged, ...] = (
    # ---------------------------------------------------------------- FlockToken
    Privileged("token", "mint", "MINTER_ROLE", lambda w, n: (w["user"], 1 + n), UNAUTHORIZED),
    Privileged(
        "token",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "token", "MINTER_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "token",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, _: (_role(w, "token", "MINTER_ROLE"), w["minter"]),
        UNAUTHORIZED,
    ),
    # ---------------------------------------------------------------- GmFlock
    Privileged("gmflock", "allocate", "STAKE_MANAGER_ROLE", lambda w, _: (w["staker"], 1), UNAUTHORIZED),
    Privileged("gmflock", "release", "STAKE_MANAGER_ROLE", lambda w, _: (w["staker"], 1), UNAUTHORIZED),
    Privileged("gmflock", "slash", "SLASHER_ROLE", lambda w, _: (w["staker"], WAD, w["sink"]), UNAUTHORIZED),
    Privileged(
        "gmflock",
        "lockFor",
        "LOCKER_ROLE",
        lambda w, n: (w["user"], 1 + n),
        UNAUTHORIZED,
        prepare=_locker_funded,
    ),
    Privileged(
        "gmflock",
        "setBoostParameters",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (30 * DAY, 365 * DAY, 2 * WAD + n),
        UNAUTHORIZED,
    ),
    Privileged(
        "gmflock",
        "setLockDurationBounds",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (7 * DAY + n % DAY, 365 * DAY),
        UNAUTHORIZED,
    ),
    Privileged(
        "gmflock",
        "setWithdrawalFee",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (n % 2_000, w["timelock"]),
        UNAUTHORIZED,
    ),
    Privileged(
        "gmflock",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "gmflock", "SLASHER_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "gmflock",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, _: (_role(w, "gmflock", "SLASHER_ROLE"), w["slasher"]),
        UNAUTHORIZED,
    ),
    # ---------------------------------------------------------------- EmissionController
    Privileged(
        "emissions",
        "enrollTask",
        "TASK_REGISTRY_ROLE",
        lambda w, n: (2_000_000 + n, True, w.system.chain.now + 60 * DAY, 1_000 * WAD, 1_000 * WAD),
        UNAUTHORIZED,
        prepare=_caught_up,
    ),
    Privileged(
        "emissions",
        "updateTask",
        "TASK_REGISTRY_ROLE",
        lambda _, n: (3_000_000 + n, 2_000 * WAD + n, 0),
        UNAUTHORIZED,
        prepare=_enrolled(3_000_000),
    ),
    Privileged(
        "emissions",
        "retireTask",
        "TASK_REGISTRY_ROLE",
        lambda _, n: (4_000_000 + n,),
        UNAUTHORIZED,
        prepare=_enrolled(4_000_000),
    ),
    Privileged(
        "emissions", "draw", "DISTRIBUTOR_ROLE", lambda w, n: (DRAW_TASK, 1, 1 + n, w["sink"]), UNAUTHORIZED
    ),
    Privileged(
        "emissions", "drawRange", "DISTRIBUTOR_ROLE", lambda w, _: (RANGE_TASK, 0, 2, w["sink"]), UNAUTHORIZED
    ),
    Privileged(
        "emissions", "setEpochCap", "DEFAULT_ADMIN_ROLE", lambda _, n: (1_000 * WAD + n,), UNAUTHORIZED
    ),
    Privileged("emissions", "setGamma", "DEFAULT_ADMIN_ROLE", lambda _, n: (n % (WAD // 2),), UNAUTHORIZED),
    Privileged("emissions", "sweepDust", "DEFAULT_ADMIN_ROLE", lambda w, _: (w["sink"], 1), UNAUTHORIZED),
    Privileged(
        "emissions",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "emissions", "DISTRIBUTOR_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "emissions",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, _: (_role(w, "emissions", "DISTRIBUTOR_ROLE"), w["distributor"]),
        UNAUTHORIZED,
    ),
    # ---------------------------------------------------------------- TaskRegistry
    Privileged("tasks", "approveTask", "DEFAULT_ADMIN_ROLE", _latest_task, UNAUTHORIZED, prepare=_new_task),
    Privileged("tasks", "cancelTask", "DEFAULT_ADMIN_ROLE", _latest_task, UNAUTHORIZED, prepare=_new_task),
    Privileged(
        "tasks",
        "slash",
        "SLASHER_ROLE",
        lambda w, n: (
            w.contract("tasks").taskCount(),
            w["voter"],
            1 + n,
            w.contract("tasks").taskInfo(w.contract("tasks").taskCount()).createdAt,  # offence: task creation
            slash_route(w["sink"]),
        ),
        UNAUTHORIZED,
        prepare=_new_task,
    ),
    Privileged(
        "tasks",
        "vacate",
        "SLASHER_ROLE",
        lambda w, _: (w.contract("tasks").taskCount(), w["voter"]),
        UNAUTHORIZED,
        prepare=_alliance_member,
    ),
    Privileged(
        "tasks",
        "withdrawSlashPot",
        "SLASHER_ROLE",
        lambda w, _: (w.contract("tasks").taskCount(), w["sink"], 1),
        UNAUTHORIZED,
        prepare=_task_with_pot,
    ),
    Privileged(
        "tasks",
        "setStakeMinimums",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (1_000 * WAD - n, 3_000 * WAD, 1_000 * WAD, 100 * WAD - n % 50),
        UNAUTHORIZED,
    ),
    Privileged(
        "tasks",
        "setTaskRules",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (100 * WAD + n, DAY, 30 * DAY, 7 * DAY - n % DAY, 64),
        UNAUTHORIZED,
    ),
    Privileged(
        "tasks",
        "setDelegationRules",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (1_000, 9_000, DAY, 7 * DAY, 500 - n % 500),
        UNAUTHORIZED,
    ),
    Privileged(
        "tasks",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "tasks", "SLASHER_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "tasks",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, _: (_role(w, "tasks", "SLASHER_ROLE"), w["slasher"]),
        UNAUTHORIZED,
    ),
    # ---------------------------------------------------------------- ArenaSubmissions
    Privileged(
        "submissions",
        "setPhases",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: ((10 * 3600 - n % 3600, 2 * 3600, 6 * 3600, 6 * 3600),),
        UNAUTHORIZED,
    ),
    Privileged(
        "submissions",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (ZERO32, fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "submissions",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (ZERO32, fresh(n)),
        UNAUTHORIZED,
        prepare=_granted("submissions", "DEFAULT_ADMIN_ROLE"),
    ),
    # ---------------------------------------------------------------- RewardDistributor
    Privileged("rewards", "postRoot", ORACLE, _post_args, "RewardNotOracle", prepare=_reward_epoch),
    Privileged("rewards", "veto", "GUARDIAN_ROLE", _reward_key, UNAUTHORIZED, prepare=_accepted_root),
    Privileged(
        "rewards",
        "sweepUnallocated",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (*_reward_key(w), w["sink"]),
        UNAUTHORIZED,
        prepare=_final_root,
    ),
    Privileged(
        "rewards",
        "setOracles",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: ([w["oracle"], fresh(n)], 1),
        UNAUTHORIZED,
    ),
    Privileged(
        "rewards",
        "setRewardParameters",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (DAY - n % 3600, 9_000, 30 * DAY),
        UNAUTHORIZED,
    ),
    Privileged(
        "rewards",
        "setClaimFees",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (800 - n % 100, 800, 1_450),
        UNAUTHORIZED,
    ),
    Privileged(
        "rewards",
        "setScoringParameters",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (8_000 - n % 100, 5_000),
        UNAUTHORIZED,
    ),
    Privileged(
        "rewards",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "rewards", "GUARDIAN_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "rewards",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "rewards", "GUARDIAN_ROLE"), fresh(n)),
        UNAUTHORIZED,
        prepare=_granted("rewards", "GUARDIAN_ROLE"),
    ),
    # ---------------------------------------------------------------- ArenaSlasher
    Privileged(
        "slasher", "postSlashRoot", ORACLE, _slash_root_args, "SlasherNotOracle", prepare=_reward_epoch
    ),
    Privileged("slasher", "veto", "GUARDIAN_ROLE", _reward_key, UNAUTHORIZED, prepare=_accepted_slash_root),
    Privileged(
        "slasher",
        "setSlashParameters",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: ((500 + n % 100, 1_000, 1_000, 0, w["timelock"], 5_000, 3),),
        UNAUTHORIZED,
    ),
    Privileged(
        "slasher",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "slasher", "GUARDIAN_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "slasher",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "slasher", "GUARDIAN_ROLE"), fresh(n)),
        UNAUTHORIZED,
        prepare=_granted("slasher", "GUARDIAN_ROLE"),
    ),
    Privileged("rewards", "fundEpoch", "REVENUE_ROLE", _fund_args, UNAUTHORIZED, prepare=_fundable),
    # ---------------------------------------------------------------- ApiCredits
    Privileged("api", "postUsage", OPERATOR, _usage_args, "ApiNotOperator", prepare=_usage_epoch),
    Privileged(
        "api",
        "veto",
        REWARD_GUARDIAN,
        lambda w, _: (w.contract("emissions").currentEpoch() - 1,),
        "ApiNotGuardian",
        prepare=_accepted_usage,
    ),
    Privileged("api", "setPrice", "DEFAULT_ADMIN_ROLE", lambda _, n: (1, 10**15 + n), UNAUTHORIZED),
    Privileged(
        "api", "setOperators", "DEFAULT_ADMIN_ROLE", lambda w, n: ([w["oracle"], fresh(n)], 1), UNAUTHORIZED
    ),
    Privileged("api", "setWindows", "DEFAULT_ADMIN_ROLE", lambda _, n: (3_600 - n % 60, 3_600), UNAUTHORIZED),
    Privileged(
        "api",
        "setProtocolShare",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (1_000 - n % 100, w["timelock"]),
        UNAUTHORIZED,
    ),
    Privileged("api", "grantRole", "DEFAULT_ADMIN_ROLE", lambda _, n: (ZERO32, fresh(n)), UNAUTHORIZED),
    Privileged(
        "api",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (ZERO32, _second_admin(n)),
        UNAUTHORIZED,
        prepare=_appoint_second_api_admin,
    ),
    # ---------------------------------------------------------------- AllianceRounds
    Privileged(
        "alliance",
        "setRoundPhases",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (3_600, 1_800, 300 + n % 60, 4 * 3_600, 1_800, 3_600, 3_600),
        UNAUTHORIZED,
    ),
    Privileged(
        "alliance", "setEvictionRounds", "DEFAULT_ADMIN_ROLE", lambda _, n: (1 + n % 16,), UNAUTHORIZED
    ),
    Privileged(
        "alliance", "setRoundRules", "DEFAULT_ADMIN_ROLE", lambda _, n: (1 + n % 16, 5_000, 64), UNAUTHORIZED
    ),
    Privileged(
        "alliance",
        "setSlashRules",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (1_000, 500, 500 + n % 500, 1_000),
        UNAUTHORIZED,
    ),
    Privileged(
        "alliance",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (ZERO32, fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "alliance",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda _, n: (ZERO32, _second_admin(n)),
        UNAUTHORIZED,
        prepare=_appoint_second_admin,
    ),
    # ---------------------------------------------------------------- FlockGovernor (onlyGovernance)
    Privileged(
        "governor",
        "setVotingDelay",
        GOVERNANCE,
        lambda _, n: (DAY + n,),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged(
        "governor",
        "setVotingPeriod",
        GOVERNANCE,
        lambda _, n: (5 * DAY + n,),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged(
        "governor",
        "setProposalThreshold",
        GOVERNANCE,
        lambda _, n: (10_000 * WAD + n,),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged(
        "governor",
        "updateQuorumNumerator",
        GOVERNANCE,
        lambda _, n: (3 + n % 3,),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged(
        "governor",
        "setLateQuorumVoteExtension",
        GOVERNANCE,
        lambda _, n: (2 * DAY - n % DAY,),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged(
        "governor",
        "updateTimelock",
        GOVERNANCE,
        lambda w, _: (w["timelock"],),
        NOT_EXECUTOR,
        FROM_TIMELOCK_DIRECTLY,
    ),
    Privileged("governor", "relay", GOVERNANCE, _relay_args, NOT_EXECUTOR, FROM_TIMELOCK_DIRECTLY),
    # ---------------------------------------------------------------- FlockTimelock
    Privileged("timelock", "schedule", "PROPOSER_ROLE", _schedule_args, UNAUTHORIZED),
    Privileged("timelock", "scheduleBatch", "PROPOSER_ROLE", _schedule_batch_args, UNAUTHORIZED),
    Privileged(
        "timelock", "cancel", "CANCELLER_ROLE", _cancel_args, UNAUTHORIZED, prepare=_schedule_for_cancel
    ),
    Privileged("timelock", "updateDelay", SELF, lambda _, n: (2 * DAY + n,), "TimelockUnauthorizedCaller"),
    Privileged(
        "timelock",
        "grantRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, n: (_role(w, "timelock", "CANCELLER_ROLE"), fresh(n)),
        UNAUTHORIZED,
    ),
    Privileged(
        "timelock",
        "revokeRole",
        "DEFAULT_ADMIN_ROLE",
        lambda w, _: (_role(w, "timelock", "CANCELLER_ROLE"), w["governor"]),
        UNAUTHORIZED,
    ),
)


def _current_implementation(key: str) -> Args:
    """Upgrading to the implementation already there: a real upgrade call (``Upgraded`` is
    emitted), harmless to the shared world."""
    return lambda w, _: (w.system.implementations[key].address, b"")


def _initialize_args(key: str) -> Args:
    """The arguments the deploy plan initialized ``key``'s proxy with."""
    step = next(s for s in protocol_plan() if isinstance(s, Deploy) and s.key == key)

    def args(w: World, _: int) -> tuple[Any, ...]:
        addresses = {k: c.address for k, c in w.system.contracts.items()}
        ctx = Context(config=w.system.config, deployer=w.system.deployer, addresses=addresses)
        assert step.init is not None
        return tuple(step.init(ctx))

    return args


# Only the timelock upgrades; nobody initializes twice (decisions 87-91).
PRIVILEGED += tuple(
    row
    for key in UPGRADEABLE
    for row in (
        Privileged(key, "upgradeToAndCall", "DEFAULT_ADMIN_ROLE", _current_implementation(key), UNAUTHORIZED),
        Privileged(key, "initialize", NOBODY, _initialize_args(key), "InvalidInitialization"),
    )
)


def holders(world: World, row: Privileged) -> list[str]:
    """Labels of the world's accounts that may call ``row`` directly or, for the contract itself, by
    a proposal. ``GOVERNANCE`` rows have no direct holder."""
    if row.holder in (GOVERNANCE, NOBODY):
        return []
    if row.holder == SELF:
        return [row.contract]
    if row.holder == ORACLE:
        rewards = world.contract("rewards")  # the oracle set is the reward distributor's, for every row
        return [label for label, a in world.accounts.items() if rewards.isOracle(a)]
    if row.holder == OPERATOR:
        return [label for label, a in world.accounts.items() if world.contract(row.contract).isOperator(a)]
    if row.holder == REWARD_GUARDIAN:
        return [label for label in world.accounts if world.has_role("rewards", "GUARDIAN_ROLE", label)]
    return [label for label in world.accounts if world.has_role(row.contract, row.holder, label)]


def acts_through_governance(world: World, row: Privileged, holder: str | None) -> bool:
    """Whether the holder's call must go through a proposal (it is the target contract itself, or
    the function is onlyGovernance)."""
    return row.holder == GOVERNANCE or holder == row.contract


# State-changing functions anyone may call, by design, per contract. With PRIVILEGED they must cover
# every non-view function of every deployed contract (tests/access checks it), so a new function
# is classified the day it is written.
OPEN: dict[str, dict[str, str]] = {
    "token": {
        "transfer": "ERC-20: moves the caller's own tokens",
        "transferFrom": "ERC-20: needs the owner's allowance",
        "approve": "ERC-20: the caller's own allowance",
        "permit": "EIP-2612: needs the owner's signature",
        "burn": "the caller's own tokens",
        "burnFrom": "needs the owner's allowance",
        "renounceRole": "the caller gives up its own role",
    },
    "gmflock": {
        "lock": "the caller's own FLOCK",
        "lockWithPermit": "the caller's own FLOCK, with its permit",
        "unlock": "the caller's own expired lock",
        "extend": "the caller's own lock",
        "kick": "anyone (permissionless, as Curve's gauges): burns an expired lock's unallocated boost",
        "delegate": "the caller's own votes",
        "delegateBySig": "needs the delegator's signature",
        "renounceRole": "the caller gives up its own role",
    },
    "governor": {
        "propose": "anyone with proposalThreshold votes a second earlier (GovernorInsufficientProposerVotes)",
        "castVote": "anyone; weight = votes at the snapshot",
        "castVoteWithReason": "as castVote",
        "castVoteWithReasonAndParams": "as castVote",
        "castVoteBySig": "needs the voter's signature",
        "castVoteWithReasonAndParamsBySig": "needs the voter's signature",
        "queue": "anyone, once a proposal succeeded (else GovernorUnexpectedProposalState)",
        "execute": "anyone, once the timelock delay passed (TimelockUnexpectedOperationState before)",
        "cancel": "the proposer, while Pending (else GovernorUnableToCancel; tests/governance)",
        "onERC721Received": "refuses tokens: the governor holds nothing",
        "onERC1155Received": "refuses tokens",
        "onERC1155BatchReceived": "refuses tokens",
    },
    "emissions": {
        "checkpoint": "anyone: opens the epochs that have started (bounded catch-up)",
        "renounceRole": "the caller gives up its own role",
    },
    "tasks": {
        "createTask": "anyone, allocating their own creator stake",
        "endTask": "anyone, once the task's end has passed",
        "join": "the caller's own gmFLOCK, into an active task",
        "addStake": "the caller's own stake",
        "setSigma": "the caller's own sigma, as an operator",
        "delegateStake": "the caller's own gmFLOCK",
        "undelegate": "the caller's own delegation",
        "sync": "anyone: applies a delegator's pending pool slashes (keeper share to the caller)",
        "release": "anyone, for anyone, once the stake's time has come (to its owner)",
        "renounceRole": "the caller gives up its own role",
    },
    "submissions": {
        "commitModel": "a training node of the task, for itself, in the submit phase",
        "revealModel": "whoever committed a model, its own commitment, in the model-reveal phase",
        "commitScores": "a validator of the task, for itself, in the commit phase",
        "revealScores": "whoever committed, its own commitment, in the reveal phase",
        "renounceRole": "the caller gives up its own role",
    },
    "rewards": {
        "finalize": "anyone, once an accepted root's challenge window is over (creates its pot)",
        "claimMany": "anyone, for leaves of final roots (at their pots); pays each leaf's account",
        "releaseVested": "anyone; the pots pay the account what has vested",
        "renounceRole": "the caller gives up its own role",
    },
    "slasher": {
        "slashUnrevealed": "anyone, after the reveal deadline, for a commitment never revealed (keeper)",
        "executeSlash": "anyone, a leaf of an accepted slash root after its challenge window (keeper)",
        "routeSlashPot": "anyone: an Arena task's slash pot goes to the governed recipient",
        "renounceRole": "the caller gives up its own role",
    },
    "api": {
        "deposit": "the caller's own FLOCK, into its own credit",
        "withdraw": "the caller's own unspent credit, outside a pending settlement",
        "setCap": "the caller's own authorisation (a decrease outside a pending settlement)",
        "registerKey": "binds a key hash to the caller itself",
        "revokeKey": "the caller's own key",
        "finalize": "anyone, once an accepted usage report's challenge window is over",
        "charge": "anyone, for a leaf of a final usage report; takes at most the account's cap and balance",
        "chargeMany": "as charge",
        "flush": "anyone: a model's accrued revenue goes to the treasury and its task's next reward budget",
        "renounceRole": "the caller gives up its own role",
    },
    "alliance": {
        "openRound": "anyone, once the task's last round is finalized and a round still fits",
        "enroll": "a participant of the task (registry memberOf), for itself",
        "revealSeed": "an enrolled participant, its own secret",
        "drawRoles": "anyone, in the draw window: the seed is fixed by the revealed secrets and prevrandao",
        "commitProposal": "a drawn proposer, its own update's commitment",
        "revealProposal": "a drawn proposer that committed, its own update (a copy gets nothing)",
        "evict": "anyone, for a participant absent from the last evictionRounds rounds (rule-gated)",
        "commitVote": "a drawn voter, its own vote",
        "revealVote": "a drawn voter, its own committed vote",
        "finalize": "anyone, after the reveal deadline (the caller earns the finalizer's share)",
        "settle": "anyone, for anyone: outcomes are fixed by the finalized round",
        "withdraw": "the caller's own credits (rewards to any address, shares of slashes as its own lock)",
        "fund": "the caller's own FLOCK, into an active task's pool",
        "pullEmissions": "anyone: moves the task's emission budget into its own pool",
        "sweep": "anyone, after the task's end: the pool goes to the treasury",
        "renounceRole": "the caller gives up its own role",
    },
    # Genesis vesting wallets (one per vesting allocation, all classified as the first): OpenZeppelin's
    # VestingWallet. No protocol privilege: `release` pays only the owner, and only the owner (the
    # beneficiary; Ownable, OwnableUnauthorizedAccount for anyone else) passes its own wallet on
    # (tests/deploy/test_genesis_rule.py).
    "vesting-1": {
        "release": "anyone: pays what has vested to the wallet's owner, the beneficiary",
        "transferOwnership": "the owner's own wallet (its future releases) to another owner",
        "renounceOwnership": "the owner's own wallet: leaves it ownerless, its FLOCK stuck for good",
    },
    "timelock": {
        "execute": "anyone (EXECUTOR_ROLE is open), for ready operations only",
        "executeBatch": "as execute",
        "renounceRole": "the caller gives up its own role",
        "onERC721Received": "the treasury may receive NFTs",
        "onERC1155Received": "the treasury may receive tokens",
        "onERC1155BatchReceived": "the treasury may receive tokens",
    },
}

# Contracts the plan deploys more than once (one per config entry), classified under their first key.
SAME_AS: dict[str, str] = {"GenesisVesting": "vesting-1"}

# Contracts the protocol creates at run time (not in the deploy plan), by contract name: every
# state-changing function, all open by design (tests/access checks the list is complete).
CREATED: dict[str, dict[str, str]] = {
    "RewardPot": {
        "claim": "anyone, for a leaf of the pot's root; pays the leaf's account",
        "release": "anyone; pays the account what has vested of its leaf",
    },
}
