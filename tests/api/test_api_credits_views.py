"""ApiCredits' views no other anvil test read (docs/audit.md, "Coverage"): the contracts it was
wired to, the operator set's membership, and the withdrawal lock at an epoch's start, while the
previous epoch's usage report is still awaited (the report window)."""

from __future__ import annotations

import pytest

from flock.chain.clock import head_time, mine_at


@pytest.fixture(scope="module")
def api(project, manifest, outsider, token, emissions, rewards):
    """The deployed credits; the session fixtures the tests read are set up first (ape's isolation)."""
    return project.ApiCredits.at(manifest.address("api"))


def test_the_credits_name_the_contracts_they_were_wired_to(api, token, emissions, rewards):
    assert (api.flock(), api.emissions(), api.rewards()) == (
        token.address,
        emissions.address,
        rewards.address,
    )


def test_only_the_appointed_operators_are_operators(api, accounts, outsider):
    operators, quorum = api.operatorSet()
    assert quorum == 2 and list(operators) == [a.address for a in accounts[10:13]]
    assert all(api.isOperator(a) for a in operators)
    assert not api.isOperator(outsider)


def test_withdrawals_wait_out_the_report_window_of_an_unreported_epoch(api, emissions):
    """Inside the report window at the start of epoch n >= 1, with no usage report posted for epoch
    n - 1, withdrawals and cap cuts wait for the window's end; after it, nothing holds them."""
    genesis, length = emissions.genesis(), emissions.epochLength()
    report_window, _ = api.windows()
    epoch = max(1, (head_time() - genesis) // length + 1)
    start = genesis + epoch * length
    assert api.settlementOf(epoch - 1).status == 0  # None: nobody reported that epoch
    mine_at(start + 10)
    assert api.withdrawLockedUntil() == start + report_window
    mine_at(start + report_window)
    assert api.withdrawLockedUntil() < head_time()
