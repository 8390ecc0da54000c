"""EmissionController: schedule, caps, catch-up, the O(1) split, budgets, draws and dust.

A test account plays the task registry (`TASK_REGISTRY_ROLE`) and another the reward distributor
(`DISTRIBUTOR_ROLE`), so every rule is exercised directly; tests/tasks covers the registry's use.
"""

import ape
import pytest
from ape import chain

from flock.emissions import STAKE_UNIT, Schedule, arena_split, open_epoch
from flock.units import WAD

E = WAD
TASK_A, TASK_B, TASK_C = 1_001, 1_002, 1_003


def events(receipt, name, contract):
    return [
        log for log in receipt.events if log.event_name == name and log.contract_address == contract.address
    ]


@pytest.fixture(scope="module", autouse=True)
def roles(emissions, token, admin, accounts, outsider, manifest):
    """accounts[8] plays the task registry, accounts[7] the reward distributor."""
    emissions.grantRole(emissions.TASK_REGISTRY_ROLE(), accounts[8], sender=admin)
    emissions.grantRole(emissions.DISTRIBUTOR_ROLE(), accounts[7], sender=admin)
    return accounts[8], accounts[7]


@pytest.fixture(scope="module")
def reporter(roles):
    return roles[0]


@pytest.fixture(scope="module")
def distributor(roles):
    return roles[1]


@pytest.fixture(scope="module")
def schedule(emissions):
    e0, decay, period = emissions.schedule()
    return Schedule(e0, decay, period, emissions.epochCap())


def start_of(emissions, epoch):
    return emissions.genesis() + epoch * emissions.epochLength()


def goto(emissions, epoch, offset=60):
    """Moves to ``offset`` seconds into ``epoch``."""
    chain.mine(timestamp=start_of(emissions, epoch) + offset)


def far_end(emissions, epochs=100):
    return start_of(emissions, emissions.currentEpoch() + epochs)


# ----------------------------------------------------------------------------------------- deploy
# (constructor refusals are in test_emission_controller_constructor.py, on the harness)


def test_deployed_parameters_match_the_config(emissions, token, manifest):
    from flock.deploy.config import load_config
    from flock.paths import CONFIG_DIR

    cfg = load_config(CONFIG_DIR / "ethereum-local.yaml").emissions
    _, epoch_length, e0, decay, period = cfg.schedule_args()
    cap, gamma = cfg.initialize_args()
    assert emissions.schedule() == (e0, decay, period)
    assert (emissions.epochLength(), emissions.epochCap(), emissions.gamma()) == (epoch_length, cap, gamma)
    assert emissions.flock() == token.address
    assert token.hasRole(token.MINTER_ROLE(), emissions)


# ----------------------------------------------------------------------------------------- schedule


def test_scheduled_emission_decays_every_period(emissions, schedule):
    e0, decay, period = emissions.schedule()
    for epoch in (0, period - 1, period, 2 * period + 5, 10 * period):
        assert emissions.scheduledEmission(epoch) == schedule.scheduled(epoch)
    assert emissions.scheduledEmission(period) == e0 * decay // E
    assert emissions.scheduledEmission(2 * period) == (e0 * decay // E) * decay // E


def test_nothing_is_minted_without_eligible_stake(emissions, token, outsider):
    goto(emissions, emissions.currentEpoch() + 1)
    supply = token.totalSupply()
    receipt = emissions.checkpoint(sender=outsider)
    opened = events(receipt, "EpochOpened", emissions)
    assert opened and all(e.minted == 0 and e.units == 0 for e in opened)
    assert token.totalSupply() == supply
    assert emissions.nextEpoch() == emissions.currentEpoch() + 1
    assert emissions.checkpoint.call(sender=outsider) == 0  # nothing left to open


def test_an_epoch_splits_its_emission_by_stake(emissions, token, reporter, schedule, outsider):
    emissions.checkpoint(sender=outsider)
    first = emissions.nextEpoch()
    end = far_end(emissions)
    emissions.enrollTask(TASK_A, True, end, 30_000 * E, 10_000 * E, sender=reporter)
    emissions.enrollTask(TASK_B, False, end, 20_000 * E + 123, 0, sender=reporter)
    assert emissions.pendingUnits() == (60_000 * E + 123) // STAKE_UNIT
    goto(emissions, first)
    supply = token.totalSupply()
    receipt = emissions.checkpoint(sender=outsider)
    (opened,) = events(receipt, "EpochOpened", emissions)
    units = 30_000 * E // STAKE_UNIT + 10_000 * E // STAKE_UNIT + (20_000 * E + 123) // STAKE_UNIT
    expected = open_epoch(schedule.emission(first), units)
    assert (opened.epoch, opened.minted, opened.units, opened.rate, opened.dust) == (
        first,
        expected.minted,
        units,
        expected.rate,
        expected.dust,
    )
    assert token.totalSupply() == supply + expected.minted
    info = emissions.epochInfo(first)
    assert (info.minted, info.units, info.rate, info.dust, info.gamma) == (
        expected.minted,
        units,
        expected.rate,
        expected.dust,
        emissions.gamma(),
    )
    a = emissions.budgetOf(TASK_A, first)
    b = emissions.budgetOf(TASK_B, first)
    nodes, validators = arena_split(
        a.total, 30_000 * E // STAKE_UNIT, 10_000 * E // STAKE_UNIT, emissions.gamma()
    )
    assert (a.nodes, a.validators) == (nodes, validators)
    assert (b.nodes, b.validators) == (b.total, 0)
    assert a.total + b.total + info.dust == info.minted
    assert emissions.accruedBudget(TASK_A) == a.total
    assert emissions.totals().minted >= info.minted


def test_arena_split_gives_an_empty_side_nothing(emissions, reporter, outsider):
    end = far_end(emissions)
    emissions.enrollTask(TASK_A, True, end, 0, 10_000 * E, sender=reporter)
    emissions.enrollTask(TASK_B, True, end, 10_000 * E, 0, sender=reporter)
    epoch = emissions.nextEpoch()
    goto(emissions, epoch)
    emissions.checkpoint(sender=outsider)
    a, b = emissions.budgetOf(TASK_A, epoch), emissions.budgetOf(TASK_B, epoch)
    assert (a.nodes, a.validators) == (0, a.total) and a.total > 0
    assert (b.nodes, b.validators) == (b.total, 0)


def test_stake_changes_take_effect_next_epoch(emissions, reporter, outsider):
    end = far_end(emissions)
    emissions.enrollTask(TASK_A, False, end, 10_000 * E, 0, sender=reporter)
    emissions.enrollTask(TASK_B, False, end, 10_000 * E, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    receipt = emissions.updateTask(TASK_A, 30_000 * E, 0, sender=reporter)  # opens `first` itself
    (changed,) = events(receipt, "TaskWeightChanged", emissions)
    assert changed.fromEpoch == first + 1
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    # Equal in `first`, 3:1 from the next epoch on.
    a0, b0 = emissions.budgetOf(TASK_A, first).total, emissions.budgetOf(TASK_B, first).total
    a1, b1 = emissions.budgetOf(TASK_A, first + 1).total, emissions.budgetOf(TASK_B, first + 1).total
    assert a0 == b0 and a1 == 3 * b1
    assert emissions.taskUnitsAt(TASK_A, first) == (10_000 * E // STAKE_UNIT, 0)
    assert emissions.taskUnitsAt(TASK_A, first + 1) == (30_000 * E // STAKE_UNIT, 0)
    assert emissions.accruedBudget(TASK_A) == a0 + a1
    # Reporting the same weight again changes nothing.
    assert not events(
        emissions.updateTask(TASK_A, 30_000 * E, 0, sender=reporter), "TaskWeightChanged", emissions
    )


def test_a_task_stops_earning_at_its_end_without_any_call(emissions, reporter, outsider):
    first = emissions.nextEpoch()
    end = start_of(emissions, first + 2) - 1  # ends inside epoch first + 1
    emissions.enrollTask(TASK_A, False, end, 10_000 * E, 0, sender=reporter)
    emissions.enrollTask(TASK_B, False, far_end(emissions), 10_000 * E, 0, sender=reporter)
    assert emissions.taskEnrollment(TASK_A).expiry == first + 2
    goto(emissions, first + 3)
    emissions.checkpoint(sender=outsider)
    assert emissions.budgetOf(TASK_A, first + 1).total > 0
    assert emissions.budgetOf(TASK_A, first + 2).total == 0
    assert emissions.epochInfo(first + 2).units == 10_000 * E // STAKE_UNIT  # task B alone
    assert emissions.taskUnitsAt(TASK_A, first + 2) == (0, 0)
    # Reports after the end are ignored.
    emissions.updateTask(TASK_A, 50_000 * E, 0, sender=reporter)
    assert emissions.pendingUnits() == 10_000 * E // STAKE_UNIT


def test_retire_stops_the_budget_from_the_next_epoch(emissions, reporter, outsider):
    emissions.enrollTask(TASK_A, False, far_end(emissions), 10_000 * E, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    receipt = emissions.retireTask(TASK_A, sender=reporter)
    assert events(receipt, "TaskRetired", emissions)[0].fromEpoch == first + 1
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    assert emissions.budgetOf(TASK_A, first).total > 0
    assert emissions.budgetOf(TASK_A, first + 1).total == 0
    assert emissions.taskEnrollment(TASK_A) == (False, first + 1, 0)
    assert emissions.accruedBudget(TASK_A) == emissions.budgetOf(TASK_A, first).total
    emissions.retireTask(TASK_A, sender=reporter)  # already retired: nothing happens


def test_registry_entry_points_are_role_gated_and_checked(emissions, reporter, outsider):
    end = far_end(emissions)
    for call in (
        lambda s: emissions.enrollTask(TASK_C, True, end, E, E, sender=s),
        lambda s: emissions.updateTask(TASK_C, E, E, sender=s),
        lambda s: emissions.retireTask(TASK_C, sender=s),
    ):
        with ape.reverts(emissions.AccessControlUnauthorizedAccount):
            call(outsider)
    with ape.reverts(emissions.EmissionTaskNotEnrolled, taskId=TASK_C):
        emissions.updateTask(TASK_C, E, E, sender=reporter)
    with ape.reverts(emissions.EmissionTaskNotEnrolled, taskId=TASK_C):
        emissions.retireTask(TASK_C, sender=reporter)
    emissions.enrollTask(TASK_C, True, end, E, E, sender=reporter)
    with ape.reverts(emissions.EmissionTaskAlreadyEnrolled, taskId=TASK_C):
        emissions.enrollTask(TASK_C, True, end, E, E, sender=reporter)
    too_large = 2**80 * STAKE_UNIT
    with ape.reverts(emissions.EmissionStakeTooLarge, stake=too_large):
        emissions.updateTask(TASK_C, too_large, 0, sender=reporter)
    with ape.reverts(emissions.EmissionStakeTooLarge, stake=too_large):  # the validators' side
        emissions.updateTask(TASK_C, 0, too_large, sender=reporter)


# ----------------------------------------------------------------------------------------- catch-up and caps


def test_catch_up_is_bounded(emissions, reporter, outsider):
    emissions.checkpoint(sender=outsider)
    start = emissions.nextEpoch()
    goto(emissions, start + 40)
    with ape.reverts(emissions.EmissionCheckpointBehind, nextEpoch=start + 32, currentEpoch=start + 40):
        emissions.enrollTask(TASK_A, False, far_end(emissions), E, 0, sender=reporter)
    assert emissions.checkpoint.call(sender=outsider) == 32
    emissions.checkpoint(sender=outsider)
    assert emissions.nextEpoch() == start + 32
    emissions.checkpoint(sender=outsider)
    assert emissions.nextEpoch() == start + 41
    emissions.enrollTask(TASK_A, False, far_end(emissions), E, 0, sender=reporter)


def test_decay_applies_across_a_catch_up(emissions, reporter, outsider, schedule):
    emissions.enrollTask(TASK_A, False, far_end(emissions, 200), 10_000 * E, 0, sender=reporter)
    _, _, period = emissions.schedule()
    target = (emissions.nextEpoch() // period + 1) * period  # the first epoch of the next period
    goto(emissions, target)
    while emissions.nextEpoch() <= target:
        emissions.checkpoint(sender=outsider)
    assert emissions.epochInfo(target - 1).minted == schedule.emission(target - 1)
    assert emissions.epochInfo(target).minted == schedule.emission(target) < schedule.emission(target - 1)


def test_epoch_cap_limits_the_mint(emissions, reporter, admin, outsider):
    receipt = emissions.setEpochCap(1_000 * E, sender=admin)
    assert events(receipt, "EpochCapSet", emissions)[0].epochCap == 1_000 * E
    emissions.enrollTask(TASK_A, False, far_end(emissions), 7 * E, 0, sender=reporter)
    epoch = emissions.nextEpoch()
    goto(emissions, epoch)
    emissions.checkpoint(sender=outsider)
    assert emissions.epochInfo(epoch).minted == 1_000 * E
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.setEpochCap(0, sender=outsider)
    with ape.reverts(emissions.EmissionParameterOutOfBounds):
        emissions.setEpochCap(2**96, sender=admin)


def test_never_past_the_token_cap(emissions, token, reporter, admin, outsider):
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    room = 123 * E
    token.mint(outsider, token.cap() - token.totalSupply() - room, sender=admin)
    emissions.enrollTask(TASK_A, False, far_end(emissions), 10 * E, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    assert emissions.epochInfo(first).minted == room
    assert emissions.epochInfo(first + 1).minted == 0
    assert token.totalSupply() == token.cap()


def test_gamma_applies_from_the_next_epoch_opened(emissions, reporter, admin, outsider):
    emissions.enrollTask(TASK_A, True, far_end(emissions), 30_000 * E, 10_000 * E, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    emissions.checkpoint(sender=outsider)
    before = emissions.budgetOf(TASK_A, first)
    receipt = emissions.setGamma(E // 2, sender=admin)
    assert events(receipt, "GammaSet", emissions)[0].gamma == E // 2
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    assert emissions.budgetOf(TASK_A, first) == before  # the past does not change
    later = emissions.budgetOf(TASK_A, first + 1)
    assert later.nodes == later.validators == later.total // 2
    with ape.reverts(emissions.EmissionParameterOutOfBounds):
        emissions.setGamma(E // 2 + 1, sender=admin)
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.setGamma(0, sender=outsider)


# ----------------------------------------------------------------------------------------- draws and dust


@pytest.fixture
def funded_epochs(emissions, reporter, outsider):
    """Task A has budgets in three opened epochs; returns them."""
    emissions.enrollTask(TASK_A, True, far_end(emissions), 30_000 * E, 10_000 * E + 7, sender=reporter)
    emissions.enrollTask(TASK_B, False, far_end(emissions), 1 * E + 3, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first + 2)
    emissions.checkpoint(sender=outsider)
    return [first, first + 1, first + 2]


def test_draw_pays_out_of_one_epoch_budget(emissions, token, distributor, funded_epochs, accounts):
    to = accounts[9]
    epoch = funded_epochs[0]
    budget = emissions.budgetOf(TASK_A, epoch).total
    before = token.balanceOf(to)
    receipt = emissions.draw(TASK_A, epoch, budget // 3, to, sender=distributor)
    (drawn,) = events(receipt, "BudgetDrawn", emissions)
    assert (drawn.taskId, drawn.epoch, drawn.by, drawn.to, drawn.amount) == (
        TASK_A,
        epoch,
        distributor,
        to,
        budget // 3,
    )
    assert token.balanceOf(to) == before + budget // 3
    assert emissions.budgetOf(TASK_A, epoch).drawn == budget // 3
    left = budget - budget // 3
    with ape.reverts(
        emissions.EmissionBudgetExceeded, taskId=TASK_A, epoch=epoch, requested=left + 1, available=left
    ):
        emissions.draw(TASK_A, epoch, left + 1, to, sender=distributor)
    emissions.draw(TASK_A, epoch, left, to, sender=distributor)
    assert emissions.totals().drawn >= budget


def test_draw_refusals(emissions, distributor, funded_epochs, outsider):
    epoch = funded_epochs[0]
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.draw(TASK_A, epoch, 1, outsider, sender=outsider)
    with ape.reverts(emissions.EmissionNothingToDo):
        emissions.draw(TASK_A, epoch, 0, outsider, sender=distributor)
    nxt = emissions.nextEpoch()
    with ape.reverts(emissions.EmissionEpochNotOpened, epoch=nxt, nextEpoch=nxt):
        emissions.draw(TASK_A, nxt, 1, outsider, sender=distributor)
    with ape.reverts(emissions.EmissionBudgetExceeded, available=0):
        emissions.draw(TASK_C, epoch, 1, outsider, sender=distributor)


def test_draw_range_takes_everything_left(emissions, token, distributor, funded_epochs, accounts):
    to = accounts[9]
    first = funded_epochs[0]
    emissions.draw(TASK_A, first, 5, to, sender=distributor)
    expected = sum(emissions.budgetOf(TASK_A, e).total for e in funded_epochs) - 5
    before = token.balanceOf(to)
    # The range may reach past the opened epochs: those are skipped.
    receipt = emissions.drawRange(TASK_A, first, first + 10, to, sender=distributor)
    assert len(events(receipt, "BudgetDrawn", emissions)) == 3
    assert token.balanceOf(to) == before + expected
    assert emissions.drawRange.call(TASK_A, first, first + 10, to, sender=distributor) == 0
    with ape.reverts(emissions.EmissionBadRange, fromEpoch=first, toEpoch=first):
        emissions.drawRange(TASK_A, first, first, to, sender=distributor)
    with ape.reverts(emissions.EmissionBadRange, fromEpoch=first, toEpoch=first + 65):
        emissions.drawRange(TASK_A, first, first + 65, to, sender=distributor)
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.drawRange(TASK_A, first, first + 1, to, sender=to)


def test_budgets_and_dust_add_up_to_the_mint(emissions, funded_epochs):
    for epoch in funded_epochs:
        info = emissions.epochInfo(epoch)
        a, b = emissions.budgetOf(TASK_A, epoch).total, emissions.budgetOf(TASK_B, epoch).total
        assert a + b + info.dust == info.minted
        assert 0 < info.dust < info.units


def test_sweep_dust(emissions, token, admin, funded_epochs, outsider):
    _, _, dust, swept = emissions.totals()
    available = dust - swept
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.sweepDust(outsider, 1, sender=outsider)
    with ape.reverts(emissions.EmissionNothingToDo):
        emissions.sweepDust(outsider, 0, sender=admin)
    with ape.reverts(emissions.EmissionDustExceeded, requested=available + 1, available=available):
        emissions.sweepDust(outsider, available + 1, sender=admin)
    before = token.balanceOf(outsider)
    receipt = emissions.sweepDust(outsider, available, sender=admin)
    assert events(receipt, "DustSwept", emissions)[0].amount == available
    assert token.balanceOf(outsider) == before + available
    assert emissions.totals().dustSwept == dust


def test_views_of_unopened_epochs_and_unknown_tasks(emissions):
    nxt = emissions.nextEpoch()
    assert emissions.budgetOf(TASK_A, nxt + 5) == (0, 0, 0, 0)
    assert emissions.epochInfo(nxt + 5).minted == 0
    assert emissions.taskEnrollment(999_999) == (False, 0, 0)
    assert emissions.accruedBudget(999_999) == 0
    assert (
        emissions.currentEpoch()
        == (chain.blocks.head.timestamp - emissions.genesis()) // emissions.epochLength()
    )
