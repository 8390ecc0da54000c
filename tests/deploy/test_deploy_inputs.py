"""`ape run deploy` and the manifests other commands read, in process: `--fresh` keeps the old
record and refuses a complete deployment unless asked twice; every bad input is one line (what
happened, what to do), exit status 1, and nothing written."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pytest
from click.testing import CliRunner

from flock.chain.manifest import Manifest
from flock.deploy.ape_backend import DeployError, deploy_protocol
from flock.paths import CONFIG_DIR, PROJECT_ROOT

LOCAL_CONFIG = CONFIG_DIR / "ethereum-local.yaml"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_script", PROJECT_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _script(name: str):
    return _module(name).cli


def _invoke(name: str, *args: str):
    result = CliRunner(mix_stderr=False).invoke(_script(name), list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def _one_line_error(result, message: str) -> None:
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr


@pytest.fixture
def complete_copy(manifest, manifest_file, tmp_path):
    """A copy of the session's complete deployment record."""
    path = tmp_path / "deployment.json"
    shutil.copy(manifest_file, path)
    return path


def test_fresh_refuses_a_complete_deployment_unless_asked_twice(complete_copy, chain):
    before, height = complete_copy.read_text(), chain.blocks.height
    once = _invoke("deploy", "--manifest", str(complete_copy), "--fresh")
    _one_line_error(once, "records a complete deployment")
    assert "--fresh twice" in once.stderr and "warning" not in once.stdout
    assert complete_copy.read_text() == before and chain.blocks.height == height
    assert list(complete_copy.parent.iterdir()) == [complete_copy]


def test_fresh_twice_keeps_the_old_record_aside(complete_copy, deployer):
    before, notes = complete_copy.read_text(), []
    manifest = deploy_protocol(
        deployer, LOCAL_CONFIG, fresh=2, plan=[], manifest_file=complete_copy, on_note=notes.append
    )
    [kept] = [p for p in complete_copy.parent.iterdir() if ".replaced-" in p.name]
    assert kept.read_text() == before and f"kept the previous record as {kept}" in notes
    assert manifest.complete and not manifest.contracts  # the (empty) plan ran on a new record


def test_another_local_chains_record_is_kept_aside_not_overwritten(complete_copy, deployer):
    """`ape run deploy --manifest M` on a local chain where M records another one (a persistent anvil
    of a colleague's, say): deployed anew, the old record kept; the demo's and the benchmarks'
    fresh deploys of throwaway chains overwrite theirs."""
    data = json.loads(complete_copy.read_text())
    data["chain_id"] = 1337
    other = json.dumps(data)
    complete_copy.write_text(other)
    notes = []
    deploy_protocol(
        deployer, LOCAL_CONFIG, fresh=0, plan=[], manifest_file=complete_copy, on_note=notes.append
    )
    [kept] = [p for p in complete_copy.parent.iterdir() if ".replaced-" in p.name]
    assert kept.read_text() == other and f"kept the previous record as {kept}" in notes
    assert Manifest.load(complete_copy).chain_id == 31337
    kept.unlink()
    complete_copy.write_text(other)
    deploy_protocol(deployer, LOCAL_CONFIG, fresh=1, plan=[], manifest_file=complete_copy)
    assert list(complete_copy.parent.iterdir()) == [complete_copy]


def test_fresh_starts_an_unfinished_deployment_over_keeping_it(complete_copy, deployer):
    data = json.loads(complete_copy.read_text())
    data["complete"] = False
    complete_copy.write_text(json.dumps(data))
    notes = []
    deploy_protocol(
        deployer, LOCAL_CONFIG, fresh=1, plan=[], manifest_file=complete_copy, on_note=notes.append
    )
    assert any("kept the previous record" in n for n in notes)


def test_a_changed_config_on_a_complete_deployment_points_to_governance(complete_copy, deployer, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        LOCAL_CONFIG.read_text().replace("challenge_window: 1 day", "challenge_window: 2 days")
    )
    with pytest.raises(DeployError, match="change parameters through governance") as caught:
        deploy_protocol(deployer, changed, plan=[], manifest_file=complete_copy)
    assert "--fresh" not in str(caught.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--network", "base:sepolai:node"],
            "unknown network 'base:sepolai:node': base has no network 'sepolai'",
        ),
        (["--network", "foo"], "no ecosystem 'foo'"),
        (["--config", "{bad_yaml}"], "bad.yaml, line 3, column 8: not valid YAML: expected ','"),
        (["--config", "{missing}"], "not found"),
        (["--account", "nobody-here"], "no ape account named 'nobody-here'"),
    ],
)
def test_bad_deploy_input_is_one_line(tmp_path, chain, args, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text("gmflock:\n  withdrawal_fee_bps: [1\n  boost: {\n")
    args = [a.format(bad_yaml=bad, missing=tmp_path / "none.yaml") for a in args]
    height, target = chain.blocks.height, tmp_path / "m.json"
    result = _invoke("deploy", *args, "--manifest", str(target))
    _one_line_error(result, message)
    if "network" in message:
        assert "config" not in result.stderr  # not a missing config file named after the typo
    assert not target.exists() and chain.blocks.height == height
    assert "warning" not in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not a deployment manifest: not valid JSON"),
        (
            '{"network": "ethereum:local:foundry"}',
            "is not a complete deployment manifest: chain_id: field required",
        ),
    ],
)
def test_a_damaged_manifest_is_named(tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    result = _invoke("dao", "list", "--manifest", str(path))
    _one_line_error(result, f"{path} {message}")
    assert path.read_text() == text
    assert Manifest.load(tmp_path / "absent.json") is None


def test_ctrl_c_says_how_to_resume(tmp_path, monkeypatch):
    from flock.deploy import cli as module

    def interrupted(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "deploy_protocol", interrupted)
    target = tmp_path / "m.json"
    result = CliRunner(mix_stderr=False).invoke(module.cli, ["--manifest", str(target)])
    _one_line_error(result, f"interrupted: {target} records every step done so far; rerun the same command")


def test_the_deploy_cost_in_the_runbook_is_measured(manifest, chain):
    """docs/deploy.md's transaction count and gas, against the session's deployment (the local
    config deploys the same contracts and wiring as Base Sepolia's, give or take a few grants)."""
    import re

    text = (PROJECT_ROOT / "docs" / "deploy.md").read_text()
    count = int(re.search(r"sends (\d+) transactions", text).group(1))
    stated = float(re.search(r"the local config takes ([0-9.]+) M", text).group(1)) * 1e6
    hashes = [r.tx_hash for r in manifest.contracts.values()]  # upgradeable contracts: their proxies
    hashes += [r.tx_hash for r in manifest.implementations.values()]  # and their implementations
    hashes += [a.tx_hash for a in manifest.actions.values()]
    gas = sum(chain.provider.get_receipt(h).gas_used for h in hashes)
    assert len(hashes) == count, len(hashes)
    assert abs(gas - stated) / stated < 0.03, gas
