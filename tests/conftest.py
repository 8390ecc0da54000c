"""Shared fixtures. Unit and end-to-end tests run through ape on anvil (one node per session, a
snapshot per test); property tests run on the in-process harness (``flock.harness``)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from flock.paths import CONFIG_DIR
from flock.units import DAY, WAD

# Hypothesis profiles (HYPOTHESIS_PROFILE): examples, and steps per stateful example. `fast` is for
# `make mutate` (flock/audit/mutate.py): every mutant runs its area's property tests, so fewer examples.
# A mutant needs only a failure, not its smallest example: `fast` does not shrink (that took minutes).
# `quick` (`make test`, CI) is derandomized, without a database: every run draws the same examples, so
# a run fails only where the code changed, never by the luck of the draw (decision 222). `deep` (`make
# fuzz`) draws new examples each run and keeps its failures in .hypothesis/ to try them first next
# time. No profile has a deadline or the timing health check: a slow, shared machine fails no property.
PROFILES = {"quick": (40, 40), "fast": (15, 30), "deep": (1_000, 100)}
for _name, (_examples, _steps) in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        stateful_step_count=_steps,
        phases=[phase for phase in Phase if not (_name == "fast" and phase is Phase.shrink)],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
        derandomize=_name == "quick",  # implies database=None (Hypothesis's own "ci" profile does this)
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


def _deployed(key: str, contract: str) -> Any:
    """A session fixture named ``key``: the deployed contract the manifest lists under ``key``,
    with ``contract``'s ABI."""

    def fixture(project, manifest):
        return getattr(project, contract).at(manifest.address(key))

    return pytest.fixture(scope="session", name=key)(fixture)


token = _deployed("token", "FlockToken")
gmflock = _deployed("gmflock", "GmFlock")
governor = _deployed("governor", "FlockGovernor")
timelock = _deployed("timelock", "FlockTimelock")
emissions = _deployed("emissions", "EmissionController")
tasks = _deployed("tasks", "TaskRegistry")
rewards = _deployed("rewards", "RewardDistributor")
submissions = _deployed("submissions", "ArenaSubmissions")


@pytest.fixture(scope="session")
def funded(token, deployer, treasury, users):
    """Every user holds 1,000,000 FLOCK."""
    for user in users:
        token.transfer(user, 1_000_000 * E, sender=treasury)
    return users


@pytest.fixture(scope="module")
def stakers(users, token, gmflock, deployer, treasury, manifest, outsider, admin):
    """Every user gets 1,000,000 FLOCK and locks half for a year (about 1.5M gmFLOCK each).
    Module-scoped, so that the chain is back to its deployed state after each module."""
    for user in users:
        token.transfer(user, 1_000_000 * E, sender=treasury)
        token.approve(gmflock, 500_000 * E, sender=user)
        gmflock.lock(500_000 * E, 365 * DAY, sender=user)
    return users
