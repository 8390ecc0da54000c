"""The lock escape through the FL Alliance slash (decision 189, closed by decision 195; docs/audit.md,
"Lock escape through Alliance slashes"): colluding accounts tried to turn LOCKED gmFLOCK into
liquid FLOCK before the lock ends.

A holds a year's lock. B creates an Alliance task itself, for 2 participants (rounds run on pending
tasks, so nobody need approve it; approved, it goes the same way: both are run), A joins with all
its gmFLOCK, B with the minimum. Each round A enrolls and withholds its secret (`SeedWithheld`,
`absentSlashBps` of its stake: the slash that needs no other player), B reveals, finalizes and
settles: B is the only honest participant and the finalizer, so 100% of the FLOCK seized from A's
lock is credited to B. Before decision 195, B withdrew it as FLOCK at once (71,312.50 FLOCK in 3
rounds, 24.25 hours, 363 days before A's lock ended).

Decision 195: FLOCK seized by a slash stays locked. The split is unchanged (all of it is still B's
credit), but B's `withdraw` pays it as a new gmFLOCK lock of B for the maximum lock duration, which
ends no earlier than A's lock: B gets no liquid FLOCK out of A's lock before A's lock would have
ended. The test performs the same attack and asserts that, with the figures of the old one.
"""

from __future__ import annotations

import ape
import pytest
from alliance_helpers import E, events

from flock.alliance.chain import ApeClock, RoundDriver, owed_of, withdraw
from flock.alliance.protocol import BPS, Outcome, Owed, SlashReason
from flock.chain.clock import head_time
from flock.tasks import Role, TaskKind, TaskState, spec_hash
from flock.units import DAY

ROUNDS = 3  # each round is one `absentSlashBps` slash of A's remaining stake
LOCKED = 500_000 * E  # the people fixture's lock: 500,000 FLOCK for 365 days
EXPECTED_SEIZED = 71_312_500 * E // 1_000  # 500,000 x (1 - 0.95^3): decision 189's figure


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
    liquid_before, locked_before, locks_before = token.balanceOf(b), gmflock.lockedOf(b), gmflock.lockCount(b)
    seized, gas = 0, 0
    for _ in range(ROUNDS):
        took, used = _escape_round(driver, a, b)
        seized, gas = seized + took, gas + used
    assert tasks.taskInfo(task_id).state == (TaskState.APPROVED if approved else TaskState.PENDING)
    assert owed_of(alliance, b) == Owed(liquid=0, relock=seized)  # all of it B's, to relock
    paid = withdraw(alliance, b)
    withdrawn_at = head_time()
    elapsed = withdrawn_at - started

    # The attack's figures (decision 189): A's lock lost `seized` FLOCK, 14.26% of it in 3 rounds
    # (24.25 hours), and all of it was credited to B, while A's lock still runs and A itself
    # cannot unlock anything.
    kept = LOCKED * (BPS - absent_bps) ** ROUNDS // BPS**ROUNDS
    assert gmflock.lockedOf(a) == LOCKED - seized
    assert abs(gmflock.lockedOf(a) - kept) <= ROUNDS  # rounding of each slash
    assert abs(seized - EXPECTED_SEIZED) <= ROUNDS  # 71,312.50 FLOCK
    assert elapsed < 2 * DAY and head_time() < lock.end
    with ape.reverts(gmflock.GmFlockLockNotExpired):
        gmflock.unlock(lock.id, sender=a)

    # Decision 195: B got no liquid FLOCK; it got all of it as one gmFLOCK lock of its own, of the
    # maximum duration, ending no earlier than A's lock, which B cannot unlock before then either.
    assert (paid.liquid, paid.relocked) == (0, seized)
    assert token.balanceOf(b) == liquid_before
    assert gmflock.lockedOf(b) == locked_before + seized and gmflock.lockCount(b) == locks_before + 1
    relock = gmflock.lockInfo(b, paid.lock_id)
    _, max_duration = gmflock.lockDurationBounds()
    assert relock.amount == seized and relock.end == withdrawn_at + max_duration
    assert relock.end >= lock.end, "B's gain must stay locked at least as long as A's lock"
    assert relock.gm == gmflock.previewLock(seized, max_duration)
    with ape.reverts(gmflock.GmFlockLockNotExpired):
        gmflock.unlock(paid.lock_id, sender=b)
    assert owed_of(alliance, b) == Owed()
    print(
        f"{seized / E:,.2f} FLOCK ({seized * 100 / LOCKED:.2f}% of A's lock) seized in {ROUNDS} rounds, "
        f"{elapsed / 3600:.2f} h, {gas:,} gas; paid to B as lock {paid.lock_id} ending "
        f"{(relock.end - lock.end) / DAY:.1f} days after A's"
    )


def test_a_slash_nobody_honest_shares_goes_to_the_treasury_not_the_pool(
    alliance, tasks, gmflock, token, people, stranger, creator, deployer, treasury
):
    """Both colluders withhold (no honest stake): before decision 195 the seized FLOCK joined the
    task's pool, which later rounds pay out as liquid rewards; now it goes to the treasury, and
    the finalizer's share is still a lock."""
    a, b = stranger, creator
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, spec_hash("escape 2"), "ipfs://escape2", 2, 2, sender=b)
    task_id = tasks.taskCount()
    tasks.join(task_id, Role.PARTICIPANT, gmflock.balanceOf(a) - gmflock.allocatedOf(a), 0, sender=a)
    tasks.join(task_id, Role.PARTICIPANT, tasks.stakeMinimums()[2], 0, sender=b)
    driver = RoundDriver(alliance, task_id, ApeClock(), deployer)
    driver.open()
    driver.enroll(a)
    driver.enroll(b)
    driver.to_seed_reveal()
    driver.to_tally()
    driver.finalize(sender=b)
    assert driver.info().honestStake == 0
    pool, before = alliance.poolOf(task_id).pool, token.balanceOf(treasury)
    settle = driver.settle([a, b], sender=b)
    slashes = {s.account: s for s in events(settle, "ParticipantSlashed", driver.alliance)}
    assert set(slashes) == {a.address, b.address}
    to_treasury = sum(s.toHonest for s in slashes.values())
    assert alliance.poolOf(task_id).pool == pool
    assert token.balanceOf(treasury) == before + to_treasury
    assert owed_of(alliance, b) == Owed(relock=slashes[a.address].toFinalizer)  # none of its own
    assert slashes[b.address].toFinalizer == 0
