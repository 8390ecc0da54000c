"""Which deployment a command reads when no --manifest is given (flock.chain.manifest): the
network's own; on a fork, its own if a deploy made one there, else the forked network's."""

from __future__ import annotations

import pytest

from flock.chain import manifest


@pytest.fixture
def deployments(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "DEPLOYMENTS_DIR", tmp_path)
    return tmp_path


def test_a_network_reads_its_own_record(deployments):
    assert manifest.default_manifest("base:sepolia:node") == deployments / "base-sepolia.json"
    assert manifest.default_manifest("ethereum:local:foundry") == deployments / "ethereum-local.json"


def test_a_fork_without_a_deployment_of_its_own_reads_the_forked_networks(deployments):
    assert manifest.default_manifest("base:sepolia-fork:foundry") == deployments / "base-sepolia.json"


def test_a_fork_reads_back_what_a_deploy_on_it_wrote(deployments):
    written = manifest.manifest_path("base:sepolia-fork:foundry")  # where `ape run deploy` writes
    assert written == deployments / "base-sepolia-fork.json"
    written.write_text("{}")
    assert manifest.default_manifest("base:sepolia-fork:foundry") == written
