"""ApiCredits' governed parameters and key ranges, through ape on anvil (the session's deployment):
the windows and the protocol share are bounded (``ApiParameterOutOfBounds`` names the parameter),
the treasury cannot be the zero address, a change is an event and reads back, and a task or epoch
beyond 64 bits is refused as a revenue key (``ApiKeyOutOfRange``) and never reads as charged."""

from __future__ import annotations

import ape
import pytest

from flock.units import DAY

BPS = 10_000
WIDE = 2**64  # the first value a 64-bit key half cannot hold


@pytest.fixture(scope="module")
def api(project, manifest, admin, outsider):
    return project.ApiCredits.at(manifest.address("api"))


def _name(parameter: str) -> bytes:
    return parameter.encode().ljust(32, b"\0")


def test_windows_are_bounded_and_a_change_reads_back(api, admin):
    limit = api.MAX_WINDOW()
    assert limit == 7 * DAY
    with ape.reverts(api.ApiParameterOutOfBounds, parameter=_name("reportWindow"), value=limit + 1):
        api.setWindows(limit + 1, DAY, sender=admin)
    with ape.reverts(api.ApiParameterOutOfBounds, parameter=_name("collectWindow"), value=limit + 1):
        api.setWindows(DAY, limit + 1, sender=admin)
    receipt = api.setWindows(limit, 0, sender=admin)  # both bounds are inclusive
    (event,) = receipt.events.filter(api.WindowsSet)
    assert (event.reportWindow, event.collectWindow) == (limit, 0)
    assert api.windows() == (limit, 0)


def test_protocol_share_is_bounded_and_needs_a_treasury(api, admin, outsider):
    limit = api.MAX_PROTOCOL_SHARE_BPS()
    assert 0 < limit < BPS
    before = api.protocolShare()
    with ape.reverts(api.ApiParameterOutOfBounds, parameter=_name("protocolShareBps"), value=limit + 1):
        api.setProtocolShare(limit + 1, outsider, sender=admin)
    with ape.reverts(api.ApiParameterOutOfBounds, parameter=_name("treasury"), value=0):
        api.setProtocolShare(limit, ape.utils.ZERO_ADDRESS, sender=admin)
    assert api.protocolShare() == before  # a refused change changes nothing
    receipt = api.setProtocolShare(limit, outsider, sender=admin)
    (event,) = receipt.events.filter(api.ProtocolShareSet)
    assert (event.protocolShareBps, event.treasury) == (limit, outsider.address)
    assert api.protocolShare() == (limit, outsider.address)


def test_parameters_are_the_admins_only(api, outsider):
    with ape.reverts(api.AccessControlUnauthorizedAccount):
        api.setWindows(DAY, DAY, sender=outsider)
    with ape.reverts(api.AccessControlUnauthorizedAccount):
        api.setProtocolShare(0, outsider, sender=outsider)


@pytest.mark.parametrize(("task_id", "epoch"), [(WIDE, 0), (0, WIDE), (2**256 - 1, 2**256 - 1)])
def test_a_revenue_key_beyond_64_bits_is_refused(api, task_id, epoch):
    with ape.reverts(api.ApiKeyOutOfRange, taskId=task_id, epoch=epoch):
        api.accrued(task_id, epoch)


def test_a_leaf_beyond_64_bits_never_reads_as_charged(api):
    assert api.isCharged(WIDE, 0) is False
    assert api.isCharged(0, WIDE) is False
    assert api.isCharged(WIDE - 1, WIDE - 1) is False  # in range, and nothing was charged
    assert api.accrued(WIDE - 1, WIDE - 1) == 0


@pytest.mark.parametrize(("epoch", "index"), [(WIDE, 0), (0, WIDE)])
def test_a_charge_beyond_64_bits_is_refused_before_anything_is_read(api, outsider, epoch, index):
    charge = (epoch, index, outsider.address, 7, 0, 1, [])
    with ape.reverts(api.ApiKeyOutOfRange, taskId=7, epoch=epoch):
        api.charge(charge, sender=outsider)
    with ape.reverts(api.ApiKeyOutOfRange, taskId=7, epoch=epoch):
        api.chargeMany([charge], sender=outsider)
    assert api.accrued(7, 0) == 0
