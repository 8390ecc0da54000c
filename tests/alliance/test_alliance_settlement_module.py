"""AllianceSettlement, AllianceRounds' delegatecall module, refuses every call made to it directly
(`AllianceSettlementNotDelegated`): it runs only inside AllianceRounds, on its storage and after
its checks. Called directly it would run on storage of its own (an `initialize` anyone could make
theirs). On the in-process harness."""

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


def test_the_settlement_module_refuses_every_direct_call(system):
    called = assert_direct_calls_refused(
        system, "alliance", "AllianceSettlement", "AllianceSettlementNotDelegated"
    )
    assert {"settle(uint256,uint256,address[])", "withdraw(address)", "setEvictionRounds(uint256)"} <= called
