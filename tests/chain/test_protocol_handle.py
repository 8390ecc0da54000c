"""One handle on a deployed protocol (flock.chain.protocol): opened from its manifest only on the
chain the manifest describes, the same interface on a live chain (LiveProtocol) and in the harness
(System)."""

from __future__ import annotations

import pytest

from flock.chain.manifest import ManifestError
from flock.chain.protocol import LiveProtocol, ProtocolHandle, implementation_at
from flock.deploy.proxies import UPGRADEABLE
from flock.harness.system import deploy_system


def _save_changed(manifest, path, **changes):
    manifest.model_copy(update=changes).save(path)
    return path


def test_load_opens_the_manifest_of_the_connected_chain(manifest, manifest_file, deployer):
    protocol = LiveProtocol.load(manifest_file, deployer)
    assert protocol.keys == tuple(manifest.contracts)
    assert protocol.deployer == deployer
    for key in protocol.keys:
        assert protocol.address(key) == manifest.address(key)
        assert str(protocol.contract(key).address) == manifest.address(key)
    assert protocol.tasks is protocol.contract("tasks")  # attribute access is contract(key), cached


def test_load_refuses_another_chain(manifest, tmp_path):
    other_genesis = _save_changed(manifest, tmp_path / "other-genesis.json", genesis_hash="0x" + "11" * 32)
    with pytest.raises(ManifestError, match=r"describes chain .* not the connected chain"):
        LiveProtocol.load(other_genesis)
    other_id = _save_changed(manifest, tmp_path / "other-id.json", chain_id=manifest.chain_id + 1)
    with pytest.raises(ManifestError, match="describes chain"):
        LiveProtocol.load(other_id)
    with pytest.raises(ManifestError, match="no deployment manifest at"):
        LiveProtocol.load(tmp_path / "missing.json")


def test_unknown_keys_are_errors(protocol):
    with pytest.raises(KeyError):
        protocol.contract("nothing")
    with pytest.raises(AttributeError):
        _ = protocol.nothing


def test_admin_is_the_timelock_once_governance_is_deployed(protocol, manifest):
    assert str(protocol.admin.address) == manifest.address("timelock")


def test_implementations_through_the_erc1967_slot(protocol):
    for key in UPGRADEABLE:
        assert protocol.implementation(key) == implementation_at(protocol.address(key)) is not None
    assert implementation_at(protocol.address("token")) is None  # not a proxy


def test_the_harness_system_is_the_same_handle(protocol):
    system = deploy_system()
    for handle in (protocol, system):
        assert isinstance(handle, ProtocolHandle)
        assert handle.keys == protocol.keys  # one plan, one config: the same contracts by key
        for key in handle.keys:
            assert str(handle.contract(key).address) == handle.address(key)
            assert getattr(handle, key) is handle.contract(key)
    assert system.admin == system.address("timelock")
