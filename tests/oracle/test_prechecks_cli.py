"""The clients and the oracle refuse before wasted work, in one line, writing nothing: a task epoch
without a budget (and why), the wrong role before training, a failed commit leaves no journal."""

from __future__ import annotations

import pytest
from ape.exceptions import ContractLogicError
from click.testing import CliRunner

from flock.chain.clock import head_time, mine_at
from flock.clients.cli import train_cli, validate_cli
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import Journal, commit
from flock.oracle.cli import cli as oracle_cli

NETWORK = "ethereum:local:foundry"


@pytest.fixture
def run(manifest_file):
    def invoke(command, *args: str):
        result = CliRunner(mix_stderr=False).invoke(
            command, [*args, "--network", NETWORK, "--manifest", str(manifest_file)]
        )
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return invoke


def _refused(result, *messages: str) -> None:
    assert result.exit_code == 1, result.stdout
    for message in messages:
        assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_unopened_epoch_is_named_before_training_scoring_or_computing(run, played, tmp_path):
    """The epoch after the played one has started but nobody called checkpoint(): every role is
    told so, and nothing is trained, stored or journaled."""
    store, journal = tmp_path / "store", tmp_path / "journal"
    common = ["--task", str(played.task), "--store", str(store)]
    trained = run(train_cli, *common, "--shard", "0", "--shards", "3", "--account", "test:2")
    _refused(trained, f"epoch {played.epoch + 1} was not opened", "ape run checkpoint")
    validated = run(validate_cli, *common, "--journal", str(journal), "--account", "test:5")
    _refused(validated, "was not opened")
    assert not store.exists() and not journal.exists()


def test_wrong_role_is_refused_before_training(run, played, tmp_path):
    store = tmp_path / "store"
    validator = run(
        train_cli, "--task", str(played.task), "--store", str(store), "--shard", "0", "--shards", "3",
        "--account", "test:5",
    )  # fmt: skip
    _refused(validator, "is a validator of task", "training needs a node")
    outsider = run(validate_cli, "--task", str(played.task), "--store", str(store), "--account", "test:9")
    _refused(outsider, "is not a member of task", "validation needs a validator")
    assert not store.exists()


def test_oracle_names_a_task_epoch_without_budget(run, played, tasks):
    """Epoch 0 came before the task was approved: no budget, and the reason says so."""
    result = run(oracle_cli, "compute", "--task", str(played.task), "--epoch", str(played.epoch - 1))
    _refused(result, f"has no budget in epoch {played.epoch - 1}", "not yet eligible")


def test_a_refused_commit_leaves_no_journal_entry(played, tmp_path, accounts):
    """A validator's commit that reverts on chain (here: an outsider's) must not stay journaled, or
    the next run would claim it was committed already."""
    submissions = played.view.submissions
    epoch = played.epoch + 1
    played.view.contract("emissions").checkpoint(sender=accounts[9])
    model = commit_model(submissions, played.task, train_and_store(played.store, 0, 3, 2), played.nodes[0])
    mine_at(max(head_time() + 1, submissions.schedule(epoch).submitEnd + 60))
    reveal_model(submissions, model, played.nodes[0])
    mine_at(max(head_time() + 1, submissions.schedule(epoch).modelRevealEnd + 60))
    journal = Journal(tmp_path / "journal")
    outsider = accounts[9]
    with pytest.raises(ContractLogicError):
        commit(submissions, journal, played.store, played.task, outsider, lazy_seed=1)
    assert journal.load(str(outsider.address), played.task, epoch) is None
