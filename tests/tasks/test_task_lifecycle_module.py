"""TaskLifecycle, TaskRegistry's delegatecall module, refuses every call made to it directly
(`TaskLifecycleNotDelegated`): it runs only inside the registry, on the registry's storage and
after the registry's role checks. Called directly it would run on storage of its own, with no
tasks and no roles, and its setters would be anyone's. On the in-process harness."""

from __future__ import annotations

import pytest

from flock.harness.system import deploy_system
from flock.testing.modules import external_calls, module_of


@pytest.fixture(scope="module", autouse=True)
def _wider_fixtures_first():
    """This module runs on the harness alone: none of conftest's anvil set-up."""


@pytest.fixture(scope="module")
def system():
    return deploy_system()


def test_the_lifecycle_module_refuses_every_direct_call(system):
    module = module_of(system, "tasks", "TaskLifecycle")
    assert system.chain.evm.get_code(module.address)  # the registry's implementation created it here
    calls = external_calls("TaskLifecycle")
    assert {
        "approveTask(uint256)",
        "release(uint256,address)",
        "setStakeMinimums(uint256,uint256,uint256,uint256)",
    } <= {s for s, _ in calls}
    for signature, args in calls:
        for sender in (system.admin, system.chain.accounts[5]):
            with system.chain.reverts("TaskLifecycleNotDelegated"):
                module[signature](*args, sender=sender)
