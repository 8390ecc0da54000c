"""The governor migration template (issue 12 item 3): `dao propose migrate-governor ADDRESS` hands
the timelock's proposer and canceller roles to a new governor through the current one; afterwards the
new governor passes proposals and the old one can no longer queue any. Bad targets are one line."""

from __future__ import annotations

import shutil

import ape
import pytest

from flock.chain.clock import advance
from flock.dao.actions import decode_action
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance
from flock.dao.templates import build_draft
from flock.dao.upgrades import record_executed_migration
from flock.units import DAY, WAD


@pytest.fixture(scope="module")
def voter(users, token, gmflock, treasury):
    """users[0] locks 200,000 FLOCK for a year: enough to propose and to pass alone."""
    user = users[0]
    token.transfer(user, 200_000 * WAD, sender=treasury)
    token.approve(gmflock, 200_000 * WAD, sender=user)
    gmflock.lock(200_000 * WAD, 365 * DAY, sender=user)
    advance(1)
    return user


@pytest.fixture
def copy(manifest_file, tmp_path, voter):
    """The session's manifest, copied: executing the migration rewrites its governor."""
    target = tmp_path / "deployment.json"
    shutil.copy(manifest_file, target)
    return target


@pytest.fixture
def deployment(copy):
    return Deployment.load(copy)


def _governor(project, deployer, gmflock, timelock, delay=DAY):
    return project.FlockGovernor.deploy(
        gmflock, timelock, delay, 5 * DAY, 10_000 * WAD, 4, 2 * DAY, sender=deployer
    )


def _pass(governance: Governance, draft, voter):
    proposal = governance.propose(draft, voter)
    advance(DAY + 1)
    governance.vote(proposal, "for", voter)
    advance(5 * DAY)
    governance.queue(proposal, voter)
    advance(2 * DAY)
    receipt = governance.execute(proposal, voter)
    assert governance.state(proposal) == "Executed"
    return receipt


def test_the_new_governor_takes_over_and_the_old_one_is_out(
    project, deployment, copy, deployer, gmflock, timelock, governor, voter
):
    new = _governor(project, deployer, gmflock, timelock, delay=2 * DAY)
    draft = build_draft(deployment, "migrate-governor", {"new_governor": new.address}, None)
    calls = [decode_action(deployment, a) for a in draft.actions]
    assert [(c.function, c.args[0].shown, str(c.args[1].value).lower()) for c in calls] == [
        ("grantRole", "PROPOSER_ROLE", new.address.lower()),
        ("grantRole", "CANCELLER_ROLE", new.address.lower()),
        ("revokeRole", "PROPOSER_ROLE", governor.address.lower()),
        ("revokeRole", "CANCELLER_ROLE", governor.address.lower()),
    ]
    assert "voting delay: 1 d -> 2 d" in draft.description

    old_side = Governance(deployment)
    receipt = _pass(old_side, draft, voter)
    proposer, canceller = timelock.PROPOSER_ROLE(), timelock.CANCELLER_ROLE()
    assert timelock.hasRole(proposer, new) and timelock.hasRole(canceller, new)
    assert not timelock.hasRole(proposer, governor) and not timelock.hasRole(canceller, governor)

    # The old governor can still run a vote, but its proposal cannot reach the timelock.
    fee = build_draft(
        deployment, "set-param", {"parameter": "gmflock.withdrawal_fee", "values": ("3%", "burn")}, None
    )
    stale = old_side.propose(fee, voter)
    advance(DAY + 1)
    old_side.vote(stale, "for", voter)
    advance(5 * DAY)
    with ape.reverts(timelock.AccessControlUnauthorizedAccount, account=governor.address):
        old_side.queue(stale, voter)

    # `dao execute` records the new governor in the manifest; it passes the same change.
    assert record_executed_migration(deployment, receipt) == [
        f"the governor is now {new.address} (was {governor.address})"
    ]
    successor = Governance(Deployment.load(copy))
    assert successor.deployment.address("governor") == new.address
    proposal = successor.propose(fee, voter)
    advance(2 * DAY + 1)
    successor.vote(proposal, "for", voter)
    advance(5 * DAY)
    successor.queue(proposal, voter)
    advance(2 * DAY)
    successor.execute(proposal, voter)
    assert gmflock.withdrawalFee().feeBps == 300


def test_migration_targets_are_checked(project, deployment, deployer, gmflock, governor, token):
    cases = [
        (governor.address, "is the governor already"),
        (token.address, "is not a governor"),
        ("0x" + "42" * 20, "has no code: deploy the new governor first"),
    ]
    other_timelock = project.FlockTimelock.deploy(DAY, [], ["0x" + "00" * 20], deployer, sender=deployer)
    stray = _governor(project, deployer, gmflock, other_timelock)
    cases.append((stray.address, f"answers to the timelock {other_timelock.address}, not this deployment's"))
    for target, message in cases:
        with pytest.raises(DaoError) as caught:
            build_draft(deployment, "migrate-governor", {"new_governor": target}, None)
        assert message in str(caught.value) and "\n" not in str(caught.value)
