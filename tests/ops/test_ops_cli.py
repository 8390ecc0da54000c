"""`ape run stake`, `tasks`, `checkpoint`, `vesting`, in process on the session's anvil deployment:
each routine job through its real click command, and one clear line (never a traceback, nothing
sent) for each bad input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flock.chain.clock import advance
from flock.chain.local import impersonate
from flock.ops.cli import checkpoint_cli, stake_cli, tasks_cli, vesting_cli
from flock.prechecks import budget_check
from flock.units import DAY


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


def test_stake_task_and_keeper_jobs(run, funded, gmflock, tasks, emissions, manifest):
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

    opened = _ok(run(checkpoint_cli, "--account", "test:8"))
    assert f"opened epoch {epoch + 1}: minted" in opened and "FLOCK for" in opened
    assert budget_check(manifest_reader(manifest), task, epoch + 1).ok
    again = _ok(run(checkpoint_cli, "--account", "test:8"))
    assert f"nothing to open: epoch {epoch + 1} is open already" in again
    assert f"epoch {epoch + 2} starts in" in again and "UTC" in again

    early = run(tasks_cli, "release", str(task), "--account", "test:7")
    _refused(early, "dispute window")
    nothing = run(vesting_cli, "release", "--account", "test:7")
    _refused(nothing, "has no vesting rewards")
    still = run(stake_cli, "unlock", "0", "--account", "test:7")
    _refused(still, "lock 0 is unlockable in ")


def manifest_reader(manifest):
    from flock.chain.protocol import LiveProtocol

    return LiveProtocol(manifest)


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

    from flock.clikit import _cached_key_warning_once

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
    from flock.clikit import check_network_choice

    check_network_choice(choice)  # no error: URIs as providers, or alone, are ape's too
