"""Proposal templates: the one registry of `ape run dao propose TEMPLATE ARGS` (and `simulate`).

A template is a function that turns a few words into a :class:`Draft`. Register one with
:func:`template`; the command line makes a subcommand of it for `propose` and for `simulate`, with
its arguments and help. Later issues add theirs here (approve a task, emission parameters, the
oracle set)::

    @template("approve-task", "Approve a task for emissions", click.Argument(["task_id"]))
    def approve_task(deployment: Deployment, task_id: str) -> Draft:
        action = encode_call(deployment, "registry", "approveTask", [task_id])
        return Draft(f"# Approve task {task_id} for emissions", (action,))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from flock.dao.actions import Draft, decode_action, encode_call, human_duration, parse_integer
from flock.dao.deployment import DaoError, Deployment
from flock.deploy.governed import find_parameter
from flock.deploy.verify import show
from flock.tasks import TaskKind, no_such_task, staked_now
from flock.units import format_token, to_wei

Build = Callable[..., Draft]


@dataclass(frozen=True)
class Template:
    name: str
    summary: str
    params: tuple[click.Parameter, ...]
    build: Build  # build(deployment, **params) -> Draft


TEMPLATES: dict[str, Template] = {}
# The options every template command takes (flock.dao.cli) and what its command class hands it
# (flock.cli.ConnectedCommand): a template parameter of the same name would be taken by those and
# never reach the template (`grant-role ... ACCOUNT --account ops`).
RESERVED = frozenset(
    {"network", "manifest_file", "account", "description", "provider", "manifest", "deployment", "sender"}
)


def template(name: str, summary: str, *params: click.Parameter) -> Callable[[Build], Build]:
    """Registers ``build(deployment, **params)`` as the template ``name``."""

    def register(build: Build) -> Build:
        if name in TEMPLATES:
            raise ValueError(f"template {name!r} registered twice")
        clash = sorted(RESERVED & {p.name for p in params if p.name})
        if clash:
            raise ValueError(f"template {name!r}: parameter {clash[0]!r} collides with a common option")
        TEMPLATES[name] = Template(name, summary, params, build)
        return build

    return register


def build_draft(deployment: Deployment, name: str, params: dict[str, Any], description: str | None) -> Draft:
    """Runs the template ``name``; ``description`` replaces the template's own if given."""
    if name not in TEMPLATES:
        raise DaoError(f"no template {name!r}; known: {', '.join(sorted(TEMPLATES))}")
    draft = TEMPLATES[name].build(deployment, **params)
    if description:
        draft = Draft(description.strip(), draft.actions, draft.notes)
    return draft


# ------------------------------------------------------------------------------------------ templates


@template(
    "set-param",
    "Change a governed parameter: set-param PARAMETER VALUE... (`ape run dao params` lists them)",
    click.Argument(["parameter"]),
    click.Argument(["values"], nargs=-1, required=True),
)
def set_param(deployment: Deployment, parameter: str, values: tuple[str, ...]) -> Draft:
    try:
        governed = find_parameter(parameter)
    except KeyError as err:
        raise DaoError(str(err.args[0])) from None
    if governed.key not in deployment.manifest.contracts:
        raise DaoError(f"{governed.label}: {governed.key} is not deployed here")
    action = encode_call(deployment, governed.key, governed.setter or "", list(values))
    current = show(deployment.protocol.view(governed.key, governed.getter))
    unit = f" ({governed.unit})" if governed.unit else ""
    description = (
        f"# Set {governed.label} to {', '.join(values)}\n\n"
        f"Calls `{governed.key}.{governed.setter}` through the timelock. Current value{unit}: {current}."
    )
    return Draft(description, (action,))


def _role_template(grant: bool) -> Build:
    verb, function = ("Grant", "grantRole") if grant else ("Revoke", "revokeRole")

    def build(deployment: Deployment, contract: str, role: str, holder: str) -> Draft:
        key = deployment.key_of(contract)
        role_value = deployment.role_value(key, role)
        name = deployment.role_names.get(role_value, "0x" + role_value.hex())
        holder = deployment.resolve(holder)
        holds = deployment.protocol.view(key, "hasRole", role_value, holder)
        notes = []
        if grant and holds:
            notes.append(f"{deployment.describe_address(holder)} already holds {name} on {key}")
        if not grant and not holds:
            notes.append(f"{deployment.describe_address(holder)} does not hold {name} on {key}")
        action = encode_call(deployment, key, function, ["0x" + role_value.hex(), holder])
        preposition = "to" if grant else "from"
        description = f"# {verb} {name} on {key} {preposition} {deployment.describe_address(holder)}"
        return Draft(description, (action,), tuple(notes))

    return build


# the holder's metavar stays ACCOUNT; its name must not be `account` (the --account option's)
_ROLE_ARGS = (
    click.Argument(["contract"]),
    click.Argument(["role"]),
    click.Argument(["holder"], metavar="ACCOUNT"),
)
template("grant-role", "Grant a role: grant-role CONTRACT ROLE ACCOUNT", *_ROLE_ARGS)(_role_template(True))
template("revoke-role", "Revoke a role: revoke-role CONTRACT ROLE ACCOUNT", *_ROLE_ARGS)(
    _role_template(False)
)


def _flock_amount(text: str) -> int:
    """Whole FLOCK (``1_000``, ``2.5``) or an explicit ``1_000 FLOCK``; never wei by accident."""
    try:
        return to_wei(Decimal(text.replace("_", "")))
    except (InvalidOperation, ValueError):
        return parse_integer(text)


@template(
    "transfer",
    "Pay FLOCK from the treasury (the timelock): transfer RECIPIENT AMOUNT (whole FLOCK)",
    click.Argument(["recipient"]),
    click.Argument(["amount"]),
)
def treasury_transfer(deployment: Deployment, recipient: str, amount: str) -> Draft:
    wei = _flock_amount(amount)
    if wei <= 0:
        raise DaoError(f"{amount!r}: the amount must be positive")
    to = deployment.resolve(recipient)
    action = encode_call(deployment, "token", "transfer", [to, wei])
    balance = deployment.protocol.view("token", "balanceOf", deployment.address("timelock"))
    notes = []
    if balance < wei:
        notes.append(
            f"the treasury holds {format_token(balance)} FLOCK today, less than {format_token(wei)}: "
            "the proposal fails at execution unless it is funded first"
        )
    description = f"# Pay {format_token(wei)} FLOCK from the treasury to {deployment.describe_address(to)}"
    return Draft(description, (action,), tuple(notes))


# ------------------------------------------------------------------------------ tasks and emissions

_TASK_STATES = ("none", "pending", "approved", "cancelled", "ended")


def _task_ids(deployment: Deployment, raw: tuple[str, ...]) -> list[int]:
    """Task ids from words, each checked to exist in the registry."""
    if "tasks" not in deployment.manifest.contracts:
        raise DaoError("no task registry in this deployment")
    ids = []
    for text in raw:
        if not text.replace("_", "").isdigit():
            raise DaoError(f"{text!r} is not a task id (a whole number)")
        task_id = int(text.replace("_", ""))
        if deployment.protocol.view("tasks", "taskInfo", task_id).state == 0:
            raise DaoError(no_such_task(task_id, int(deployment.protocol.view("tasks", "taskCount"))))
        ids.append(task_id)
    if len(set(ids)) != len(ids):
        raise DaoError(f"a task is listed twice: {', '.join(raw)}")
    return ids


def _earliest_execution(deployment: Deployment) -> int:
    """When a proposal made now can execute at the earliest: voting delay + period + timelock delay."""
    gov = deployment.governor
    delay = int(gov.votingDelay()) + int(gov.votingPeriod()) + int(deployment.timelock.getMinDelay())
    return int(gov.clock()) + delay


def _task_line(deployment: Deployment, task_id: int) -> str:
    info = deployment.protocol.view("tasks", "taskInfo", task_id)
    stakes = deployment.protocol.view("tasks", "taskStakes", task_id)
    kind = "AI Arena" if info.kind == 0 else "FL Alliance"
    return (
        f"- task {task_id}: {kind}, {_TASK_STATES[info.state]}, created by "
        f"{deployment.describe_address(info.creator)}, {info.members} member(s), "
        f"{format_token(staked_now(stakes))} gmFLOCK staked, spec hash 0x{bytes(info.specHash).hex()}"
    )


def _task_notes(deployment: Deployment, ids: list[int], allowed: tuple[int, ...], verb: str) -> list[str]:
    notes, earliest = [], _earliest_execution(deployment)
    wait = human_duration(earliest - int(deployment.governor.clock()))
    for task_id in ids:
        info = deployment.protocol.view("tasks", "taskInfo", task_id)
        if info.state not in allowed:
            notes.append(
                f"task {task_id} is {_TASK_STATES[info.state]}: the proposal would fail to {verb} it"
            )
        elif info.endTime <= earliest:
            notes.append(
                f"task {task_id} ends before this proposal can execute (in {wait}): execution would fail"
            )
    return notes


_IDS = click.Argument(["task_ids"], nargs=-1, required=True)


@template("approve-task", "Approve tasks for emissions: approve-task TASK_ID...", _IDS)
def approve_task(deployment: Deployment, task_ids: tuple[str, ...]) -> Draft:
    ids = _task_ids(deployment, task_ids)
    actions = tuple(encode_call(deployment, "tasks", "approveTask", [task_id]) for task_id in ids)
    listed = ", ".join(str(i) for i in ids)
    body = "\n".join(_task_line(deployment, i) for i in ids)
    description = (
        f"# Approve task{'s' if len(ids) > 1 else ''} {listed} for emissions\n\n"
        "Each earns its stake's share of the emission from the epoch after execution until its end."
        f"\n\n{body}"
    )
    return Draft(description, actions, tuple(_task_notes(deployment, ids, (1,), "approve")))


@template(
    "cancel-task", "Cancel tasks (stakes release after the dispute window): cancel-task TASK_ID...", _IDS
)
def cancel_task(deployment: Deployment, task_ids: tuple[str, ...]) -> Draft:
    ids = _task_ids(deployment, task_ids)
    actions = tuple(encode_call(deployment, "tasks", "cancelTask", [task_id]) for task_id in ids)
    listed = ", ".join(str(i) for i in ids)
    body = "\n".join(_task_line(deployment, i) for i in ids)
    description = (
        f"# Cancel task{'s' if len(ids) > 1 else ''} {listed}\n\n"
        "A cancelled task stops earning from the next epoch; its stakes stay slashable for its dispute "
        f"window and are released after it.\n\n{body}"
    )
    return Draft(description, actions, tuple(_task_notes(deployment, ids, (1, 2), "cancel")))


@template(
    "emission-parameters",
    "Set the emission cap per epoch (whole FLOCK) and the Arena split gamma: emission-parameters CAP GAMMA",
    click.Argument(["epoch_cap"]),
    click.Argument(["gamma"]),
)
def emission_parameters(deployment: Deployment, epoch_cap: str, gamma: str) -> Draft:
    cap = _flock_amount(epoch_cap)
    try:
        g = Decimal(gamma)
    except InvalidOperation:
        raise DaoError(f"gamma {gamma!r} is not a number (a fraction such as 0.2)") from None
    if not Decimal(0) <= g <= Decimal("0.5"):
        raise DaoError(f"gamma {gamma} is outside [0, 0.5]")
    actions = (
        encode_call(deployment, "emissions", "setEpochCap", [cap]),
        encode_call(deployment, "emissions", "setGamma", [to_wei(g)]),
    )
    view = deployment.protocol.view
    description = (
        f"# Emissions: cap {format_token(cap)} FLOCK per epoch, gamma {g}\n\n"
        f"Today: cap {format_token(view('emissions', 'epochCap'))} FLOCK per epoch, gamma "
        f"{Decimal(view('emissions', 'gamma')) / Decimal(10**18)}. Both apply from the next epoch opened; "
        "budgets of opened epochs never change."
    )
    return Draft(description, actions)


@template(
    "stake-minimums",
    "Set minimum stakes in whole gmFLOCK: stake-minimums NODE VALIDATOR PARTICIPANT DELEGATION",
    click.Argument(["node"]),
    click.Argument(["validator"]),
    click.Argument(["participant"]),
    click.Argument(["delegation"]),
)
def stake_minimums(
    deployment: Deployment, node: str, validator: str, participant: str, delegation: str
) -> Draft:
    amounts = [_flock_amount(x) for x in (node, validator, participant, delegation)]
    if any(a <= 0 for a in amounts):
        raise DaoError("every minimum stake must be positive")
    action = encode_call(deployment, "tasks", "setStakeMinimums", amounts)
    current = deployment.protocol.view("tasks", "stakeMinimums")
    names = ("node", "validator", "participant", "delegation")
    description = (
        "# Minimum stakes: "
        + ", ".join(f"{n} {format_token(a, places=0)}" for n, a in zip(names, amounts, strict=True))
        + " gmFLOCK\n\nToday: "
        + ", ".join(f"{n} {format_token(a, places=0)}" for n, a in zip(names, current, strict=True))
        + " gmFLOCK. New minimums apply to new joins and delegations; existing stakes stay."
    )
    return Draft(description, (action,))


# ------------------------------------------------------------------------------------------ rewards


def _require_rewards(deployment: Deployment) -> None:
    if "rewards" not in deployment.manifest.contracts:
        raise DaoError("no reward distributor in this deployment")


def _percent_bps(text: str, what: str, ceiling: int = 10_000) -> int:
    """Basis points from a percentage (``90``, ``90%``, ``14.5%``)."""
    try:
        bps = Decimal(text.strip().removesuffix("%")) * 100
    except InvalidOperation:
        raise DaoError(f"{what} {text!r} is not a percentage (such as 8 or 14.5%)") from None
    if bps != bps.to_integral_value() or not 0 <= bps <= ceiling:
        raise DaoError(f"{what} {text} is not a whole number of basis points within 0 to {ceiling / 100:g}%")
    return int(bps)


def _fraction_bps(text: str, what: str) -> int:
    try:
        bps = Decimal(text) * 10_000
    except InvalidOperation:
        raise DaoError(f"{what} {text!r} is not a number (a fraction such as 0.8)") from None
    if bps != bps.to_integral_value() or bps <= 0:
        raise DaoError(f"{what} {text} must be positive and a whole number of basis points")
    return int(bps)


@template(
    "sweep-rewards",
    "Send an ended task's reward pool (what no root reserves) to an address: sweep-rewards TASK_ID RECIPIENT",
    click.Argument(["task_id"]),
    click.Argument(["recipient"]),
)
def sweep_rewards(deployment: Deployment, task_id: str, recipient: str) -> Draft:
    """`RewardDistributor.sweepUnallocated(taskId, to)` (decision 236): the task's pool and what it
    still has at the emission controller, once the task no longer earns; accepted roots keep theirs."""
    _require_rewards(deployment)
    (task,) = _task_ids(deployment, (task_id,))
    info = deployment.protocol.view("tasks", "taskInfo", task)
    if info.kind != TaskKind.ARENA:
        raise DaoError(
            f"task {task} is an FL Alliance task: its emission budget is AllianceRounds' pool, and the "
            "reward distributor refuses to sweep it (RewardNotArenaTask)"
        )
    to = deployment.resolve(recipient)
    action = encode_call(deployment, "rewards", "sweepUnallocated", [task, to])
    pool = int(deployment.protocol.view("rewards", "unallocatedOf", task))
    undrawn = 0
    if "emissions" in deployment.manifest.contracts:
        accrued = int(deployment.protocol.view("emissions", "accruedBudget", task))
        undrawn = accrued - int(deployment.protocol.view("emissions", "drawnBudget", task))
    notes = []
    if info.state in (1, 2) and info.endTime > _earliest_execution(deployment):
        notes.append(
            f"task {task} is {_TASK_STATES[info.state]} and still earns when this proposal can execute: "
            "execution would fail (RewardTaskStillActive) unless it is cancelled or ends first"
        )
    if pool + undrawn == 0:
        notes.append(f"task {task} has nothing to sweep today: execution would fail (RewardNothingToSweep)")
    description = (
        f"# Sweep task {task}'s reward pool to {deployment.describe_address(to)}\n\n"
        f"Today: {format_token(pool)} FLOCK in its pool at the reward distributor and "
        f"{format_token(undrawn)} FLOCK accrued at the emission controller and not drawn; the sweep "
        "sends both (and whatever accrues until it executes). Roots already accepted keep what they "
        "reserved; a veto after the sweep returns a root's total and burn to the pool.\n\n"
        f"{_task_line(deployment, task)}"
    )
    return Draft(description, (action,), tuple(notes))


@template(
    "oracle-set",
    "Appoint the reward oracles and how many must agree: oracle-set QUORUM ORACLE...",
    click.Argument(["quorum"]),
    click.Argument(["oracles"], nargs=-1, required=True),
)
def oracle_set(deployment: Deployment, quorum: str, oracles: tuple[str, ...]) -> Draft:
    _require_rewards(deployment)
    addresses = [deployment.resolve(o) for o in oracles]
    if len({a.lower() for a in addresses}) != len(addresses):
        raise DaoError("an oracle is listed twice")
    if not quorum.isdigit() or not 1 <= int(quorum) <= len(addresses) <= 16:
        raise DaoError(f"quorum {quorum} must be between 1 and the {len(addresses)} oracles (at most 16)")
    action = encode_call(deployment, "rewards", "setOracles", [addresses, int(quorum)])
    current, k = deployment.protocol.view("rewards", "oracleSet")
    listed = "\n".join(f"- {deployment.describe_address(a)}" for a in addresses)
    now = ", ".join(str(a) for a in current) or "none"
    description = (
        f"# Reward oracles: {quorum} of {len(addresses)}\n\n"
        f"A root counts when {quorum} of these oracles post the same tuple:\n{listed}\n\n"
        f"Today: {k} of [{now}]. Posts of rounds still open no longer count once this executes."
    )
    notes = [] if int(quorum) > 1 else ["a quorum of 1 lets a single oracle decide every root"]
    return Draft(description, (action,), tuple(notes))


@template(
    "reward-parameters",
    "Set the challenge window, the locked share (%) and the vesting period: "
    "reward-parameters WINDOW SHARE PERIOD",
    click.Argument(["window"]),
    click.Argument(["share"]),
    click.Argument(["period"]),
)
def reward_parameters(deployment: Deployment, window: str, share: str, period: str) -> Draft:
    _require_rewards(deployment)
    bps = _percent_bps(share, "locked share")
    action = encode_call(deployment, "rewards", "setRewardParameters", [window, bps, period])
    old_window, old_share, old_period = deployment.protocol.view("rewards", "rewardParameters")
    description = (
        f"# Rewards: challenge window {window}, {bps / 100:g}% locked, vesting over {period}\n\n"
        f"Today: window {human_duration(old_window)}, {old_share / 100:g}% locked over "
        f"{human_duration(old_period)}. Applies to roots accepted after execution; roots already "
        "accepted keep their terms."
    )
    notes = []
    gov = deployment.governor
    cycle = int(gov.votingDelay()) + int(gov.votingPeriod()) + int(deployment.timelock.getMinDelay())
    seconds = decode_action(deployment, action).args[0].value
    if seconds < cycle:
        notes.append(
            f"a challenge window of {human_duration(seconds)} is shorter than a proposal's cycle "
            f"({human_duration(cycle)}): only a guardian can veto in time"
        )
    return Draft(description, (action,), tuple(notes))


@template(
    "claim-fees",
    "Set the claim fees (%) the oracle deducts and the distributor burns: "
    "claim-fees NODE VALIDATOR DELEGATOR",
    click.Argument(["node"]),
    click.Argument(["validator"]),
    click.Argument(["delegator"]),
)
def claim_fees(deployment: Deployment, node: str, validator: str, delegator: str) -> Draft:
    _require_rewards(deployment)
    fees = [
        _percent_bps(x, f"{name} fee", 5_000)
        for x, name in ((node, "node"), (validator, "validator"), (delegator, "delegator"))
    ]
    action = encode_call(deployment, "rewards", "setClaimFees", fees)
    old = deployment.protocol.view("rewards", "claimFees")
    names = ("node", "validator", "delegator")
    shown = ", ".join(f"{n} {b / 100:g}%" for n, b in zip(names, fees, strict=True))
    today = ", ".join(f"{n} {b / 100:g}%" for n, b in zip(names, old, strict=True))
    description = (
        f"# Claim fees: {shown}\n\nToday: {today}. The oracles apply the fees in force when an epoch starts."
    )
    return Draft(description, (action,))


@template(
    "scoring-parameters",
    "Set the oracle's rank ratio q and tolerance: scoring-parameters RANK_RATIO TOLERANCE (fractions)",
    click.Argument(["rank_ratio"]),
    click.Argument(["tolerance"]),
)
def scoring_parameters(deployment: Deployment, rank_ratio: str, tolerance: str) -> Draft:
    _require_rewards(deployment)
    q, t = _fraction_bps(rank_ratio, "rank ratio"), _fraction_bps(tolerance, "tolerance")
    if q > 10_000:
        raise DaoError(f"rank ratio {rank_ratio} must be at most 1")
    action = encode_call(deployment, "rewards", "setScoringParameters", [q, t])
    old_q, old_t = deployment.protocol.view("rewards", "scoringParameters")
    description = (
        f"# Scoring: rank ratio {rank_ratio}, tolerance {tolerance}\n\n"
        f"Today: rank ratio {old_q / 10_000:g}, tolerance {old_t / 10_000:g} (docs/oracle.md). "
        "The oracles apply the parameters in force when an epoch starts."
    )
    return Draft(description, (action,))


@template(
    "phases",
    "Set the epoch phases (from the next epoch): phases SUBMIT MODEL_REVEAL COMMIT REVEAL (durations)",
    click.Argument(["submit"]),
    click.Argument(["model_reveal"]),
    click.Argument(["commit"]),
    click.Argument(["reveal"]),
)
def phases(deployment: Deployment, submit: str, model_reveal: str, commit: str, reveal: str) -> Draft:
    if "submissions" not in deployment.manifest.contracts:
        raise DaoError("no submissions contract in this deployment")
    action = encode_call(deployment, "submissions", "setPhases", [[submit, model_reveal, commit, reveal]])
    old = deployment.protocol.view("submissions", "phases")
    description = (
        f"# Epoch phases: submit {submit}, model reveal {model_reveal}, commit {commit}, reveal {reveal}\n\n"
        f"Today: submit {human_duration(old[0])}, model reveal {human_duration(old[1])}, commit "
        f"{human_duration(old[2])}, reveal {human_duration(old[3])}. Applies from the epoch after "
        "execution; running and past epochs keep their schedule."
    )
    return Draft(description, (action,))


# ------------------------------------------------------------------------------------------ API platform


def _require_api(deployment: Deployment) -> None:
    if "api" not in deployment.manifest.contracts:
        raise DaoError("no API credits contract in this deployment")


@template(
    "api-price",
    "Price a task's model for the API: api-price TASK_ID PRICE (FLOCK per 1,000 tokens; 0: not served)",
    click.Argument(["task_id"]),
    click.Argument(["price"]),
)
def api_price(deployment: Deployment, task_id: str, price: str) -> Draft:
    _require_api(deployment)
    (task,) = _task_ids(deployment, (task_id,))
    try:
        wei = to_wei(price.strip().removesuffix("FLOCK").strip())
    except ValueError:
        raise DaoError(f"price {price!r} is not an amount of FLOCK (such as 0.5)") from None
    action = encode_call(deployment, "api", "setPrice", [task, wei])
    old = int(deployment.protocol.view("api", "priceOf", task))
    description = (
        f"# API price of task {task}'s model: {format_token(wei)} FLOCK per 1,000 tokens\n\n"
        f"Today: {format_token(old)} FLOCK. The gateway serves the winner of the task's latest final reward "
        "root at this price; usage is charged at the price in force when it is served (docs/api.md)."
    )
    notes = ["price 0: the gateway stops serving the task's model"] if wei == 0 else []
    return Draft(description, (action,), tuple(notes))


@template(
    "api-operators",
    "Appoint the API gateway operators and how many must agree: api-operators QUORUM OPERATOR...",
    click.Argument(["quorum"]),
    click.Argument(["operators"], nargs=-1, required=True),
)
def api_operators(deployment: Deployment, quorum: str, operators: tuple[str, ...]) -> Draft:
    _require_api(deployment)
    addresses = [deployment.resolve(o) for o in operators]
    if len({a.lower() for a in addresses}) != len(addresses):
        raise DaoError("an operator is listed twice")
    if not quorum.isdigit() or not 1 <= int(quorum) <= len(addresses) <= 16:
        raise DaoError(f"quorum {quorum} must be between 1 and the {len(addresses)} operators (at most 16)")
    action = encode_call(deployment, "api", "setOperators", [addresses, int(quorum)])
    listed = "\n".join(f"- {deployment.describe_address(a)}" for a in addresses)
    description = (
        f"# API gateway operators: {quorum} of {len(addresses)}\n\n"
        f"A usage report counts when {quorum} of these operators post the same one:\n{listed}"
    )
    notes = [] if int(quorum) > 1 else ["a quorum of 1 lets a single operator settle every epoch's usage"]
    return Draft(description, (action,), tuple(notes))


# Templates that change the machinery (a new governor, an upgrade) live in their own module; imported
# here, last, so that the command line's registry holds them too.
from flock.dao import upgrades as _upgrades  # noqa: E402, F401
