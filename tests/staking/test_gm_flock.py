"""GmFlock unit tests, through ape on anvil: every external function and every revert path."""

import ape
import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from flock.units import DAY, WAD

ZERO = "0x0000000000000000000000000000000000000000"
BOOST_365 = 3_010_000_000_000_000_000  # 1 + 2.19 * 335 / 365
FEE_BPS = 513


@pytest.fixture(scope="module")
def manager(accounts, gmflock, admin):
    """An account holding STAKE_MANAGER_ROLE and SLASHER_ROLE (the task registry's roles) for this
    module only: the roles are revoked afterwards, so later modules (the runbooks' `deploy --verify`)
    see the deployment's own role holders on the shared session chain."""
    account = accounts[8]
    roles = (gmflock.STAKE_MANAGER_ROLE(), gmflock.SLASHER_ROLE())
    for role in roles:
        gmflock.grantRole(role, account, sender=admin)
    yield account
    for role in roles:
        gmflock.revokeRole(role, account, sender=admin)


@pytest.fixture(scope="session")
def alice(funded, token, gmflock):
    token.approve(gmflock, 2**256 - 1, sender=funded[0])
    return funded[0]


@pytest.fixture(scope="session")
def bob(funded, token, gmflock):
    token.approve(gmflock, 2**256 - 1, sender=funded[1])
    return funded[1]


def lock(gmflock, who, amount, days):
    return gmflock.lock(amount, days * DAY, sender=who)


def warp(chain, seconds):
    chain.mine(timestamp=chain.pending_timestamp + seconds)


# ------------------------------------------------------------------------- ERC-20 surface


def test_metadata(gmflock, token):
    assert gmflock.name() == "gmFLOCK"
    assert gmflock.symbol() == "gmFLOCK"
    assert gmflock.decimals() == 18
    assert gmflock.flock() == token.address
    assert gmflock.totalSupply() == 0


def test_not_transferable(gmflock, alice, bob):
    lock(gmflock, alice, 10 * WAD, 30)
    with ape.reverts(gmflock.GmFlockNonTransferable):
        gmflock.transfer(bob, 1, sender=alice)
    with ape.reverts(gmflock.GmFlockNonTransferable):
        gmflock.approve(bob, 1, sender=alice)
    with ape.reverts(gmflock.GmFlockNonTransferable):
        gmflock.transferFrom(alice, bob, 1, sender=bob)
    assert gmflock.allowance(alice, bob) == 0


# ------------------------------------------------------------------------- boost and preview


@pytest.mark.parametrize(
    ("days", "boost"),
    [
        (7, WAD),
        (30, WAD),  # t0: no boost yet
        (31, WAD + 2_190_000_000_000_000_000 * 1 * DAY // (365 * DAY)),
        (90, 1_360_000_000_000_000_000),
        (180, 1_900_000_000_000_000_000),
        (365, BOOST_365),
    ],
)
def test_boost_formula(gmflock, days, boost):
    assert gmflock.boost(days * DAY) == boost
    assert gmflock.previewLock(1_000 * WAD, days * DAY) == 1_000 * boost


def test_boost_saturates_at_horizon(gmflock, admin):
    gmflock.setLockDurationBounds(DAY, 730 * DAY, sender=admin)
    assert gmflock.boost(730 * DAY) == gmflock.boost(365 * DAY) == BOOST_365


def test_preview_rejects_bad_duration(gmflock):
    with ape.reverts(
        gmflock.GmFlockInvalidDuration, duration=DAY, minDuration=7 * DAY, maxDuration=365 * DAY
    ):
        gmflock.previewLock(WAD, DAY)


def test_parameter_views(gmflock):
    assert gmflock.boostParameters() == (30 * DAY, 365 * DAY, 2_190_000_000_000_000_000)
    assert gmflock.lockDurationBounds() == (7 * DAY, 365 * DAY)
    assert gmflock.withdrawalFee() == (FEE_BPS, ZERO)


# ------------------------------------------------------------------------- lock


def test_first_lock_mints_boosted_gm_and_self_delegates(gmflock, token, alice):
    balance = token.balanceOf(alice)
    receipt = lock(gmflock, alice, 1_000 * WAD, 365)
    gm = 1_000 * BOOST_365
    assert receipt.return_value == 0
    assert gmflock.balanceOf(alice) == gm
    assert gmflock.getVotes(alice) == gm
    assert gmflock.delegates(alice) == alice
    assert gmflock.totalSupply() == gm
    assert gmflock.lockedOf(alice) == 1_000 * WAD
    assert gmflock.lockCount(alice) == gmflock.activeLockCount(alice) == 1
    assert token.balanceOf(alice) == balance - 1_000 * WAD
    assert token.balanceOf(gmflock) == 1_000 * WAD
    names = [log.event_name for log in receipt.events]
    assert names.count("DelegateChanged") == 1
    locked = next(log for log in receipt.events if log.event_name == "Locked")
    assert (locked.account, locked.lockId, locked.amount, locked.gm) == (alice, 0, 1_000 * WAD, gm)
    assert locked.end == receipt.timestamp + 365 * DAY


def test_second_lock_gets_next_id_and_no_delegate_event(gmflock, alice):
    lock(gmflock, alice, 10 * WAD, 30)
    receipt = lock(gmflock, alice, 20 * WAD, 90)
    assert receipt.return_value == 1
    assert "DelegateChanged" not in [log.event_name for log in receipt.events]
    assert gmflock.balanceOf(alice) == 10 * WAD + 20 * 1_360_000_000_000_000_000


def test_lock_rejects_zero(gmflock, alice):
    with ape.reverts(gmflock.GmFlockZeroAmount):
        lock(gmflock, alice, 0, 30)


def test_lock_rejects_amount_above_96_bits(gmflock, alice):
    with ape.reverts(gmflock.GmFlockAmountTooLarge, amount=2**96):
        gmflock.lock(2**96, 30 * DAY, sender=alice)


@pytest.mark.parametrize("days", [6, 366])
def test_lock_rejects_duration_out_of_bounds(gmflock, alice, days):
    with ape.reverts(gmflock.GmFlockInvalidDuration, duration=days * DAY):
        lock(gmflock, alice, WAD, days)


def test_lock_needs_allowance(gmflock, token, funded):
    carol = funded[2]
    with ape.reverts(token.ERC20InsufficientAllowance):
        lock(gmflock, carol, WAD, 30)


def _permit(token, owner, spender, value, deadline, nonce=None):
    data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Permit",
        "domain": {
            "name": "FLock",
            "version": "1",
            "chainId": ape.chain.chain_id,
            "verifyingContract": token.address,
        },
        "message": {
            "owner": owner.address,
            "spender": spender,
            "value": value,
            "nonce": token.nonces(owner) if nonce is None else nonce,
            "deadline": deadline,
        },
    }
    signed = Account.sign_message(encode_typed_data(full_message=data), owner.private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_lock_with_permit(gmflock, token, funded, chain):
    carol = funded[2]
    deadline = chain.pending_timestamp + 3600
    v, r, s = _permit(token, carol, gmflock.address, 50 * WAD, deadline)
    receipt = gmflock.lockWithPermit(50 * WAD, 30 * DAY, deadline, v, r, s, sender=carol)
    assert receipt.return_value == 0
    assert gmflock.lockedOf(carol) == 50 * WAD
    assert token.allowance(carol, gmflock) == 0


def test_lock_with_permit_survives_a_front_run_permit(gmflock, token, funded, chain, outsider):
    carol = funded[2]
    deadline = chain.pending_timestamp + 3600
    v, r, s = _permit(token, carol, gmflock.address, 50 * WAD, deadline)
    token.permit(carol, gmflock, 50 * WAD, deadline, v, r, s, sender=outsider)  # someone spends it first
    gmflock.lockWithPermit(50 * WAD, 30 * DAY, deadline, v, r, s, sender=carol)
    assert gmflock.lockedOf(carol) == 50 * WAD


def test_lock_with_bad_permit_and_no_allowance_reverts(gmflock, token, funded, chain):
    carol = funded[2]
    deadline = chain.pending_timestamp + 3600
    v, r, s = _permit(token, carol, gmflock.address, 50 * WAD, deadline, nonce=7)
    with ape.reverts(token.ERC20InsufficientAllowance):
        gmflock.lockWithPermit(50 * WAD, 30 * DAY, deadline, v, r, s, sender=carol)


# ------------------------------------------------------------------------- unlock


def test_unlock_before_end_reverts(gmflock, alice):
    lock(gmflock, alice, WAD, 30)
    end = gmflock.lockInfo(alice, 0).end
    with ape.reverts(gmflock.GmFlockLockNotExpired, lockId=0, end=end):
        gmflock.unlock(0, sender=alice)


def test_unlock_unknown_or_twice_reverts(gmflock, alice, chain):
    with ape.reverts(gmflock.GmFlockUnknownLock, account=alice, lockId=0):
        gmflock.unlock(0, sender=alice)
    lock(gmflock, alice, WAD, 30)
    warp(chain, 30 * DAY)
    gmflock.unlock(0, sender=alice)
    with ape.reverts(gmflock.GmFlockUnknownLock):
        gmflock.unlock(0, sender=alice)


def test_unlock_returns_flock_less_burned_fee(gmflock, token, alice, chain):
    lock(gmflock, alice, 1_000 * WAD, 30)
    lock(gmflock, alice, 500 * WAD, 90)
    warp(chain, 30 * DAY)
    supply, balance = token.totalSupply(), token.balanceOf(alice)
    fee = 1_000 * WAD * FEE_BPS // 10_000
    receipt = gmflock.unlock(0, sender=alice)
    assert receipt.return_value == 1_000 * WAD - fee
    assert token.balanceOf(alice) == balance + 1_000 * WAD - fee
    assert token.totalSupply() == supply - fee  # burned
    assert gmflock.balanceOf(alice) == 500 * 1_360_000_000_000_000_000
    assert gmflock.getVotes(alice) == gmflock.balanceOf(alice)
    assert gmflock.activeLockCount(alice) == 1
    assert gmflock.lockInfo(alice, 0).status == 2  # Unlocked
    unlocked = next(log for log in receipt.events if log.event_name == "Unlocked")
    assert (unlocked.amount, unlocked.fee, unlocked.gm) == (1_000 * WAD, fee, 1_000 * WAD)


def test_unlock_fee_to_treasury(gmflock, token, alice, admin, chain, outsider):
    gmflock.setWithdrawalFee(1_000, outsider, sender=admin)
    lock(gmflock, alice, 100 * WAD, 7)
    warp(chain, 7 * DAY)
    before = token.balanceOf(outsider)
    gmflock.unlock(0, sender=alice)
    assert token.balanceOf(outsider) == before + 10 * WAD


def test_unlock_without_fee_pays_the_whole_lock(gmflock, token, alice, admin, chain, outsider):
    gmflock.setWithdrawalFee(0, outsider, sender=admin)
    lock(gmflock, alice, 100 * WAD, 7)
    warp(chain, 7 * DAY)
    balance, supply, treasury = token.balanceOf(alice), token.totalSupply(), token.balanceOf(outsider)
    receipt = gmflock.unlock(0, sender=alice)
    assert receipt.return_value == 100 * WAD
    assert token.balanceOf(alice) == balance + 100 * WAD
    assert token.totalSupply() == supply and token.balanceOf(outsider) == treasury


def test_unlock_refuses_to_touch_allocated_stake(gmflock, alice, manager, chain):
    lock(gmflock, alice, 100 * WAD, 7)
    lock(gmflock, alice, 100 * WAD, 7)
    gmflock.allocate(alice, 150 * WAD, sender=manager)
    warp(chain, 7 * DAY)
    with ape.reverts(
        gmflock.GmFlockStakeAllocated, account=alice, balanceAfter=100 * WAD, allocated=150 * WAD
    ):
        gmflock.unlock(0, sender=alice)
    gmflock.release(alice, 50 * WAD, sender=manager)
    gmflock.unlock(0, sender=alice)  # now 100 remain for 100 allocated
    with ape.reverts(gmflock.GmFlockStakeAllocated):
        gmflock.unlock(1, sender=alice)


# ------------------------------------------------------------------------- extend


def test_extend_reboosts(gmflock, alice, chain):
    lock(gmflock, alice, 1_000 * WAD, 30)
    warp(chain, 10 * DAY)
    receipt = gmflock.extend(0, 365 * DAY, sender=alice)
    assert receipt.return_value == 1_000 * BOOST_365
    assert gmflock.balanceOf(alice) == 1_000 * BOOST_365
    info = gmflock.lockInfo(alice, 0)
    assert info.end == receipt.timestamp + 365 * DAY
    extended = next(log for log in receipt.events if log.event_name == "Extended")
    assert extended.gmAdded == 1_000 * BOOST_365 - 1_000 * WAD


def test_extend_boost_follows_the_remaining_duration(gmflock, alice, admin, chain):
    """Issue 11, attack 5: an expired 365-day lock (3.01x) renewed for 7 days is a 7-day lock
    (1x); before the fix, extend kept max(current, new) and the 3.01x stayed."""
    lock(gmflock, alice, 1_000 * WAD, 365)
    warp(chain, 366 * DAY)
    receipt = gmflock.extend(0, 7 * DAY, sender=alice)
    assert receipt.return_value == 1_000 * WAD
    assert gmflock.balanceOf(alice) == gmflock.getVotes(alice) == 1_000 * WAD
    burned = [log for log in receipt.events if log.event_name == "Transfer"]
    assert [(b.to, b.value) for b in burned] == [(ZERO, 1_000 * BOOST_365 - 1_000 * WAD)]
    # Governance turning the boost off applies to the extension too: it follows today's rules.
    gmflock.setBoostParameters(30 * DAY, 365 * DAY, 0, sender=admin)
    warp(chain, 8 * DAY)
    assert gmflock.extend(0, 365 * DAY, sender=alice).return_value == 1_000 * WAD


def test_extend_cannot_burn_allocated_boost(gmflock, alice, manager, chain):
    lock(gmflock, alice, 1_000 * WAD, 365)
    gmflock.allocate(alice, 2_000 * WAD, sender=manager)
    warp(chain, 366 * DAY)
    with ape.reverts(
        gmflock.GmFlockStakeAllocated, account=alice, balanceAfter=1_000 * WAD, allocated=2_000 * WAD
    ):
        gmflock.extend(0, 7 * DAY, sender=alice)
    assert gmflock.extend(0, 365 * DAY, sender=alice).return_value == 1_000 * BOOST_365


def test_extend_an_expired_lock(gmflock, alice, chain):
    lock(gmflock, alice, 10 * WAD, 7)
    warp(chain, 20 * DAY)
    gmflock.extend(0, 7 * DAY, sender=alice)
    with ape.reverts(gmflock.GmFlockLockNotExpired):
        gmflock.unlock(0, sender=alice)


def test_extend_at_the_same_boost_mints_and_burns_nothing(gmflock, alice, chain):
    """An expired 7-day lock renewed for 7 days keeps its 1x boost: gmFLOCK unchanged, no Transfer."""
    lock(gmflock, alice, 100 * WAD, 7)
    warp(chain, 8 * DAY)
    receipt = gmflock.extend(0, 7 * DAY, sender=alice)
    assert receipt.return_value == 100 * WAD
    assert gmflock.balanceOf(alice) == gmflock.getVotes(alice) == 100 * WAD
    assert [log.event_name for log in receipt.events] == ["Extended"]
    extended = next(log for log in receipt.events if log.event_name == "Extended")
    assert extended.gmAdded == 0


def test_extend_must_move_end_later(gmflock, alice):
    lock(gmflock, alice, WAD, 365)
    with ape.reverts(gmflock.GmFlockExtensionTooShort, lockId=0):
        gmflock.extend(0, 30 * DAY, sender=alice)


def test_extend_rejects_unknown_lock_and_bad_duration(gmflock, alice):
    with ape.reverts(gmflock.GmFlockUnknownLock):
        gmflock.extend(3, 30 * DAY, sender=alice)
    lock(gmflock, alice, WAD, 7)
    with ape.reverts(gmflock.GmFlockInvalidDuration):
        gmflock.extend(0, 400 * DAY, sender=alice)


# ------------------------------------------------------------------------- allocation


def test_allocate_and_release(gmflock, alice, manager):
    lock(gmflock, alice, 100 * WAD, 7)
    receipt = gmflock.allocate(alice, 60 * WAD, sender=manager)
    assert gmflock.allocatedOf(alice) == 60 * WAD
    event = next(log for log in receipt.events if log.event_name == "Allocated")
    assert (event.account, event.amount, event.allocated) == (alice, 60 * WAD, 60 * WAD)
    with ape.reverts(gmflock.GmFlockInsufficientUnallocated, requested=41 * WAD, available=40 * WAD):
        gmflock.allocate(alice, 41 * WAD, sender=manager)
    receipt = gmflock.release(alice, 60 * WAD, sender=manager)
    assert gmflock.allocatedOf(alice) == 0
    assert [log.event_name for log in receipt.events] == ["Released"]


def test_allocation_reverts(gmflock, alice, manager, outsider):
    with ape.reverts(gmflock.GmFlockZeroAmount):
        gmflock.allocate(alice, 0, sender=manager)
    with ape.reverts(gmflock.GmFlockZeroAmount):
        gmflock.release(alice, 0, sender=manager)
    with ape.reverts(gmflock.GmFlockExceedsAllocation, requested=1, allocated=0):
        gmflock.release(alice, 1, sender=manager)
    with ape.reverts(gmflock.AccessControlUnauthorizedAccount):
        gmflock.allocate(alice, 1, sender=outsider)
    with ape.reverts(gmflock.AccessControlUnauthorizedAccount):
        gmflock.release(alice, 1, sender=outsider)


# ------------------------------------------------------------------------- slashing


def test_slash_shrinks_locks_pro_rata_and_pays_destination(gmflock, token, alice, manager, outsider, chain):
    lock(gmflock, alice, 1_000 * WAD, 7)  # gm 1,000
    lock(gmflock, alice, 1_000 * WAD, 365)  # gm 3,010
    gmflock.allocate(alice, 1_000 * WAD, sender=manager)
    balance, locked = gmflock.balanceOf(alice), gmflock.lockedOf(alice)
    before = token.balanceOf(outsider)
    receipt = gmflock.slash(alice, 401 * WAD, outsider, sender=manager)  # 10% of 4,010
    seized = locked * 401 * WAD // balance
    assert receipt.return_value == seized == 200 * WAD
    assert token.balanceOf(outsider) == before + seized
    assert gmflock.balanceOf(alice) == balance - 401 * WAD
    assert gmflock.getVotes(alice) == gmflock.balanceOf(alice)
    assert gmflock.lockedOf(alice) == locked - seized
    assert gmflock.allocatedOf(alice) == 599 * WAD
    first, second = gmflock.locksOf(alice, 0, 2)
    assert (first.amount, first.gm) == (900 * WAD, 900 * WAD)
    assert (second.amount, second.gm) == (900 * WAD, 2_709 * WAD)
    assert first.amount + second.amount == gmflock.lockedOf(alice)
    gmflock.release(alice, 599 * WAD, sender=manager)
    warp(chain, 7 * DAY)
    fee = 900 * WAD * FEE_BPS // 10_000
    assert gmflock.unlock(0, sender=alice).return_value == 900 * WAD - fee


def test_slash_to_zero_address_burns(gmflock, token, alice, manager):
    lock(gmflock, alice, 100 * WAD, 7)
    gmflock.allocate(alice, 50 * WAD, sender=manager)
    supply = token.totalSupply()
    gmflock.slash(alice, 50 * WAD, ZERO, sender=manager)
    assert token.totalSupply() == supply - 50 * WAD


def test_slash_everything_voids_locks_and_the_account_starts_over(gmflock, token, alice, manager, chain):
    lock(gmflock, alice, 100 * WAD, 7)
    lock(gmflock, alice, 100 * WAD, 30)
    gmflock.allocate(alice, gmflock.balanceOf(alice), sender=manager)
    receipt = gmflock.slash(alice, gmflock.balanceOf(alice), manager, sender=manager)
    assert receipt.return_value == 200 * WAD
    assert gmflock.balanceOf(alice) == gmflock.lockedOf(alice) == gmflock.activeLockCount(alice) == 0
    assert [info.status for info in gmflock.locksOf(alice, 0, 10)] == [3, 3]  # Voided
    with ape.reverts(gmflock.GmFlockUnknownLock):
        gmflock.unlock(0, sender=alice)
    lock(gmflock, alice, 10 * WAD, 7)  # a fresh start at full value
    warp(chain, 7 * DAY)
    assert gmflock.unlock(2, sender=alice).return_value == 10 * WAD - 10 * WAD * FEE_BPS // 10_000
    assert token.balanceOf(gmflock) == 0


def test_slash_seizing_nothing_when_the_kept_share_rounds_up(gmflock, token, alice, manager, outsider):
    """A 1-wei slash of a boosted lock: the kept FLOCK, ceil(L (B - 1) / B), is still L (rounded up),
    so nothing is seized and nothing moves; the gmFLOCK still falls by the slash."""
    lock(gmflock, alice, 100 * WAD, 365)
    gmflock.allocate(alice, 1, sender=manager)
    balance, locked, before = gmflock.balanceOf(alice), gmflock.lockedOf(alice), token.balanceOf(outsider)
    receipt = gmflock.slash(alice, 1, outsider, sender=manager)
    assert receipt.return_value == 0
    assert gmflock.lockedOf(alice) == locked
    assert token.balanceOf(outsider) == before
    assert gmflock.balanceOf(alice) == balance - 1
    assert [log.event_name for log in receipt.events].count("Transfer") == 1  # the gmFLOCK burn only


def test_unlock_of_a_lock_slashed_to_nothing_pays_nothing(gmflock, token, alice, manager, chain, outsider):
    """A 1-wei lock beside a large one: after a slash its current value rounds down to 0 FLOCK, so its
    unlock pays nothing and charges no fee, and the large lock keeps the whole remaining total."""
    lock(gmflock, alice, 1, 7)
    lock(gmflock, alice, 100 * WAD, 7)
    gmflock.allocate(alice, 10 * WAD, sender=manager)
    gmflock.slash(alice, 10 * WAD, outsider, sender=manager)  # the whole allocation: none left
    warp(chain, 7 * DAY)
    balance, supply = token.balanceOf(alice), token.totalSupply()
    receipt = gmflock.unlock(0, sender=alice)
    assert receipt.return_value == 0
    assert token.balanceOf(alice) == balance and token.totalSupply() == supply
    unlocked = next(log for log in receipt.events if log.event_name == "Unlocked")
    assert (unlocked.amount, unlocked.fee) == (0, 0)
    assert gmflock.lockInfo(alice, 1).amount == gmflock.lockedOf(alice)


def test_slash_reverts(gmflock, alice, manager, outsider):
    lock(gmflock, alice, 100 * WAD, 7)
    with ape.reverts(gmflock.GmFlockZeroAmount):
        gmflock.slash(alice, 0, manager, sender=manager)
    with ape.reverts(gmflock.GmFlockExceedsAllocation, requested=1, allocated=0):
        gmflock.slash(alice, 1, manager, sender=manager)
    with ape.reverts(gmflock.AccessControlUnauthorizedAccount):
        gmflock.slash(alice, 1, outsider, sender=outsider)


def test_slash_is_constant_work_whatever_the_number_of_locks(gmflock, alice, bob, manager, deployer, chain):
    lock(gmflock, alice, 100 * WAD, 7)
    for _ in range(20):
        lock(gmflock, bob, 5 * WAD, 7)
    gmflock.allocate(alice, 10 * WAD, sender=manager)
    gmflock.allocate(bob, 10 * WAD, sender=manager)
    warp(chain, 60)
    one = gmflock.slash(alice, WAD, deployer, sender=manager).gas_used  # to an existing FLOCK holder
    warp(chain, 60)
    many = gmflock.slash(bob, WAD, deployer, sender=manager).gas_used
    assert abs(one - many) <= one * 0.02


# ------------------------------------------------------------------------- votes


def test_delegate_moves_votes_and_back(gmflock, alice, bob):
    lock(gmflock, alice, 100 * WAD, 7)
    receipt = gmflock.invoke_transaction("delegate", bob, sender=alice)
    assert gmflock.delegates(alice) == bob
    assert gmflock.getVotes(alice) == 0
    assert gmflock.getVotes(bob) == 100 * WAD
    assert "DelegateChanged" in [log.event_name for log in receipt.events]
    gmflock.invoke_transaction("delegate", alice, sender=alice)
    assert gmflock.getVotes(alice) == 100 * WAD


def test_delegated_votes_follow_new_locks_and_slashes(gmflock, alice, bob, manager):
    gmflock.invoke_transaction("delegate", bob, sender=alice)
    lock(gmflock, alice, 100 * WAD, 7)
    assert gmflock.getVotes(bob) == 100 * WAD
    gmflock.allocate(alice, 40 * WAD, sender=manager)
    gmflock.slash(alice, 40 * WAD, manager, sender=manager)
    assert gmflock.getVotes(bob) == 60 * WAD


def test_delegate_to_zero_refused(gmflock, alice):
    with ape.reverts(gmflock.GmFlockZeroDelegate):
        gmflock.invoke_transaction("delegate", ZERO, sender=alice)


def _delegation_signature(gmflock, signer, delegatee, nonce, expiry):
    data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Delegation": [
                {"name": "delegatee", "type": "address"},
                {"name": "nonce", "type": "uint256"},
                {"name": "expiry", "type": "uint256"},
            ],
        },
        "primaryType": "Delegation",
        "domain": {
            "name": "gmFLOCK",
            "version": "1",
            "chainId": ape.chain.chain_id,
            "verifyingContract": gmflock.address,
        },
        "message": {"delegatee": delegatee, "nonce": nonce, "expiry": expiry},
    }
    signed = Account.sign_message(encode_typed_data(full_message=data), signer.private_key)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_delegate_by_sig(gmflock, alice, bob, outsider, chain):
    lock(gmflock, alice, 100 * WAD, 7)
    expiry = chain.pending_timestamp + 3600
    v, r, s = _delegation_signature(gmflock, alice, bob.address, 0, expiry)
    assert gmflock.nonces(alice) == 0
    gmflock.delegateBySig(bob, 0, expiry, v, r, s, sender=outsider)
    assert gmflock.delegates(alice) == bob
    assert gmflock.nonces(alice) == 1  # the signer's nonce is used
    assert gmflock.getVotes(bob) == 100 * WAD
    with ape.reverts(gmflock.InvalidAccountNonce):
        gmflock.delegateBySig(bob, 0, expiry, v, r, s, sender=outsider)  # replay


def test_delegate_by_sig_expired(gmflock, alice, bob, outsider, chain):
    expiry = chain.pending_timestamp - 1
    v, r, s = _delegation_signature(gmflock, alice, bob.address, 0, expiry)
    with ape.reverts(gmflock.VotesExpiredSignature):
        gmflock.delegateBySig(bob, 0, expiry, v, r, s, sender=outsider)


def test_clock_is_timestamp(gmflock, chain):
    assert gmflock.CLOCK_MODE() == "mode=timestamp"
    assert gmflock.clock() == chain.blocks.head.timestamp


def test_past_votes_and_supply(gmflock, alice, bob, chain):
    lock(gmflock, alice, 100 * WAD, 7)
    t1 = chain.blocks.head.timestamp
    warp(chain, 100)
    lock(gmflock, bob, 50 * WAD, 7)
    t2 = chain.blocks.head.timestamp
    warp(chain, 100)
    assert gmflock.getPastVotes(alice, t1) == 100 * WAD
    assert gmflock.getPastVotes(bob, t1) == 0
    assert gmflock.getPastVotes(bob, t2) == 50 * WAD
    assert gmflock.getPastTotalSupply(t1 - 1) == 0
    assert gmflock.getPastTotalSupply(t1) == 100 * WAD
    assert gmflock.getPastTotalSupply(t2) == 150 * WAD
    assert gmflock.numCheckpoints(alice) == 1
    assert gmflock.checkpoints(alice, 0) == (t1, 100 * WAD)


def test_future_lookup_and_checkpoint_range_revert(gmflock, alice, chain):
    now = gmflock.clock()
    with ape.reverts(gmflock.GmFlockFutureLookup):
        gmflock.getPastVotes(alice, now + 10)
    with ape.reverts(gmflock.GmFlockFutureLookup):
        gmflock.getPastTotalSupply(now + 10)
    with ape.reverts(gmflock.PackedCheckpointsOutOfRange, pos=0, length=0):
        gmflock.checkpoints(alice, 0)


def test_checkpoint_history_over_many_timepoints(gmflock, alice, chain):
    """The head-plus-history layout answers every past timepoint like a plain array would."""
    history = []
    for i in range(12):
        lock(gmflock, alice, (i + 1) * WAD, 7)
        history.append((chain.blocks.head.timestamp, gmflock.getVotes(alice)))
        warp(chain, 50)
    warp(chain, 1)
    assert gmflock.numCheckpoints(alice) == 12
    for timepoint, votes in history:
        assert gmflock.getPastVotes(alice, timepoint) == votes
        assert gmflock.getPastVotes(alice, timepoint + 25) == votes
    assert gmflock.getPastVotes(alice, history[0][0] - 1) == 0


# ------------------------------------------------------------------------- views


def test_lock_views_and_pagination(gmflock, alice, chain):
    for days in (7, 30, 90):
        lock(gmflock, alice, 10 * WAD, days)
    warp(chain, 7 * DAY)
    gmflock.unlock(0, sender=alice)
    page = gmflock.locksOf(alice, 0, 10)
    assert [info.id for info in page] == [0, 1, 2]
    assert [info.status for info in page] == [2, 1, 1]  # Unlocked, Active, Active
    assert [info.id for info in gmflock.locksOf(alice, 1, 1)] == [1]
    assert gmflock.locksOf(alice, 5, 10) == []
    assert gmflock.lockInfo(alice, 9).status == 0  # None


# ------------------------------------------------------------------------- governance setters


def test_setters_update_and_emit(gmflock, admin, outsider):
    receipt = gmflock.setBoostParameters(10 * DAY, 200 * DAY, WAD, sender=admin)
    assert gmflock.boostParameters() == (10 * DAY, 200 * DAY, WAD)
    assert [log.event_name for log in receipt.events] == ["BoostParametersSet"]
    gmflock.setLockDurationBounds(DAY, 200 * DAY, sender=admin)
    assert gmflock.lockDurationBounds() == (DAY, 200 * DAY)
    gmflock.setWithdrawalFee(0, outsider, sender=admin)
    assert gmflock.withdrawalFee() == (0, outsider)


def test_boost_change_applies_to_new_locks_only(gmflock, alice, admin):
    lock(gmflock, alice, 100 * WAD, 365)
    gmflock.setBoostParameters(30 * DAY, 365 * DAY, 0, sender=admin)
    lock(gmflock, alice, 100 * WAD, 365)
    first, _second = gmflock.locksOf(alice, 0, 2)
    assert first.gm == 100 * BOOST_365
    assert gmflock.balanceOf(alice) == 100 * BOOST_365 + 100 * WAD


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ((30 * DAY, 0, WAD), "boostHorizon"),
        ((30 * DAY, 5 * 365 * DAY, WAD), "boostHorizon"),
        ((365 * DAY, 365 * DAY, WAD), "boostFloor"),
        ((30 * DAY, 365 * DAY, 5 * WAD + 1), "boostEpsilon"),
    ],
)
def test_boost_parameter_bounds(gmflock, admin, args, parameter):
    with ape.reverts(gmflock.GmFlockParameterOutOfBounds, parameter=parameter.encode().ljust(32, b"\0")):
        gmflock.setBoostParameters(*args, sender=admin)


def test_duration_and_fee_bounds(gmflock, admin):
    with ape.reverts(gmflock.GmFlockParameterOutOfBounds):
        gmflock.setLockDurationBounds(DAY - 1, 30 * DAY, sender=admin)
    with ape.reverts(gmflock.GmFlockParameterOutOfBounds):
        gmflock.setLockDurationBounds(30 * DAY, 29 * DAY, sender=admin)
    with ape.reverts(gmflock.GmFlockParameterOutOfBounds):
        gmflock.setLockDurationBounds(DAY, 4 * 365 * DAY + 1, sender=admin)
    with ape.reverts(gmflock.GmFlockParameterOutOfBounds):
        gmflock.setWithdrawalFee(2_001, ZERO, sender=admin)


@pytest.mark.parametrize(
    ("function", "args"),
    [
        ("setBoostParameters", (30 * DAY, 365 * DAY, WAD)),
        ("setLockDurationBounds", (7 * DAY, 365 * DAY)),
        ("setWithdrawalFee", (0, ZERO)),
    ],
)
def test_setters_refuse_others(gmflock, outsider, function, args):
    with ape.reverts(gmflock.AccessControlUnauthorizedAccount):
        getattr(gmflock, function)(*args, sender=outsider)


# ------------------------------------------------------------------------- kick (issue 11, attack 5)


def test_anyone_kicks_an_expired_locks_boost(gmflock, alice, bob, chain):
    """The attack: an expired 365-day lock kept 3.01x gmFLOCK and votes. Now a stranger kicks it
    down to 1x; past votes keep their history (INV-08)."""
    lock(gmflock, alice, 1_000 * WAD, 365)
    lock(gmflock, alice, 500 * WAD, 30)
    warp(chain, 366 * DAY)
    before = chain.pending_timestamp - 1
    votes, supply = gmflock.getVotes(alice), gmflock.totalSupply()
    receipt = gmflock.kick(alice, 0, sender=bob)
    removed = 1_000 * BOOST_365 - 1_000 * WAD
    assert receipt.return_value == removed
    kicked = next(log for log in receipt.events if log.event_name == "Kicked")
    assert (kicked.account, kicked.lockId, kicked.kicker, kicked.gmRemoved, kicked.gm) == (
        alice,
        0,
        bob,
        removed,
        1_000 * WAD,
    )
    assert gmflock.getVotes(alice) == votes - removed and gmflock.totalSupply() == supply - removed
    burn = next(log for log in receipt.events if log.event_name == "Transfer")  # ERC-20 view of it
    assert (burn.contract_address, burn.event_arguments) == (
        gmflock.address,
        {"from": alice.address, "to": ZERO, "value": removed},
    )
    assert gmflock.lockInfo(alice, 0).gm == 1_000 * WAD
    warp(chain, 1)
    assert gmflock.getPastVotes(alice, before) == votes
    assert gmflock.getPastTotalSupply(before) == supply
    # The unlock still returns every FLOCK of the lock.
    assert gmflock.unlock(0, sender=alice).return_value == 1_000 * WAD - 1_000 * WAD * FEE_BPS // 10_000


def test_kick_refusals(gmflock, alice, bob, chain):
    lock(gmflock, alice, 1_000 * WAD, 365)
    lock(gmflock, alice, 1_000 * WAD, 7)
    with ape.reverts(gmflock.GmFlockLockNotExpired, lockId=0):
        gmflock.kick(alice, 0, sender=bob)
    with ape.reverts(gmflock.GmFlockUnknownLock, account=alice, lockId=2):
        gmflock.kick(alice, 2, sender=bob)
    warp(chain, 8 * DAY)
    with ape.reverts(gmflock.GmFlockNothingToKick, account=alice, lockId=1, boostGm=0):
        gmflock.kick(alice, 1, sender=bob)  # a 7-day lock has no boost


def test_kick_leaves_allocated_stake_in_place(gmflock, alice, bob, manager, chain):
    """INV-04: allocated <= balance. A kick removes only unallocated boost; the rest waits until
    the task releases it, and the removed boost can no longer be allocated to any task."""
    lock(gmflock, alice, 1_000 * WAD, 365)
    gmflock.allocate(alice, 2_500 * WAD, sender=manager)
    warp(chain, 366 * DAY)
    assert gmflock.kick(alice, 0, sender=bob).return_value == 510 * WAD
    assert gmflock.balanceOf(alice) == gmflock.allocatedOf(alice) == 2_500 * WAD
    with ape.reverts(gmflock.GmFlockNothingToKick, boostGm=1_500 * WAD, unallocated=0):
        gmflock.kick(alice, 0, sender=bob)
    with ape.reverts(gmflock.GmFlockInsufficientUnallocated):
        gmflock.allocate(alice, 1, sender=manager)
    gmflock.release(alice, 1_000 * WAD, sender=manager)
    assert gmflock.kick(alice, 0, sender=bob).return_value == 1_000 * WAD
    assert gmflock.balanceOf(alice) == gmflock.allocatedOf(alice) == 1_500 * WAD
