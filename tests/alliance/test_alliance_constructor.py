"""AllianceRounds' construction (implementation constructor and proxy initializer): the wiring it
reads from the registry and the refusals (harness)."""

from __future__ import annotations

import pytest

from flock.deploy.config import AllianceConfig
from flock.harness.system import deploy_system, deploy_upgradeable

ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def system():
    return deploy_system()


def _deploy(system, treasury, params):
    return deploy_upgradeable(
        system.chain,
        "AllianceRounds",
        [system.tasks.address, treasury],
        [system.deployer, params],
        sender=system.deployer,
    )


def test_it_reads_the_emission_controller_and_token_from_the_registry(system):
    rounds = _deploy(system, system.timelock.address, AllianceConfig().parameters())
    assert rounds.emissions() == system.emissions.address and rounds.flock() == system.token.address
    assert tuple(rounds.roundRules()) == AllianceConfig().round_rules()
    assert rounds.hasRole(bytes(32), system.deployer)


def test_it_refuses_a_zero_treasury_and_parameters_out_of_bounds(system):
    with system.chain.reverts("AllianceZeroValue"):
        _deploy(system, ZERO, AllianceConfig().parameters())
    params = AllianceConfig().parameters()
    params[7] = 17  # proposers
    with system.chain.reverts("AllianceParameterOutOfBounds", value=17):
        _deploy(system, system.timelock.address, params)


def test_the_config_refuses_what_the_contract_would():
    with pytest.raises(ValueError, match="absent_slash_bps"):
        AllianceConfig(voter_slash_bps=800, absent_slash_bps=500)
    with pytest.raises(ValueError, match="1 minute to 7 days"):
        AllianceConfig(reveal=30)
    with pytest.raises(ValueError, match="at most 1 day"):
        AllianceConfig(draw_delay="2 days")
