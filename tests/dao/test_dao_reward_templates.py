"""DAO templates of the rewards issue: oracle-set, reward-parameters, claim-fees, scoring-parameters,
phases; and an oracle set appointed through the whole governor lifecycle."""

from __future__ import annotations

import pytest

from flock.chain.clock import advance
from flock.dao.actions import decode_action
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance
from flock.dao.templates import TEMPLATES, build_draft
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY, WAD

A, B, C = ("0x" + c * 40 for c in "abc")


@pytest.fixture(scope="module", autouse=True)
def lockers(users, token, gmflock, deployer, treasury):
    """users[0] locks 200,000 FLOCK for a year: enough to propose and to pass alone."""
    token.transfer(users[0], 200_000 * WAD, sender=treasury)
    token.approve(gmflock, 200_000 * WAD, sender=users[0])
    gmflock.lock(200_000 * WAD, 365 * DAY, sender=users[0])
    advance(1)
    return users[:1]


@pytest.fixture
def deployment(manifest, manifest_file, lockers):
    return Deployment.load(manifest_file)


def _call(deployment, draft):
    (call,) = (decode_action(deployment, a) for a in draft.actions)
    return call


def test_registry_has_the_reward_templates():
    assert {
        "oracle-set",
        "reward-parameters",
        "claim-fees",
        "scoring-parameters",
        "phases",
        "sweep-rewards",
    } <= set(TEMPLATES)


def test_oracle_set_draft(deployment):
    draft = build_draft(deployment, "oracle-set", {"quorum": "2", "oracles": (A, B, C)}, None)
    call = _call(deployment, draft)
    assert call.signature == "setOracles(address[],uint256)"
    assert [a.lower() for a in call.args[0].value] == [A, B, C] and call.args[1].value == 2
    assert draft.title == "Reward oracles: 2 of 3" and not draft.notes
    lone = build_draft(deployment, "oracle-set", {"quorum": "1", "oracles": (A,)}, None)
    assert "a quorum of 1 lets a single oracle decide every root" in lone.notes


def test_reward_parameter_drafts(deployment):
    call = _call(
        deployment,
        build_draft(
            deployment, "reward-parameters", {"window": "9 days", "share": "90%", "period": "30 days"}, None
        ),
    )
    assert (call.signature, [a.value for a in call.args]) == (
        "setRewardParameters(uint256,uint256,uint256)",
        [9 * DAY, 9_000, 30 * DAY],
    )
    short = build_draft(
        deployment, "reward-parameters", {"window": "1 day", "share": "0", "period": "0"}, None
    )
    assert any("only a guardian can veto in time" in n for n in short.notes)
    fees = _call(
        deployment,
        build_draft(deployment, "claim-fees", {"node": "5", "validator": "6%", "delegator": "14.5"}, None),
    )
    assert [a.value for a in fees.args] == [500, 600, 1_450]
    scoring = _call(
        deployment,
        build_draft(deployment, "scoring-parameters", {"rank_ratio": "0.9", "tolerance": "0.25"}, None),
    )
    assert [a.value for a in scoring.args] == [9_000, 2_500]
    lengths = {"submit": "10h", "model_reveal": "2h", "commit": "4h", "reveal": "4h"}
    phases = _call(deployment, build_draft(deployment, "phases", lengths, None))
    assert (phases.target_name, [a.value for a in phases.args]) == (
        "submissions",
        [(36_000, 7_200, 14_400, 14_400)],
    )


@pytest.mark.parametrize(
    ("template", "params", "message"),
    [
        ("oracle-set", {"quorum": "3", "oracles": (A, B)}, "quorum 3 must be between 1 and the 2 oracles"),
        ("oracle-set", {"quorum": "1", "oracles": (A, A)}, "an oracle is listed twice"),
        ("oracle-set", {"quorum": "1", "oracles": ("nobody",)}, "'nobody' is not an address"),
        ("reward-parameters", {"window": "1 day", "share": "lots", "period": "1 day"}, "is not a percentage"),
        ("claim-fees", {"node": "51", "validator": "1", "delegator": "1"}, "within 0 to 50%"),
        ("scoring-parameters", {"rank_ratio": "1.5", "tolerance": "0.5"}, "at most 1"),
        ("scoring-parameters", {"rank_ratio": "0.8", "tolerance": "-1"}, "must be positive"),
    ],
)
def test_reward_template_errors(deployment, template, params, message):
    with pytest.raises(DaoError) as caught:
        build_draft(deployment, template, params, None)
    assert message in str(caught.value)


def test_an_oracle_set_is_appointed_through_the_governor(deployment, lockers, rewards_contract):
    proposer = lockers[0]
    governance = Governance(deployment)
    draft = build_draft(deployment, "oracle-set", {"quorum": "2", "oracles": (A, B, C)}, None)
    proposal = governance.propose(draft, proposer)
    advance(DAY + 1)
    governance.vote(proposal, "for", proposer)
    advance(5 * DAY)
    governance.queue(proposal, proposer)
    advance(2 * DAY)
    governance.execute(proposal, proposer)
    oracles, quorum = rewards_contract.oracleSet()
    assert [o.lower() for o in oracles] == [A, B, C] and quorum == 2


@pytest.fixture
def rewards_contract(project, manifest):
    return project.RewardDistributor.at(manifest.address("rewards"))


def test_set_param_takes_a_struct_field_by_field(deployment):
    """Governed parameters set through one struct (ArenaSlasher's slash parameters, the Arena
    phases) are given field by field, addresses by name."""
    values = ("600", "1000", "1000", "0", "treasury", "5000", "3")
    draft = build_draft(
        deployment, "set-param", {"parameter": "slasher.slash_parameters", "values": values}, None
    )
    call = _call(deployment, draft)
    assert call.target_name == "slasher"
    ((provable, reported, keeper, burn, recipient, deviation, epochs),) = [a.value for a in call.args]
    assert (provable, reported, keeper, burn, deviation, epochs) == (600, 1_000, 1_000, 0, 5_000, 3)
    assert recipient.lower() == deployment.address("timelock").lower()
    with pytest.raises(DaoError, match="struct of 7 fields"):
        build_draft(
            deployment, "set-param", {"parameter": "slasher.slash_parameters", "values": ("1,2",)}, None
        )


def test_sweep_rewards_draft_names_the_task_and_what_would_fail(deployment, tasks, users, admin):
    """`sweep-rewards TASK RECIPIENT` calls `sweepUnallocated(taskId, to)` (decision 236) and says
    when execution would fail: the task still earns, or there is nothing to sweep."""
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("sweep me"), "ipfs://s", 0, 0, sender=users[0])
    task_id = tasks.taskCount()
    draft = build_draft(deployment, "sweep-rewards", {"task_id": str(task_id), "recipient": A}, None)
    call = _call(deployment, draft)
    assert call.signature == "sweepUnallocated(uint256,address)"
    assert call.args[0].value == task_id and call.args[1].value.lower() == A
    assert draft.title.startswith(f"Sweep task {task_id}'s reward pool to ")
    assert any("RewardTaskStillActive" in note for note in draft.notes)
    assert any("RewardNothingToSweep" in note for note in draft.notes)
    tasks.cancelTask(task_id, sender=admin)
    draft = build_draft(deployment, "sweep-rewards", {"task_id": str(task_id), "recipient": A}, None)
    assert not any("RewardTaskStillActive" in note for note in draft.notes)
    with pytest.raises(DaoError, match="does not exist"):
        build_draft(deployment, "sweep-rewards", {"task_id": "999", "recipient": A}, None)
    tasks.createTask(TaskKind.ALLIANCE, 30 * DAY, spec_hash("not mine"), "ipfs://a", 2, 3, sender=users[0])
    with pytest.raises(DaoError, match="RewardNotArenaTask"):
        build_draft(deployment, "sweep-rewards", {"task_id": str(tasks.taskCount()), "recipient": A}, None)
