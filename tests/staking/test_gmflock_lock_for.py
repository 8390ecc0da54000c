"""GmFlock's `lockFor` (decision 195): a LOCKER_ROLE holder (the FL Alliance rounds, granted at
deploy) pays FLOCK out as a lock of another account, for the current maximum lock duration."""

import ape
import pytest

from flock.units import DAY, WAD


@pytest.fixture
def locker(accounts, gmflock, token, admin, funded):
    """An account given LOCKER_ROLE by the admin, holding FLOCK approved to gmFLOCK."""
    account = funded[2]
    gmflock.grantRole(gmflock.LOCKER_ROLE(), account, sender=admin)
    token.approve(gmflock, 2**256 - 1, sender=account)
    return account


def test_the_deploy_grants_the_locker_role_to_the_alliance_alone(gmflock, manifest, tasks, deployer, admin):
    role = gmflock.LOCKER_ROLE()
    assert gmflock.hasRole(role, manifest.address("alliance"))
    assert not any(gmflock.hasRole(role, a) for a in (tasks, deployer, admin))


def test_others_are_refused(gmflock, token, funded, outsider, admin):
    """Without LOCKER_ROLE, lockFor reverts, whatever the caller holds or approved."""
    caller = funded[3]
    token.approve(gmflock, 2**256 - 1, sender=caller)
    for who in (caller, outsider, admin):
        with ape.reverts(gmflock.AccessControlUnauthorizedAccount, account=who):
            gmflock.lockFor(funded[0], WAD, sender=who)
    assert gmflock.lockCount(funded[0]) == 0


def test_lock_for_opens_a_max_duration_lock_paid_by_the_caller(chain, gmflock, token, locker, funded):
    account = funded[0]
    amount = 1_234 * WAD
    _, max_duration = gmflock.lockDurationBounds()
    payer_before, account_before = token.balanceOf(locker), token.balanceOf(account)
    gm = gmflock.previewLock(amount, max_duration)
    assert gm > amount  # the boost the maximum duration earns
    receipt = gmflock.lockFor(account, amount, sender=locker)
    lock_id = receipt.return_value
    now = chain.blocks.head.timestamp
    info = gmflock.lockInfo(account, lock_id)
    assert (info.amount, info.gm, info.end) == (amount, gm, now + max_duration)
    assert gmflock.balanceOf(account) == gm and gmflock.lockedOf(account) == amount
    assert gmflock.getVotes(account) == gm  # votes by its own balance, no call needed
    assert gmflock.balanceOf(locker) == 0 and gmflock.lockCount(locker) == 0
    assert token.balanceOf(locker) == payer_before - amount  # pulled from the caller
    assert token.balanceOf(account) == account_before
    assert receipt.events.filter(gmflock.Locked)[0].account == account
    (event,) = receipt.events.filter(gmflock.LockedFor)
    assert (event.account, event.lockId, event.locker) == (account, lock_id, locker)
    with ape.reverts(gmflock.GmFlockLockNotExpired):
        gmflock.unlock(lock_id, sender=account)
    chain.mine(timestamp=now + max_duration)
    (unlocked,) = gmflock.unlock(lock_id, sender=account).events.filter(gmflock.Unlocked)
    assert unlocked.amount == amount and unlocked.fee > 0  # an ordinary lock from then on: the fee applies


def test_lock_for_follows_the_maximum_duration_and_checks_the_amount(chain, gmflock, locker, funded, admin):
    gmflock.setLockDurationBounds(7 * DAY, 200 * DAY, sender=admin)
    lock_id = gmflock.lockFor(funded[1], WAD, sender=locker).return_value
    assert gmflock.lockInfo(funded[1], lock_id).end == chain.blocks.head.timestamp + 200 * DAY
    with ape.reverts(gmflock.GmFlockZeroAmount):
        gmflock.lockFor(funded[1], 0, sender=locker)
    with ape.reverts(gmflock.GmFlockAmountTooLarge):
        gmflock.lockFor(funded[1], 2**96, sender=locker)
