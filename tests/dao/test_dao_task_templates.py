"""DAO templates of the tasks and emissions issue: approve-task, cancel-task, emission-parameters,
stake-minimums; and a task approved through the whole governor lifecycle."""

from __future__ import annotations

import pytest

from flock.chain.clock import advance
from flock.dao.actions import decode_action
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance
from flock.dao.templates import TEMPLATES, build_draft
from flock.tasks import Role, TaskKind, TaskState, spec_hash
from flock.units import DAY, WAD


@pytest.fixture(scope="module", autouse=True)
def lockers(users, token, gmflock, deployer, treasury, tasks, emissions, admin, manifest_file):
    """users[0] locks 200,000 FLOCK for a year (enough to propose and to pass alone), users[1] 20,000."""
    for user, amount in zip(users[:2], (200_000, 20_000), strict=True):
        token.transfer(user, amount * WAD, sender=treasury)
        token.approve(gmflock, amount * WAD, sender=user)
        gmflock.lock(amount * WAD, 365 * DAY, sender=user)
    advance(1)
    return users[:2]


@pytest.fixture
def deployment(manifest, manifest_file, lockers):
    return Deployment.load(manifest_file)


def _new_task(tasks, who, days=30) -> int:
    tasks.createTask(TaskKind.ARENA, days * DAY, spec_hash("t"), "ipfs://t", 0, 0, sender=who)
    return tasks.taskCount()


def test_registry_has_the_task_templates():
    assert {"approve-task", "cancel-task", "emission-parameters", "stake-minimums"} <= set(TEMPLATES)


def test_approve_task_draft_lists_each_task(deployment, tasks, lockers):
    first, second = _new_task(tasks, lockers[0]), _new_task(tasks, lockers[1])
    draft = build_draft(deployment, "approve-task", {"task_ids": (str(first), str(second))}, None)
    calls = [decode_action(deployment, a) for a in draft.actions]
    assert [(c.target_name, c.signature, c.args[0].value) for c in calls] == [
        ("tasks", "approveTask(uint256)", first),
        ("tasks", "approveTask(uint256)", second),
    ]
    assert draft.title == f"Approve tasks {first}, {second} for emissions"
    assert f"- task {first}: AI Arena, pending" in draft.description
    assert not draft.notes


def test_approve_task_notes_what_would_fail(deployment, tasks, lockers, admin):
    approved, short = _new_task(tasks, lockers[0]), _new_task(tasks, lockers[0], days=2)
    tasks.approveTask(approved, sender=admin)
    draft = build_draft(deployment, "approve-task", {"task_ids": (str(approved), str(short))}, None)
    assert f"task {approved} is approved: the proposal would fail to approve it" in draft.notes
    assert any(note.startswith(f"task {short} ends before this proposal can execute") for note in draft.notes)


@pytest.mark.parametrize(
    ("template", "params", "message"),
    [
        ("approve-task", {"task_ids": ("999",)}, "task 999 does not exist"),
        ("approve-task", {"task_ids": ("1", "1")}, "a task is listed twice"),
        ("cancel-task", {"task_ids": ("x",)}, "'x' is not a task id"),
        ("emission-parameters", {"epoch_cap": "1_000", "gamma": "0.6"}, "gamma 0.6 is outside [0, 0.5]"),
        ("emission-parameters", {"epoch_cap": "1_000", "gamma": "a lot"}, "gamma 'a lot' is not a number"),
        (
            "stake-minimums",
            {"node": "0", "validator": "1", "participant": "1", "delegation": "1"},
            "every minimum stake must be positive",
        ),
    ],
)
def test_task_template_errors(deployment, tasks, lockers, template, params, message):
    _new_task(tasks, lockers[0])
    with pytest.raises(DaoError) as caught:
        build_draft(deployment, template, params, None)
    assert message in str(caught.value)


def test_cancel_task_draft(deployment, tasks, lockers):
    task_id = _new_task(tasks, lockers[0])
    draft = build_draft(deployment, "cancel-task", {"task_ids": (str(task_id),)}, None)
    (call,) = (decode_action(deployment, a) for a in draft.actions)
    assert (call.signature, call.args[0].value) == ("cancelTask(uint256)", task_id)
    assert draft.title == f"Cancel task {task_id}"


def test_emission_parameters_draft(deployment, emissions):
    draft = build_draft(deployment, "emission-parameters", {"epoch_cap": "250_000", "gamma": "0.25"}, None)
    cap, gamma = (decode_action(deployment, a) for a in draft.actions)
    assert (cap.signature, cap.args[0].value) == ("setEpochCap(uint256)", 250_000 * WAD)
    assert (gamma.signature, gamma.args[0].value) == ("setGamma(uint256)", WAD // 4)
    assert "Today: cap 300,000.00 FLOCK per epoch, gamma 0.2" in draft.description


def test_stake_minimums_draft(deployment, tasks):
    draft = build_draft(
        deployment,
        "stake-minimums",
        {"node": "2_000", "validator": "5_000", "participant": "1_500", "delegation": "50"},
        None,
    )
    (call,) = (decode_action(deployment, a) for a in draft.actions)
    assert call.signature == "setStakeMinimums(uint256,uint256,uint256,uint256)"
    assert [a.value for a in call.args] == [2_000 * WAD, 5_000 * WAD, 1_500 * WAD, 50 * WAD]
    assert (
        "Today: node 1,000, validator 3,000, participant 1,000, delegation 100 gmFLOCK" in draft.description
    )


def test_a_task_is_approved_through_the_governor(deployment, tasks, emissions, lockers):
    """Propose with the template, vote, queue, execute: the timelock approves the task."""
    proposer, voter = lockers
    task_id = _new_task(tasks, proposer)
    tasks.join(task_id, Role.NODE, 5_000 * WAD, 5_000, sender=voter)
    governance = Governance(deployment)
    draft = build_draft(deployment, "approve-task", {"task_ids": (str(task_id),)}, None)
    proposal = governance.propose(draft, proposer)
    advance(DAY + 1)
    governance.vote(proposal, "for", proposer)
    advance(5 * DAY)
    governance.queue(proposal, voter)
    advance(2 * DAY)
    governance.execute(proposal, voter)
    assert governance.state(proposal) == "Executed"
    assert tasks.taskInfo(task_id).state == TaskState.APPROVED
    assert emissions.taskEnrollment(task_id).units == 5_000 * WAD // 10**15
