"""gmFLOCK paths no other anvil test took (docs/audit.md, "Coverage"): reading a vote checkpoint
older than the latest (PackedCheckpoints.at from the spilled history), a past look-up in a short
history (the binary search without the square-root probe), a delegation that moves nothing (to the
current delegate, or of an empty balance)."""

import ape
import pytest

from flock.units import DAY, WAD

NEVER_LOCKED = "0x00000000000000000000000000000000000000Ab"


@pytest.fixture(scope="session")
def alice(funded, token, gmflock):
    token.approve(gmflock, 2**256 - 1, sender=funded[0])
    return funded[0]


def _lock_at_new_timepoints(gmflock, chain, who, amounts):
    """One lock per amount, each in a block 100 s after the last; returns [(timepoint, votes)]."""
    points = []
    for amount in amounts:
        chain.mine(timestamp=chain.pending_timestamp + 100)
        gmflock.lock(amount, 7 * DAY, sender=who)
        points.append((chain.blocks.head.timestamp, gmflock.getVotes(who)))
    return points


def test_checkpoints_reads_older_positions_from_the_history(gmflock, alice, chain):
    points = _lock_at_new_timepoints(gmflock, chain, alice, [10 * WAD, 20 * WAD, 30 * WAD])
    assert gmflock.numCheckpoints(alice) == 3
    assert [tuple(gmflock.checkpoints(alice, pos)) for pos in range(3)] == points
    assert points[0][1] == 10 * WAD and points[2][1] == 60 * WAD  # 7 days: boost 1
    with ape.reverts(gmflock.PackedCheckpointsOutOfRange, pos=3, length=3):
        gmflock.checkpoints(alice, 3)


def test_past_look_ups_in_a_short_history(gmflock, alice, chain):
    """Three checkpoints: the history spilled out of the head holds two (no square-root probe,
    which needs more than five); every timepoint before the head is answered from it."""
    (t1, v1), (t2, v2), (t3, v3) = _lock_at_new_timepoints(gmflock, chain, alice, [WAD, 2 * WAD, 4 * WAD])
    chain.mine(timestamp=chain.pending_timestamp + 10)
    expected = {t1 - 1: 0, t1: v1, t1 + 50: v1, t2: v2, t2 + 99: v2, t3: v3}
    assert {t: gmflock.getPastVotes(alice, t) for t in expected} == expected
    assert gmflock.getPastTotalSupply(t2 + 1) - gmflock.getPastTotalSupply(t1) == v2 - v1
    assert gmflock.getPastVotes(NEVER_LOCKED, t3) == 0  # no checkpoint at all


def test_delegating_to_the_current_delegate_or_an_empty_balance_moves_no_votes(gmflock, alice, funded, chain):
    gmflock.lock(10 * WAD, 7 * DAY, sender=alice)
    checkpoints = gmflock.numCheckpoints(alice)
    receipt = gmflock.invoke_transaction("delegate", alice, sender=alice)  # already its own delegate
    assert [e.event_name for e in receipt.events] == ["DelegateChanged"]
    (changed,) = receipt.events
    assert (changed.delegator, changed.fromDelegate, changed.toDelegate) == (alice, alice, alice)
    assert gmflock.getVotes(alice) == 10 * WAD and gmflock.numCheckpoints(alice) == checkpoints

    empty = funded[1]  # holds no gmFLOCK
    assert gmflock.balanceOf(empty) == 0
    receipt = gmflock.invoke_transaction("delegate", alice, sender=empty)
    assert [e.event_name for e in receipt.events] == ["DelegateChanged"]
    assert gmflock.delegates(empty) == alice
    assert gmflock.getVotes(alice) == 10 * WAD and gmflock.numCheckpoints(alice) == checkpoints
