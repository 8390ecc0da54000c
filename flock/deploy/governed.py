"""What governance controls, in one place: the contracts the timelock administers, the parameters
a proposal may change, and who must hold each role once the deployment is done.

These tables drive the deploy plan's handover (``flock.deploy.plan``), ``ape run deploy verify``
(``flock.deploy.verify``), the DAO command line's ``set-param`` template and its simulation report
(``flock.dao``), and docs/governance.md. A new contract joins governance with one line in each
table that concerns it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flock.deploy.config import DeployConfig

# Contracts whose every admin role passes to the governance timelock at the end of the deployment:
# the plan grants the timelock DEFAULT_ADMIN_ROLE there and the deployer renounces every role it
# holds; `deploy verify` checks both. Add a contract's plan key here, once.
TIMELOCK_ADMINISTERED: tuple[str, ...] = (
    "token",
    "gmflock",
    "emissions",
    "tasks",
    "alliance",
    "submissions",
    "rewards",
    "slasher",
    "api",
)

Resolve = Callable[[str], str]  # an address reference ("timelock", "burn", "0x…") to an address


@dataclass(frozen=True)
class Parameter:
    """A setting of a deployed contract that only governance changes.

    ``getter`` reads it (a view without arguments), ``setter`` changes it (``None``: fixed at
    deployment, checked by ``deploy verify`` only); ``expected`` gives the deploy config's value in
    the getter's shape, with addresses resolved by the function it is passed.
    """

    key: str
    name: str
    getter: str
    setter: str | None
    expected: Callable[[DeployConfig, Resolve], Any] | None = None
    unit: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}.{self.name}"


PARAMETERS: tuple[Parameter, ...] = (
    # gmFLOCK
    Parameter(
        "gmflock",
        "boost",
        "boostParameters",
        "setBoostParameters",
        lambda c, _: (c.gmflock.boost_floor, c.gmflock.boost_horizon, c.gmflock.boost_epsilon_wad),
        "t0 s, t1 s, eps x 1e18",
    ),
    Parameter(
        "gmflock",
        "lock_duration_bounds",
        "lockDurationBounds",
        "setLockDurationBounds",
        lambda c, _: (c.gmflock.min_lock_duration, c.gmflock.max_lock_duration),
        "min s, max s",
    ),
    Parameter(
        "gmflock",
        "withdrawal_fee",
        "withdrawalFee",
        "setWithdrawalFee",
        lambda c, resolve: (c.gmflock.withdrawal_fee_bps, resolve(c.gmflock.fee_recipient)),
        "bps, recipient (zero: burned)",
    ),
    Parameter("gmflock", "flock", "flock", None, lambda _, resolve: resolve("token")),
    # Governor
    Parameter(
        "governor",
        "voting_delay",
        "votingDelay",
        "setVotingDelay",
        lambda c, _: c.governance.voting_delay,
        "s",
    ),
    Parameter(
        "governor",
        "voting_period",
        "votingPeriod",
        "setVotingPeriod",
        lambda c, _: c.governance.voting_period,
        "s",
    ),
    Parameter(
        "governor",
        "proposal_threshold",
        "proposalThreshold",
        "setProposalThreshold",
        lambda c, _: c.governance.proposal_threshold_wei,
        "gmFLOCK wei",
    ),
    Parameter(
        "governor",
        "quorum_percent",
        "quorumNumerator",
        "updateQuorumNumerator",
        lambda c, _: c.governance.quorum_percent,
        "% of gmFLOCK supply",
    ),
    Parameter(
        "governor",
        "late_quorum_extension",
        "lateQuorumVoteExtension",
        "setLateQuorumVoteExtension",
        lambda c, _: c.governance.late_quorum_extension,
        "s",
    ),
    Parameter("governor", "timelock", "timelock", "updateTimelock", lambda _, resolve: resolve("timelock")),
    Parameter("governor", "token", "token", None, lambda _, resolve: resolve("gmflock")),
    Parameter("governor", "clock_mode", "CLOCK_MODE", None, lambda _, __: "mode=timestamp"),
    # Timelock
    Parameter(
        "timelock", "min_delay", "getMinDelay", "updateDelay", lambda c, _: c.governance.timelock_delay, "s"
    ),
    # EmissionController
    Parameter(
        "emissions",
        "epoch_cap",
        "epochCap",
        "setEpochCap",
        lambda c, _: c.emissions.initialize_args()[0],
        "FLOCK wei per epoch",
    ),
    Parameter(
        "emissions", "gamma", "gamma", "setGamma", lambda c, _: c.emissions.initialize_args()[1], "x 1e18"
    ),
    Parameter(
        "emissions",
        "schedule",
        "schedule",
        None,
        lambda c, _: tuple(c.emissions.schedule_args()[2:5]),
        "E0 wei, r x 1e18, P epochs",
    ),
    Parameter("emissions", "epoch_length", "epochLength", None, lambda c, _: c.emissions.epoch_length, "s"),
    Parameter("emissions", "flock", "flock", None, lambda _, resolve: resolve("token")),
    # TaskRegistry
    Parameter(
        "tasks",
        "stake_minimums",
        "stakeMinimums",
        "setStakeMinimums",
        lambda c, _: c.tasks.stake_minimums(),
        "gmFLOCK wei: node, validator, participant, delegation",
    ),
    Parameter(
        "tasks",
        "task_rules",
        "taskRules",
        "setTaskRules",
        lambda c, _: c.tasks.task_rules(),
        "creator stake per day (wei), min s, max s, dispute window s, max participants",
    ),
    Parameter(
        "tasks",
        "delegation_rules",
        "delegationRules",
        "setDelegationRules",
        lambda c, _: c.tasks.delegation_rules(),
        "min sigma bps, max sigma bps, freeze s, undelegation cooldown s, sync keeper bps",
    ),
    Parameter("tasks", "gmflock", "gmFlock", None, lambda _, resolve: resolve("gmflock")),
    Parameter("tasks", "emissions", "emissions", None, lambda _, resolve: resolve("emissions")),
    # AllianceRounds
    Parameter(
        "alliance",
        "round_phases",
        "roundPhases",
        "setRoundPhases",
        lambda c, _: c.alliance.round_phases(),
        "s: enrollment, seed reveal, draw delay, proposal, proposal reveal, commit, reveal",
    ),
    Parameter(
        "alliance",
        "round_rules",
        "roundRules",
        "setRoundRules",
        lambda c, _: c.alliance.round_rules(),
        "proposers per round, quorum bps of voter stake, max participants per round",
    ),
    Parameter(
        "alliance",
        "slash_rules",
        "slashRules",
        "setSlashRules",
        lambda c, _: c.alliance.slash_rules(),
        "bps: rejected proposer, losing voter, absent, finalizer's share of the FLOCK seized",
    ),
    Parameter(
        "alliance",
        "eviction_rounds",
        "evictionRounds",
        "setEvictionRounds",
        lambda c, _: c.alliance.eviction_rounds,
        "rounds in a row a participant may skip before anyone can evict it",
    ),
    Parameter("alliance", "registry", "registry", None, lambda _, resolve: resolve("tasks")),
    Parameter("alliance", "treasury", "treasury", None, lambda c, resolve: resolve(c.alliance.treasury)),
    # ArenaSubmissions
    Parameter(
        "submissions",
        "phases",
        "phases",
        "setPhases",
        lambda c, _: c.rewards.phases(),
        "submit s, model reveal s, commit s, reveal s (from the next epoch)",
    ),
    Parameter("submissions", "registry", "registry", None, lambda _, resolve: resolve("tasks")),
    Parameter("submissions", "emissions", "emissions", None, lambda _, resolve: resolve("emissions")),
    # RewardDistributor
    Parameter(
        "rewards",
        "oracles",
        "oracleSet",
        "setOracles",
        lambda c, resolve: (tuple(resolve(o) for o in c.rewards.oracles), c.rewards.quorum),
        "oracle addresses, quorum",
    ),
    Parameter(
        "rewards",
        "reward_parameters",
        "rewardParameters",
        "setRewardParameters",
        lambda c, _: c.rewards.reward_parameters(),
        "challenge window s, locked share bps, vesting period s",
    ),
    Parameter(
        "rewards",
        "claim_fees",
        "claimFees",
        "setClaimFees",
        lambda c, _: c.rewards.claim_fees(),
        "bps: node, validator, delegator",
    ),
    Parameter(
        "rewards",
        "scoring",
        "scoringParameters",
        "setScoringParameters",
        lambda c, _: c.rewards.scoring_parameters(),
        "bps: rank ratio q, tolerance",
    ),
    Parameter("rewards", "emissions", "emissions", None, lambda _, resolve: resolve("emissions")),
    Parameter("rewards", "registry", "registry", None, lambda _, resolve: resolve("tasks")),
    Parameter("rewards", "submissions", "submissions", None, lambda _, resolve: resolve("submissions")),
    # ArenaSlasher
    Parameter(
        "slasher",
        "slash_parameters",
        "slashParameters",
        "setSlashParameters",
        lambda c, resolve: c.slashing.parameters(resolve),
        "bps: provable, reported, keeper, burn; recipient; deviation bps; deviation epochs",
    ),
    Parameter("slasher", "registry", "registry", None, lambda _, resolve: resolve("tasks")),
    Parameter("slasher", "submissions", "submissions", None, lambda _, resolve: resolve("submissions")),
    Parameter("slasher", "rewards", "rewards", None, lambda _, resolve: resolve("rewards")),
    # ApiCredits (docs/api.md); prices per task are set per task by `setPrice`, none at deployment.
    Parameter(
        "api",
        "operators",
        "operatorSet",
        "setOperators",
        lambda c, resolve: (tuple(resolve(o) for o in c.api.operators), c.api.quorum),
        "gateway operator addresses, quorum",
    ),
    Parameter(
        "api",
        "windows",
        "windows",
        "setWindows",
        lambda c, _: (c.api.report_window, c.api.collect_window),
        "report window s, collect window s",
    ),
    Parameter(
        "api",
        "protocol_share",
        "protocolShare",
        "setProtocolShare",
        lambda c, resolve: (c.api.protocol_share_bps, resolve(c.api.treasury)),
        "bps of API revenue, treasury",
    ),
    Parameter("api", "rewards", "rewards", None, lambda _, resolve: resolve("rewards")),
)


@dataclass(frozen=True)
class RoleHolders:
    """Who holds ``role`` on the contract under ``key`` after deployment (address references), and no
    one else: ``deploy verify`` replays the contract's role events to check that nobody else does. A
    role of an administered contract that has no row here must have no holder at all. Several rows
    for one role add up (each contract that needs a role adds its own row); ``from_config`` adds
    holders the deploy config names."""

    key: str
    role: str
    holders: tuple[str, ...]
    from_config: Callable[[DeployConfig], tuple[str, ...]] | None = None

    def references(self, config: DeployConfig) -> tuple[str, ...]:
        return self.holders + (self.from_config(config) if self.from_config else ())


ROLE_HOLDERS: tuple[RoleHolders, ...] = (
    *(RoleHolders(key, "DEFAULT_ADMIN_ROLE", ("timelock",)) for key in (*TIMELOCK_ADMINISTERED, "timelock")),
    RoleHolders("timelock", "PROPOSER_ROLE", ("governor",)),
    RoleHolders("timelock", "CANCELLER_ROLE", ("governor",)),
    RoleHolders("timelock", "EXECUTOR_ROLE", ("burn",)),  # the zero address: anyone executes
    # The tasks-and-emissions wiring (the reward contract adds itself to DISTRIBUTOR_ROLE and the
    # registry's SLASHER_ROLE when it is deployed).
    RoleHolders("token", "MINTER_ROLE", ("emissions",)),
    RoleHolders("gmflock", "STAKE_MANAGER_ROLE", ("tasks",)),
    RoleHolders("gmflock", "SLASHER_ROLE", ("tasks",)),
    RoleHolders("emissions", "TASK_REGISTRY_ROLE", ("tasks",)),
    # FL Alliance rounds: slashes participants through the registry, draws task budgets, pays the
    # shares of slashes as gmFLOCK locks (decision 195).
    RoleHolders("tasks", "SLASHER_ROLE", ("alliance",)),
    RoleHolders("emissions", "DISTRIBUTOR_ROLE", ("alliance",)),
    RoleHolders("gmflock", "LOCKER_ROLE", ("alliance",)),
    # Rewards (issue 5): the distributor draws Arena budgets; governance and the optional guardian veto.
    RoleHolders("emissions", "DISTRIBUTOR_ROLE", ("rewards",)),
    # API platform (issue 14): the credits contract funds task epochs with API revenue.
    RoleHolders("rewards", "REVENUE_ROLE", ("api",)),
    RoleHolders(
        "rewards",
        "GUARDIAN_ROLE",
        ("timelock",),
        lambda c: (c.rewards.guardian,) if c.rewards.guardian else (),
    ),
    # Arena slashing (issue 11): slashes nodes and validators through the registry; governance and
    # the rewards guardian veto oracle-reported slash roots.
    RoleHolders("tasks", "SLASHER_ROLE", ("slasher",)),
    RoleHolders(
        "slasher",
        "GUARDIAN_ROLE",
        ("timelock",),
        lambda c: (c.rewards.guardian,) if c.rewards.guardian else (),
    ),
)


def expected_holders(config: DeployConfig) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every (contract key, role) with the address references that must hold it, rows merged."""
    merged: dict[tuple[str, str], tuple[str, ...]] = {}
    for row in ROLE_HOLDERS:
        merged[(row.key, row.role)] = merged.get((row.key, row.role), ()) + row.references(config)
    return merged


def parameters_of(key: str) -> list[Parameter]:
    return [p for p in PARAMETERS if p.key == key]


def find_parameter(name: str) -> Parameter:
    """A settable parameter by ``key.name`` (``gmflock.withdrawal_fee``), by its bare name or setter
    if unique, or by ``key.setter`` (``gmflock.setWithdrawalFee``)."""
    matches = [p for p in PARAMETERS if name in (p.label, p.name, p.setter, f"{p.key}.{p.setter}")]
    settable = [p for p in matches if p.setter]
    if len(settable) == 1:
        return settable[0]
    known = ", ".join(p.label for p in PARAMETERS if p.setter)
    if not settable:
        raise KeyError(f"no governed parameter {name!r}; known: {known}")
    raise KeyError(f"{name!r} is ambiguous: {', '.join(p.label for p in settable)}")
