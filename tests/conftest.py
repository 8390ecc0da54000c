"""Shared fixtures. Unit and end-to-end tests run through ape on anvil (one node per session, a
snapshot per test); property tests run on the in-process harness (``flock.harness``)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from flock.paths import CONFIG_DIR
from flock.units import WAD

settings.register_profile(
    "quick",
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
# `make mutate` (flock/audit/mutate.py): every mutant runs its area's property tests, so fewer examples.
settings.register_profile(
    "fast",
    max_examples=15,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "deep",
    max_examples=1_000,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

# `ape test --coverage` (or FLOCK_COVERAGE=1): Solidity line and branch coverage (docs/audit.md).
pytest_plugins = ["flock.audit.coverage_plugin"]

E = WAD
LOCAL_CONFIG = CONFIG_DIR / "ethereum-local.yaml"


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def protocol(manifest, deployer):
    """The session's deployment through the one protocol handle (flock.chain.protocol)."""
    from flock.chain.protocol import LiveProtocol

    return LiveProtocol(manifest, deployer)


@pytest.fixture(scope="session")
def admin(protocol):
    """Holder of every admin role: the timelock (impersonated) once governance is deployed."""
    return protocol.admin


@pytest.fixture(scope="session")
def treasury(manifest):
    """The timelock (impersonated): it holds the treasury's genesis FLOCK, which tests draw from.
    The deployer holds only its community share (config/ethereum-local.yaml)."""
    from flock.chain.local import impersonate

    return impersonate(manifest.address("timelock"))


@pytest.fixture(scope="session")
def users(accounts):
    return accounts[1:8]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def manifest_file(tmp_path_factory):
    """Where the session's deployment manifest is written."""
    return tmp_path_factory.mktemp("deploy") / "manifest.json"


@pytest.fixture(scope="session")
def manifest(deployer, manifest_file):
    from flock.deploy.ape_backend import deploy_protocol

    return deploy_protocol(deployer, LOCAL_CONFIG, fresh=True, manifest_file=manifest_file)


@pytest.fixture(scope="session")
def token(project, manifest):
    return project.FlockToken.at(manifest.address("token"))


@pytest.fixture(scope="session")
def gmflock(project, manifest):
    return project.GmFlock.at(manifest.address("gmflock"))


@pytest.fixture(scope="session")
def governor(project, manifest):
    return project.FlockGovernor.at(manifest.address("governor"))


@pytest.fixture(scope="session")
def timelock(project, manifest):
    return project.FlockTimelock.at(manifest.address("timelock"))


@pytest.fixture(scope="session")
def emissions(project, manifest):
    return project.EmissionController.at(manifest.address("emissions"))


@pytest.fixture(scope="session")
def tasks(project, manifest):
    return project.TaskRegistry.at(manifest.address("tasks"))


@pytest.fixture(scope="session")
def funded(token, deployer, treasury, users):
    """Every user holds 1,000,000 FLOCK."""
    for user in users:
        token.transfer(user, 1_000_000 * E, sender=treasury)
    return users
