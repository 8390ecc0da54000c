"""From what the chain says about one task epoch, and the score files, to the oracle's inputs.

``EpochChainData`` holds the facts read from the chain (``flock.oracle.chain`` reads them through
ape): the epoch's submissions, commitments and reveals (ArenaSubmissions events), the stakes, sigmas
and delegations of the task's operators at the stake block, the epoch's budget, and the oracle
parameters governance set. ``assemble`` is pure: the same facts and files always give the same
``EpochInputs``, whoever runs it, which is what makes a posted root checkable by anyone.

The stake block is the last block before the epoch starts: the same moment that decides the
epoch's emission budget (stake changes count from the next epoch, docs/emissions.md), so a node or
validator that joins during an epoch earns from the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flock.oracle.revenue import RevenueFunding
from flock.oracle.scorefile import ParsedScores, Rejection, parse_scores
from flock.oracle.scoring import EpochInputs, OracleParams, Stake
from flock.store import ContentSource, StoreError

BPS = 10_000
NODE, VALIDATOR = 1, 2  # ITaskRegistry.Role


@dataclass(frozen=True)
class Submission:
    node: str
    model: str  # 0x keccak256 of the artifact, lower-case
    uri: str


@dataclass(frozen=True)
class Reveal:
    validator: str
    file_hash: str  # 0x keccak256 of the score file, lower-case


@dataclass(frozen=True)
class MemberStake:
    """An operator at the stake block: its role, own stake and sigma."""

    account: str
    role: int
    own: int
    sigma_bps: int


@dataclass(frozen=True)
class DelegationStake:
    """A delegation counting at the stake block (not exiting): what it is worth after slashes."""

    delegator: str
    operator: str
    value: int


@dataclass(frozen=True)
class EpochChainData:
    chain_id: int
    rewards: str  # the RewardDistributor's address
    submissions_contract: str
    task: int
    epoch: int
    stake_block: int
    stake_block_hash: str
    node_budget: int
    validator_budget: int
    fee_bps: tuple[int, int, int]  # node, validator, delegator
    scoring_bps: tuple[int, int]  # rank ratio q, tolerance
    submissions: tuple[Submission, ...]
    committed: tuple[str, ...]  # validators that committed
    reveals: tuple[Reveal, ...]
    members: tuple[MemberStake, ...]
    delegations: tuple[DelegationStake, ...]
    revenue: tuple[RevenueFunding, ...] = ()  # API revenue funded into this epoch (flock.oracle.revenue)

    def params(self) -> OracleParams:
        node, validator, delegator = self.fee_bps
        rank, tolerance = self.scoring_bps
        return OracleParams(Fraction(rank, BPS), Fraction(tolerance, BPS), node, validator, delegator)

    def meta(self) -> dict[str, Any]:
        """The chain facts the report records beside the inputs."""
        return {
            "chain_id": self.chain_id,
            "rewards": self.rewards.lower(),
            "submissions": self.submissions_contract.lower(),
            "stake_block": self.stake_block,
            "stake_block_hash": self.stake_block_hash.lower(),
        }


@dataclass
class Assembled:
    inputs: EpochInputs
    params: OracleParams
    score_file_hashes: dict[str, str]  # validator -> revealed file hash
    notes: list[Rejection] = field(default_factory=list)  # inputs set aside, with the reason


def _stakes(data: EpochChainData, role: int) -> dict[str, Stake]:
    pools: dict[str, list[tuple[str, int]]] = {}
    for d in data.delegations:
        if d.value > 0:
            pools.setdefault(d.operator.lower(), []).append((d.delegator.lower(), d.value))
    stakes = {}
    for m in data.members:
        if m.role != role:
            continue
        delegations = tuple(sorted(pools.get(m.account.lower(), ())))
        stake = Stake(m.own, delegations, m.sigma_bps)
        if stake.effective > 0:
            stakes[m.account.lower()] = stake
    return stakes


def _read_file(source: ContentSource, digest: str) -> tuple[bytes | None, str | None]:
    try:
        return source.get(digest), None
    except StoreError as err:
        return None, str(err)


def assemble(data: EpochChainData, source: ContentSource) -> Assembled:
    """The oracle's inputs for the epoch: operators with stake at the stake block, every submission
    of the epoch, and each revealed score file read against its revealed hash."""
    nodes = _stakes(data, NODE)
    validators = _stakes(data, VALIDATOR)
    submissions = {s.node.lower(): s.model.lower() for s in data.submissions}
    models = set(submissions.values())
    notes: list[Rejection] = []
    scores: dict[str, ParsedScores] = {}
    hashes: dict[str, str] = {}
    revealed = {r.validator.lower(): r.file_hash.lower() for r in data.reveals}
    for validator, digest in sorted(revealed.items()):
        hashes[validator] = digest
        if validator not in validators:
            notes.append(Rejection(validator, None, "revealed, but had no stake when the epoch started"))
            continue
        raw, problem = _read_file(source, digest)
        parsed = parse_scores(
            raw,
            validator=validator,
            task=data.task,
            epoch=data.epoch,
            commitment=bytes.fromhex(digest[2:]),
            submissions=models,
        )
        if problem:
            parsed.rejections[0] = Rejection(validator, None, f"score file unreadable: {problem}")
        scores[validator] = parsed
    for validator in sorted({v.lower() for v in data.committed} - set(revealed)):
        if validator in validators:
            scores[validator] = ParsedScores(
                validator, {}, [Rejection(validator, None, "committed but never revealed")], accepted=False
            )
    for node in sorted(set(submissions) - set(nodes)):
        notes.append(Rejection(node, submissions[node], "submitted, but had no stake when the epoch started"))
    inputs = EpochInputs(
        task=data.task,
        epoch=data.epoch,
        node_budget=data.node_budget,
        validator_budget=data.validator_budget,
        nodes=nodes,
        validators=validators,
        submissions=submissions,
        scores=scores,
    )
    return Assembled(inputs, data.params(), hashes, notes)
