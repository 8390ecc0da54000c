"""EmissionController: schedule, caps, catch-up, the O(1) split, cumulative budgets, draws and dust.

A test account plays the task registry (`TASK_REGISTRY_ROLE`) and another the reward distributor
(`DISTRIBUTOR_ROLE`), so every rule is exercised directly; tests/tasks covers the registry's use.
"""

import ape
import pytest
from ape import chain

from flock.emissions import STAKE_UNIT, EpochSplit, Schedule, arena_split, open_epoch, task_budget, units
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


def epoch_budget(emissions, epoch, node_stake, validator_stake, arena):
    """(total, nodes, validators) of a task with these stakes in an opened epoch, from
    `epochInfo` and flock.emissions (the chain keeps no per-epoch budget)."""
    info = emissions.epochInfo(epoch)
    split = EpochSplit(info.minted, info.units, info.rate, info.dust)
    return task_budget(split, units(node_stake), units(validator_stake), info.gamma, arena)


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
    a = epoch_budget(emissions, first, 30_000 * E, 10_000 * E, True)
    b = epoch_budget(emissions, first, 20_000 * E + 123, 0, False)
    nodes, validators = arena_split(
        a[0], 30_000 * E // STAKE_UNIT, 10_000 * E // STAKE_UNIT, emissions.gamma()
    )
    assert (a[1], a[2]) == (nodes, validators)
    assert (b[1], b[2]) == (b[0], 0)
    assert a[0] + b[0] + info.dust == info.minted
    assert emissions.accruedBudget(TASK_A) == a[0]
    assert emissions.accruedBudget(TASK_B) == b[0]
    assert emissions.totals().minted >= info.minted


def test_each_side_of_the_weight_is_reported(emissions, reporter, outsider):
    """The split is not stored: `TaskWeightChanged` carries each side, an empty side gets nothing."""
    end = far_end(emissions)
    (a,) = events(
        emissions.enrollTask(TASK_A, True, end, 0, 10_000 * E, sender=reporter),
        "TaskWeightChanged",
        emissions,
    )
    (b,) = events(
        emissions.enrollTask(TASK_B, True, end, 10_000 * E, 0, sender=reporter),
        "TaskWeightChanged",
        emissions,
    )
    epoch = emissions.nextEpoch()
    assert (a.taskId, a.fromEpoch, a.nodeUnits, a.validatorUnits) == (
        TASK_A,
        epoch,
        0,
        10_000 * E // STAKE_UNIT,
    )
    assert (b.taskId, b.fromEpoch, b.nodeUnits, b.validatorUnits) == (
        TASK_B,
        epoch,
        10_000 * E // STAKE_UNIT,
        0,
    )
    goto(emissions, epoch)
    emissions.checkpoint(sender=outsider)
    total_a, nodes_a, validators_a = epoch_budget(emissions, epoch, 0, 10_000 * E, True)
    total_b, nodes_b, validators_b = epoch_budget(emissions, epoch, 10_000 * E, 0, True)
    assert (nodes_a, validators_a) == (0, total_a) and total_a > 0
    assert (nodes_b, validators_b) == (total_b, 0)
    assert emissions.accruedBudget(TASK_A) == total_a and emissions.accruedBudget(TASK_B) == total_b


def test_stake_changes_take_effect_next_epoch(emissions, reporter, outsider):
    end = far_end(emissions)
    emissions.enrollTask(TASK_A, False, end, 10_000 * E, 0, sender=reporter)
    emissions.enrollTask(TASK_B, False, end, 10_000 * E, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    receipt = emissions.updateTask(TASK_A, 30_000 * E, 0, sender=reporter)  # opens `first` itself
    (changed,) = events(receipt, "TaskWeightChanged", emissions)
    assert (changed.fromEpoch, changed.nodeUnits, changed.validatorUnits) == (
        first + 1,
        30_000 * E // STAKE_UNIT,
        0,
    )
    # `first` was split by the weights before the report: equal.
    a0, b0 = emissions.accruedBudget(TASK_A), emissions.accruedBudget(TASK_B)
    assert a0 == b0 == epoch_budget(emissions, first, 10_000 * E, 0, False)[0] > 0
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    # 3:1 from the next epoch on.
    a1, b1 = emissions.accruedBudget(TASK_A) - a0, emissions.accruedBudget(TASK_B) - b0
    assert a1 == 3 * b1 == epoch_budget(emissions, first + 1, 30_000 * E, 0, False)[0]
    # Reporting the same weight again is reported (every report is) but changes no budget.
    pending = emissions.pendingUnits()
    (again,) = events(
        emissions.updateTask(TASK_A, 30_000 * E, 0, sender=reporter), "TaskWeightChanged", emissions
    )
    assert (again.nodeUnits, again.validatorUnits) == (30_000 * E // STAKE_UNIT, 0)
    assert emissions.pendingUnits() == pending


def test_a_split_change_alone_is_reported(emissions, reporter, outsider):
    """Only the node/validator split moves (the sum stays): the event carries it, so the off-chain
    per-epoch split stays right, and the budget (the sum's) is unchanged."""
    emissions.enrollTask(TASK_A, True, far_end(emissions), 30_000 * E, 10_000 * E, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    emissions.checkpoint(sender=outsider)
    pending, accrued = emissions.pendingUnits(), emissions.accruedBudget(TASK_A)
    receipt = emissions.updateTask(TASK_A, 15_000 * E, 25_000 * E, sender=reporter)
    (changed,) = events(receipt, "TaskWeightChanged", emissions)
    assert (changed.taskId, changed.fromEpoch, changed.nodeUnits, changed.validatorUnits) == (
        TASK_A,
        first + 1,
        15_000 * E // STAKE_UNIT,
        25_000 * E // STAKE_UNIT,
    )
    assert emissions.pendingUnits() == pending
    assert emissions.taskEnrollment(TASK_A).units == 40_000 * E // STAKE_UNIT
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    total, nodes, validators = epoch_budget(emissions, first + 1, 15_000 * E, 25_000 * E, True)
    assert emissions.accruedBudget(TASK_A) == accrued + total
    assert validators > nodes  # the split follows the reported sides, not the old ones


def test_accrual_is_the_sum_of_the_epochs_budgets(emissions, reporter, outsider):
    """The MasterChef identity: a weight changed several times inside an epoch and across epochs
    accrues exactly the sum over epochs of (the weight in force in e) x rate_e."""
    end = far_end(emissions)
    emissions.enrollTask(TASK_A, True, end, 1_000 * E, 0, sender=reporter)
    emissions.enrollTask(TASK_B, False, end, 5_000 * E + 17, 0, sender=reporter)  # shares the epochs
    first = emissions.nextEpoch()
    weights = {}  # epoch -> (node stake, validator stake) in force
    reports = [
        [(2_000 * E, 500 * E), (7 * E + 999, 3 * E), (4_000 * E, 1_000 * E + 1)],  # during `first`
        [],  # nothing during first + 1
        [(4_000 * E, 1_000 * E + 1), (100 * E, 0)],  # during first + 2
        [(0, 0)],  # weight zero for first + 4
        [(9_000 * E, 9_000 * E)],
    ]
    current = (1_000 * E, 0)
    for i, during in enumerate(reports):
        epoch = first + i
        goto(emissions, epoch)
        emissions.checkpoint(sender=outsider)
        weights[epoch] = current
        for offset, stake in enumerate(during):
            goto(emissions, epoch, 120 + 60 * offset)
            emissions.updateTask(TASK_A, *stake, sender=reporter)
            current = stake
    goto(emissions, first + len(reports))
    emissions.checkpoint(sender=outsider)
    weights[first + len(reports)] = current
    expected = sum(epoch_budget(emissions, e, *stake, True)[0] for e, stake in weights.items())
    assert emissions.accruedBudget(TASK_A) == expected
    assert epoch_budget(emissions, first + 4, 0, 0, True)[0] == 0  # the zero weight earned nothing
    # And per epoch, the two tasks' budgets and the dust are the mint (INV-11).
    for e, stake in weights.items():
        info = emissions.epochInfo(e)
        b = epoch_budget(emissions, e, 5_000 * E + 17, 0, False)[0]
        assert epoch_budget(emissions, e, *stake, True)[0] + b + info.dust == info.minted


def test_a_task_stops_earning_at_its_end_without_any_call(emissions, reporter, outsider):
    first = emissions.nextEpoch()
    end = start_of(emissions, first + 2) - 1  # ends inside epoch first + 1
    emissions.enrollTask(TASK_A, False, end, 10_000 * E, 0, sender=reporter)
    emissions.enrollTask(TASK_B, False, far_end(emissions), 10_000 * E, 0, sender=reporter)
    assert emissions.taskEnrollment(TASK_A).expiry == first + 2
    goto(emissions, first + 3)
    emissions.checkpoint(sender=outsider)
    earned = sum(epoch_budget(emissions, e, 10_000 * E, 0, False)[0] for e in (first, first + 1))
    assert earned > 0 and emissions.accruedBudget(TASK_A) == earned  # nothing from first + 2 on
    assert emissions.epochInfo(first + 2).units == 10_000 * E // STAKE_UNIT  # task B alone
    # Reports after the end are ignored: no weight, no event, no budget.
    receipt = emissions.updateTask(TASK_A, 50_000 * E, 0, sender=reporter)
    assert not events(receipt, "TaskWeightChanged", emissions)
    assert emissions.pendingUnits() == 10_000 * E // STAKE_UNIT
    goto(emissions, first + 4)
    emissions.checkpoint(sender=outsider)
    assert emissions.accruedBudget(TASK_A) == earned


def test_a_task_that_ended_before_the_next_epoch_never_earns(emissions, reporter, outsider):
    """An end at or before genesis (only a direct role holder can report one: the registry enrolls a
    task at approval, before its end) or inside the running epoch: the task is enrolled with its
    expiry at the next epoch, its weight is never counted and it accrues nothing."""
    emissions.checkpoint(sender=outsider)
    first = emissions.nextEpoch()
    now = chain.blocks.head.timestamp
    for task, end in ((TASK_A, emissions.genesis()), (TASK_B, 0), (TASK_C, now)):
        receipt = emissions.enrollTask(task, False, end, 10_000 * E, 0, sender=reporter)
        (enrolled,) = events(receipt, "TaskEnrolled", emissions)
        assert (enrolled.taskId, enrolled.fromEpoch, enrolled.expiry) == (task, first, first)
        assert not events(receipt, "TaskWeightChanged", emissions)
        assert emissions.taskEnrollment(task) == (False, first, 0)
        with ape.reverts(emissions.EmissionTaskAlreadyEnrolled, taskId=task):
            emissions.enrollTask(task, False, end, 10_000 * E, 0, sender=reporter)
    assert emissions.pendingUnits() == 0
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    assert emissions.epochInfo(first).units == 0
    assert all(emissions.accruedBudget(t) == 0 for t in (TASK_A, TASK_B, TASK_C))


def test_retire_stops_the_budget_from_the_next_epoch(emissions, reporter, outsider):
    emissions.enrollTask(TASK_A, False, far_end(emissions), 10_000 * E, 0, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first)
    receipt = emissions.retireTask(TASK_A, sender=reporter)
    assert events(receipt, "TaskRetired", emissions)[0].fromEpoch == first + 1
    goto(emissions, first + 2)
    emissions.checkpoint(sender=outsider)
    earned = epoch_budget(emissions, first, 10_000 * E, 0, False)[0]
    assert earned > 0 and emissions.accruedBudget(TASK_A) == earned
    assert emissions.taskEnrollment(TASK_A) == (False, first + 1, 0)
    assert emissions.pendingUnits() == 0
    emissions.retireTask(TASK_A, sender=reporter)  # already retired: nothing happens
    assert emissions.accruedBudget(TASK_A) == earned


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
    before = emissions.epochInfo(first)
    receipt = emissions.setGamma(E // 2, sender=admin)
    assert events(receipt, "GammaSet", emissions)[0].gamma == E // 2
    goto(emissions, first + 1)
    emissions.checkpoint(sender=outsider)
    assert emissions.epochInfo(first) == before  # the past does not change
    assert before.gamma == E // 5 and emissions.epochInfo(first + 1).gamma == E // 2
    later = epoch_budget(emissions, first + 1, 30_000 * E, 10_000 * E, True)
    assert later[1] == later[2] == later[0] // 2
    with ape.reverts(emissions.EmissionParameterOutOfBounds):
        emissions.setGamma(E // 2 + 1, sender=admin)
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.setGamma(0, sender=outsider)


# ----------------------------------------------------------------------------------------- draws and dust

A_STAKE = (30_000 * E, 10_000 * E + 7)
B_STAKE = (1 * E + 3, 0)


@pytest.fixture
def funded_epochs(emissions, reporter, outsider):
    """Tasks A and B have budgets in three opened epochs; returns them."""
    emissions.enrollTask(TASK_A, True, far_end(emissions), *A_STAKE, sender=reporter)
    emissions.enrollTask(TASK_B, False, far_end(emissions), *B_STAKE, sender=reporter)
    first = emissions.nextEpoch()
    goto(emissions, first + 2)
    emissions.checkpoint(sender=outsider)
    return [first, first + 1, first + 2]


def budgets(emissions, epochs, stake, arena):
    return sum(epoch_budget(emissions, e, *stake, arena)[0] for e in epochs)


def test_draw_accrued_pays_what_accrued_and_was_not_drawn(
    emissions, token, distributor, funded_epochs, accounts
):
    to = accounts[9]
    accrued = budgets(emissions, funded_epochs, A_STAKE, True)
    assert emissions.accruedBudget(TASK_A) == accrued > 0 and emissions.drawnBudget(TASK_A) == 0
    before, held, b_accrued = token.balanceOf(to), token.balanceOf(emissions), emissions.accruedBudget(TASK_B)
    assert emissions.drawAccrued.call(TASK_A, to, sender=distributor) == accrued
    receipt = emissions.drawAccrued(TASK_A, to, sender=distributor)
    (drawn,) = events(receipt, "BudgetDrawn", emissions)
    assert (drawn.taskId, drawn.toEpoch, drawn.by, drawn.to, drawn.amount) == (
        TASK_A,
        emissions.nextEpoch(),
        distributor,
        to,
        accrued,
    )
    assert token.balanceOf(to) == before + accrued
    assert token.balanceOf(emissions) == held - accrued
    assert emissions.drawnBudget(TASK_A) == emissions.accruedBudget(TASK_A) == accrued
    # Never another task's budget: B's is untouched and B draws exactly its own.
    assert emissions.accruedBudget(TASK_B) == b_accrued and emissions.drawnBudget(TASK_B) == 0
    assert (
        emissions.drawAccrued.call(TASK_B, to, sender=distributor)
        == b_accrued
        == budgets(emissions, funded_epochs, B_STAKE, False)
    )
    # Nothing twice: a second call at once pays nothing and emits nothing.
    assert emissions.drawAccrued.call(TASK_A, to, sender=distributor) == 0
    receipt = emissions.drawAccrued(TASK_A, to, sender=distributor)
    assert not events(receipt, "BudgetDrawn", emissions) and not events(receipt, "Transfer", token)
    assert token.balanceOf(to) == before + accrued and emissions.drawnBudget(TASK_A) == accrued


def test_a_later_draw_pays_only_what_accrued_since(emissions, token, distributor, funded_epochs, accounts):
    to = accounts[9]
    first_draw = emissions.drawAccrued.call(TASK_A, to, sender=distributor)
    emissions.drawAccrued(TASK_A, to, sender=distributor)
    nxt = emissions.nextEpoch()
    goto(emissions, nxt + 1)  # two epochs started, neither opened yet
    # Unopened epochs are not drawn (the draw opens none): nothing more yet.
    assert emissions.drawAccrued.call(TASK_A, to, sender=distributor) == 0
    assert emissions.accruedBudget(TASK_A) == first_draw
    emissions.checkpoint(sender=distributor)
    since = budgets(emissions, (nxt, nxt + 1), A_STAKE, True)
    before = token.balanceOf(to)
    receipt = emissions.drawAccrued(TASK_A, to, sender=distributor)
    (drawn,) = events(receipt, "BudgetDrawn", emissions)
    assert (drawn.amount, drawn.toEpoch) == (since, nxt + 2)
    assert token.balanceOf(to) == before + since
    assert emissions.drawnBudget(TASK_A) == emissions.accruedBudget(TASK_A) == first_draw + since
    assert emissions.totals().drawn == first_draw + since


def test_draw_accrued_refusals_and_empty_draws(
    emissions, token, reporter, distributor, funded_epochs, outsider
):
    with ape.reverts(emissions.AccessControlUnauthorizedAccount):
        emissions.drawAccrued(TASK_A, outsider, sender=outsider)
    # A task never enrolled, or enrolled without any opened epoch yet, has nothing: no event.
    emissions.enrollTask(TASK_C, False, far_end(emissions), 5 * E, 0, sender=reporter)
    for task in (TASK_C, 999_999):
        receipt = emissions.drawAccrued(task, outsider, sender=distributor)
        assert not events(receipt, "BudgetDrawn", emissions) and not events(receipt, "Transfer", token)
        assert emissions.drawnBudget(task) == 0
    assert emissions.totals().drawn == 0


def test_drawn_never_exceeds_accrued(emissions, token, reporter, distributor, funded_epochs, outsider):
    """Draws between weight changes, retirement and further epochs: drawn <= accrued at every
    step, and the controller holds minted - drawn - dust swept."""
    steps = [
        lambda: emissions.drawAccrued(TASK_A, outsider, sender=distributor),
        lambda: emissions.updateTask(TASK_A, 1_000 * E, 2 * E, sender=reporter),
        lambda: goto(emissions, emissions.nextEpoch(), 30),
        lambda: emissions.drawAccrued(TASK_B, outsider, sender=distributor),
        lambda: emissions.checkpoint(sender=outsider),
        lambda: emissions.drawAccrued(TASK_A, outsider, sender=distributor),
        lambda: emissions.retireTask(TASK_A, sender=reporter),
        lambda: goto(emissions, emissions.nextEpoch() + 1, 30),
        lambda: emissions.checkpoint(sender=outsider),
        lambda: emissions.drawAccrued(TASK_A, outsider, sender=distributor),
        lambda: emissions.drawAccrued(TASK_A, outsider, sender=distributor),
    ]
    for step in steps:
        step()
        for task in (TASK_A, TASK_B):
            assert emissions.drawnBudget(task) <= emissions.accruedBudget(task)
        minted, drawn, _, swept = emissions.totals()
        assert token.balanceOf(emissions) == minted - drawn - swept
        assert drawn == emissions.drawnBudget(TASK_A) + emissions.drawnBudget(TASK_B)
    assert emissions.drawnBudget(TASK_A) == emissions.accruedBudget(TASK_A)  # retired: all drawn


def test_budgets_and_dust_add_up_to_the_mint(emissions, funded_epochs):
    for epoch in funded_epochs:
        info = emissions.epochInfo(epoch)
        a = epoch_budget(emissions, epoch, *A_STAKE, True)[0]
        b = epoch_budget(emissions, epoch, *B_STAKE, False)[0]
        assert a + b + info.dust == info.minted
        assert 0 < info.dust < info.units
    assert emissions.accruedBudget(TASK_A) + emissions.accruedBudget(TASK_B) + sum(
        emissions.epochInfo(e).dust for e in funded_epochs
    ) == sum(emissions.epochInfo(e).minted for e in funded_epochs)


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
    assert emissions.drawnBudget(999_999) == 0
    assert emissions.epochInfo(nxt + 5).minted == 0
    assert emissions.taskEnrollment(999_999) == (False, 0, 0)
    assert emissions.accruedBudget(999_999) == 0
    assert (
        emissions.currentEpoch()
        == (chain.blocks.head.timestamp - emissions.genesis()) // emissions.epochLength()
    )
