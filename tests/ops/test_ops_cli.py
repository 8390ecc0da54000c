"""`ape run stake`, `tasks`, `checkpoint`, `vesting`, in process on the session's anvil deployment:
each routine job through its real click command (an FL Alliance participant's credits earned in a
real round, then withdrawn), and one clear line (never a traceback, nothing sent) for each bad
input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flock.alliance.chain import ApeClock, RoundDriver, owed_of, run_round
from flock.chain.clock import advance, head_time, mine_at
from flock.chain.local import impersonate
from flock.ops.cli import checkpoint_cli, stake_cli, tasks_cli, vesting_cli
from flock.prechecks import budget_check
from flock.rewards import model_commitment
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD, format_token, human_duration


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
    run, funded, gmflock, tasks, emissions, manifest, submissions, token, accounts
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

    # The keeper's provable slash: the node commits to a model in the next epoch, never reveals it.
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


def manifest_reader(manifest):
    from flock.chain.protocol import LiveProtocol

    return LiveProtocol(manifest)


def _credited_round(funded, token, gmflock, tasks, emissions, alliance, manifest, keeper):
    """An approved Alliance task with four participants (test:1 to test:4) and one settled round in
    which test:4 withholds its seed: the accepted proposers earn a reward (liquid) and a share of
    test:4's slash (to relock), the finalizer ``keeper`` its share (to relock). Returns the proposers."""
    members = funded[:4]
    for member in members:
        token.approve(gmflock, 10_000 * WAD, sender=member)
        gmflock.lock(10_000 * WAD, 365 * DAY, sender=member)
    spec = spec_hash("credits")
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, spec, "ipfs://credits", 2, 8, sender=members[0])
    task = tasks.taskCount()
    tasks.approveTask(task, sender=impersonate(manifest.address("timelock")))
    for member in members:
        tasks.join(task, Role.PARTICIPANT, tasks.stakeMinimums()[2], 0, sender=member)
    advance(DAY)
    emissions.checkpoint(sender=keeper)
    driver = RoundDriver(alliance, task, ApeClock(), keeper)
    proposers = run_round(driver, members, withhold_seed=(members[3].address,))["proposers"]
    driver.finalize()
    driver.settle(members)
    return proposers


def test_an_alliance_participant_sees_and_withdraws_its_credits(
    run, funded, token, gmflock, tasks, emissions, manifest, project, accounts, chain
):
    alliance = project.AllianceRounds.at(manifest.address("alliance"))
    keeper, recipient = accounts[8], accounts[9]
    proposers = _credited_round(funded, token, gmflock, tasks, emissions, alliance, manifest, keeper)
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


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        (stake_cli, ["lock", "ten", "30 days"], "amount 'ten' is not an amount"),
        (stake_cli, ["lock", "10", "5 parsecs"], "not a duration: '5 parsecs'"),
        (stake_cli, ["lock", "10", "1 day"], "a lock lasts"),
        (stake_cli, ["lock", "100_000_000", "90 days"], "less than the 100,000,000.00 to lock"),
        (stake_cli, ["unlock", "7"], "has no lock 7"),
        (stake_cli, ["extend", "3", "1 year"], "has no lock 3"),
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
        (tasks_cli, ["withdraw"], "has no FL Alliance credits to withdraw: nothing is owed"),
        (tasks_cli, ["withdraw", "--to", "nowhere"], "'nowhere' is not an address"),
        (tasks_cli, ["credits", "0x1234"], "'0x1234' is not an address"),
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
