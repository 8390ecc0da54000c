"""Governance fixtures: four stakers with known votes, and one-action proposals."""

from __future__ import annotations

import pytest
from governance_helpers import STAKES, Proposal

from flock.chain.clock import advance
from flock.units import DAY, WAD


@pytest.fixture(scope="module")
def stakers(funded, token, gmflock):
    """alice, bob, carol and dave, each with STAKES gmFLOCK, locked a second ago."""
    named = dict(zip(STAKES, funded, strict=False))
    for name, account in named.items():
        amount = STAKES[name] * WAD
        token.approve(gmflock, amount, sender=account)
        gmflock.lock(amount, 7 * DAY, sender=account)
    advance(1)
    return named


@pytest.fixture
def fee_proposal(governor, gmflock, timelock):
    """Makes proposals setting the withdrawal fee to ``bps`` (paid to the treasury)."""

    def make(bps: int = 300, description: str = "# Lower the withdrawal fee") -> Proposal:
        calldata = gmflock.setWithdrawalFee.encode_input(bps, timelock)
        return Proposal(governor, [gmflock.address], [0], [calldata], description)

    return make
