"""The deployment manifest is enough for a client (issue 13): each contract's ABI file, every
published ABI (RewardPot included), a role table with every role and every holder (constructor
grants included), and a 0x-prefixed genesis hash."""

from __future__ import annotations

import json

from flock.chain.manifest import Manifest, RoleHolder
from flock.deploy.ape_backend import deploy_protocol
from flock.deploy.plan import roles_of
from flock.deploy.verify import check_role_table
from flock.paths import CONFIG_DIR, PROJECT_ROOT


def test_manifest_references_the_published_abis(manifest, manifest_file):
    saved = json.loads(manifest_file.read_text())
    for key, record in saved["contracts"].items():
        assert record["abi"] == f"abi/{record['contract']}.json", key
        assert (PROJECT_ROOT / record["abi"]).is_file()
    assert saved["abis"]["RewardPot"] == "abi/RewardPot.json"
    assert all((PROJECT_ROOT / path).is_file() for path in saved["abis"].values())


def test_genesis_hash_is_0x_prefixed(manifest, chain):
    assert manifest.genesis_hash == "0x" + bytes(chain.blocks[0].hash).hex()
    legacy = manifest.model_dump() | {"genesis_hash": manifest.genesis_hash.removeprefix("0x")}
    assert Manifest.model_validate(legacy).genesis_hash == manifest.genesis_hash


def test_role_table_lists_every_role_and_holder_constructor_grants_included(manifest):
    rows = {(r.contract, r.role): r for r in manifest.roles}
    for key, record in manifest.contracts.items():
        for role in roles_of(record.contract):
            assert (key, role) in rows, (key, role)
    # Granted by the timelock's constructor: execution open to anyone, the timelock its own admin.
    executors = rows[("timelock", "EXECUTOR_ROLE")].holders
    assert [h.name for h in executors] == ["anyone (zero address)"]
    assert [h.name for h in rows[("timelock", "DEFAULT_ADMIN_ROLE")].holders] == ["timelock"]
    assert [h.name for h in rows[("token", "MINTER_ROLE")].holders] == ["emissions"]
    assert rows[("token", "MINTER_ROLE")].admin_role == "DEFAULT_ADMIN_ROLE"
    assert all(h.name != "deployer" for r in manifest.roles for h in r.holders)
    assert all(r.role_id.startswith("0x") and len(r.role_id) == 66 for r in manifest.roles)


def test_role_table_check_flags_a_holder_the_manifest_does_not_list(manifest):
    assert all(r.ok for r in check_role_table(manifest.roles, manifest.roles))
    tampered = [r.model_copy(deep=True) for r in manifest.roles]
    minter = next(r for r in tampered if (r.contract, r.role) == ("token", "MINTER_ROLE"))
    minter.holders.append(RoleHolder(address="0x" + "11" * 20, name="0x" + "11" * 20))
    failed = [r.subject for r in check_role_table(manifest.roles, tampered) if not r.ok]
    assert failed == ["token.MINTER_ROLE"]
    assert not all(r.ok for r in check_role_table([], manifest.roles))


def test_deploy_doc_states_the_transaction_count(deployer, tmp_path):
    """docs/deploy.md: what a fresh deployment of config/base-sepolia.yaml sends (the plan's steps
    that are not already done by an earlier one)."""
    deployed = deploy_protocol(
        deployer, CONFIG_DIR / "base-sepolia.yaml", fresh=True, manifest_file=tmp_path / "base.json"
    )
    creations = len(deployed.contracts) + len(deployed.implementations)  # proxies and implementations
    calls = len(deployed.actions)
    text = " ".join((PROJECT_ROOT / "docs" / "deploy.md").read_text().split())
    assert (
        f"sends {creations + calls} transactions ({creations} contract creations, {calls} role grants" in text
    )
