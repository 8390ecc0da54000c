"""`ape run alliance` end to end: its own anvil, real training, the lineage check; and one clear line
for bad input."""

from flock.testing.commands import run_ape


def test_two_rounds_train_vote_slash_and_check_the_lineage(tmp_path):
    store = tmp_path / "store"
    result = run_ape("alliance", "--participants", "4", "--rounds", "2", "--store", str(store))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())  # rich wraps long lines
    assert "round 1: decided" in out and "round 2:" in out
    assert "p4 is malicious (label-flip)" in out
    assert "slashed p4" in out  # rejected as a proposer or on the losing side as a voter
    assert "lineage verified" in out
    # Every model named on chain is in the store, under its hash.
    assert len(list(store.iterdir())) >= 4


def test_bad_input_is_one_clear_line():
    result = run_ape("alliance", "--participants", "4", "--malicious", "9")
    assert result.returncode != 0
    assert "--malicious: expected none, last or a participant number 1..4, not '9'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    result = run_ape("alliance", "--dataset", "mnist")
    assert result.returncode != 0 and "mnist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
