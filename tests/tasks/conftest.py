"""Fixtures for the task registry's unit tests: people with gmFLOCK and ready-made tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from flock.tasks import Role, TaskKind, read_parameters, spec_hash
from flock.units import DAY, WAD

E = WAD
URI = "ipfs://bafy-spec"
SPEC = spec_hash("a spec document")


@dataclass
class Cast:
    """Who is who in the task tests (all hold gmFLOCK)."""

    creator: Any
    node: Any
    validator: Any
    delegator: Any
    p1: Any
    p2: Any
    p3: Any


@pytest.fixture(scope="module")
def cast(stakers) -> Cast:
    return Cast(*stakers[:7])


@pytest.fixture(scope="session")
def params(tasks):
    return read_parameters(tasks)


@pytest.fixture(scope="session")
def new_task(tasks):
    """``new_task(who, kind=ARENA, duration=10 days, lo=0, hi=0)`` creates a task, returns its id."""

    def create(who, kind=TaskKind.ARENA, duration=10 * DAY, lo=0, hi=0) -> int:
        tasks.createTask(kind, duration, SPEC, URI, lo, hi, sender=who)
        return tasks.taskCount()

    return create


@pytest.fixture
def arena(tasks, cast, admin, new_task):
    """An approved 10-day Arena task with a node (10k) and a validator (20k), both sigma 50%."""
    task_id = new_task(cast.creator)
    tasks.approveTask(task_id, sender=admin)
    tasks.join(task_id, Role.NODE, 10_000 * E, 5_000, sender=cast.node)
    tasks.join(task_id, Role.VALIDATOR, 20_000 * E, 5_000, sender=cast.validator)
    return task_id


@pytest.fixture
def alliance(tasks, cast, admin, new_task):
    """An approved 10-day Alliance task for 2 to 3 participants, none joined yet."""
    task_id = new_task(cast.creator, TaskKind.ALLIANCE, lo=2, hi=3)
    tasks.approveTask(task_id, sender=admin)
    return task_id


@pytest.fixture
def slasher(tasks, admin, accounts):
    """An account holding the registry's SLASHER_ROLE (the reward and alliance contracts' role)."""
    account = accounts[8]
    tasks.grantRole(tasks.SLASHER_ROLE(), account, sender=admin)
    return account


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first(cast, params, new_task, tasks, emissions, token, gmflock, admin, outsider):
    """Sets up every session and module fixture before any test's own, as ape's isolation wants."""


@pytest.fixture(scope="session")
def reported(emissions):
    """The weight a registry transaction reported to the emission controller: the
    ``TaskWeightChanged`` in its receipt, (nodeUnits, validatorUnits) from the next epoch on. The
    controller keeps only the sum (``taskEnrollment(task).units``, checked here too); the split
    lives in the event (decision 236)."""

    def weight(receipt, task_id):
        (changed,) = [
            log
            for log in receipt.events
            if log.event_name == "TaskWeightChanged" and log.contract_address == emissions.address
        ]
        assert (changed.taskId, changed.fromEpoch) == (task_id, emissions.nextEpoch())
        assert emissions.taskEnrollment(task_id).units == changed.nodeUnits + changed.validatorUnits
        return changed.nodeUnits, changed.validatorUnits

    return weight
