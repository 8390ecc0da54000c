"""The worked examples in docs/emissions.md are what the contract (and flock.emissions) computes."""

from decimal import Decimal

import pytest

from flock.emissions import STAKE_UNIT, EpochSplit, Schedule, arena_split, open_epoch, task_budget
from flock.harness.system import deploy_system
from flock.paths import DOCS_DIR
from flock.units import DAY, WAD

DOC = (DOCS_DIR / "emissions.md").read_text()


def table(name: str) -> list[list[str]]:
    block = DOC.split(f"<!-- example:{name}:start -->")[1].split(f"<!-- example:{name}:end -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return [[cell.strip() for cell in row] for row in rows]


def wei(cell: str) -> int:
    """A FLOCK or gmFLOCK amount written in whole tokens (thousands separators, exact decimals)."""
    value = Decimal(cell.replace(",", "")) * WAD
    assert value == value.to_integral_value(), f"{cell} has more than 18 decimals"
    return int(value)


@pytest.fixture
def system():
    system = deploy_system()
    emissions = system.emissions
    reporter = system.chain.accounts[5]  # plays the task registry
    emissions.grantRole(emissions.TASK_REGISTRY_ROLE(), reporter, sender=system.admin)
    system.reporter = reporter
    distributor = system.chain.accounts[6]  # plays the reward distributor
    emissions.grantRole(emissions.DISTRIBUTOR_ROLE(), distributor, sender=system.admin)
    system.distributor = distributor
    return system


def reported(receipt) -> tuple[int, int]:
    """(nodeUnits, validatorUnits) of the transaction's one ``TaskWeightChanged``."""
    (changed,) = receipt.events_named("TaskWeightChanged")
    return changed["nodeUnits"], changed["validatorUnits"]


@pytest.mark.parametrize("row", table("schedule"), ids=lambda row: f"epoch-{row[0]}")
def test_schedule_rows(system, row):
    emissions = system.emissions
    epoch, documented = int(row[0]), wei(row[1])
    assert emissions.scheduledEmission(epoch) == documented
    e0, decay, period = emissions.schedule()
    assert Schedule(e0, decay, period, emissions.epochCap()).scheduled(epoch) == documented


def test_split_rows(system):
    emissions, chain, reporter = system.emissions, system.chain, system.reporter
    end = chain.now + 100 * DAY
    rows = table("split")
    weights = {}
    for task_id, kind, nodes, validators, *_ in rows:
        receipt = emissions.enrollTask(
            int(task_id), kind == "Arena", end, wei(nodes), wei(validators), sender=reporter
        )
        weights[task_id] = reported(receipt)
    chain.warp(emissions.epochLength())
    emissions.checkpoint(sender=reporter)

    minted, units, rate, dust, gamma, _ = emissions.epochInfo(1)
    total_units = sum(int(row[4].replace(",", "")) for row in rows)
    assert (minted, units) == (300_000 * WAD, total_units)
    expected = open_epoch(minted, total_units)
    assert (rate, dust) == (expected.rate, expected.dust)
    assert f"rate = floor(300,000e18 / {units:,}) = {rate:,} wei per unit" in DOC
    assert f"dust = 300,000e18 - {units:,} x rate = {dust:,} wei" in DOC

    budgets = 0
    for task_id, kind, nodes, validators, task_units, total, node_share, validator_share in rows:
        # One epoch's budget is computed from the reported weight and epochInfo (decision 236).
        n, v = weights[task_id]
        assert n + v == int(task_units.replace(",", ""))
        assert (n, v) == (wei(nodes) // STAKE_UNIT, wei(validators) // STAKE_UNIT)
        split = EpochSplit(minted, units, rate, dust)
        budget_total, budget_nodes, budget_validators = task_budget(split, n, v, gamma, kind == "Arena")
        assert budget_total == wei(total)
        assert (budget_nodes, budget_validators) == (wei(node_share), wei(validator_share))
        if kind == "Arena":
            assert arena_split(budget_total, n, v, gamma) == (budget_nodes, budget_validators)
        # The chain keeps the cumulative budget: here, this one epoch's.
        assert emissions.accruedBudget(int(task_id)) == budget_total
        budgets += budget_total
    assert budgets + dust == minted  # INV-11 on the page


def test_timing_and_draw_rows(system):
    emissions, chain, reporter = system.emissions, system.chain, system.reporter
    end = chain.now + 100 * DAY
    first, second = table("timing")
    x, y = 11, 12
    emissions.enrollTask(x, False, end, wei(first[1]), 0, sender=reporter)
    emissions.enrollTask(y, False, end, wei(first[2]), 0, sender=reporter)
    chain.warp(emissions.epochLength())
    emissions.updateTask(x, wei(second[1]), 0, sender=reporter)  # during epoch 1 (which it opens)
    accrued = {x: 0, y: 0}
    for row in (first, second):
        epoch = int(row[0])
        if epoch == 2:
            chain.warp(emissions.epochLength())
            emissions.checkpoint(sender=reporter)
        assert emissions.nextEpoch() == epoch + 1
        for task, cell in ((x, row[3]), (y, row[4])):
            # Each row is one epoch's budget: the growth of the task's cumulative budget.
            assert emissions.accruedBudget(task) - accrued[task] == wei(cell)
            accrued[task] += wei(cell)

    distributor = system.distributor
    draws = table("draws")
    for number, _, pays, drawn in draws:
        if number == "3":
            chain.warp(emissions.epochLength())
            emissions.checkpoint(sender=reporter)
        receipt = emissions.drawAccrued(x, distributor, sender=distributor)
        assert receipt.return_value == wei(pays)
        assert len(receipt.events_named("BudgetDrawn")) == (1 if wei(pays) else 0)
        assert emissions.drawnBudget(x) == wei(drawn) == emissions.accruedBudget(x)
    assert system.token.balanceOf(distributor) == wei(draws[-1][3])
