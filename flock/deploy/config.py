"""The deploy configuration: one YAML file per network under ``config/``.

Amounts are in whole tokens, durations in words (``30 days``) or seconds, fractions as decimals.
Addresses may be written as ``deployer`` (the deploying account), ``burn`` (the zero address, where
a fee recipient of zero means "burn"), ``treasury`` (the governance timelock, which holds the DAO's
FLOCK) or a 0x address. Unknown keys are errors, so a typo cannot
silently fall back to a default.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from flock.files import yaml_error_line
from flock.paths import CONFIG_DIR
from flock.units import human_duration, parse_duration, to_wad, to_wei

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
SYMBOLIC_ADDRESSES = ("deployer", "burn", "treasury")


class ConfigError(ValueError):
    """The configuration file is missing or invalid; the message says where and why."""


Duration = Annotated[int, BeforeValidator(parse_duration)]


def _address_ref(value: Any) -> str:
    text = str(value).strip()
    if text in SYMBOLIC_ADDRESSES:
        return text
    if len(text) == 42 and text.startswith("0x"):
        int(text, 16)
        return text
    raise ValueError(f"{value!r} is not an address, nor one of {', '.join(SYMBOLIC_ADDRESSES)}")


AddressRef = Annotated[str, BeforeValidator(_address_ref)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VestingSchedule(_Section):
    """An allocation paid through a ``GenesisVesting`` wallet (OpenZeppelin's ``VestingWallet`` with
    ``VestingWalletCliff``): nothing vests before ``start + cliff``, then the vested amount is linear
    from ``start`` to ``start + duration``. Until FLOCK is released to the beneficiary it cannot be
    locked into gmFLOCK, so it cannot vote."""

    start: int = Field(default=0, ge=0, lt=2**64, description="unix seconds; 0 = the wallet's creation block")
    cliff: Duration = 0
    duration: Duration

    @model_validator(mode="after")
    def _cliff_within_duration(self) -> VestingSchedule:
        if not 0 < self.duration < 2**64:
            raise ValueError(f"a vesting duration must be positive, not {self.duration}")
        if self.cliff > self.duration:
            raise ValueError(
                f"the cliff ({human_duration(self.cliff)}) is longer than the vesting duration "
                f"({human_duration(self.duration)})"
            )
        return self


class GenesisAllocation(_Section):
    """FLOCK minted at genesis: ``amount`` to ``recipient``, or ``amount`` to each of ``recipients``;
    with ``vesting``, into one vesting wallet per recipient instead (the recipient its beneficiary)."""

    recipient: AddressRef | None = None
    recipients: list[AddressRef] = Field(default_factory=list)
    amount: Decimal = Field(gt=0, description="whole FLOCK (each recipient's)")
    vesting: VestingSchedule | None = None

    @model_validator(mode="after")
    def _one_way_to_name_recipients(self) -> GenesisAllocation:
        if (self.recipient is None) == (not self.recipients):
            raise ValueError("give either recipient or recipients")
        members = self.members()
        if "burn" in members:
            raise ValueError("genesis cannot mint to the zero address (burn)")
        if len({m.lower() for m in members}) != len(members):
            raise ValueError("a recipient is listed twice")
        if self.vesting and "treasury" in members:
            raise ValueError("the treasury needs no vesting: only a proposal moves its FLOCK")
        return self

    def members(self) -> list[str]:
        return [self.recipient] if self.recipient is not None else list(self.recipients)

    @property
    def wei(self) -> int:
        """Each recipient's amount, in wei."""
        return to_wei(self.amount)


@dataclass(frozen=True)
class Grant:
    """One genesis mint: to ``recipient`` (an address reference) directly, or, with ``vesting``, to
    the vesting wallet the plan deploys under ``key`` for it."""

    recipient: str
    wei: int
    vesting: VestingSchedule | None = None
    key: str | None = None


class TokenConfig(_Section):
    genesis: list[GenesisAllocation] = Field(default_factory=list)
    max_voting_share: Decimal | None = Field(
        default=None,
        gt=0,
        le=100,
        description="percent: the most worst-case voting power one genesis holder may have (default: quorum)",
    )

    @field_validator("genesis")
    @classmethod
    def _within_cap(cls, genesis: list[GenesisAllocation]) -> list[GenesisAllocation]:
        total = sum(g.amount * len(g.members()) for g in genesis)
        if total > 1_000_000_000:
            raise ValueError(f"genesis allocates {total:,} FLOCK, above the 1,000,000,000 cap")
        return genesis

    def grants(self) -> list[Grant]:
        """Every genesis mint in config order; vesting wallets keyed ``vesting-1``, ``vesting-2``..."""
        grants: list[Grant] = []
        wallets = 0
        for allocation in self.genesis:
            for member in allocation.members():
                key = None
                if allocation.vesting is not None:
                    wallets += 1
                    key = f"vesting-{wallets}"
                grants.append(Grant(member, allocation.wei, allocation.vesting, key))
        return grants

    def vesting_grants(self) -> list[Grant]:
        return [g for g in self.grants() if g.vesting is not None]


class GmFlockConfig(_Section):
    boost_floor: Duration = parse_duration("30 days")
    boost_horizon: Duration = parse_duration("365 days")
    boost_epsilon: Decimal = Decimal("2.19")
    min_lock_duration: Duration = parse_duration("7 days")
    max_lock_duration: Duration = parse_duration("365 days")
    withdrawal_fee_bps: int = Field(default=513, ge=0, le=2_000)
    fee_recipient: AddressRef = "burn"

    @property
    def boost_epsilon_wad(self) -> int:
        return to_wad(self.boost_epsilon)

    def boost_wad(self, duration: int) -> int:
        """gmFLOCK per FLOCK (x 1e18) for a lock of ``duration``: what GmFlock's ``boost`` returns."""
        if duration <= self.boost_floor:
            return 10**18
        capped = min(duration, self.boost_horizon)
        return 10**18 + self.boost_epsilon_wad * (capped - self.boost_floor) // self.boost_horizon


class GovernanceConfig(_Section):
    """FlockGovernor and its timelock (docs/governance.md explains each choice)."""

    voting_delay: Duration = parse_duration("1 day")
    voting_period: Duration = parse_duration("5 days")
    proposal_threshold: Decimal = Field(default=Decimal(10_000), ge=0, description="whole gmFLOCK")
    quorum_percent: int = Field(default=4, ge=1, le=100, description="of gmFLOCK supply at the snapshot")
    late_quorum_extension: Duration = parse_duration("2 days")
    timelock_delay: Duration = parse_duration("2 days")

    @field_validator("voting_delay", "late_quorum_extension")
    @classmethod
    def _fits_uint48(cls, value: int) -> int:
        if value >= 2**48:
            raise ValueError(f"{value} s does not fit the governor's 48-bit clock")
        return value

    @field_validator("voting_period")
    @classmethod
    def _valid_period(cls, value: int) -> int:
        if not 0 < value < 2**32:
            raise ValueError(f"a voting period must be between 1 s and 2^32 - 1 s, not {value}")
        return value

    @model_validator(mode="after")
    def _extension_within_period(self) -> GovernanceConfig:
        if self.late_quorum_extension > self.voting_period:
            raise ValueError(
                f"late_quorum_extension ({human_duration(self.late_quorum_extension)}) may not exceed "
                f"voting_period ({human_duration(self.voting_period)}): the governor refuses it"
            )
        return self

    @property
    def proposal_threshold_wei(self) -> int:
        return to_wei(self.proposal_threshold)


class TasksConfig(_Section):
    """TaskRegistry parameters (docs/tasks.md). Stakes in whole gmFLOCK, shares in basis points."""

    creator_stake_per_day: Decimal = Field(default=Decimal(100), ge=0)
    min_task_duration: Duration = parse_duration("1 day")
    max_task_duration: Duration = parse_duration("30 days")
    dispute_window: Duration = parse_duration("7 days")
    max_participants: int = Field(default=64, ge=2, le=1_000)
    min_node_stake: Decimal = Field(default=Decimal(1_000), gt=0)
    min_validator_stake: Decimal = Field(default=Decimal(3_000), gt=0)
    min_participant_stake: Decimal = Field(default=Decimal(1_000), gt=0)
    min_delegation: Decimal = Field(default=Decimal(100), gt=0)
    min_sigma_bps: int = Field(default=1_000, ge=0, le=10_000)
    max_sigma_bps: int = Field(default=9_000, ge=0, le=10_000)
    sigma_freeze: Duration = parse_duration("1 day")
    undelegation_cooldown: Duration = parse_duration("7 days")
    sync_keeper_bps: int = Field(default=500, ge=0, le=2_000)

    @model_validator(mode="after")
    def _bounds_in_order(self) -> TasksConfig:
        if self.min_task_duration > self.max_task_duration:
            raise ValueError(
                f"min_task_duration ({human_duration(self.min_task_duration)}) exceeds max_task_duration "
                f"({human_duration(self.max_task_duration)})"
            )
        if self.min_sigma_bps > self.max_sigma_bps:
            raise ValueError(
                f"min_sigma_bps ({self.min_sigma_bps}) exceeds max_sigma_bps ({self.max_sigma_bps})"
            )
        return self

    def stake_minimums(self) -> tuple[int, int, int, int]:
        """What ``stakeMinimums()`` returns: node, validator, participant, delegation (wei)."""
        return (
            to_wei(self.min_node_stake),
            to_wei(self.min_validator_stake),
            to_wei(self.min_participant_stake),
            to_wei(self.min_delegation),
        )

    def task_rules(self) -> tuple[int, int, int, int, int]:
        """What ``taskRules()`` returns."""
        return (
            to_wei(self.creator_stake_per_day),
            self.min_task_duration,
            self.max_task_duration,
            self.dispute_window,
            self.max_participants,
        )

    def delegation_rules(self) -> tuple[int, int, int, int, int]:
        """What ``delegationRules()`` returns."""
        return (
            self.min_sigma_bps,
            self.max_sigma_bps,
            self.sigma_freeze,
            self.undelegation_cooldown,
            self.sync_keeper_bps,
        )

    def parameters(self) -> list[int]:
        """The constructor's ``Parameters`` tuple, in the struct's field order."""
        return [
            to_wei(self.creator_stake_per_day),
            self.min_task_duration,
            self.max_task_duration,
            self.dispute_window,
            self.max_participants,
            to_wei(self.min_node_stake),
            to_wei(self.min_validator_stake),
            to_wei(self.min_participant_stake),
            to_wei(self.min_delegation),
            self.min_sigma_bps,
            self.max_sigma_bps,
            self.sigma_freeze,
            self.undelegation_cooldown,
            self.sync_keeper_bps,
        ]


class EmissionsConfig(_Section):
    """EmissionController parameters (docs/emissions.md): E_k = E0 x r^floor(k / P), capped."""

    genesis: int = Field(default=0, ge=0, description="start of epoch 0, unix seconds; 0 = deploy time")
    epoch_length: Duration = parse_duration("1 day")
    initial_emission: Decimal = Field(default=Decimal(300_000), gt=0, description="E0, whole FLOCK")
    decay: Decimal = Field(default=Decimal("0.9"), gt=0, le=1, description="r")
    decay_period: int = Field(default=30, ge=1, description="P, epochs")
    epoch_cap: Decimal = Field(default=Decimal(300_000), ge=0, description="whole FLOCK per epoch")
    gamma: Decimal = Field(default=Decimal("0.2"), ge=0, le=Decimal("0.5"))

    def schedule_args(self) -> list[int]:
        """The implementation's constructor arguments after the token: the schedule, fixed across
        upgrades (genesis, epoch length, E0, r, P)."""
        return [
            self.genesis,
            self.epoch_length,
            to_wei(self.initial_emission),
            to_wad(self.decay),
            self.decay_period,
        ]

    def initialize_args(self) -> list[int]:
        """``initialize``'s arguments after the admin: the governance parameters (cap, gamma)."""
        return [to_wei(self.epoch_cap), to_wad(self.gamma)]


class AllianceConfig(_Section):
    """AllianceRounds parameters (docs/alliance.md): phase lengths, roles, quorum, slash shares."""

    enrollment: Duration = parse_duration("1 hour")
    seed_reveal: Duration = parse_duration("30 minutes")
    draw_delay: Duration = parse_duration("5 minutes")
    proposal: Duration = parse_duration("4 hours")
    proposal_reveal: Duration = parse_duration("30 minutes")
    commit: Duration = parse_duration("1 hour")
    reveal: Duration = parse_duration("1 hour")
    proposers: int = Field(default=2, ge=1, le=16, description="proposers drawn per round")
    quorum_bps: int = Field(default=5_000, ge=1, le=10_000, description="of the drawn voters' stake")
    max_participants: int = Field(default=64, ge=2, le=1_000, description="enrollments per round")
    proposer_slash_bps: int = Field(default=1_000, ge=0, le=10_000, description="rejected proposal")
    voter_slash_bps: int = Field(default=500, ge=0, le=10_000, description="losing on every proposal")
    absent_slash_bps: int = Field(
        default=500, ge=0, le=10_000, description="secret, proposal or vote withheld"
    )
    finalizer_bps: int = Field(default=1_000, ge=0, le=5_000, description="of the FLOCK seized")
    eviction_rounds: int = Field(
        default=3, ge=1, le=16, description="rounds in a row a participant may skip before eviction"
    )
    treasury: AddressRef = "treasury"

    @field_validator("enrollment", "seed_reveal", "proposal", "proposal_reveal", "commit", "reveal")
    @classmethod
    def _phase_bounds(cls, value: int) -> int:
        if not 60 <= value <= 7 * 86400:
            raise ValueError(f"a phase lasts 1 minute to 7 days, not {human_duration(value)}")
        return value

    @field_validator("draw_delay")
    @classmethod
    def _draw_delay_bound(cls, value: int) -> int:
        if value > 86400:
            raise ValueError(f"the draw delay is at most 1 day, not {human_duration(value)}")
        return value

    @model_validator(mode="after")
    def _absent_at_least_voter(self) -> AllianceConfig:
        if self.absent_slash_bps < self.voter_slash_bps:
            raise ValueError(
                f"absent_slash_bps ({self.absent_slash_bps}) must be at least voter_slash_bps "
                f"({self.voter_slash_bps}): withholding a vote may not cost less than losing it"
            )
        return self

    def round_phases(self) -> tuple[int, int, int, int, int, int, int]:
        """What ``roundPhases()`` returns (seconds)."""
        return (
            self.enrollment,
            self.seed_reveal,
            self.draw_delay,
            self.proposal,
            self.proposal_reveal,
            self.commit,
            self.reveal,
        )

    def round_rules(self) -> tuple[int, int, int]:
        """What ``roundRules()`` returns."""
        return (self.proposers, self.quorum_bps, self.max_participants)

    def slash_rules(self) -> tuple[int, int, int, int]:
        """What ``slashRules()`` returns."""
        return (self.proposer_slash_bps, self.voter_slash_bps, self.absent_slash_bps, self.finalizer_bps)

    def parameters(self) -> list[int]:
        """The constructor's ``Parameters`` tuple, in the struct's field order."""
        return [*self.round_phases(), *self.round_rules(), *self.slash_rules(), self.eviction_rounds]


def _bps(value: Decimal) -> int:
    """A fraction (0.8) in basis points (8000); refuses finer fractions than a basis point."""
    bps = value * 10_000
    if bps != bps.to_integral_value():
        raise ValueError(f"{value} is finer than a basis point")
    return int(bps)


class RewardsConfig(_Section):
    """ArenaSubmissions and RewardDistributor parameters (docs/oracle.md). Shares in basis points."""

    submit_phase: Duration = parse_duration("10 hours")
    model_reveal_phase: Duration = parse_duration("2 hours")
    commit_phase: Duration = parse_duration("6 hours")
    reveal_phase: Duration = parse_duration("6 hours")
    challenge_window: Duration = parse_duration("1 day")
    locked_share_bps: int = Field(default=9_000, ge=0, le=10_000, description="of each leaf, vesting")
    vesting_period: Duration = parse_duration("30 days")
    node_fee_bps: int = Field(default=800, ge=0, le=5_000)
    validator_fee_bps: int = Field(default=800, ge=0, le=5_000)
    delegator_fee_bps: int = Field(default=1_450, ge=0, le=5_000)
    rank_ratio: Decimal = Field(default=Decimal("0.8"), gt=0, le=1, description="q, per node rank")
    tolerance: Decimal = Field(default=Decimal("0.5"), gt=0, le=5, description="distance of zero quality")
    oracles: list[AddressRef] = Field(default_factory=list, max_length=16)
    quorum: int = Field(default=0, ge=0, le=16)
    guardian: AddressRef | None = None

    @field_validator("rank_ratio", "tolerance")
    @classmethod
    def _whole_bps(cls, value: Decimal) -> Decimal:
        _bps(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RewardsConfig:
        if self.oracles and not 1 <= self.quorum <= len(self.oracles):
            raise ValueError(f"quorum {self.quorum} must be between 1 and the {len(self.oracles)} oracles")
        if not self.oracles and self.quorum:
            raise ValueError("a quorum without oracles: list the oracles, or set quorum 0")
        if len({o.lower() for o in self.oracles}) != len(self.oracles):
            raise ValueError("an oracle is listed twice")
        if self.locked_share_bps and not self.vesting_period:
            raise ValueError("a locked share needs a vesting period")
        return self

    def phases(self) -> tuple[int, int, int, int]:
        """What ``ArenaSubmissions.phases()`` returns: submit, model reveal, commit, reveal (seconds)."""
        return (self.submit_phase, self.model_reveal_phase, self.commit_phase, self.reveal_phase)

    def reward_parameters(self) -> tuple[int, int, int]:
        """What ``rewardParameters()`` returns."""
        return (self.challenge_window, self.locked_share_bps, self.vesting_period)

    def claim_fees(self) -> tuple[int, int, int]:
        """What ``claimFees()`` returns."""
        return (self.node_fee_bps, self.validator_fee_bps, self.delegator_fee_bps)

    def scoring_parameters(self) -> tuple[int, int]:
        """What ``scoringParameters()`` returns."""
        return (_bps(self.rank_ratio), _bps(self.tolerance))

    def parameters(self) -> list[int]:
        """The distributor constructor's ``Parameters`` tuple, in the struct's field order."""
        return [*self.reward_parameters(), *self.claim_fees(), *self.scoring_parameters()]


class SlashingConfig(_Section):
    """ArenaSlasher parameters (docs/oracle.md "Slashing"). Shares in basis points."""

    provable_bps: int = Field(default=500, ge=1, le=5_000, description="of effective stake, unrevealed")
    reported_bps: int = Field(default=1_000, ge=1, le=5_000, description="of effective stake, reported")
    keeper_bps: int = Field(default=1_000, ge=0, le=10_000, description="of the FLOCK seized, to the caller")
    burn_bps: int = Field(default=0, ge=0, le=10_000, description="of the FLOCK seized, burned")
    recipient: AddressRef = "treasury"
    deviation: Decimal = Field(default=Decimal("0.5"), gt=0, le=5, description="distance to consensus")
    deviation_epochs: int = Field(default=3, ge=1, le=30)

    @field_validator("deviation")
    @classmethod
    def _whole_bps(cls, value: Decimal) -> Decimal:
        _bps(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SlashingConfig:
        if self.keeper_bps + self.burn_bps > 10_000:
            raise ValueError("keeper_bps + burn_bps above 10,000")
        return self

    def parameters(self, resolve: Callable[[str], str]) -> tuple[Any, ...]:
        """What ``ArenaSlasher.slashParameters()`` returns (the constructor's tuple too)."""
        return (
            self.provable_bps,
            self.reported_bps,
            self.keeper_bps,
            self.burn_bps,
            resolve(self.recipient),
            _bps(self.deviation),
            self.deviation_epochs,
        )


class ApiConfig(_Section):
    """ApiCredits parameters (docs/api.md): the gateway operators who post usage reports, the windows
    that keep withdrawals out of a pending settlement, and the protocol's share of API revenue."""

    report_window: Duration = parse_duration("1 hour")
    collect_window: Duration = parse_duration("1 hour")
    protocol_share_bps: int = Field(default=1_000, ge=0, le=5_000)
    treasury: AddressRef = "treasury"
    operators: list[AddressRef] = Field(default_factory=list, max_length=16)
    quorum: int = Field(default=0, ge=0, le=16)

    @model_validator(mode="after")
    def _consistent(self) -> ApiConfig:
        if self.report_window > 7 * 86_400 or self.collect_window > 7 * 86_400:
            raise ValueError("the report and collect windows are at most 7 days")
        if self.operators and not 1 <= self.quorum <= len(self.operators):
            raise ValueError(
                f"quorum {self.quorum} must be between 1 and the {len(self.operators)} operators"
            )
        if not self.operators and self.quorum:
            raise ValueError("a quorum without operators: list the operators, or set quorum 0")
        if len({o.lower() for o in self.operators}) != len(self.operators):
            raise ValueError("an operator is listed twice")
        return self


class DeployConfig(_Section):
    """Everything `ape run deploy` needs to know about one network."""

    description: str = ""
    token: TokenConfig = TokenConfig()
    gmflock: GmFlockConfig = GmFlockConfig()
    governance: GovernanceConfig = GovernanceConfig()
    tasks: TasksConfig = TasksConfig()
    emissions: EmissionsConfig = EmissionsConfig()
    alliance: AllianceConfig = AllianceConfig()
    rewards: RewardsConfig = RewardsConfig()
    slashing: SlashingConfig = SlashingConfig()
    api: ApiConfig = ApiConfig()

    @model_validator(mode="after")
    def _voting_share_below_quorum(self) -> DeployConfig:
        limit, quorum = self.token.max_voting_share, self.governance.quorum_percent
        if limit is not None and limit > quorum:
            raise ValueError(
                f"token.max_voting_share ({limit}%) is above the quorum ({quorum}%): a genesis holder "
                "within it could pass a proposal alone"
            )
        return self

    @property
    def voting_share_limit(self) -> Decimal:
        """Percent of worst-case voting power no genesis holder may reach (flock.deploy.genesis)."""
        limit = self.token.max_voting_share
        return Decimal(self.governance.quorum_percent) if limit is None else limit

    def warnings(self) -> list[str]:
        """Legal but risky settings, for the deployer to read before sending anything."""
        g = self.governance
        veto_takes = g.voting_delay + g.voting_period + g.timelock_delay
        out = []
        if self.rewards.guardian is None and self.rewards.challenge_window < veto_takes:
            out.append(
                f"no reward guardian, and the challenge window ({self.rewards.challenge_window // 3600} h) "
                f"is shorter than a governance veto takes ({veto_takes // 3600} h): until governance "
                "appoints a guardian (`ape run dao propose grant-role rewards GUARDIAN_ROLE ADDRESS`) or "
                "lengthens the window, k colluding oracles' roots cannot be vetoed in time"
            )
        return out

    def digest(self) -> str:
        """A stable hash of the effective configuration, recorded in the manifest."""
        canonical = self.model_dump_json(exclude={"description"})
        return "0x" + hashlib.sha256(canonical.encode()).hexdigest()


def config_path_for(network_choice: str) -> Path:
    """``config/<ecosystem>-<network>.yaml`` for an ape network choice like ``base:sepolia:node``."""
    parts = network_choice.split(":")
    return CONFIG_DIR / f"{parts[0]}-{parts[1] if len(parts) > 1 else 'local'}.yaml"


def load_config(path: Path) -> DeployConfig:
    """Reads and validates a deploy config; raises ConfigError with a readable message."""
    if not path.is_file():
        raise ConfigError(f"deploy config {path} not found")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(yaml_error_line(path, err)) from err
    try:
        return DeployConfig.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
        )
        raise ConfigError(f"{path}: {problems}") from err
