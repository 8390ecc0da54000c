"""A lock escape through the FL Alliance slash (decision 189; docs/audit.md, "Lock escape through
Alliance slashes"): colluding accounts turn LOCKED gmFLOCK into liquid FLOCK before the lock ends.

A holds a year's lock. B creates an Alliance task itself, for 2 participants (rounds run on pending
tasks, so nobody need approve it; approved, it goes the same way: both are run), A joins with all
its gmFLOCK, B with the minimum. Each round A enrolls and withholds its secret (`SeedWithheld`,
`absentSlashBps` of its stake: the slash that needs no other player), B reveals, finalizes and
settles: B is the only honest participant and the finalizer, so 100% of the FLOCK seized from A's
lock is credited to B, who withdraws it. No fee, no burn, no approval needed, no dispute delay (the dispute
window only bounds how late a slash may come).

The test performs the attack and then checks the property the protocol should have: colluders get
no liquid FLOCK out of a lock before it ends. It does not hold today, so the test is a strict
expected failure on exactly that check (`LockEscaped`): any other failure (a revert, a wrong figure)
fails it. The figures pin today's rule (all seized FLOCK to B, none burned), so a fix changes them:
whoever lands it rewrites them to the new rule and removes the mark (strict: an unexpected pass fails).
"""

from __future__ import annotations

import ape
import pytest
from alliance_helpers import E, events

from flock.alliance.chain import ApeClock, RoundDriver
from flock.alliance.protocol import BPS, Outcome, SlashReason
from flock.chain.clock import head_time
from flock.tasks import Role, TaskKind, TaskState, spec_hash
from flock.units import DAY

ROUNDS = 3  # each round is one `absentSlashBps` slash of A's remaining stake
LOCKED = 500_000 * E  # the people fixture's lock: 500,000 FLOCK for 365 days


class LockEscaped(AssertionError):
    """Colluders took liquid FLOCK out of a lock before its end."""


def _escape_round(driver: RoundDriver, a, b) -> tuple[int, int]:
    """One round: A enrolls and withholds its secret, B reveals, finalizes and settles both.
    Returns the FLOCK seized from A's lock and the gas the round's transactions used."""
    receipts = [driver.open()]
    driver.enroll(a)
    secret = driver.enroll(b)
    driver.to_seed_reveal()
    receipts.append(driver.reveal_seed(b, secret))
    driver.to_tally()
    receipts.append(driver.finalize(sender=b))
    assert driver.info().outcome == Outcome.NOT_DRAWN
    settle = driver.settle([a, b], sender=b)
    receipts.append(settle)
    (slash,) = events(settle, "ParticipantSlashed", driver.alliance)
    assert (slash.account, slash.reason) == (a.address, SlashReason.SEED_WITHHELD)
    assert slash.toHonest + slash.toFinalizer == slash.flockSeized  # all of it to B: nothing burned
    return slash.flockSeized, sum(r.gas_used for r in receipts)


@pytest.mark.parametrize("approved", [False, True], ids=["pending task", "approved task"])
@pytest.mark.xfail(
    strict=True,
    raises=LockEscaped,
    reason="decision 189: an Alliance slash pays colluders the FLOCK of an unexpired lock "
    "(5% of what is left of A's lock per 8h05m round, no fee, approved task or not); the fix is open",
)
def test_colluders_cannot_turn_a_locked_position_into_liquid_flock(
    approved, alliance, tasks, gmflock, token, people, stranger, creator, deployer, admin
):
    a, b = stranger, creator  # A: a year's lock, in no task; B: the colluding creator and finalizer
    (lock,) = [i for i in gmflock.locksOf(a, 0, 10) if i.amount > 0]
    assert gmflock.lockedOf(a) == lock.amount == LOCKED
    started = head_time()

    # B creates the task, closed to others (2 participants at most); approval changes nothing.
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, spec_hash("escape"), "ipfs://escape", 2, 2, sender=b)
    task_id = tasks.taskCount()
    if approved:
        tasks.approveTask(task_id, sender=admin)
    stake_a = gmflock.balanceOf(a) - gmflock.allocatedOf(a)
    tasks.join(task_id, Role.PARTICIPANT, stake_a, 0, sender=a)
    tasks.join(task_id, Role.PARTICIPANT, tasks.stakeMinimums()[2], 0, sender=b)

    driver = RoundDriver(alliance, task_id, ApeClock(), deployer)
    absent_bps = alliance.slashRules()[2]
    liquid_before = token.balanceOf(b)
    seized, gas = 0, 0
    for _ in range(ROUNDS):
        took, used = _escape_round(driver, a, b)
        seized, gas = seized + took, gas + used
    assert tasks.taskInfo(task_id).state == (TaskState.APPROVED if approved else TaskState.PENDING)
    alliance.withdraw(b, sender=b)
    gained = token.balanceOf(b) - liquid_before
    elapsed = head_time() - started

    # The figures (decision 189): A's lock lost `seized` FLOCK, B holds all of it, liquid, while
    # A's lock still runs and A itself cannot unlock anything.
    kept = LOCKED * (BPS - absent_bps) ** ROUNDS // BPS**ROUNDS
    assert gmflock.lockedOf(a) == LOCKED - seized
    assert abs(gmflock.lockedOf(a) - kept) <= ROUNDS  # rounding of each slash
    assert gained == seized
    assert elapsed < 2 * DAY and head_time() < lock.end
    with ape.reverts(gmflock.GmFlockLockNotExpired):
        gmflock.unlock(lock.id, sender=a)
    if gained > 0:
        raise LockEscaped(
            f"{gained / E:,.2f} FLOCK ({gained * 100 / LOCKED:.2f}% of A's lock) liquid to B after "
            f"{ROUNDS} rounds in {elapsed / 3600:.2f} h, {gas:,} gas, "
            f"{(lock.end - head_time()) / DAY:.1f} days before the lock's end"
        )
