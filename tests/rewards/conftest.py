"""Fixtures for the submission and reward contracts' unit tests: stakers, an Arena task whose epoch
is over with a budget, the configured oracles, and reward trees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from reward_helpers import TaskEpoch, open_epoch

from flock.tasks import Role, TaskKind, spec_hash
from flock.testing.fixtures import skip_task_ids
from flock.units import DAY, WAD

E = WAD
URI = "ipfs://bafy-arena-spec"
SPEC = spec_hash("an arena spec")


@dataclass
class Cast:
    creator: Any
    node: Any
    node2: Any
    validator: Any
    validator2: Any
    delegator: Any
    stranger: Any


@pytest.fixture(scope="session")
def oracles(accounts, rewards):
    """The configured oracle set (anvil test accounts 10 to 12), quorum 2."""
    members, quorum = rewards.oracleSet()
    assert quorum == 2 and [str(a) for a in accounts[10:13]] == list(members)
    return accounts[10:13]


@pytest.fixture(scope="module")
def cast(stakers) -> Cast:
    return Cast(*stakers[:7])


@pytest.fixture
def arena_task(tasks, cast, admin):
    """An approved 30-day Arena task: two nodes (10k, 5k gmFLOCK), two validators (20k, 3k), a
    delegator (4k) with the first node. Returns its id."""
    tasks.createTask(TaskKind.ARENA, 30 * DAY, SPEC, URI, 0, 0, sender=cast.creator)
    task_id = tasks.taskCount()
    tasks.join(task_id, Role.NODE, 10_000 * E, 5_000, sender=cast.node)
    tasks.join(task_id, Role.NODE, 5_000 * E, 2_000, sender=cast.node2)
    tasks.join(task_id, Role.VALIDATOR, 20_000 * E, 3_000, sender=cast.validator)
    tasks.join(task_id, Role.VALIDATOR, 3_000 * E, 3_000, sender=cast.validator2)
    tasks.delegateStake(task_id, cast.node, 4_000 * E, sender=cast.delegator)
    tasks.approveTask(task_id, sender=admin)
    return task_id


@pytest.fixture
def earning(arena_task, emissions, cast) -> TaskEpoch:
    """The task's first epoch with a budget, opened, in its submit phase."""
    epoch = emissions.currentEpoch() + 1
    open_epoch(emissions, cast.stranger, epoch)
    return TaskEpoch(arena_task, epoch)


@pytest.fixture
def ended(earning, emissions, cast) -> TaskEpoch:
    """The same epoch after its reveal phase (a minute into the next epoch): ready for roots."""
    open_epoch(emissions, cast.stranger, earning.epoch + 1)
    return earning


@pytest.fixture
def budget(emissions, ended) -> int:
    """What the task's first post draws into its pool (decision 236): everything it accrued over
    the opened epochs (here the ended epoch and the next, opened to end the reveal phase)."""
    return emissions.accruedBudget(ended.task) - emissions.drawnBudget(ended.task)


@pytest.fixture
def revenue(rewards, admin, token, cast):
    """An account holding REVENUE_ROLE (the API credits' role), with FLOCK approved."""
    account = cast.stranger
    rewards.grantRole(rewards.REVENUE_ROLE(), account, sender=admin)
    token.approve(rewards, 2**256 - 1, sender=account)
    return account


@pytest.fixture
def no_vesting(rewards, admin):
    """Leaves pay in full (locked share 0) for roots accepted from now; 1-day window."""
    rewards.setRewardParameters(DAY, 0, 0, sender=admin)


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first(
    cast, tasks, emissions, token, gmflock, admin, outsider, rewards, submissions, oracles
):
    """Sets up every session and module fixture before any test's own, as ape's isolation wants;
    then moves the task ids above the epochs the tests use (`skip_task_ids`)."""
    skip_task_ids(tasks, cast.stranger)
