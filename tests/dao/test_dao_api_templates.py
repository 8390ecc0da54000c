"""DAO templates of the API platform: api-price and api-operators, drafted, decoded and simulated
(the timelock, impersonated on a snapshot, runs them)."""

from __future__ import annotations

import pytest

from flock.chain.clock import advance
from flock.dao.actions import decode_action
from flock.dao.deployment import DaoError, Deployment
from flock.dao.simulate import simulate
from flock.dao.templates import TEMPLATES, build_draft
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY, WAD

A, B = ("0x" + c * 40 for c in "ab")


@pytest.fixture(scope="module")
def task(users, token, gmflock, tasks, deployer, treasury):
    token.transfer(users[0], 10_000 * WAD, sender=treasury)
    token.approve(gmflock, 10_000 * WAD, sender=users[0])
    gmflock.lock(10_000 * WAD, 365 * DAY, sender=users[0])
    advance(1)
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("api"), "ipfs://api", 0, 0, sender=users[0])
    return int(tasks.taskCount())


@pytest.fixture
def deployment(manifest, manifest_file, task):
    return Deployment.load(manifest_file)


def test_api_templates_are_registered():
    assert {"api-price", "api-operators"} <= set(TEMPLATES)


def test_api_price_draft_decodes_and_simulates(deployment, task):
    draft = build_draft(deployment, "api-price", {"task_id": str(task), "price": "0.5"}, None)
    (action,) = draft.actions
    call = decode_action(deployment, action)
    assert call.signature == "setPrice(uint256,uint256)"
    assert [a.value for a in call.args] == [task, WAD // 2]
    assert draft.title.startswith(f"API price of task {task}'s model: 0.50 FLOCK")
    report = simulate(deployment, draft)
    assert any(e.name == "PriceSet" for e in report.events)
    with pytest.raises(DaoError, match="not an amount"):
        build_draft(deployment, "api-price", {"task_id": str(task), "price": "cheap"}, None)
    with pytest.raises(DaoError, match="does not exist"):
        build_draft(deployment, "api-price", {"task_id": "999", "price": "1"}, None)


def test_api_operators_draft(deployment):
    draft = build_draft(deployment, "api-operators", {"quorum": "2", "operators": (A, B)}, None)
    call = decode_action(deployment, draft.actions[0])
    assert call.signature == "setOperators(address[],uint256)" and call.args[1].value == 2
    lone = build_draft(deployment, "api-operators", {"quorum": "1", "operators": (A,)}, None)
    assert any("single operator" in n for n in lone.notes)
    with pytest.raises(DaoError, match="twice"):
        build_draft(deployment, "api-operators", {"quorum": "1", "operators": (A, A)}, None)
