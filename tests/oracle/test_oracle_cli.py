"""`ape run oracle`, `ape run train` and `ape run validate`, in process on the test chain: the whole
cycle through the command lines, and one clear line (never a traceback) for every bad input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flock.chain.clock import head_time, mine_at
from flock.clients.cli import train_cli, validate_cli
from flock.clients.validator import reveal_blocks
from flock.ops.cli import checkpoint_cli
from flock.oracle.cli import cli as oracle_cli
from flock.oracle.merkle import keccak
from flock.oracle.run import accepted_report_hash

NETWORK = "ethereum:local:foundry"


@pytest.fixture
def run(manifest_file):
    def invoke(command, *args: str):
        result = CliRunner().invoke(command, [*args, "--network", NETWORK, "--manifest", str(manifest_file)])
        assert "Traceback" not in result.output
        return result

    return invoke


def _epoch_args(played, store=None) -> list[str]:
    return [
        "--task",
        str(played.task),
        "--epoch",
        str(played.epoch),
        "--store",
        str(store or played.store.root),
    ]


def test_compute_post_verify_finalize_claim(run, played, token, accounts, tmp_path):
    computed = run(oracle_cli, "compute", *_epoch_args(played))
    assert computed.exit_code == 0, computed.output
    assert "consensus BPC" in computed.output and "report stored as 0x" in computed.output
    blocks = played.view.epoch_blocks(played.epoch)
    assert f"the epoch's events: {blocks.line()}" in " ".join(computed.output.split())

    first = run(oracle_cli, "post", *_epoch_args(played), "--account", "test:10")
    assert first.exit_code == 0, first.output
    assert "1 oracle(s) agree" in first.output
    second = run(oracle_cli, "post", *_epoch_args(played), "--account", "test:11")
    assert "accepted" in second.output
    checked = run(oracle_cli, "verify", *_epoch_args(played))
    assert checked.exit_code == 0 and "match" in checked.output and "MISMATCH" not in checked.output
    assert "within budget" in checked.output and "OVER BUDGET" not in checked.output

    # Someone with a different store (one score file missing) disagrees, and says so in one line.
    lacking = tmp_path / "lacking"
    lacking.mkdir()
    for path in played.store.root.iterdir():
        lacking.joinpath(path.name).write_bytes(path.read_bytes())
    data = played.view.read(played.task, played.epoch)
    lacking.joinpath(data.reveals[0].file_hash).unlink()
    mismatch = run(oracle_cli, "verify", *_epoch_args(played, lacking))
    assert mismatch.exit_code == 1 and "MISMATCH" in mismatch.output

    rewards = played.view.rewards
    mine_at(rewards.epochRewards(played.task, played.epoch).finalizesAt)
    final = run(oracle_cli, "finalize", "--task", str(played.task), "--epoch", str(played.epoch))
    assert final.exit_code == 0, final.output
    node = str(played.nodes[1])
    before = token.balanceOf(node)
    claimed = run(oracle_cli, "claim", *_epoch_args(played), "--for", node, "--account", "test:1")
    assert claimed.exit_code == 0, claimed.output
    assert token.balanceOf(node) > before
    again = run(oracle_cli, "claim", *_epoch_args(played), "--for", node, "--account", "test:1")
    assert again.exit_code == 1 and "claimed already" in again.output

    written = run(oracle_cli, "report", *_epoch_args(played), "--out", str(tmp_path / "r"))
    assert written.exit_code == 0
    assert (tmp_path / "r" / "report.json").is_file() and (tmp_path / "r" / "tree.json").is_file()
    # The file's bytes hash to the printed report hash, the one posted on chain (issue 13).
    digest = "0x" + keccak((tmp_path / "r" / "report.json").read_bytes()).hex()
    assert f"keccak256 {digest}" in " ".join(written.output.split())
    assert digest == "0x" + accepted_report_hash(played.view, played.task, played.epoch).hex()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "--task", "999", "--epoch", "{epoch}"], "task 999 does not exist"),
        (["compute", "--task", "{task}", "--epoch", "10000"], "still open"),
        (["post", "--task", "{task}", "--epoch", "{epoch}", "--account", "test:3"], "not in the oracle set"),
        (["claim", "--task", "{task}"], "--epoch is required"),
        (["verify", "--task", "{task}", "--epoch", "{epoch}"], "nothing posted"),
    ],
)
def test_bad_input_is_one_clear_line(run, played, args, message):
    args = [a.format(task=played.task, epoch=played.epoch) for a in args]
    result = run(oracle_cli, *args, "--store", str(played.store.root))
    assert result.exit_code != 0
    assert message in result.output


def test_train_and_validate_in_their_phases(run, played, tmp_path):
    """The next epoch of the same task, through the node's and a validator's command lines."""
    submissions = played.view.submissions
    store, journal = str(played.store.root), str(tmp_path / "journal")
    epoch = played.epoch + 1
    common = ["--task", str(played.task), "--store", store]
    assert run(checkpoint_cli, "--account", "test:9").exit_code == 0  # epoch {epoch} pays only once opened
    node = [*common, "--journal", journal, "--shard", "0", "--shards", "3"]
    trained = run(train_cli, *node, "--order", "3", "--account", "test:2")
    assert trained.exit_code == 0, trained.output
    assert f"epoch {epoch}" in trained.output and "committed" in trained.output
    twice = run(train_cli, *node, "--account", "test:2")
    assert twice.exit_code == 1 and "already committed" in twice.output
    early = run(validate_cli, *common, "--journal", journal, "--account", "test:5")
    assert early.exit_code == 1 and "submit phase" in early.output

    mine_at(max(head_time() + 1, submissions.schedule(epoch).submitEnd + 60))
    late = run(
        train_cli, *common, "--journal", journal, "--shard", "1", "--shards", "3", "--account", "test:3"
    )
    assert late.exit_code == 1 and "no journaled model commitment" in late.output
    shown = run(train_cli, *node, "--account", "test:2")
    assert shown.exit_code == 0 and "revealed" in shown.output, shown.output
    assert int.from_bytes(bytes(submissions.submissionOf(played.task, epoch, played.nodes[0])), "big")
    mine_at(max(head_time() + 1, submissions.schedule(epoch).modelRevealEnd + 60))
    late = run(train_cli, *node, "--account", "test:3")
    assert late.exit_code == 1 and "commit phase" in late.output
    committed = run(validate_cli, *common, "--journal", journal, "--account", "test:5")
    assert committed.exit_code == 0 and "committed" in committed.output, committed.output
    scanned = f"the models revealed: {reveal_blocks(submissions, epoch, played.view.first_block()).line()}"
    assert scanned in " ".join(committed.output.split())
    mine_at(max(head_time() + 1, submissions.schedule(epoch).commitEnd + 60))
    revealed = run(validate_cli, *common, "--journal", journal, "--account", "test:5")
    assert revealed.exit_code == 0 and "revealed" in revealed.output, revealed.output
    assert int.from_bytes(
        bytes(submissions.scoresOf(played.task, epoch, played.validators[0]).fileHash), "big"
    )
    hf = run(validate_cli, *common, "--journal", journal, "--account", "test:6", "--evaluator", "hf")
    assert hf.exit_code != 0 and "transformers" in hf.output


def test_slashes_lists_posts_and_executes(run, played, admin):
    """`oracle slashes`: the lazy validator beyond a one-epoch deviation rule, listed, posted by two
    oracles, executed after the challenge window by anyone."""
    from flock.oracle.run import compute_on_chain
    from flock.oracle.scoring import mean_distances

    slasher = played.view.slasher
    listed = run(oracle_cli, "slashes", *_epoch_args(played))
    assert listed.exit_code == 0 and "no fault to report" in listed.output, listed.output
    computed = compute_on_chain(played.view, played.store, played.task, played.epoch)
    distances = mean_distances(computed.assembled.inputs, computed.result.consensus)
    params = list(slasher.slashParameters())
    params[5] = int(2 * max(distances[str(v).lower()] for v in played.validators[:2]) * 10_000) + 1
    params[6] = 1
    slasher.setSlashParameters(params, sender=admin)
    lazy = str(played.validators[2]).lower()
    for oracle in ("test:10", "test:11"):
        posted = run(oracle_cli, "slashes", *_epoch_args(played), "--post", "--account", oracle)
        assert posted.exit_code == 0 and f"0: {lazy} deviation" in posted.output, posted.output
    assert "accepted" in posted.output
    early = run(oracle_cli, "slashes", *_epoch_args(played), "--execute", "--account", "test:9")
    assert early.exit_code == 1 and "SlasherNotExecutable" in early.output
    mine_at(max(head_time() + 1, slasher.reportOf(played.task, played.epoch).executableAt))
    executed = run(oracle_cli, "slashes", *_epoch_args(played), "--execute", "--account", "test:9")
    assert executed.exit_code == 0 and "executed 1 slash(es)" in executed.output, executed.output
