"""Staking jobs: lock FLOCK for gmFLOCK, extend a lock, unlock an expired one, delegate votes.
docs/gmflock.md explains the boost, the withdrawal fee and why allocated stake cannot be unlocked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.chain.clock import head_time
from flock.ops import OpsError
from flock.tasks import LockStatus
from flock.units import format_token, human_duration, relative_time


@dataclass(frozen=True)
class LockDone:
    lock_id: int
    amount: int
    gm: int
    end: int
    approved: bool  # an approval was sent first

    def lines(self, now: int) -> list[str]:
        first = "approved the FLOCK, then " if self.approved else ""
        return [
            f"{first}locked {format_token(self.amount)} FLOCK as lock {self.lock_id}: "
            f"{format_token(self.gm)} gmFLOCK (votes and stake)",
            f"unlockable {relative_time(self.end, now)}",
        ]


def _check_duration(gmflock: Any, seconds: int) -> None:
    low, high = (int(x) for x in gmflock.lockDurationBounds())
    if not low <= seconds <= high:
        raise OpsError(
            f"a lock lasts {human_duration(low)} to {human_duration(high)}; "
            f"{human_duration(seconds)} is outside"
        )


def lock(token: Any, gmflock: Any, sender: Any, amount: int, seconds: int) -> LockDone:
    """Approves the FLOCK if needed and locks it for ``seconds``."""
    if amount <= 0:
        raise OpsError("the amount must be positive")
    _check_duration(gmflock, seconds)
    balance = int(token.balanceOf(sender))
    if balance < amount:
        raise OpsError(
            f"{sender.address} holds {format_token(balance)} FLOCK, "
            f"less than the {format_token(amount)} to lock"
        )
    approved = int(token.allowance(sender, gmflock)) < amount
    if approved:
        token.approve(gmflock, amount, sender=sender)
    receipt = gmflock.lock(amount, seconds, sender=sender)
    lock_id = int(gmflock.lockCount(sender)) - 1
    info = gmflock.lockInfo(sender, lock_id)
    del receipt
    return LockDone(lock_id, amount, int(info.gm), int(info.end), approved)


def _active_lock(gmflock: Any, owner: Any, lock_id: int) -> Any:
    count = int(gmflock.lockCount(owner))
    if not 0 <= lock_id < count:
        known = f"locks 0 to {count - 1}" if count else "no locks"
        raise OpsError(f"{owner.address} has no lock {lock_id} ({known}; `ape run stake show`)")
    info = gmflock.lockInfo(owner, lock_id)
    if int(info.status) != LockStatus.ACTIVE:
        raise OpsError(f"lock {lock_id} is {LockStatus(int(info.status)).name.lower()}: nothing to do")
    return info


def extend(gmflock: Any, sender: Any, lock_id: int, seconds: int) -> list[str]:
    """Moves the lock's end to now + ``seconds`` and re-boosts it."""
    info = _active_lock(gmflock, sender, lock_id)
    _check_duration(gmflock, seconds)
    now = head_time()
    if now + seconds <= int(info.end):
        raise OpsError(
            f"lock {lock_id} ends {relative_time(int(info.end), now)}; extending means a later end: "
            f"give more than {human_duration(int(info.end) - now)}"
        )
    gmflock.extend(lock_id, seconds, sender=sender)
    after = gmflock.lockInfo(sender, lock_id)
    return [
        f"extended lock {lock_id}: {format_token(int(info.gm))} -> {format_token(int(after.gm))} gmFLOCK",
        f"unlockable {relative_time(int(after.end), head_time())}",
    ]


def unlock(token: Any, gmflock: Any, sender: Any, lock_id: int) -> list[str]:
    """Ends an expired lock; refuses before sending when it has not expired or stake is allocated."""
    info = _active_lock(gmflock, sender, lock_id)
    now = head_time()
    if int(info.end) > now:
        raise OpsError(f"lock {lock_id} is unlockable {relative_time(int(info.end), now)}, not yet")
    balance, allocated = int(gmflock.balanceOf(sender)), int(gmflock.allocatedOf(sender))
    if balance - int(info.gm) < allocated:
        raise OpsError(
            f"{format_token(allocated)} gmFLOCK of {sender.address} is staked in tasks; unlocking lock "
            f"{lock_id} would leave {format_token(balance - int(info.gm))}: release the task stakes first "
            "(`ape run tasks release TASK`)"
        )
    before = int(token.balanceOf(sender))
    gmflock.unlock(lock_id, sender=sender)
    got = int(token.balanceOf(sender)) - before
    fee = int(info.amount) - got
    return [
        f"unlocked lock {lock_id}: {format_token(got)} FLOCK back ({format_token(fee)} FLOCK withdrawal fee)"
    ]


def delegate_votes(gmflock: Any, sender: Any, to: str) -> str:
    """Delegates the sender's voting power (all of it; stake in tasks is unaffected)."""
    gmflock.invoke_transaction("delegate", to, sender=sender)
    votes = int(gmflock.getVotes(to))
    return f"{sender.address} delegates its votes to {to}, who now has {format_token(votes)} votes"


def lock_rows(gmflock: Any, owner: str) -> list[list[str]]:
    """Every lock of ``owner``: id, FLOCK, gmFLOCK, status, end."""
    now = head_time()
    count = int(gmflock.lockCount(owner))
    rows = []
    for info in gmflock.locksOf(owner, 0, count) if count else []:
        rows.append(
            [
                str(int(info.id)),
                format_token(int(info.amount)),
                format_token(int(info.gm)),
                LockStatus(int(info.status)).name.lower(),
                relative_time(int(info.end), now),
            ]
        )
    return rows
