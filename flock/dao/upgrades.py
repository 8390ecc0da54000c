"""Proposal templates that change the protocol's machinery rather than its parameters (issue 12):
hand the timelock to a new governor (`migrate-governor`).

They register with the template registry like every other (``flock.dao.templates``), so `ape run dao
propose NAME ...` and `ape run dao simulate NAME ...` both exist for each.
"""

from __future__ import annotations

from typing import Any

import click
from ape import chain

from flock.dao.actions import Action, Draft, encode_call, human_duration
from flock.dao.deployment import DaoError, Deployment
from flock.dao.templates import template

# The timelock roles a governor needs: it schedules (PROPOSER_ROLE) and cancels the timelock
# operation of a proposal it cancels (CANCELLER_ROLE). Anyone executes (EXECUTOR_ROLE is open).
GOVERNOR_ROLES = ("PROPOSER_ROLE", "CANCELLER_ROLE")


def migration_calls(timelock_roles: dict[str, bytes], old: str, new: str) -> list[tuple[str, list[Any]]]:
    """The timelock calls that hand its governor roles from ``old`` to ``new``: grants first, then
    revocations, so the timelock is never without a proposer between two calls."""
    grants = [("grantRole", [timelock_roles[r], new]) for r in GOVERNOR_ROLES]
    revokes = [("revokeRole", [timelock_roles[r], old]) for r in GOVERNOR_ROLES]
    return grants + revokes


def _new_governor(deployment: Deployment, address: str) -> Any:
    """The new governor as a FlockGovernor (its ABI is the Governor interface the suite uses)."""
    from ape import project

    if not chain.provider.get_code(address):
        raise DaoError(f"{address} has no code: deploy the new governor first, then propose the migration")
    return project.FlockGovernor.at(address, fetch_from_explorer=False)


def _settings(governor: Any) -> dict[str, Any]:
    return {
        "voting delay": human_duration(int(governor.votingDelay())),
        "voting period": human_duration(int(governor.votingPeriod())),
        "proposal threshold": int(governor.proposalThreshold()),
        "quorum": f"{int(governor.quorumNumerator())}%",
    }


@template(
    "migrate-governor",
    "Hand the timelock to a new governor: migrate-governor ADDRESS (it takes the proposer and "
    "canceller roles; this governor loses them)",
    click.Argument(["new_governor"], metavar="ADDRESS"),
)
def migrate_governor(deployment: Deployment, new_governor: str) -> Draft:
    new = deployment.resolve(new_governor)
    old = deployment.address("governor")
    timelock = deployment.address("timelock")
    if new.lower() == old.lower():
        raise DaoError(f"{new} is the governor already")
    if new.lower() == timelock.lower():
        raise DaoError("the timelock cannot be its own governor: it would need a proposal to propose")
    successor = _new_governor(deployment, new)
    try:
        its_timelock, its_token = str(successor.timelock()), str(successor.token())
    except Exception:  # not a governor at all: its calls revert or return nothing
        raise DaoError(f"{new} is not a governor (it has no timelock() and token())") from None
    if its_timelock.lower() != timelock.lower():
        raise DaoError(f"{new} answers to the timelock {its_timelock}, not this deployment's {timelock}")
    gmflock = deployment.address("gmflock")
    if its_token.lower() != gmflock.lower():
        raise DaoError(f"{new} counts the votes of {its_token}, not gmFLOCK ({gmflock})")

    roles = {r: deployment.role_value("timelock", r) for r in GOVERNOR_ROLES}
    actions: tuple[Action, ...] = tuple(
        encode_call(deployment, "timelock", function, ["0x" + args[0].hex(), args[1]])
        for function, args in migration_calls(roles, old, new)
    )
    before, after = _settings(deployment.governor), _settings(successor)
    changed = [f"{k}: {before[k]} -> {after[k]}" for k in before if before[k] != after[k]]
    description = (
        f"# Migrate governance to the governor at {new}\n\n"
        f"The timelock grants {' and '.join(GOVERNOR_ROLES)} to {new} and revokes them from the current "
        f"governor ({old}). From execution on, only proposals of the new governor can be queued; "
        "operations already queued still execute (anyone executes), and the new governor can cancel "
        "them. The new governor votes with gmFLOCK through this timelock.\n\n"
        + ("Settings that change: " + "; ".join(changed) if changed else "Its settings are the same.")
    )
    notes = [
        "after execution, record the new governor in the deployment manifest (`governor`): "
        "`ape run dao` and `deploy verify` find the governor there"
    ]
    return Draft(description, actions, tuple(notes))
