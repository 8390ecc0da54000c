"""The oracle on a real chain: a whole Arena epoch (nodes train and submit, validators commit and
reveal, one of them lazy), the oracle reads it back, computes, posts with two oracles, verifies, and
the leaves claim. Also: a score file that does not match its reveal, and verify disagreeing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from flock.chain.clock import head_time, mine_at
from flock.ops.scan import BlockRange, phase_bounds
from flock.oracle.chain import OracleError
from flock.oracle.revenue import funded_revenue
from flock.oracle.run import (
    Posted,
    WithinBudget,
    compute_on_chain,
    epoch_limit,
    judge,
    post,
    publish,
    task_pool,
    verify,
)
from flock.rewards import Phase, Status, claim_args
from flock.store import ContentStore
from flock.units import WAD

E = WAD


def test_the_oracle_reads_the_epoch_back(played, tasks):
    data = played.view.read(played.task, played.epoch)
    assert {s.node.lower() for s in data.submissions} == {str(n).lower() for n in played.nodes}
    assert {r.validator.lower() for r in data.reveals} == {str(v).lower() for v in played.validators}
    stakes = {m.account.lower(): m.own for m in data.members}
    assert stakes[str(played.nodes[1]).lower()] == 20_000 * E
    assert [(d.delegator, d.value) for d in data.delegations] == [(str(played.delegator), 6_000 * E)]
    assert data.fee_bps == (800, 800, 1_450) and data.scoring_bps == (8_000, 5_000)
    block = data.stake_block
    from ape import chain

    start = played.view.submissions.schedule(played.epoch).start
    assert chain.blocks[block].timestamp < start <= chain.blocks[block + 1].timestamp


def test_a_post_past_the_tasks_pool_is_refused_before_sending(played, accounts):
    """The oracle checks total + burn against what the task has at the distributor (its pool, and,
    before the epoch's first post, the accrual that post draws) and sends nothing past it."""
    run = compute_on_chain(played.view, played.store, played.task, played.epoch)
    info = played.view.rewards.epochRewards(played.task, played.epoch)
    pool = task_pool(played.view, played.task, played.epoch, info.status)
    assert info.status == Status.NONE and pool >= run.result.total + run.result.burn
    greedy = replace(run, result=replace(run.result, total=pool - run.result.burn + 1))
    before = played.view.rewards.epochRewards(played.task, played.epoch)
    with pytest.raises(OracleError, match="exceed the task's pool"):
        post(played.view, greedy, accounts[10])
    assert played.view.rewards.epochRewards(played.task, played.epoch) == before  # nothing sent


def test_the_pool_check_counts_undrawn_accrual_only_before_an_epochs_first_post(played, accounts):
    """`oracle post` holds a post to exactly what the distributor will: after the epoch's first post
    its task's pool alone, even when a later epoch accrued more at the controller since (that
    accrual is drawn by a first post, not by this one); before a later epoch's first post, the pool
    plus what the task accrued less what it already drew. One wei past either is refused before
    sending; exactly the limit is sent and the chain takes it."""
    view, task, epoch = played.view, played.task, played.epoch
    rewards, emissions = view.rewards, view.contract("emissions")
    run = compute_on_chain(view, played.store, task, epoch)
    oracles = accounts[10:13]
    post(view, run, oracles[0])  # the epoch's first post: draws everything accrued so far
    assert emissions.drawnBudget(task) > 0
    # The epoch after next opens: the task accrues more, undrawn.
    later = epoch + 1
    mine_at(max(head_time() + 1, view.submissions.schedule(later).revealEnd + 60))
    emissions.checkpoint(sender=accounts[9])
    undrawn = emissions.accruedBudget(task) - emissions.drawnBudget(task)
    assert undrawn > 0
    pool = rewards.unallocatedOf(task)

    open_status = rewards.epochRewards(task, epoch).status
    assert open_status == Status.OPEN and task_pool(view, task, epoch, open_status) == pool
    greedy = replace(run, result=replace(run.result, total=pool - run.result.burn + 1))
    before = rewards.epochRewards(task, epoch)
    with pytest.raises(OracleError, match="exceed the task's pool"):
        post(view, greedy, oracles[1])
    assert rewards.epochRewards(task, epoch) == before and rewards.unallocatedOf(task) == pool

    # The later epoch's first post draws the undrawn accrual: its limit is pool + undrawn, exactly.
    assert rewards.epochRewards(task, later).status == Status.NONE
    limit = task_pool(view, task, later, Status.NONE)
    assert limit == pool + undrawn
    at_later = replace(run, data=replace(run.data, epoch=later))
    over = replace(at_later, result=replace(run.result, total=limit - run.result.burn + 1))
    with pytest.raises(OracleError, match="exceed the task's pool"):
        post(view, over, oracles[0])
    exact = replace(at_later, result=replace(run.result, total=limit - run.result.burn))
    post(view, exact, oracles[0])  # fits: the chain takes it
    assert rewards.epochRewards(task, later).status == Status.OPEN
    assert rewards.unallocatedOf(task) == limit
    assert emissions.accruedBudget(task) == emissions.drawnBudget(task)


def test_lazy_validator_earns_less_and_the_post_verifies(played, token, accounts):
    run = compute_on_chain(played.view, played.store, played.task, played.epoch)
    quality = run.result.quality
    honest, lazy = [str(v).lower() for v in played.validators[:2]], str(played.validators[2]).lower()
    assert all(quality[lazy] < quality[v] for v in honest)
    earned = {a.account.lower(): a.gross for a in run.result.allocations if a.role == "validator"}
    assert all(earned.get(lazy, 0) < earned[v] for v in honest)
    assert run.result.total + run.result.burn + run.result.unallocated == sum(
        (run.data.node_budget, run.data.validator_budget)
    )
    # Two oracles compute the same thing independently: byte-identical reports.
    assert compute_on_chain(played.view, played.store, played.task, played.epoch).report == run.report
    assert publish(run, played.store) == "0x" + run.report_hash.hex()

    oracles = accounts[10:13]
    post(played.view, run, oracles[0])
    (pending,) = verify(played.view, run)
    assert pending.match and pending.status == Status.OPEN
    post(played.view, run, oracles[1])
    (accepted,) = verify(played.view, run)
    assert accepted.match and accepted.what == "the accepted root"
    with pytest.raises(OracleError, match="already has an accepted root"):
        post(played.view, run, oracles[2])

    rewards = played.view.rewards
    mine_at(rewards.epochRewards(played.task, played.epoch).finalizesAt)
    rewards.finalize(played.task, played.epoch, sender=accounts[1])
    locked = rewards.epochRewards(played.task, played.epoch).lockedShareBps
    pot = played.view.pot(played.task, played.epoch)
    for index, (account, amount) in enumerate(run.result.leaves):
        before = token.balanceOf(account)
        pot.claim(*claim_args(run.tree, played.task, played.epoch, index).pot_args(), sender=accounts[1])
        assert token.balanceOf(account) - before >= amount - amount * locked // 10_000


def test_a_file_that_does_not_match_its_reveal_is_rejected(played, tmp_path):
    """Another store whose file for the first validator's hash holds other bytes: that validator
    counts as not revealed, with a clear reason, and the result differs from the posted one."""
    data = played.view.read(played.task, played.epoch)
    first = data.reveals[0]
    forged = ContentStore(tmp_path)
    for reveal_ in data.reveals[1:]:
        forged.put(played.store.get(reveal_.file_hash))
    for submission in data.submissions:
        forged.put(played.store.get(submission.model))
    (Path(tmp_path) / first.file_hash).write_bytes(b'{"format":"flock-scores-v1","scores":{}}')
    run = compute_on_chain(played.view, forged, played.task, played.epoch)
    reasons = [r.reason for r in run.result.rejections if r.validator == first.validator.lower()]
    assert reasons and "does not hash to its name" in reasons[0]
    assert run.result.quality[first.validator.lower()] == 0


def test_compute_refuses_an_open_epoch_and_other_tasks(played, emissions, tasks, accounts):
    with pytest.raises(OracleError, match="still open"):
        played.view.read(played.task, played.epoch + 1)
    with pytest.raises(OracleError, match="does not exist"):
        played.view.read(999, played.epoch)


def test_the_lazy_validator_is_slashed_through_a_reported_slash_root(played, tasks, admin, accounts, project):
    """Issue 11, attack 4b on a real chain: with a one-epoch deviation rule, the oracles list the
    lazy validator (its noise is far from consensus), two of them post the slash root, and after
    the challenge window a stranger executes it."""
    from flock.oracle.scoring import mean_distances
    from flock.oracle.slashing import compute_slashes_on_chain, execute_slashes, post_slashes
    from flock.rewards import Offence

    slasher = played.view.slasher
    run = compute_on_chain(played.view, played.store, played.task, played.epoch)
    distances = mean_distances(run.assembled.inputs, run.result.consensus)
    honest = max(distances[str(v).lower()] for v in played.validators[:2])
    assert distances[str(played.validators[2]).lower()] > 2 * honest
    params = list(slasher.slashParameters())
    params[5] = int(2 * honest * 10_000) + 1  # deviationBps: twice the honest validators' distance
    params[6] = 1  # deviationEpochs
    slasher.setSlashParameters(params, sender=admin)
    report = compute_slashes_on_chain(played.view, played.store, played.task, played.epoch)
    lazy = str(played.validators[2]).lower()
    assert [(f.account, f.offence) for f in report.faults] == [(lazy, Offence.DEVIATION)]
    for oracle in accounts[10:12]:
        post_slashes(played.view, report, oracle)
    assert slasher.reportOf(played.task, played.epoch).status == 2  # Accepted
    mine_at(max(head_time() + 1, slasher.reportOf(played.task, played.epoch).executableAt))
    before = tasks.memberOf(played.task, played.validators[2]).stake
    (receipt,) = execute_slashes(played.view, report, accounts[9])
    gm = receipt.events[-1].gmAmount
    assert gm == before * params[1] // 10_000  # reportedBps of its stake (no delegators)
    assert tasks.memberOf(played.task, played.validators[2]).stake == before - gm
    assert execute_slashes(played.view, report, accounts[9]) == []  # once


EVENTS = ("ModelCommitted", "ModelRevealed", "ScoresCommitted", "ScoresRevealed")


def test_an_epochs_events_are_read_from_its_blocks_only(played_at_edge, submissions, chain):
    task, epoch, view = played_at_edge.task, played_at_edge.epoch, played_at_edge.view
    schedule = submissions.schedule(epoch)
    blocks = view.epoch_blocks(epoch)
    time = [chain.blocks[n].timestamp for n in (blocks.first - 1, blocks.first, blocks.last, blocks.last + 1)]
    assert time[0] < schedule.start <= time[1] and time[2] < schedule.revealEnd <= time[3]
    whole = BlockRange(view.first_block(), chain.blocks.height, "from the deployment to the head")
    topics = {"taskId": task, "epoch": epoch}
    found = [
        e
        for name in EVENTS
        for e in getattr(submissions, name).range(whole.first, whole.last + 1, search_topics=topics)
    ]
    assert len(found) == 12 and all(blocks.first <= e.block_number <= blocks.last for e in found)
    for phase in Phase:  # each phase's transaction at its edge second is one of them
        if phase != Phase.CLOSED:
            start, end = phase_bounds(schedule, phase)
            edge = start if played_at_edge.edge == "first" else end - 1
            assert edge in {chain.blocks[e.block_number].timestamp for e in found}
    (following,) = submissions.ModelCommitted.range(
        whole.first, whole.last + 1, search_topics={**topics, "epoch": epoch + 1}
    )
    assert following.block_number > blocks.last  # the next epoch's first second: not read
    assert view.read(task, epoch) == view.read(task, epoch, whole)
    bounded = compute_on_chain(view, played_at_edge.store, task, epoch)
    assert bounded.report == compute_on_chain(view, played_at_edge.store, task, epoch, whole).report


# ----------------------------------------------------------------------- the epoch's budget (decision 228)


def test_verify_holds_each_post_to_the_epochs_budget(played, accounts):
    """The oracle's budget for the epoch comes from the controller's events; verify holds every
    posted total + burn to it plus the epoch's funded revenue (none here)."""
    view, task, epoch = played.view, played.task, played.epoch
    run = compute_on_chain(view, played.store, task, epoch)
    budget = view.budget(task, epoch)
    assert (run.data.node_budget, run.data.validator_budget) == (budget.nodes, budget.validators)
    assert budget.total > 0 and epoch_limit(view, task, epoch) == budget.total
    for oracle in accounts[10:12]:
        post(view, run, oracle)
    (accepted,) = verify(view, run)
    (within,) = [c for c in accepted.comparisons if isinstance(c, WithinBudget)]
    assert accepted.match and within == WithinBudget(budget.total, run.result.total + run.result.burn)


def test_verify_flags_a_root_over_the_epochs_budget(played):
    """A root paying more than its epoch's budget is a finding (the chain, holding a root only to
    the task's pool, would take it): one wei over the limit is flagged, the limit itself is not."""
    view, task, epoch = played.view, played.task, played.epoch
    run = compute_on_chain(view, played.store, task, epoch)
    limit, burn = epoch_limit(view, task, epoch), run.result.burn
    over = Posted("an over-budget root", run.root, limit - burn + 1, burn, run.report_hash)
    full = Posted("a root paying the whole budget", run.root, limit - burn, burn, run.report_hash)
    flagged, whole = judge(run, Status.ACCEPTED, [over, full], limit)
    assert flagged.over_budget and not flagged.match
    row = flagged.comparisons[-1]
    assert (row.field, row.ours, row.posted, row.verdict) == (
        "total + burn",
        f"at most {limit}",
        str(limit + 1),
        "OVER BUDGET",
    )
    assert not whole.over_budget and whole.comparisons[-1].verdict == "within budget"


def test_funded_revenue_raises_the_limit(played, token, admin, treasury, accounts):
    """What a REVENUE_ROLE holder funds into a task epoch (BudgetFunded) adds to what its root may pay."""
    view, task, later = played.view, played.task, played.epoch + 1
    rewards = view.rewards
    funder = accounts[9]
    rewards.grantRole(rewards.REVENUE_ROLE(), funder, sender=admin)
    token.transfer(funder, 10 * E, sender=treasury)
    token.approve(rewards, 10 * E, sender=funder)
    rewards.fundEpoch(task, later, 3 * E, sender=funder)
    rewards.fundEpoch(task, later, 4 * E, sender=funder)
    assert funded_revenue(view, task, later) == 7 * E
    assert funded_revenue(view, task, played.epoch) == 0
    assert epoch_limit(view, task, later) == view.budget(task, later).total + 7 * E
