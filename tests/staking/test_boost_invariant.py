"""INV-17: the boost of a lock is within [1, 1 + epsilon], 1 up to the floor, non-decreasing in the
duration and constant from the horizon on; a lock mints amount x boost / 1e18. Hypothesis over
durations and parameters on the harness; `make prove` proves the bounds for all durations under
the configured parameters (audit/proofs/BoostProofs.t.sol)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flock.harness import Chain
from flock.harness.system import deploy_upgradeable
from flock.units import WAD

DAY = 86_400
MAX_DURATION = 4 * 365 * DAY

_chain = Chain(n_accounts=1)
_admin = _chain.accounts[0]
_token = _chain.deploy("FlockToken", _admin, [], [], sender=_admin)
_gm = deploy_upgradeable(
    _chain,
    "GmFlock",
    [_token.address],
    [_admin, 30 * DAY, 365 * DAY, 219 * WAD // 100, 7 * DAY, 365 * DAY, 513, _admin],
    sender=_admin,
)

parameters = st.integers(1, MAX_DURATION).flatmap(
    lambda horizon: st.tuples(st.integers(0, horizon - 1), st.just(horizon), st.integers(0, 5 * WAD))
)


@given(params=parameters, a=st.integers(0, MAX_DURATION + DAY), b=st.integers(0, MAX_DURATION + DAY))
def test_inv_17_boost_within_bounds_and_non_decreasing(params: tuple[int, int, int], a: int, b: int) -> None:
    floor, horizon, epsilon = params
    _gm.setBoostParameters(floor, horizon, epsilon, sender=_admin)
    shorter, longer = sorted((a, b))
    low, high = _gm.boost(shorter), _gm.boost(longer)
    assert WAD <= low <= high <= WAD + epsilon
    if shorter <= floor:
        assert low == WAD
    if shorter >= horizon:
        assert low == high == WAD + epsilon * (horizon - floor) // horizon


@given(amount=st.integers(1, 10**27), duration=st.integers(7 * DAY, 365 * DAY))
def test_inv_17_lock_mints_amount_times_boost(amount: int, duration: int) -> None:
    _gm.setBoostParameters(30 * DAY, 365 * DAY, 219 * WAD // 100, sender=_admin)
    assert _gm.previewLock(amount, duration) == amount * _gm.boost(duration) // WAD
