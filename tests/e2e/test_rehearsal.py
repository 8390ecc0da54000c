"""`make rehearse-base` end to end (anvil posing as Base Sepolia: deploy, `deploy verify`, one
protocol epoch), and the refusals of `ape run epoch`."""

import json

from flock.rehearsal import BASE_SEPOLIA_CHAIN_ID, anvil_node, ensure_rehearsal_account, epoch_args
from flock.testing.commands import run_ape


def test_rehearsal_deploys_verifies_and_runs_an_epoch(tmp_path):
    manifest_file = tmp_path / "base-rehearsal.json"
    result = run_ape("rehearse", "--manifest", str(manifest_file))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = " ".join(result.stdout.split())
    assert "checks passed" in out and "MISMATCH" not in out
    assert "appoint the reward oracles (2 of 3)' executed through the timelock" in out
    assert "`verify` recomputes it: match" in out
    # the live upgrade: through a proposal, every value read back, the held-back leaf paid
    assert "upgraded rewards" in out and "nothing lost" in out
    assert "values of gmflock, tasks, rewards unchanged" in out
    assert "the root's unclaimed leaf paid" in out
    assert "rehearsal passed" in out
    manifest = json.loads(manifest_file.read_text())
    assert manifest["complete"] is True
    assert manifest["chain_id"] == BASE_SEPOLIA_CHAIN_ID


def test_epoch_refuses_a_live_network():
    result = run_ape("epoch", "--network", "base:sepolia:node", "--account", "rehearsal")
    assert result.returncode != 0
    assert "moves time and spends test accounts" in result.stderr
    assert "Traceback" not in result.stderr


def test_epoch_needs_a_complete_manifest(tmp_path):
    env = ensure_rehearsal_account()
    with anvil_node() as node:
        result = run_ape(*epoch_args(node, tmp_path / "missing.json"), env=env)
    assert result.returncode != 0
    assert "no complete deployment manifest" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
