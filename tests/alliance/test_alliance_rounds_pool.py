"""AllianceRounds: the reward pool (emission budgets, funding, the sweep after the task's end),
rounds left, and the governance parameters with their bounds."""

import ape
import pytest
from alliance_helpers import E, events

from flock.alliance.chain import run_round
from flock.chain.clock import advance, next_block_at
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY


def test_anyone_funds_an_active_task(alliance, token, task, stranger):
    token.approve(alliance, 700 * E, sender=stranger)
    pool = alliance.poolOf(task).pool
    held = token.balanceOf(alliance)
    receipt = alliance.fund(task, 700 * E, sender=stranger)
    (event,) = events(receipt, "PoolFunded", alliance)
    assert (event.taskId, event.amount) == (task, 700 * E) and event["from"] == stranger.address
    assert alliance.poolOf(task).pool == pool + 700 * E
    assert token.balanceOf(alliance) == held + 700 * E


def test_fund_refuses_zero_arena_and_finished_tasks(alliance, tasks, token, task, creator, stranger):
    token.approve(alliance, 10 * E, sender=stranger)
    with ape.reverts(alliance.AllianceZeroValue):
        alliance.fund(task, 0, sender=stranger)
    tasks.createTask(TaskKind.ARENA, 5 * DAY, spec_hash("arena"), "ipfs://arena", 0, 0, sender=creator)
    with ape.reverts(alliance.AllianceNotAllianceTask, taskId=tasks.taskCount()):
        alliance.fund(tasks.taskCount(), 10 * E, sender=stranger)
    info = tasks.taskInfo(task)
    next_block_at(info.endTime)
    with ape.reverts(alliance.AllianceTaskNotActive, taskId=task, endTime=info.endTime):
        alliance.fund(task, 10 * E, sender=stranger)


def test_emission_budgets_join_the_pool_epoch_by_epoch(alliance, emissions, task, driver, stranger):
    driver.open()
    pool, _, next_epoch = alliance.poolOf(task)
    assert next_epoch == emissions.nextEpoch()
    assert alliance.pullEmissions.call(task, sender=stranger) == 0  # nothing new yet
    advance(DAY)
    emissions.checkpoint(sender=stranger)
    # One more epoch opened: what the task accrued since the last pull is that epoch's budget.
    budget = emissions.accruedBudget(task) - emissions.drawnBudget(task)
    _, _, units = emissions.taskEnrollment(task)
    assert budget == units * emissions.epochInfo(next_epoch).rate > 0
    receipt = alliance.pullEmissions(task, sender=stranger)
    (event,) = events(receipt, "EmissionsPulled", alliance)
    assert (event.fromEpoch, event.toEpoch, event.amount) == (next_epoch, next_epoch + 1, budget)
    assert alliance.poolOf(task).pool == pool + budget
    assert emissions.drawnBudget(task) == emissions.accruedBudget(task)
    assert alliance.pullEmissions.call(task, sender=stranger) == 0  # drawn: nothing twice


def test_pull_refuses_other_tasks(alliance, stranger):
    with ape.reverts(alliance.AllianceNotAllianceTask, taskId=10_000):
        alliance.pullEmissions(10_000, sender=stranger)


def test_rounds_left_counts_whole_rounds_before_the_end(alliance, tasks, task):
    end = tasks.taskInfo(task).endTime
    duration = alliance.roundDuration()
    assert alliance.roundsLeft(task, end) == 1
    assert alliance.roundsLeft(task, end + 5) == 1
    assert alliance.roundsLeft(task, end - duration) == 2
    assert alliance.roundsLeft(task, end - 3 * duration - 1) == 4


def test_sweep_sends_what_is_left_to_the_treasury_after_the_end(
    alliance, tasks, token, task, driver, stranger
):
    end = tasks.taskInfo(task).endTime
    with ape.reverts(alliance.AllianceTaskNotOver, taskId=task, endTime=end):
        alliance.sweep(task, sender=stranger)
    driver.open()
    next_block_at(end)
    with ape.reverts(alliance.AllianceRoundInProgress, taskId=task, round=1):
        alliance.sweep(task, sender=stranger)
    driver.finalize()
    treasury = alliance.treasury()
    before = token.balanceOf(treasury)
    receipt = alliance.sweep(task, sender=stranger)
    (swept,) = events(receipt, "PoolSwept", alliance)
    assert swept.amount > 0 and swept.treasury == treasury
    assert token.balanceOf(treasury) == before + swept.amount
    assert alliance.poolOf(task).pool == 0
    with ape.reverts(alliance.AllianceNothingToSweep, taskId=task):
        alliance.sweep(task, sender=stranger)


def test_the_treasury_is_the_timelock(alliance, timelock, tasks, emissions, token):
    assert alliance.treasury() == timelock.address
    assert alliance.registry() == tasks.address
    assert alliance.emissions() == emissions.address
    assert alliance.flock() == token.address


# ----------------------------------------------------------------------------------------- governance


def test_governance_sets_phases_rules_and_slash_shares(alliance, admin):
    receipt = alliance.setRoundPhases(600, 300, 0, 7_200, 300, 900, 900, sender=admin)
    assert events(receipt, "RoundPhasesSet", alliance)
    assert tuple(alliance.roundPhases()) == (600, 300, 0, 7_200, 300, 900, 900)
    assert alliance.roundDuration() == 600 + 300 + 7_200 + 300 + 900 + 900
    receipt = alliance.setRoundRules(3, 6_000, 10, sender=admin)
    assert events(receipt, "RoundRulesSet", alliance)
    assert tuple(alliance.roundRules()) == (3, 6_000, 10)
    receipt = alliance.setSlashRules(2_000, 300, 400, 500, sender=admin)
    assert events(receipt, "SlashRulesSet", alliance)
    assert tuple(alliance.slashRules()) == (2_000, 300, 400, 500)
    receipt = alliance.setEvictionRounds(5, sender=admin)
    assert events(receipt, "EvictionRoundsSet", alliance)[0].rounds == 5 and alliance.evictionRounds() == 5


@pytest.mark.parametrize(
    ("setter", "args", "name", "value"),
    [
        ("setRoundPhases", (59, 300, 0, 600, 600, 600, 600), "enrollment", 59),
        ("setRoundPhases", (600, 7 * DAY + 1, 0, 600, 600, 600, 600), "seedReveal", 7 * DAY + 1),
        ("setRoundPhases", (600, 600, DAY + 1, 600, 600, 600, 600), "drawDelay", DAY + 1),
        ("setRoundPhases", (600, 600, 0, 0, 600, 600, 600), "proposal", 0),
        ("setRoundPhases", (600, 600, 0, 600, 59, 600, 600), "proposalReveal", 59),
        ("setRoundPhases", (600, 600, 0, 600, 600, 30, 600), "commit", 30),
        ("setRoundPhases", (600, 600, 0, 600, 600, 600, 8 * DAY), "reveal", 8 * DAY),
        ("setEvictionRounds", (0,), "evictionRounds", 0),
        ("setEvictionRounds", (17,), "evictionRounds", 17),
        ("setRoundRules", (0, 5_000, 64), "proposers", 0),
        ("setRoundRules", (17, 5_000, 64), "proposers", 17),
        ("setRoundRules", (2, 0, 64), "quorumBps", 0),
        ("setRoundRules", (2, 10_001, 64), "quorumBps", 10_001),
        ("setRoundRules", (2, 5_000, 1), "maxParticipants", 1),
        ("setRoundRules", (2, 5_000, 1_001), "maxParticipants", 1_001),
        ("setSlashRules", (10_001, 500, 500, 1_000), "proposerSlashBps", 10_001),
        ("setSlashRules", (1_000, 10_001, 10_001, 1_000), "voterSlashBps", 10_001),
        # Withholding a vote may not cost less than losing it.
        ("setSlashRules", (1_000, 600, 500, 1_000), "absentSlashBps", 500),
        ("setSlashRules", (1_000, 500, 500, 5_001), "finalizerBps", 5_001),
    ],
)
def test_parameters_have_hard_bounds(alliance, admin, setter, args, name, value):
    with ape.reverts(
        alliance.AllianceParameterOutOfBounds, parameter=name.encode().ljust(32, b"\0"), value=value
    ):
        getattr(alliance, setter)(*args, sender=admin)


def test_a_round_keeps_the_rules_it_opened_with(alliance, task, driver, participants, admin, stranger):
    driver.open()
    info = driver.info()
    proposer_bps = alliance.slashRules()[0]
    alliance.setRoundPhases(600, 600, 0, 600, 600, 600, 600, sender=admin)
    alliance.setRoundRules(1, 10_000, 64, sender=admin)
    alliance.setSlashRules(5_000, 500, 500, 1_000, sender=admin)
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants}, open_round=False)
    assert driver.info().revealEnd == info.revealEnd
    assert len(run["proposers"]) == 2
    driver.finalize(sender=stranger)
    bad = run["proposers"][1]
    assert alliance.settlementOf(task, 1, bad).slashGm == driver.entry(bad).stake * proposer_bps // 10_000
