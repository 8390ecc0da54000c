"""EmissionController's construction refusals (implementation constructor: the schedule; proxy
initializer: cap and gamma), on the in-process harness (a reverted deployment
through ape makes ape look the failure up on a block explorer, which these machines cannot reach)."""

import pytest

from flock.harness import Chain
from flock.harness.system import deploy_upgradeable
from flock.units import DAY, WAD

E = WAD


@pytest.fixture(scope="module")
def harness():
    chain = Chain(n_accounts=2)
    admin = chain.accounts[0]
    token = chain.deploy("FlockToken", admin, [admin], [10**9 * E], sender=admin)
    return chain, token, admin


def deploy(chain, token, admin, **changes):
    schedule = {
        "genesis": 0,
        "epochLength": DAY,
        "initialEmission": 1_000 * E,
        "decay": 9 * E // 10,
        "decayPeriod": 30,
    }
    governed = {"epochCap": 1_000 * E, "gamma": E // 5}
    schedule.update((k, v) for k, v in changes.items() if k in schedule)
    governed.update((k, v) for k, v in changes.items() if k in governed)
    return deploy_upgradeable(
        chain,
        "EmissionController",
        [token.address, *schedule.values()],
        [admin, *governed.values()],
        sender=admin,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("epochLength", 3599),
        ("epochLength", 31 * DAY),
        ("initialEmission", 0),
        ("initialEmission", 10**27 + 1),
        ("decay", 0),
        ("decay", E + 1),
        ("decayPeriod", 0),
        ("decayPeriod", 2**32),
        ("epochCap", 2**96),
        ("gamma", E // 2 + 1),
    ],
)
def test_constructor_bounds(harness, name, value):
    chain, token, admin = harness
    with chain.reverts("EmissionParameterOutOfBounds", parameter=name.encode().ljust(32, b"\0"), value=value):
        deploy(chain, token, admin, **{name: value})


def test_constructor_refuses_a_future_genesis(harness):
    chain, token, admin = harness
    future = chain.now + 1
    with chain.reverts("EmissionGenesisInFuture", genesis=future, nowTime=chain.now):
        deploy(chain, token, admin, genesis=future)


def test_genesis_zero_means_now_and_a_past_genesis_is_kept(harness):
    chain, token, admin = harness
    now_genesis = deploy(chain, token, admin)
    assert now_genesis.genesis() == chain.now
    past = chain.now - 10 * DAY
    kept = deploy(chain, token, admin, genesis=past)
    assert kept.genesis() == past and kept.currentEpoch() == 10
    assert kept.hasRole(bytes(32), admin)
