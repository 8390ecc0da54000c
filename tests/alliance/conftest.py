"""Fixtures for AllianceRounds' unit tests (through ape, on anvil): an approved Alliance task with
five participants of different stakes, and a driver that moves each round through its phases."""

from __future__ import annotations

import pytest
from alliance_helpers import STAKES, E

from flock.alliance.chain import ApeClock, RoundDriver
from flock.tasks import Role, TaskKind, spec_hash
from flock.testing.fixtures import skip_task_ids
from flock.units import DAY


@pytest.fixture(scope="session")
def alliance(project, manifest):
    return project.AllianceRounds.at(manifest.address("alliance"))


@pytest.fixture(scope="module")
def people(users, token, gmflock, deployer, treasury):
    """users[0] creates tasks, users[1:6] participate, users[6] is a member of nothing. Each locks
    500,000 FLOCK for a year (1.5M gmFLOCK)."""
    for user in users:
        token.transfer(user, 1_000_000 * E, sender=treasury)
        token.approve(gmflock, 500_000 * E, sender=user)
        gmflock.lock(500_000 * E, 365 * 86400, sender=user)
    return users


@pytest.fixture(scope="module")
def creator(people):
    return people[0]


@pytest.fixture(scope="module")
def participants(people):
    return list(people[1:6])


@pytest.fixture(scope="module")
def stranger(people):
    return people[6]


@pytest.fixture(scope="module")
def task(tasks, emissions, admin, creator, participants, deployer) -> int:
    """An approved 10-day Alliance task (2 to 8 participants) with p1..p5 joined, a day into it
    with its first budget opened. Its id is above the round numbers the tests reach (`skip_task_ids`:
    rounds count from 1, so with task id 1 a round read as `_rounds[round][taskId]` would pass)."""
    skip_task_ids(tasks, creator)
    tasks.createTask(
        TaskKind.ALLIANCE, 10 * DAY, spec_hash("alliance spec"), "ipfs://alliance", 2, 8, sender=creator
    )
    task_id = tasks.taskCount()
    tasks.approveTask(task_id, sender=admin)
    for account, stake in zip(participants, STAKES, strict=True):
        tasks.join(task_id, Role.PARTICIPANT, stake * E, 0, sender=account)
    from flock.chain.clock import advance

    advance(DAY)
    emissions.checkpoint(sender=deployer)
    return task_id


@pytest.fixture
def driver(alliance, task, deployer) -> RoundDriver:
    return RoundDriver(alliance, task, ApeClock(), deployer)


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first(
    task,
    alliance,
    tasks,
    emissions,
    token,
    gmflock,
    admin,
    stranger,
    outsider,
    timelock,
    creator,
    participants,
):
    """Sets up every session and module fixture before any test's own, as ape's isolation wants."""
