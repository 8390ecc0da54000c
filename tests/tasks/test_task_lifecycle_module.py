"""TaskLifecycle, TaskRegistry's delegatecall module, refuses every call made to it directly
(`TaskLifecycleNotDelegated`): it runs only inside the registry, on the registry's storage and
after the registry's role checks. Called directly it would run on storage of its own, with no
tasks and no roles, and its setters would be anyone's. On the in-process harness."""

from __future__ import annotations

import pytest

from flock.harness.system import deploy_system
from flock.testing.modules import assert_direct_calls_refused


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first():
    """This module runs on the harness alone: none of conftest's anvil set-up."""


@pytest.fixture(scope="module")
def system():
    return deploy_system()


def test_the_lifecycle_module_refuses_every_direct_call(system):
    called = assert_direct_calls_refused(system, "tasks", "TaskLifecycle", "TaskLifecycleNotDelegated")
    assert {
        "approveTask(uint256)",
        "release(uint256,address)",
        "setStakeMinimums(uint256,uint256,uint256,uint256)",
    } <= called
