"""AllianceSettlement, AllianceRounds' delegatecall module, refuses every call made to it directly
(`AllianceSettlementNotDelegated`): it runs only inside AllianceRounds, on its storage and after
its checks. Called directly it would run on storage of its own (an `initialize` anyone could make
theirs). On the in-process harness."""

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


def test_the_settlement_module_refuses_every_direct_call(system):
    module = module_of(system, "alliance", "AllianceSettlement")
    assert system.chain.evm.get_code(module.address)  # AllianceRounds' implementation created it here
    calls = external_calls("AllianceSettlement")
    assert {"settle(uint256,uint256,address[])", "withdraw(address)", "setEvictionRounds(uint256)"} <= {
        s for s, _ in calls
    }
    for signature, args in calls:
        for sender in (system.admin, system.chain.accounts[5]):
            with system.chain.reverts("AllianceSettlementNotDelegated"):
                module[signature](*args, sender=sender)
