"""`ape run deploy` end to end: a real anvil started by the command, the manifest it writes, and the
errors a user gets for bad input."""

import json

from flock.testing.commands import run_ape


def test_deploy_writes_a_complete_manifest(tmp_path):
    manifest_file = tmp_path / "manifest.json"
    result = run_ape("deploy", "--manifest", str(manifest_file))
    assert result.returncode == 0, result.stderr
    manifest = json.loads(manifest_file.read_text())
    assert manifest["complete"] is True
    assert manifest["chain_id"] == 31337
    assert manifest["network"] == "ethereum:local:foundry"
    assert manifest["compiler"]["version"].startswith("0.8.28")
    assert manifest["compiler"]["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert len(manifest["git_commit"]) == 40
    assert manifest["pending"] is None
    for key in ("token", "gmflock"):
        record = manifest["contracts"][key]
        assert record["address"].startswith("0x") and len(record["address"]) == 42
        assert record["tx_hash"].startswith("0x")
        assert record["block"] >= 1
    token_args = manifest["contracts"]["token"]["constructor_args"]
    assert token_args[0] == manifest["deployer"]
    assert token_args[1][0] == manifest["contracts"]["timelock"]["address"]  # the treasury first
    assert token_args[2] == [300_000_000 * 10**18] + [5_000_000 * 10**18] * 102
    assert (
        manifest["contracts"]["gmflock"]["constructor_args"][0] == manifest["contracts"]["token"]["address"]
    )


def test_bad_config_is_one_clear_line(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("gmflock:\n  withdrawal_fee_bps: 9000\n  boost_flor: 3 days\n")
    result = run_ape("deploy", "--config", str(config), "--manifest", str(tmp_path / "m.json"))
    assert result.returncode != 0
    assert "withdrawal_fee_bps" in result.stderr and "boost_flor" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "m.json").exists()


def test_live_network_needs_an_account(tmp_path):
    result = run_ape("deploy", "--network", "base:sepolia:node", "--manifest", str(tmp_path / "m.json"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
