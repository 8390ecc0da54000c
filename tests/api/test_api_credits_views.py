"""ApiCredits paths no other anvil test took (docs/audit.md, "Coverage"): the contracts it was
wired to, the operator set's membership, the withdrawal lock at an epoch's start while the previous
epoch's usage report is still awaited (the report window), a charge of an account without credit,
and a flush with no protocol share."""

from __future__ import annotations

import pytest

from flock.chain.clock import head_time, mine_at
from flock.gateway.usage import Metered, build_report
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY, WAD

E = WAD


@pytest.fixture(scope="module")
def api(project, manifest, outsider, token, emissions, rewards, tasks, admin, accounts, stakers):
    """The deployed credits; the session fixtures the tests read are set up first (ape's isolation)."""
    return project.ApiCredits.at(manifest.address("api"))


def test_the_credits_name_the_contracts_they_were_wired_to(api, token, emissions, rewards):
    assert (api.flock(), api.emissions(), api.rewards()) == (
        token.address,
        emissions.address,
        rewards.address,
    )


def test_only_the_appointed_operators_are_operators(api, accounts, outsider):
    operators, quorum = api.operatorSet()
    assert quorum == 2 and list(operators) == [a.address for a in accounts[10:13]]
    assert all(api.isOperator(a) for a in operators)
    assert not api.isOperator(outsider)


def test_withdrawals_wait_out_the_report_window_of_an_unreported_epoch(api, emissions):
    """Inside the report window at the start of epoch n >= 1, with no usage report posted for epoch
    n - 1, withdrawals and cap cuts wait for the window's end; after it, nothing holds them."""
    genesis, length = emissions.genesis(), emissions.epochLength()
    report_window, _ = api.windows()
    epoch = max(1, (head_time() - genesis) // length + 1)
    start = genesis + epoch * length
    assert api.settlementOf(epoch - 1).status == 0  # None: nobody reported that epoch
    mine_at(start + 10)
    assert api.withdrawLockedUntil() == start + report_window
    mine_at(start + report_window)
    assert api.withdrawLockedUntil() < head_time()


def test_a_leaf_for_an_account_without_credit_charges_nothing_and_a_zero_share_pays_no_treasury(
    api, tasks, token, emissions, rewards, admin, accounts, stakers
):
    """A settled usage report names a user with credit and one that never deposited: the first
    charge accrues revenue, the second is applied (marked) but charges and accrues nothing. With the
    protocol share 0 (governance may set it), the flush sends nothing to the treasury and all of
    it to the task's next reward epoch."""
    user, stranger, operators = stakers[0], stakers[1], accounts[10:12]
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("api views"), "ipfs://api", 0, 0, sender=user)
    task = tasks.taskCount()
    _deposit(api, token, user)
    assert api.accountOf(stranger) == (0, 0)
    report = _accepted_report(api, emissions, operators, task, (user, stranger))
    epoch = report.epoch
    mine_at(api.settlementOf(epoch).finalizesAt)
    api.finalize(epoch, sender=user)
    charged = {}
    for index, row in enumerate(report.rows):
        receipt = api.charge(report.charge_args(index), sender=user)
        (event,) = receipt.events.filter(api.Charged)
        charged[row.account] = (event.requested, event.charged)
        assert api.isCharged(epoch, index)
    assert charged == {str(user).lower(): (2 * E, 2 * E), str(stranger).lower(): (2 * E, 0)}
    assert api.accrued(task, 3) == 2 * E

    treasury_address = api.protocolShare()[1]
    api.setProtocolShare(0, treasury_address, sender=admin)
    treasury, held = token.balanceOf(treasury_address), token.balanceOf(rewards)
    pool = rewards.unallocatedOf(task)
    receipt = api.flush(task, 3, sender=stranger)
    (flushed,) = receipt.events.filter(api.RevenueFlushed)
    assert (flushed.protocolShare, flushed.contributors) == (0, 2 * E)
    assert token.balanceOf(treasury_address) == treasury
    assert token.balanceOf(rewards) == held + 2 * E
    assert rewards.unallocatedOf(task) == pool + 2 * E  # the task's pool (decision 236)
    assert rewards.epochRewards(task, flushed.targetEpoch).status == 0  # no root yet


def _deposit(api, token, user) -> None:
    """10 FLOCK of credit, all of it under the cap."""
    token.approve(api, 10 * E, sender=user)
    api.deposit(10 * E, sender=user)
    api.setCap(10 * E, sender=user)


def _accepted_report(api, emissions, operators, task: int, users) -> object:
    """This epoch's usage report charging each of ``users`` 2 FLOCK for ``task``, posted in the next
    epoch by two operators (the quorum): accepted, in its challenge window."""
    epoch = emissions.currentEpoch()
    rows = [Metered(str(who).lower(), task, 3, 0, 2 * E * 1_000, 1) for who in users]
    report = build_report(epoch, rows)
    mine_at(emissions.genesis() + (epoch + 1) * emissions.epochLength() + 10)
    for operator in operators:
        api.postUsage(epoch, report.root, report.total, report.report_hash, sender=operator)
    return report


def test_a_shorter_collect_window_does_not_cut_a_pending_lock(
    api, tasks, token, emissions, admin, accounts, stakers
):
    """A report accepted under a 1-hour collect window locks withdrawals until its finalization
    time plus that hour; governance then sets the window to 0: the report's finalization asks for
    an earlier end, and the lock keeps the later one."""
    user = stakers[0]
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("api lock"), "ipfs://api", 0, 0, sender=user)
    _deposit(api, token, user)
    report = _accepted_report(api, emissions, accounts[10:12], tasks.taskCount(), (user,))
    report_window, collect_window = api.windows()
    finalizes_at = api.settlementOf(report.epoch).finalizesAt
    assert collect_window > 0 and api.withdrawLockedUntil() == finalizes_at + collect_window
    api.setWindows(report_window, 0, sender=admin)
    mine_at(finalizes_at + 10)
    receipt = api.finalize(report.epoch, sender=user)
    (event,) = receipt.events.filter(api.UsageFinalized)
    assert event.collectUntil == head_time() < finalizes_at + collect_window
    assert api.withdrawLockedUntil() == finalizes_at + collect_window
