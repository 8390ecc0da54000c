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

from flock.dao.actions import Draft, encode_call, parse_integer
from flock.dao.deployment import DaoError, Deployment
from flock.deploy.governed import PARAMETERS, find_parameter
from flock.deploy.verify import show
from flock.units import format_token, to_wei

Build = Callable[..., Draft]


@dataclass(frozen=True)
class Template:
    name: str
    summary: str
    params: tuple[click.Parameter, ...]
    build: Build  # build(deployment, **params) -> Draft


TEMPLATES: dict[str, Template] = {}


def template(name: str, summary: str, *params: click.Parameter) -> Callable[[Build], Build]:
    """Registers ``build(deployment, **params)`` as the template ``name``."""

    def register(build: Build) -> Build:
        if name in TEMPLATES:
            raise ValueError(f"template {name!r} registered twice")
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


def _parameters_help() -> str:
    return ", ".join(p.label for p in PARAMETERS if p.setter)


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
    current = show(deployment.reader.view(governed.key, governed.getter))
    unit = f" ({governed.unit})" if governed.unit else ""
    description = (
        f"# Set {governed.label} to {', '.join(values)}\n\n"
        f"Calls `{governed.key}.{governed.setter}` through the timelock. Current value{unit}: {current}."
    )
    return Draft(description, (action,))


def _role_template(grant: bool) -> Build:
    verb, function = ("Grant", "grantRole") if grant else ("Revoke", "revokeRole")

    def build(deployment: Deployment, contract: str, role: str, account: str) -> Draft:
        key = deployment.key_of(contract)
        role_value = deployment.role_value(key, role)
        name = deployment.role_names.get(role_value, "0x" + role_value.hex())
        holder = deployment.resolve(account)
        holds = deployment.reader.view(key, "hasRole", role_value, holder)
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


_ROLE_ARGS = (click.Argument(["contract"]), click.Argument(["role"]), click.Argument(["account"]))
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
    balance = deployment.reader.view("token", "balanceOf", deployment.address("timelock"))
    notes = []
    if balance < wei:
        notes.append(
            f"the treasury holds {format_token(balance)} FLOCK today, less than {format_token(wei)}: "
            "the proposal fails at execution unless it is funded first"
        )
    description = f"# Pay {format_token(wei)} FLOCK from the treasury to {deployment.describe_address(to)}"
    return Draft(description, (action,), tuple(notes))
