"""What a new operator gets wrong, in process on the session's deployment: a task id that does not
exist is said before anything else (no epoch named for it); no epoch over yet is said so; a
reading command wants no key for an ADDRESS; a node that does not answer is one line."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from flock.cli import UserError, load_viewer, shown_account
from flock.ops.cli import stake_cli, token_cli
from flock.oracle.chain import ChainView
from flock.oracle.cli import cli as oracle_cli
from flock.oracle.errors import OracleError
from flock.rewards import Phase
from flock.tasks import no_such_task


@pytest.fixture
def run(manifest, manifest_file):  # the session deployment, written to manifest_file
    def invoke(command, *args: str):
        result = CliRunner(mix_stderr=False).invoke(command, [*args, "--manifest", str(manifest_file)])
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return invoke


@pytest.mark.parametrize(
    "args",
    [
        ["compute", "--task", "999"],
        ["verify", "--task", "999"],
        ["report", "--task", "999"],
        ["post", "--task", "999"],
        ["slashes", "--task", "999"],
        ["finalize", "--task", "999", "--epoch", "0", "--account", "test:9"],
        ["claim", "--task", "999", "--epoch", "0", "--account", "test:9"],
    ],
    ids=lambda a: a[0],
)
def test_an_oracle_command_on_a_task_that_does_not_exist_says_so_first(run, chain, tasks, args):
    height = chain.blocks.height
    result = run(oracle_cli, *args)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.strip() == f"error: {no_such_task(999, tasks.taskCount())}"
    assert result.stdout == "" and chain.blocks.height == height  # no "epoch -1 (the latest that is over)"


class _Submissions:
    def __init__(self, epoch: int, phase: Phase, ends: int) -> None:
        self.now = (epoch, int(phase), ends)

    def currentPhase(self):  # the contract's name
        return self.now


def _view(submissions: _Submissions) -> ChainView:
    keys = ("tasks", "emissions", "submissions", "rewards")
    return ChainView(SimpleNamespace(keys=keys, contract=lambda key: submissions))


def test_no_epoch_is_over_before_epoch_0s_phases_end(chain):
    ends = chain.blocks.head.timestamp + 3_600
    with pytest.raises(OracleError, match="no epoch is over yet: epoch 0's model reveal phase ends in 1 h"):
        _view(_Submissions(0, Phase.MODEL_REVEAL, ends)).latest_ended_epoch()
    assert _view(_Submissions(0, Phase.CLOSED, ends)).latest_ended_epoch() == 0
    assert _view(_Submissions(5, Phase.REVEAL, ends)).latest_ended_epoch() == 4


LIVE = SimpleNamespace(network=SimpleNamespace(name="sepolia"))
LOCAL = SimpleNamespace(network=SimpleNamespace(name="local"))


def test_a_reading_command_needs_no_key_for_an_address(accounts):
    assert load_viewer(None, LIVE) is None  # no --account on a live network: nothing to load
    assert load_viewer(None, LOCAL) == str(accounts[0].address)
    assert load_viewer("test:3", LOCAL) == str(accounts[3].address)
    address = str(accounts[2].address)
    assert shown_account(address, None, lambda a: a.upper(), "base:sepolia:node") == address.upper()
    assert shown_account(None, address, str, "base:sepolia:node") == address
    with pytest.raises(UserError, match=r"whose\? give an ADDRESS, or --account to read your own"):
        shown_account(None, None, str, "base:sepolia:node")


@pytest.mark.parametrize(
    ("command", "args"),
    [(token_cli, ["balance"]), (stake_cli, ["show"])],
    ids=["token balance", "stake show"],
)
def test_a_reading_command_on_a_local_chain_shows_test_account_0(run, accounts, command, args):
    result = run(command, *args)
    assert result.exit_code == 0, result.stderr
    assert str(accounts[0].address) in result.stdout


def test_a_node_that_does_not_answer_is_one_line(run, chain):
    height = chain.blocks.height
    result = run(token_cli, "balance", "--network", "ethereum:local:http://127.0.0.1:1")
    assert result.exit_code == 1, result.stdout + result.stderr
    uri = "http://127.0.0.1:1"
    expected = f"error: network ethereum:local:{uri}: no node answers at {uri}: is it running?"
    assert result.stderr.strip() == expected
    assert chain.blocks.height == height


def test_a_number_too_large_for_the_contract_is_one_line(run, chain):
    height, huge = chain.blocks.height, str(2**256)
    result = run(stake_cli, "kick", "test:1", huge, "--account", "test:9")
    assert result.exit_code == 1, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {huge[:76]}") and "is too large" in line, line
    assert line.endswith("the contract takes a whole number from 0 to 2**256 - 1 there")
    assert chain.blocks.height == height
