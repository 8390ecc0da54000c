"""`ape run stake`, `tasks`, `checkpoint`, `vesting`, `oracle vetoable` and `oracle veto`, in
process on the session's anvil deployment: each routine job through its real click command (an FL
Alliance participant's credits earned in a real round, then withdrawn; a guardian's vetoes of roots
and a usage report the oracles really accepted), and one clear line (never a traceback, nothing
sent) for each bad input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flock.alliance.chain import ApeClock, RoundDriver, owed_of, run_round
from flock.chain.clock import advance, first_block_at, head_time, mine_at
from flock.chain.local import impersonate
from flock.ops.cli import checkpoint_cli, stake_cli, tasks_cli, vesting_cli
from flock.ops.unrevealed import commit_blocks
from flock.oracle.cli import cli as oracle_cli
from flock.prechecks import budget_check
from flock.rewards import SlashStatus, Status, model_commitment
from flock.tasks import Role, TaskKind, TaskState, spec_hash
from flock.units import DAY, WAD, format_token, human_duration, relative_time, utc


@pytest.fixture
def run(manifest_file):
    def invoke(command, *args: str):
        result = CliRunner(mix_stderr=False).invoke(command, [*args, "--manifest", str(manifest_file)])
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return invoke


def _ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _refused(result, message: str) -> None:
    assert result.exit_code == 1, result.stdout
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert result.stderr.startswith("error: ")


def test_stake_task_and_keeper_jobs(
    run, funded, gmflock, tasks, emissions, manifest, submissions, token, accounts, chain
):
    creator, node = funded[5], funded[6]  # test:6, test:7
    before = gmflock.lockCount(creator)  # test:6 holds genesis FLOCK: an earlier module may have locked
    locked = _ok(run(stake_cli, "lock", "20_000", "180 days", "--account", "test:6"))
    assert f"locked 20,000.00 FLOCK as lock {before}" in locked and "unlockable in 180 d" in locked
    assert gmflock.lockCount(creator) == before + 1
    _ok(run(stake_cli, "lock", "10_000", "1 year", "--account", "test:7"))
    shown = _ok(run(stake_cli, "show", "--account", "test:6"))
    assert "active" in shown and "20,000.00" in shown

    created = _ok(
        run(tasks_cli, "create", "--duration", "30 days", "--spec", "ipfs://t", "--account", "test:6")
    )
    task = tasks.taskCount()
    assert f"created task {task} (arena)" in created and f"approve-task {task}" in created
    joined = _ok(run(tasks_cli, "join", str(task), "node", "5_000", "--sigma", "40%", "--account", "test:7"))
    assert f"joined task {task} as a node with 5,000.00 gmFLOCK, keeping 40%" in joined
    added = _ok(run(tasks_cli, "add-stake", str(task), "500", "--account", "test:7"))
    assert f"added 500.00 gmFLOCK to the stake of node {node.address} in task {task}: 5,500.00" in added
    assert tasks.memberOf(task, node).stake == 5_500 * WAD
    _refused(run(tasks_cli, "sigma", str(task), "35%", "--account", "test:7"), "at most once every 1 d")
    delegated = _ok(run(tasks_cli, "delegate", str(task), node.address, "1_000", "--account", "test:6"))
    assert "delegated 1,000.00 gmFLOCK to node" in delegated

    # pending: no budget, and the reason says what to do
    epoch = emissions.currentEpoch()
    assert "approve-task" in budget_check(manifest_reader(manifest), task, epoch).reason
    tasks.approveTask(task, sender=impersonate(manifest.address("timelock")))
    assert (
        "not yet eligible: the task earns from epoch"
        in budget_check(manifest_reader(manifest), task, epoch).reason
    )
    advance(DAY)
    later = budget_check(manifest_reader(manifest), task, epoch + 1)
    assert "was not opened" in later.reason and "ape run checkpoint" in later.reason

    sigma = _ok(run(tasks_cli, "sigma", str(task), "35%", "--account", "test:7"))
    assert f"node {node.address} of task {task} now keeps 35% of what delegations earn (was 40%)" in sigma
    assert tasks.memberOf(task, node).sigmaBps == 3_500
    opened = _ok(run(checkpoint_cli, "--account", "test:8"))
    assert f"opened epoch {epoch + 1}: minted" in opened and "FLOCK for" in opened
    assert budget_check(manifest_reader(manifest), task, epoch + 1).ok
    again = _ok(run(checkpoint_cli, "--account", "test:8"))
    assert f"nothing to open: epoch {epoch + 1} is open already" in again
    assert f"epoch {epoch + 2} starts in" in again and "UTC" in again

    early = run(tasks_cli, "release", str(task), "--account", "test:7")
    _refused(early, "dispute window")
    undelegated = _ok(run(tasks_cli, "undelegate", str(task), "--account", "test:6"))
    assert f"undelegated 1,000.00 gmFLOCK from {node.address} in task {task}" in undelegated
    release_at = tasks.delegationOf(task, creator).releaseAt
    assert tasks.memberOf(task, creator).exitAt == head_time() and release_at > head_time()
    assert f"`ape run tasks release {task}` returns it in " in undelegated
    _refused(run(tasks_cli, "undelegate", str(task), "--account", "test:6"), "undelegated from task")
    _refused(run(tasks_cli, "undelegate", str(task), "--account", "test:7"), "has no delegation in task")
    _refused(run(tasks_cli, "release", str(task), "--account", "test:6"), "TaskRegistryStakeLocked(")
    nothing = run(vesting_cli, "release", "--account", "test:7")
    _refused(nothing, "has no vesting rewards")
    still = run(stake_cli, "unlock", "0", "--account", "test:7")
    _refused(still, "lock 0 is unlockable in ")

    # A delegator still in when the node is slashed: a keeper syncs its delegation's share of the loss.
    delegator = funded[4]  # test:5
    token.approve(gmflock, 2_000 * WAD, sender=delegator)
    gmflock.lock(2_000 * WAD, 365 * DAY, sender=delegator)
    tasks.delegateStake(task, node, 1_000 * WAD, sender=delegator)
    sync = (tasks_cli, "sync", str(task), "test:5", "--account", "test:8")
    _refused(run(*sync), f"nothing to sync: no slash of {node.address}'s pool in task {task} reached")

    keeper, epoch = accounts[8], emissions.currentEpoch() + 1
    mine_at(submissions.schedule(epoch).start + 60)
    model = model_commitment(b"\x07" * 32, "store://m", b"\x01" * 32, node.address, task, epoch)
    submissions.commitModel(task, model, sender=node)
    slash = (tasks_cli, "slash-unrevealed", str(task), str(epoch), "--account", "test:8")
    _refused(run(*slash), "reveal phase is still open, slashable in ")
    mine_at(submissions.schedule(epoch).modelRevealEnd + 60)
    stake, earned = tasks.memberOf(task, node).stake, token.balanceOf(keeper)
    slashed = _ok(run(*slash))
    assert f"slashed {node.address} (its model not revealed): " in slashed
    assert tasks.memberOf(task, node).stake < stake and token.balanceOf(keeper) > earned
    assert f"received {format_token(token.balanceOf(keeper) - earned)} FLOCK, the keeper's share" in slashed
    _refused(run(*slash), "no unrevealed commitment left to slash")

    pot, before = tasks.slashPot(task), token.balanceOf(keeper)
    synced = _ok(run(*sync))
    share = token.balanceOf(keeper) - before
    assert f"synced the delegation of {delegator.address} in task {task}: " in synced
    assert share > 0 and f"{format_token(share)} FLOCK to {keeper.address} (the keeper's share)" in synced
    delegation = tasks.delegationOf(task, delegator)
    assert delegation.value == delegation.allocated < 1_000 * WAD and tasks.slashPot(task) > pot
    height = chain.blocks.height
    _refused(run(*sync), "nothing to sync")
    assert chain.blocks.height == height
    route = (tasks_cli, "route-slash-pot", str(task), "--account", "test:8")
    treasury, pot = manifest.address("timelock"), tasks.slashPot(task)
    held = token.balanceOf(treasury)
    routed = _ok(run(*route))
    assert f"sent the {format_token(pot)} FLOCK of task {task}'s slash pot to {treasury}" in routed
    assert tasks.slashPot(task) == 0 and token.balanceOf(treasury) == held + pot
    _refused(run(*route), f"task {task}'s slash pot is empty")

    end = (tasks_cli, "end", str(task), "--account", "test:8")
    _refused(run(*end), f"task {task} runs until its end in ")
    mine_at(tasks.taskInfo(task).endTime)
    assert f"ended task {task}: it earns no more emissions" in _ok(run(*end))
    assert tasks.taskInfo(task).state == TaskState.ENDED
    height = chain.blocks.height
    _refused(run(*end), f"task {task} is ended already")
    assert chain.blocks.height == height


def manifest_reader(manifest):
    from flock.chain.protocol import LiveProtocol

    return LiveProtocol(manifest)


def _credited_round(funded, token, gmflock, tasks, emissions, alliance, manifest, keeper):
    """An approved Alliance task with four participants (test:1 to test:4) and one settled round in
    which test:4 withholds its seed: the accepted proposers earn a reward (liquid) and a share of
    test:4's slash (to relock), the finalizer ``keeper`` its share (to relock). A fifth participant,
    test:5, enrolls in no round, and governance evicts after one such round. Returns the task and the
    proposers."""
    members = funded[:5]
    for member in members:
        token.approve(gmflock, 10_000 * WAD, sender=member)
        gmflock.lock(10_000 * WAD, 365 * DAY, sender=member)
    spec = spec_hash("credits")
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, spec, "ipfs://credits", 2, 8, sender=members[0])
    task = tasks.taskCount()
    timelock = impersonate(manifest.address("timelock"))
    tasks.approveTask(task, sender=timelock)
    alliance.setEvictionRounds(1, sender=timelock)
    for member in members:
        tasks.join(task, Role.PARTICIPANT, tasks.stakeMinimums()[2], 0, sender=member)
    members = members[:4]
    advance(DAY)
    emissions.checkpoint(sender=keeper)
    driver = RoundDriver(alliance, task, ApeClock(), keeper)
    proposers = run_round(driver, members, withhold_seed=(members[3].address,))["proposers"]
    driver.finalize()
    driver.settle(members)
    return task, proposers


def test_an_alliance_participant_sees_and_withdraws_its_credits(
    run, funded, token, gmflock, tasks, emissions, manifest, project, accounts, chain
):
    alliance = project.AllianceRounds.at(manifest.address("alliance"))
    keeper, recipient = accounts[8], accounts[9]
    task, proposers = _credited_round(funded, token, gmflock, tasks, emissions, alliance, manifest, keeper)
    proposer = next(m for m in funded[:3] if m.address == proposers[0])
    name = f"test:{funded.index(proposer) + 1}"
    owed = owed_of(alliance, proposer)
    assert owed.liquid > 0 and owed.relock > 0  # a reward and a share of test:4's slash
    max_duration = gmflock.lockDurationBounds()[1]

    shown = _ok(run(tasks_cli, "credits", proposer.address, "--account", "test:9"))
    assert f"is owed {format_token(owed.total)} FLOCK by FL Alliance rounds" in shown
    assert f"{format_token(owed.liquid)} FLOCK of rewards, paid as FLOCK" in shown
    gm = gmflock.previewLock(owed.relock, max_duration)
    assert f"{format_token(owed.relock)} FLOCK of slash shares, relocked" in shown
    assert f"for {human_duration(max_duration)} (the maximum), {format_token(gm)} gmFLOCK" in shown
    finalizer = _ok(run(tasks_cli, "credits", "--account", "test:8"))
    assert "FLOCK of slash shares" in finalizer and "of rewards" not in finalizer  # its share relocks

    height = chain.blocks.height
    _refused(run(tasks_cli, "withdraw", "--to", "burn", "--account", name), "--to is the zero address")
    assert chain.blocks.height == height
    locker, timelock = gmflock.LOCKER_ROLE(), impersonate(manifest.address("timelock"))
    gmflock.revokeRole(locker, alliance, sender=timelock)  # an upgraded deployment before its grant
    height = chain.blocks.height
    _refused(run(tasks_cli, "withdraw", "--account", name), "does not hold gmFLOCK's LOCKER_ROLE")
    assert chain.blocks.height == height
    gmflock.grantRole(locker, alliance, sender=timelock)

    before, lock_id = token.balanceOf(recipient), gmflock.lockCount(proposer)
    paid = _ok(run(tasks_cli, "withdraw", "--to", "test:9", "--account", name))
    assert f"paid {format_token(owed.liquid)} FLOCK of rewards to {recipient.address}" in paid
    assert f"relocked {format_token(owed.relock)} FLOCK of slash shares as gmFLOCK lock {lock_id}" in paid
    assert token.balanceOf(recipient) == before + owed.liquid
    lock = gmflock.lockInfo(proposer, lock_id)
    assert (lock.amount, lock.end) == (owed.relock, head_time() + max_duration)
    assert f"{format_token(lock.gm)} gmFLOCK, unlockable in " in paid

    assert "is owed nothing" in _ok(run(tasks_cli, "credits", "--account", name))
    _refused(run(tasks_cli, "withdraw", "--account", name), "nothing is owed")

    # The keeper's jobs of an FL Alliance task: evict the participant absent from the round, pull the
    # emissions of the epochs opened since, sweep the pool once the task is over.
    evict = (tasks_cli, "evict", str(task), "test:5", "--account", "test:9")
    height, owed = chain.blocks.height, owed_of(alliance, recipient)
    _refused(run(tasks_cli, "evict", str(task), name, "--account", "test:9"), "AllianceNotEvictable(")
    _refused(run(tasks_cli, "evict", str(task), "test:9", "--account", "test:9"), "is not a participant")
    assert chain.blocks.height == height
    stake = tasks.memberOf(task, funded[4]).stake
    evicted = _ok(run(*evict))
    assert f"evicted {funded[4].address} from task {task} (absent from rounds 1 to 1): " in evicted
    share = owed_of(alliance, recipient).relock - owed.relock
    assert share > 0 and f"{format_token(share)} FLOCK credited to {recipient.address}" in evicted
    member = tasks.memberOf(task, funded[4])
    assert member.exitAt != 0 and member.stake < stake
    _refused(run(*evict), "(or was evicted already)")
    pull = (tasks_cli, "pull-emissions", str(task), "--account", "test:9")
    _refused(run(*pull), "nothing to pull")
    advance(DAY)
    emissions.checkpoint(sender=keeper)
    pool = alliance.poolOf(task).pool
    pulled = _ok(run(*pull))
    assert alliance.poolOf(task).pool > pool
    assert f"into task {task}'s pool, which holds {format_token(alliance.poolOf(task).pool)} FLOCK" in pulled
    sweep = (tasks_cli, "sweep", str(task), "--account", "test:9")
    _refused(run(*sweep), f"task {task} runs until its end in ")
    mine_at(tasks.taskInfo(task).endTime)
    treasury, pool = alliance.treasury(), alliance.poolOf(task).pool
    held = token.balanceOf(treasury)
    swept = _ok(run(*sweep))
    assert alliance.poolOf(task).pool == 0 and token.balanceOf(treasury) >= held + pool > held
    assert f"FLOCK of task {task}'s pool to the treasury {treasury}" in swept
    height = chain.blocks.height
    _refused(run(*sweep), "AllianceNothingToSweep(")
    assert chain.blocks.height == height


def test_a_keeper_kicks_an_expired_locks_boost(run, funded, gmflock, chain):
    owner = funded[4]  # test:5
    lock_id = gmflock.lockCount(owner)
    _ok(run(stake_cli, "lock", "1_000", "180 days", "--account", "test:5"))
    kick = (stake_cli, "kick", "test:5", str(lock_id), "--account", "test:8")
    height = chain.blocks.height
    _refused(run(*kick), f"lock {lock_id} of {owner.address} has not expired: kickable in ")
    assert chain.blocks.height == height
    mine_at(gmflock.lockInfo(owner, lock_id).end)
    info, balance = gmflock.lockInfo(owner, lock_id), gmflock.balanceOf(owner)
    boost = info.gm - info.amount
    assert boost > 0
    kicked = _ok(run(*kick))
    assert f"kicked lock {lock_id} of {owner.address}: burned {format_token(boost)} gmFLOCK" in kicked
    assert f"the lock now holds {format_token(info.amount)} gmFLOCK" in kicked
    assert gmflock.balanceOf(owner) == balance - boost and gmflock.lockInfo(owner, lock_id).gm == info.amount
    height = chain.blocks.height
    _refused(run(*kick), f"lock {lock_id} of {owner.address} has no boost left")
    assert chain.blocks.height == height


REPORT = b"\x07" * 32


def _accepted_roots(
    funded, token, gmflock, tasks, emissions, manifest, keeper, oracles, api, slasher, rewards
):
    """An approved AI Arena task earning in epoch ``e``; a minute into epoch e + 1, the oracles (test
    accounts 10 and 11, quorum 2) have accepted a reward root paying 1 FLOCK and a slash root of two
    leaves for (task, e), and, as the gateway operators, a usage report of epoch e charging 10 FLOCK.
    Returns (task, e)."""
    creator, node, user = funded[:3]
    for member in (creator, node):
        token.approve(gmflock, 20_000 * WAD, sender=member)
        gmflock.lock(20_000 * WAD, 365 * DAY, sender=member)
    tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("veto"), "ipfs://veto", 0, 0, sender=creator)
    task = tasks.taskCount()
    tasks.join(task, Role.NODE, 5_000 * WAD, 3_000, sender=node)
    tasks.approveTask(task, sender=impersonate(manifest.address("timelock")))
    epoch = emissions.currentEpoch() + 1
    for opened in (epoch, epoch + 1):
        mine_at(emissions.genesis() + opened * emissions.epochLength() + 60)
        emissions.checkpoint(sender=keeper)
    token.approve(api, 100 * WAD, sender=user)
    api.deposit(100 * WAD, sender=user)
    for oracle in oracles:
        rewards.postRoot(task, epoch, b"\x11" * 32, WAD, 0, REPORT, sender=oracle)
        slasher.postSlashRoot(task, epoch, b"\x22" * 32, 2, REPORT, sender=oracle)
        api.postUsage(epoch, b"\x33" * 32, 10 * WAD, REPORT, sender=oracle)
    return task, epoch


def test_a_guardian_lists_and_vetoes_what_is_in_its_challenge_window(
    run, funded, token, gmflock, tasks, emissions, rewards, manifest, project, accounts, chain
):
    slasher = project.ArenaSlasher.at(manifest.address("slasher"))
    api = project.ApiCredits.at(manifest.address("api"))
    contracts = (funded, token, gmflock, tasks, emissions, manifest, accounts[8], accounts[10:12])
    task, epoch = _accepted_roots(*contracts, api, slasher, rewards)

    listed = _ok(run(oracle_cli, "vetoable"))
    window = relative_time(rewards.epochRewards(task, epoch).finalizesAt, head_time())
    assert f"reward root of task {task} epoch {epoch} (0x{'11' * 32}): pays 1.00 FLOCK; " in listed
    assert f"vetoable until its window closes {window}" in listed
    assert f"`ape run oracle veto rewards --task {task} --epoch {epoch} --account GUARDIAN`" in listed
    assert f"slash root of task {task} epoch {epoch} (0x{'22' * 32}): lists 2 slash(es)" in listed
    assert f"usage report of epoch {epoch} (0x{'33' * 32}): charges 10.00 FLOCK" in listed

    def veto(kind: str, *where: str):
        return run(oracle_cli, "veto", kind, *where, "--epoch", str(epoch), "--account", "test:8")

    on_task = ("--task", str(task))
    height = chain.blocks.height
    _refused(veto("usage"), "is not a guardian: only GUARDIAN_ROLE holders of RewardDistributor")
    _refused(veto("slashes", *on_task), "is not a guardian: only GUARDIAN_ROLE holders of ArenaSlasher")
    assert chain.blocks.height == height

    timelock = impersonate(manifest.address("timelock"))
    for contract in (rewards, slasher):  # governance appoints test:8 a guardian of both
        contract.grantRole(contract.GUARDIAN_ROLE(), accounts[8], sender=timelock)
    unallocated = rewards.unallocatedOf(task)
    vetoed = _ok(veto("rewards", *on_task))
    assert f"vetoed the reward root of task {task} epoch {epoch} (0x{'11' * 32}): pays 1.00 FLOCK" in vetoed
    assert "1.00 FLOCK back in the task's pool (unallocated)" in vetoed
    assert "round 1 is open: the oracles post again" in vetoed
    after = rewards.epochRewards(task, epoch)
    assert (after.status, after.round) == (Status.OPEN, 1)
    assert rewards.unallocatedOf(task) == unallocated + WAD
    assert f"vetoed the slash root of task {task} epoch {epoch}" in _ok(veto("slashes", *on_task))
    report = slasher.reportOf(task, epoch)
    assert (report.status, report.round) == (SlashStatus.OPEN, 1)
    usage = _ok(veto("usage"))
    assert f"vetoed the usage report of epoch {epoch}" in usage and "gateway operators post again" in usage
    assert (api.settlementOf(epoch).status, api.settlementOf(epoch).round) == (0, 1)
    assert "nothing to veto" in _ok(run(oracle_cli, "vetoable"))

    height = chain.blocks.height
    nothing = f"task {task} epoch {epoch} has no accepted reward root to veto: no root reached quorum"
    _refused(veto("rewards", *on_task), nothing)
    assert chain.blocks.height == height
    for oracle in accounts[10:12]:  # the oracles post again; the guardian lets the window pass
        slasher.postSlashRoot(task, epoch, b"\x44" * 32, 1, REPORT, sender=oracle)
    mine_at(slasher.reportOf(task, epoch).executableAt)
    height = chain.blocks.height
    closed = f"the challenge window of task {task} epoch {epoch}'s slash root closed at "
    _refused(veto("slashes", *on_task), closed)
    assert chain.blocks.height == height and slasher.reportOf(task, epoch).status == SlashStatus.ACCEPTED


def test_vetoable_scans_only_the_blocks_of_the_challenge_window(
    run, funded, token, gmflock, tasks, emissions, rewards, manifest, project, accounts, chain
):
    """A root accepted before the window that ends now is not even scanned (the scan starts at the
    first block of the window, found by block time); one accepted inside it is listed."""
    slasher = project.ArenaSlasher.at(manifest.address("slasher"))
    api = project.ApiCredits.at(manifest.address("api"))
    contracts = (funded, token, gmflock, tasks, emissions, manifest, accounts[8], accounts[10:12])
    task, epoch = _accepted_roots(*contracts, api, slasher, rewards)
    old = chain.blocks.height  # the block of the last of these acceptances
    window = rewards.rewardParameters()[0]
    mine_at(rewards.epochRewards(task, epoch).finalizesAt + 60)  # their windows have closed
    for oracle in accounts[10:12]:  # the next epoch's root, accepted now
        rewards.postRoot(task, epoch + 1, b"\x55" * 32, WAD, 0, REPORT, sender=oracle)
    new = chain.blocks.height

    listed = _ok(run(oracle_cli, "vetoable"))
    first = first_block_at(head_time() - window)
    assert old < first <= new and chain.blocks[first - 1].timestamp < head_time() - window
    assert f"scanned blocks {first:,} to {new:,} ({new - first + 1:,} blocks; " in listed
    assert "what was accepted within the challenge window of 1 d: from " in listed
    assert f"reward root of task {task} epoch {epoch + 1} (0x{'55' * 32})" in listed
    assert "11" * 32 not in listed and "22" * 32 not in listed and "33" * 32 not in listed

    given = _ok(run(oracle_cli, "vetoable", "--from-block", str(old)))  # scanned, closed: not listed
    assert f"scanned blocks {old:,} to {new:,} ({new - old + 1:,} blocks; --from-block {old:,})" in given
    assert "55" * 32 in given and "11" * 32 not in given and "33" * 32 not in given
    height = chain.blocks.height
    _refused(run(oracle_cli, "vetoable", "--from-block", str(height + 1)), "is past the head of the chain")
    mine_at(rewards.epochRewards(task, epoch + 1).finalizesAt)
    closed = _ok(run(oracle_cli, "vetoable"))
    assert "nothing to veto" in closed and "55" * 32 not in closed


def test_first_block_at_finds_the_first_block_at_or_after_a_time(chain):
    for gap in (1, 1, 7, 100, 2, 3_600, 1):
        mine_at(head_time() + gap)
    head = chain.blocks.height
    low = head - 9
    times = {n: chain.blocks[n].timestamp for n in range(low, head + 1)}
    for n in range(low, head + 1):
        for t in (times[n] - 1, times[n], times[n] + 1):
            expected = next((m for m in range(low, head + 1) if times[m] >= t), head + 1)
            assert first_block_at(t, low, head) == expected, (n, t)
            assert first_block_at(t, low) == expected  # up to the head by default
    assert first_block_at(times[head] + 1) == head + 1  # every block is older: nothing to scan
    assert first_block_at(0) == 0
    assert first_block_at(times[low], low + 3, head) == low + 3  # never before ``low``
    assert first_block_at(0, head, head - 1) == head  # an empty range


def test_a_task_epochs_commitments_are_scanned_in_its_submit_to_commit_phases(emissions, submissions, chain):
    epoch = emissions.currentEpoch() + 2
    phases = submissions.schedule(epoch)
    mine_at(phases.start - 1)
    before = chain.blocks.height
    assert commit_blocks(submissions, epoch).empty  # not started: nothing to scan
    for at in (phases.start, phases.submitEnd, phases.commitEnd - 1, phases.commitEnd, phases.revealEnd):
        mine_at(at)
    blocks = commit_blocks(submissions, epoch, deployed=before - 50)
    assert (blocks.first, blocks.last) == (before + 1, before + 3)
    assert blocks.line().startswith(f"scanned blocks {before + 1:,} to {before + 3:,} (3 blocks; ")
    assert f"epoch {epoch}'s submit to commit phases: {utc(phases.start)} to {utc(phases.commitEnd)}" in (
        blocks.line()
    )
    assert commit_blocks(submissions, epoch, deployed=before + 2).first == before + 2


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (stake_cli, ["lock", "ten", "30 days"], "amount 'ten' is not an amount"),
        (stake_cli, ["lock", "10", "5 parsecs"], "not a duration: '5 parsecs'"),
        (stake_cli, ["lock", "10", "1 day"], "a lock lasts"),
        (stake_cli, ["lock", "100_000_000", "90 days"], "less than the 100,000,000.00 to lock"),
        (stake_cli, ["unlock", "7"], "has no lock 7"),
        (stake_cli, ["extend", "3", "1 year"], "has no lock 3"),
        (stake_cli, ["kick", "test:1", "99"], "lock 99 of 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        (stake_cli, ["kick", "nobody", "0"], "'nobody' is not an address"),
        (tasks_cli, ["join", "999", "node", "5_000"], "task 999 does not exist"),
        (tasks_cli, ["join", "1", "node", "5_000", "--sigma", "150%"], "--sigma 150% must be a percentage"),
        (tasks_cli, ["create", "--duration", "1000 days", "--spec", "x"], "a task lasts"),
        (tasks_cli, ["release", "999"], "task 999 does not exist"),
        (tasks_cli, ["undelegate", "999"], "task 999 does not exist"),
        (tasks_cli, ["add-stake", "999", "10"], "task 999 does not exist"),
        (tasks_cli, ["add-stake", "1", "ten"], "amount 'ten' is not an amount"),
        (tasks_cli, ["sigma", "999", "30%"], "task 999 does not exist"),
        (tasks_cli, ["sigma", "1", "150%"], "sigma 150% must be a percentage"),
        (tasks_cli, ["slash-unrevealed", "999", "1"], "task 999 does not exist"),
        (tasks_cli, ["sync", "999", "test:1"], "task 999 does not exist"),
        (tasks_cli, ["sync", "1", "nobody"], "'nobody' is not an address"),
        (tasks_cli, ["route-slash-pot", "999"], "task 999 does not exist"),
        (tasks_cli, ["end", "999"], "task 999 does not exist"),
        (tasks_cli, ["evict", "999", "test:1"], "task 999 does not exist"),
        (tasks_cli, ["pull-emissions", "999"], "task 999 does not exist"),
        (tasks_cli, ["sweep", "999"], "task 999 does not exist"),
        (tasks_cli, ["withdraw"], "has no FL Alliance credits to withdraw: nothing is owed"),
        (tasks_cli, ["withdraw", "--to", "nowhere"], "'nowhere' is not an address"),
        (tasks_cli, ["credits", "0x1234"], "'0x1234' is not an address"),
        (oracle_cli, ["veto", "rewards", "--task", "999", "--epoch", "1"], "task 999 does not exist"),
        (oracle_cli, ["veto", "slashes", "--epoch", "1"], "veto slashes needs --task"),
        (oracle_cli, ["veto", "usage", "--epoch", "1"], "is not a guardian"),
        (
            oracle_cli,
            ["veto", "usage", "--task", "1", "--epoch", "1"],
            "per epoch, for every task: drop --task 1",
        ),
        (stake_cli, ["lock", "10", "30 days", "--network", "base:sepolai:node"], "unknown network"),
        (stake_cli, ["lock", "10", "30 days", "--network", "foo"], "no ecosystem 'foo'"),
    ],
)
def test_bad_input_is_one_line_and_sends_nothing(run, funded, chain, command, args, message):
    height = chain.blocks.height
    result = run(command, *args, "--account", "test:9")
    _refused(result, message)
    assert chain.blocks.height == height


def test_an_unchecked_revert_is_one_line_without_a_call_trace(run, capfd, chain):
    """A revert the tool does not pre-check (votes delegated to the zero address) is its custom
    error by name: no call trace on the real stdout before it."""
    capfd.readouterr()
    result = run(stake_cli, "delegate", "burn", "--account", "test:9")
    _refused(result, "GmFlockZeroDelegate()")
    assert "Call trace" not in capfd.readouterr().out


def test_every_command_documents_an_example():
    for group in (stake_cli, tasks_cli, vesting_cli):
        assert "Example" in group.help
        for command in group.commands.values():
            assert "ape run" in (command.help or ""), command.name
    assert "ape run checkpoint" in checkpoint_cli.help
    for name in ("vetoable", "veto"):
        assert "ape run oracle" in oracle_cli.commands[name].help


def test_the_cached_key_warning_is_shown_once():
    import logging

    from flock.cli.accounts import _cached_key_warning_once

    log = logging.getLogger("flock-test-once")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    log.addHandler(handler)
    _cached_key_warning_once(log)
    _cached_key_warning_once(log)  # idempotent
    for _ in range(49):
        log.warning("Using cached key for %s", "deployer")
    log.warning("something else")
    assert [r.getMessage() for r in records] == ["Using cached key for deployer", "something else"]


@pytest.mark.parametrize(
    "choice",
    [
        "ethereum:local:foundry",
        "base:rehearsal:http://127.0.0.1:8545",
        "http://127.0.0.1:8545",
        "base:sepolia",
    ],
)
def test_valid_network_choices_pass_the_check(choice):
    from flock.cli import check_network_choice

    check_network_choice(choice)  # no error: URIs as providers, or alone, are ape's too
