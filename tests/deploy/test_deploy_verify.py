"""The deploy plan's handover and `ape run deploy verify` on the session's anvil deployment."""

from __future__ import annotations

import importlib.util

import pytest
import yaml
from click.testing import CliRunner

from flock.deploy.ape_backend import deploy_protocol
from flock.deploy.config import ConfigError, DeployConfig, load_config
from flock.deploy.plan import protocol_plan, roles_of
from flock.deploy.proxies import UPGRADEABLE
from flock.deploy.verify import verify_on_chain
from flock.paths import CONFIG_DIR, PROJECT_ROOT

LOCAL_CONFIG = PROJECT_ROOT / "config" / "ethereum-local.yaml"


def _failed(results) -> set[tuple[str, str]]:
    return {(r.group, r.subject) for r in results if not r.ok}


def _deploy_cli():
    spec = importlib.util.spec_from_file_location("deploy_script", PROJECT_ROOT / "scripts" / "deploy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


def test_fresh_deployment_verifies(manifest, manifest_file):
    results = verify_on_chain(manifest_file)
    assert results and all(r.ok for r in results), _failed(results)
    groups = {r.group for r in results}
    assert groups == {
        "code",
        "deployer holds nothing",
        "timelock is admin",
        "role holders",
        "parameters",
        "manifest role table",
        "genesis",
        "voting power",
        "upgrades",
    }
    assert {r.subject for r in results if r.group == "code"} == {
        *manifest.contracts,
        *(f"{key} implementation" for key in UPGRADEABLE),
        "rewards.potImplementation",
    }
    assert set(manifest.implementations) == set(UPGRADEABLE)
    assert all(
        manifest.contracts[key].implementation == manifest.implementations[key].address for key in UPGRADEABLE
    )


def test_different_code_at_an_address_fails(manifest, manifest_file, chain):
    # Put the token's code where gmFLOCK should be: same chain, wrong contract.
    token_code = chain.provider.get_code(manifest.address("token"))
    original = chain.provider.get_code(manifest.address("gmflock"))
    chain.provider.make_request(
        "anvil_setCode", [manifest.address("gmflock"), "0x" + bytes(token_code).hex()]
    )
    try:
        assert ("code", "gmflock") in _failed(verify_on_chain(manifest_file))
    finally:
        chain.provider.make_request(
            "anvil_setCode", [manifest.address("gmflock"), "0x" + bytes(original).hex()]
        )


def test_different_code_behind_a_proxy_fails(manifest, manifest_file, chain):
    # The proxy is intact, the implementation in its ERC-1967 slot is not gmFLOCK's code.
    implementation = manifest.implementations["gmflock"].address
    token_code = chain.provider.get_code(manifest.address("token"))
    original = chain.provider.get_code(implementation)
    chain.provider.make_request("anvil_setCode", [implementation, "0x" + bytes(token_code).hex()])
    try:
        failed = _failed(verify_on_chain(manifest_file))
        assert ("code", "gmflock implementation") in failed and ("code", "gmflock") not in failed
    finally:
        chain.provider.make_request("anvil_setCode", [implementation, "0x" + bytes(original).hex()])


def test_a_different_pot_implementation_fails(project, manifest, manifest_file, chain):
    # Every reward pot clones the distributor's implementation: other code there is caught.
    rewards = project.RewardDistributor.at(manifest.address("rewards"))
    implementation = str(rewards.potImplementation())
    original = chain.provider.get_code(implementation)
    token_code = chain.provider.get_code(manifest.address("token"))
    chain.provider.make_request("anvil_setCode", [implementation, "0x" + bytes(token_code).hex()])
    try:
        assert ("code", "rewards.potImplementation") in _failed(verify_on_chain(manifest_file))
    finally:
        chain.provider.make_request("anvil_setCode", [implementation, "0x" + bytes(original).hex()])


def test_code_comparison_allows_only_immutable_slots():
    from flock.deploy.verify import code_matches

    compiled = bytes([0x60, 0x01, 0x7F]) + bytes(32) + bytes([0x00, 0x60, 0x00])  # PUSH1 1, PUSH32 0, ...
    filled = bytes([0x60, 0x01, 0x7F]) + bytes(range(1, 33)) + bytes([0x00, 0x60, 0x00])
    assert code_matches(compiled, compiled)
    assert code_matches(compiled, filled)  # the constructor wrote an immutable
    assert not code_matches(compiled, compiled[:-1] + b"\x01")  # PUSH1 0 -> PUSH1 1: logic changed
    assert not code_matches(compiled, compiled + b"\x00")
    assert not code_matches(bytes([0x60, 0x00, 0x00]), bytes([0x60, 0x05, 0x00]))  # zero outside a slot


def test_a_role_left_with_the_deployer_fails(manifest_file, token, admin, deployer):
    token.grantRole(token.MINTER_ROLE(), deployer, sender=admin)
    assert _failed(verify_on_chain(manifest_file)) == {
        ("deployer holds nothing", "token.MINTER_ROLE"),
        ("role holders", "token.MINTER_ROLE"),
        ("manifest role table", "token.MINTER_ROLE"),
    }


def test_an_unexpected_role_holder_fails(manifest_file, gmflock, admin, outsider):
    gmflock.grantRole(gmflock.SLASHER_ROLE(), outsider, sender=admin)
    assert _failed(verify_on_chain(manifest_file)) == {
        ("role holders", "gmflock.SLASHER_ROLE"),
        ("manifest role table", "gmflock.SLASHER_ROLE"),
    }
    gmflock.revokeRole(gmflock.SLASHER_ROLE(), outsider, sender=admin)
    assert not _failed(verify_on_chain(manifest_file))  # replayed events: granted, then revoked


def test_a_parameter_off_config_fails(manifest_file, gmflock, admin):
    gmflock.setWithdrawalFee(100, admin, sender=admin)
    assert _failed(verify_on_chain(manifest_file)) == {("parameters", "gmflock.withdrawal_fee")}


def test_verify_command_exit_codes(manifest_file, token, admin, deployer):
    cli = _deploy_cli()
    runner = CliRunner(mix_stderr=False)
    ok = runner.invoke(cli, ["verify", "--manifest", str(manifest_file)])
    assert ok.exit_code == 0, ok.stderr
    assert "checks passed" in ok.stdout
    token.grantRole(token.MINTER_ROLE(), deployer, sender=admin)
    bad = runner.invoke(cli, ["verify", "--manifest", str(manifest_file)])
    assert bad.exit_code == 1
    assert "MISMATCH" in bad.stdout
    assert bad.stderr.strip().startswith("error: 3 of") and "token.MINTER_ROLE" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout


def test_rerunning_the_plan_sends_nothing(manifest, manifest_file, deployer):
    """Every step is idempotent: after the handover (the deployer can no longer grant anything) a
    second run finds every contract and every call done."""
    outcomes = []
    deploy_protocol(
        deployer, LOCAL_CONFIG, manifest_file=manifest_file, on_step=lambda s, o: outcomes.append(o)
    )
    assert len(outcomes) == len(protocol_plan(load_config(LOCAL_CONFIG)))
    assert set(outcomes) == {"exists", "done"}


def test_handover_renounces_every_discovered_role():
    keys = [s.key for s in protocol_plan()]
    assert keys[:4] == ["timelock", "token", "gmflock", "governor"]
    renounced = [k for k in keys if k.startswith("renounce:")]
    for key, contract in (
        ("token", "FlockToken"),
        ("gmflock", "GmFlock"),
        ("emissions", "EmissionController"),
        ("tasks", "TaskRegistry"),
        ("timelock", "FlockTimelock"),
    ):
        assert {f"renounce:{key}:{role}" for role in roles_of(contract)} <= set(renounced)
    assert keys[-1] == "renounce:timelock:DEFAULT_ADMIN_ROLE"  # the very last step


def test_governance_config_is_validated(tmp_path):
    config = load_config(LOCAL_CONFIG)
    assert config.governance.voting_period == 5 * 86400
    assert config.governance.proposal_threshold_wei == 10_000 * 10**18
    with pytest.raises(ValueError, match="late_quorum_extension"):
        DeployConfig.model_validate(
            {"governance": {"voting_period": "1 day", "late_quorum_extension": "2 days"}}
        )
    bad = tmp_path / "bad.yaml"
    bad.write_text("governance:\n  quorum_percent: 0\n")
    with pytest.raises(ConfigError, match="quorum_percent"):
        load_config(bad)


def test_config_warns_when_no_guardian_can_veto_in_time(tmp_path):
    """Base Sepolia names no guardian and a 1-day challenge window against an 8-day governance veto:
    `ape run deploy` warns; a guardian, or a window as long as a veto takes, silences it."""
    base = yaml.safe_load((CONFIG_DIR / "base-sepolia.yaml").read_text())
    [warning] = load_config(CONFIG_DIR / "base-sepolia.yaml").warnings()
    assert "challenge window (24 h) is shorter than a governance veto takes (192 h)" in warning
    for change in ({"guardian": "0x" + "11" * 20}, {"challenge_window": "8 days"}):
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump({**base, "rewards": {**base["rewards"], **change}}))
        assert load_config(path).warnings() == []
