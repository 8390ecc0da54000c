"""ApiCredits on the in-process harness after the real deploy plan: deposits, caps, keys, k-of-n
usage reports under the reward distributor's challenge window and guardians, lazy charges that never
exceed what a user authorised, withdrawals outside pending settlements, and revenue into the reward
budgets. Every attack of docs/api.md's threat list is performed here and refused."""

from __future__ import annotations

import pytest

from flock.gateway.keys import secret_hash
from flock.gateway.usage import Metered, build_report
from flock.tasks import Role, TaskKind, spec_hash
from flock.testing.fixtures import Prepared, skip_task_ids
from flock.testing.governance import World, build_world
from flock.testing.privileged import _accepted_root, _reward_key
from flock.units import DAY, WAD

E = WAD
HOUR = 3_600


@pytest.fixture(scope="module")
def prepared() -> Prepared[World]:
    world = build_world()
    _setup(world)
    return Prepared(world, world.system.chain)


@pytest.fixture
def world(prepared: Prepared[World]) -> World:
    return prepared.fresh()


def _setup(w: World) -> None:
    """An approved Arena task (the voter its node), the user and the outsider with 100 FLOCK of
    credit each, the user's cap 50 FLOCK, the outsider's 100; the task's id is above the epochs the
    tests use (`skip_task_ids`)."""
    tasks, token, api = w.contract("tasks"), w.contract("token"), w.contract("api")
    skip_task_ids(tasks, w["voter"])
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("api"), "ipfs://api", 0, 0, sender=w["voter"])
    task = tasks.taskCount()
    tasks.join(task, Role.NODE, 2_000 * E, 5_000, sender=w["voter"])
    tasks.approveTask(task, sender=w["timelock"])
    for who, cap in (("user", 50 * E), ("outsider", 100 * E)):
        token.transfer(w[who], 100 * E, sender=w["timelock"])
        token.approve(api.address, 100 * E, sender=w[who])
        api.deposit(100 * E, sender=w[who])
        api.setCap(cap, sender=w[who])
    api.setPrice(task, E // 2, sender=w["timelock"])


def _task(w: World) -> int:
    return w.contract("tasks").taskCount()


def _epoch(w: World) -> int:
    return w.contract("emissions").currentEpoch()


def _next_epoch(w: World, into: int = 2 * HOUR) -> None:
    """Moves to ``into`` seconds after the next epoch's start (past the report window)."""
    emissions = w.contract("emissions")
    start = emissions.genesis() + (_epoch(w) + 1) * emissions.epochLength()
    w.system.chain.set_time(start + into)


def _report(w: World, amounts: dict[str, int], model_epoch: int = 3):
    rows = [
        Metered(w[who].lower(), _task(w), model_epoch, 0, amount * 1_000, 1)
        for who, amount in amounts.items()
    ]
    return build_report(_epoch(w), rows)


def _settle(w: World, report) -> None:
    """Reports ``report`` in the next epoch (the oracle is the only operator) and finalizes it."""
    api = w.contract("api")
    _next_epoch(w)
    api.postUsage(report.epoch, report.root, report.total, report.report_hash, sender=w["oracle"])
    w.system.chain.warp(w.contract("rewards").rewardParameters()[0])
    api.finalize(report.epoch, sender=w["user"])


def _charge(w: World, report, index: int, sender: str = "outsider"):
    return w.contract("api").charge(report.charge_args(index), sender=w[sender])


def _index(report, w: World, who: str) -> int:
    return next(i for i, r in enumerate(report.rows) if r.account == w[who].lower())


# ------------------------------------------------------------------------------------------ users


def test_deposit_cap_and_withdraw_outside_settlements(world: World) -> None:
    api, token = world.contract("api"), world.contract("token")
    assert tuple(api.accountOf(world["user"])) == (100 * E, 50 * E)  # (balance, cap)
    assert api.spendable(world["user"]) == 50 * E
    assert api.totalCredit() == 200 * E
    _next_epoch(world)
    before = token.balanceOf(world["user"])
    api.withdraw(30 * E, sender=world["user"])
    assert token.balanceOf(world["user"]) == before + 30 * E
    assert api.spendable(world["user"]) == 50 * E  # the cap is not the balance
    with world.system.chain.reverts("ApiInsufficientBalance"):
        api.withdraw(71 * E, sender=world["user"])
    with world.system.chain.reverts("ApiZeroAmount"):
        api.deposit(0, sender=world["user"])
    with world.system.chain.reverts("ApiZeroAmount"):
        api.withdraw(0, sender=world["user"])


def test_keys_bind_to_their_owner_and_cannot_be_hijacked(world: World) -> None:
    api = world.contract("api")
    h = secret_hash("s3cret")
    api.registerKey(h, sender=world["user"])
    assert api.isKey(world["user"], h)
    with world.system.chain.reverts("ApiKeyInvalid"):
        api.registerKey(h, sender=world["user"])
    api.registerKey(h, sender=world["outsider"])  # a copier registers the same hash: its own key
    assert api.isKey(world["user"], h) and api.isKey(world["outsider"], h)
    api.revokeKey(h, sender=world["outsider"])
    assert api.isKey(world["user"], h) and not api.isKey(world["outsider"], h)
    with world.system.chain.reverts("ApiUnknownKey"):
        api.revokeKey(h, sender=world["outsider"])


# ------------------------------------------------------------------------------------------ reports


def test_reports_only_for_the_epoch_just_ended_by_operators_within_credit(world: World) -> None:
    api = world.contract("api")
    report = _report(world, {"user": 3 * E})
    args = (report.epoch, report.root, report.total, report.report_hash)
    with world.system.chain.reverts("ApiNotReportable"):  # the epoch is not over
        api.postUsage(*args, sender=world["oracle"])
    _next_epoch(world)
    with world.system.chain.reverts("ApiNotOperator"):
        api.postUsage(*args, sender=world["user"])
    with world.system.chain.reverts("ApiTotalExceedsCredit"):
        api.postUsage(report.epoch, report.root, 201 * E, report.report_hash, sender=world["oracle"])
    with world.system.chain.reverts("ApiEmptyReport"):
        api.postUsage(report.epoch, bytes(32), 1, report.report_hash, sender=world["oracle"])
    receipt = api.postUsage(*args, sender=world["oracle"])
    assert receipt.events_named("UsageAccepted")
    with world.system.chain.reverts("ApiAlreadyAccepted"):
        api.postUsage(*args, sender=world["oracle"])
    _next_epoch(world)
    with world.system.chain.reverts("ApiNotReportable"):  # too late for an older epoch
        api.postUsage(report.epoch - 1, report.root, report.total, report.report_hash, sender=world["oracle"])


def test_k_of_n_operators_and_a_set_change_voids_open_votes(world: World) -> None:
    api = world.contract("api")
    operators = [world["oracle"], world["sink"], world["staker"]]
    api.setOperators(operators, 2, sender=world["timelock"])
    report = _report(world, {"user": E})
    args = (report.epoch, report.root, report.total, report.report_hash)
    _next_epoch(world)
    api.postUsage(*args, sender=world["oracle"])
    with world.system.chain.reverts("ApiAlreadyPosted"):
        api.postUsage(*args, sender=world["oracle"])
    other = (report.epoch, report.root, report.total + 1, report.report_hash)
    assert not api.postUsage(*other, sender=world["sink"]).events_named("UsageAccepted")  # disagrees
    api.setOperators(operators, 2, sender=world["timelock"])  # new version: old votes void
    assert not api.postUsage(*args, sender=world["staker"]).events_named("UsageAccepted")
    assert api.postUsage(*args, sender=world["oracle"]).events_named("UsageAccepted")


def test_guardian_vetoes_in_the_window_only(world: World) -> None:
    api = world.contract("api")
    report = _report(world, {"user": E})
    args = (report.epoch, report.root, report.total, report.report_hash)
    _next_epoch(world)
    api.postUsage(*args, sender=world["oracle"])
    with world.system.chain.reverts("ApiNotGuardian"):
        api.veto(report.epoch, sender=world["oracle"])
    api.veto(report.epoch, sender=world["timelock"])  # the distributor's guardian
    status, *_, round_ = api.settlementOf(report.epoch)
    assert status == 0 and round_ == 1
    api.postUsage(*args, sender=world["oracle"])  # a new round
    with world.system.chain.reverts("ApiChallengeOpen"):
        api.finalize(report.epoch, sender=world["user"])
    world.system.chain.warp(world.contract("rewards").rewardParameters()[0])
    with world.system.chain.reverts("ApiNotVetoable"):
        api.veto(report.epoch, sender=world["timelock"])
    api.finalize(report.epoch, sender=world["user"])
    with world.system.chain.reverts("ApiNothingToFinalize"):
        api.finalize(report.epoch, sender=world["user"])


# ------------------------------------------------------------------------------------------ charges


def test_charges_apply_once_and_never_beyond_cap_or_balance(world: World) -> None:
    api = world.contract("api")
    # The user authorised 50 FLOCK; a (dishonest) report asks 80 of it.
    report = _report(world, {"user": 80 * E, "outsider": 7 * E})
    with world.system.chain.reverts("ApiNotFinal"):
        _charge(world, report, 0)
    _settle(world, report)
    user = _index(report, world, "user")
    receipt = _charge(world, report, user)
    (event,) = receipt.events_named("Charged")
    assert event["requested"] == 80 * E and event["charged"] == 50 * E  # the cap, not the ask
    assert tuple(api.accountOf(world["user"])) == (50 * E, 0)
    with world.system.chain.reverts("ApiAlreadyCharged"):
        _charge(world, report, user)
    forged = list(report.charge_args(1 - user))
    forged[5] += 1  # the outsider's amount inflated
    with world.system.chain.reverts("ApiInvalidProof"):
        api.charge(tuple(forged), sender=world["outsider"])
    assert api.chargeMany([report.charge_args(1 - user)], sender=world["user"]).return_value == 7 * E
    assert api.accrued(_task(world), 3) == 57 * E
    assert api.totalCredit() == 200 * E - 57 * E


def test_a_charge_takes_at_most_the_balance(world: World) -> None:
    api = world.contract("api")
    _next_epoch(world)
    api.withdraw(95 * E, sender=world["outsider"])  # 5 FLOCK left, cap 100
    report = _report(world, {"outsider": 9 * E})
    _settle(world, report)
    (event,) = _charge(world, report, 0).events_named("Charged")
    assert event["charged"] == 5 * E and api.accountOf(world["outsider"]).balance == 0


def test_withdrawals_and_cap_cuts_wait_for_a_pending_settlement(world: World) -> None:
    api = world.contract("api")
    report = _report(world, {"user": 10 * E})
    emissions = world.contract("emissions")
    start = emissions.genesis() + (report.epoch + 1) * emissions.epochLength()
    world.system.chain.set_time(start + 60)  # inside the report window, nothing reported yet
    with world.system.chain.reverts("ApiSettlementPending"):
        api.withdraw(E, sender=world["user"])
    api.postUsage(report.epoch, report.root, report.total, report.report_hash, sender=world["oracle"])
    world.system.chain.set_time(start + 2 * HOUR)  # past the report window, report in its challenge
    with world.system.chain.reverts("ApiSettlementPending"):
        api.withdraw(E, sender=world["user"])
    with world.system.chain.reverts("ApiSettlementPending"):
        api.setCap(E, sender=world["user"])
    api.setCap(60 * E, sender=world["user"])  # raising is always fine
    world.system.chain.warp(world.contract("rewards").rewardParameters()[0])
    api.finalize(report.epoch, sender=world["outsider"])
    with world.system.chain.reverts("ApiSettlementPending"):  # the collect window
        api.withdraw(E, sender=world["user"])
    _charge(world, report, 0)
    world.system.chain.warp(api.windows()[1])
    api.withdraw(E, sender=world["user"])
    assert api.accountOf(world["user"]).balance == 100 * E - 10 * E - E


# ------------------------------------------------------------------------------------------ revenue


def test_flush_pays_the_treasury_share_and_funds_the_next_reward_epoch(world: World) -> None:
    api, token, rewards = world.contract("api"), world.contract("token"), world.contract("rewards")
    report = _report(world, {"user": 10 * E, "outsider": 3 * E})
    _settle(world, report)
    api.chargeMany([report.charge_args(0), report.charge_args(1)], sender=world["sink"])
    treasury = token.balanceOf(world["timelock"])
    held = token.balanceOf(rewards.address)
    pool = rewards.unallocatedOf(_task(world))
    receipt = api.flush(_task(world), 3, sender=world["sink"])
    (flushed,) = receipt.events_named("RevenueFlushed")
    assert flushed["protocolShare"] == 13 * E // 10 and flushed["contributors"] == 13 * E - 13 * E // 10
    assert flushed["targetEpoch"] == _epoch(world) + 1
    assert token.balanceOf(world["timelock"]) == treasury + 13 * E // 10
    assert token.balanceOf(rewards.address) == held + flushed["contributors"]
    info = rewards.epochRewards(_task(world), flushed["targetEpoch"])
    assert info[0] == 0  # status None: the revenue went to the task's pool (decision 236)
    assert rewards.unallocatedOf(_task(world)) == pool + flushed["contributors"]
    with world.system.chain.reverts("ApiNothingToFlush"):
        api.flush(_task(world), 3, sender=world["sink"])


def test_fund_epoch_refuses_accepted_roots_and_alliance_tasks(world: World) -> None:
    rewards, token, tasks = world.contract("rewards"), world.contract("token"), world.contract("tasks")
    funder = world["distributor"]  # holds REVENUE_ROLE in the world
    token.transfer(funder, 10 * E, sender=world["timelock"])
    token.approve(rewards.address, 10 * E, sender=funder)
    tasks.createTask(TaskKind.ALLIANCE, 30 * DAY, spec_hash("fl"), "ipfs://fl", 2, 4, sender=world["voter"])
    with world.system.chain.reverts("RewardNotArenaTask"):
        rewards.fundEpoch(tasks.taskCount(), _epoch(world) + 1, E, sender=funder)
    task, epoch = _task(world) - 1, _epoch(world) + 1  # the Arena task of the set-up
    pool = rewards.unallocatedOf(task)
    rewards.fundEpoch(task, epoch, E, sender=funder)
    rewards.fundEpoch(task, epoch, E, sender=funder)  # adds up, in the task's pool
    assert rewards.unallocatedOf(task) == pool + 2 * E
    _accepted_root(world, 0)  # a new task epoch whose root is accepted
    with world.system.chain.reverts("RewardNotFundable"):
        rewards.fundEpoch(*_reward_key(world), E, sender=funder)
