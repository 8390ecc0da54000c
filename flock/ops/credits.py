"""FL Alliance credits: what AllianceRounds owes an account (its participants, finalizers and
evictors are credited at settlement and pull the payment), and the withdrawal that pays it. Rewards
are liquid, paid as FLOCK to any recipient; shares of slashed stake are relocked, as a new gmFLOCK
lock of the account itself for the maximum lock duration (decision 195, docs/alliance.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ape.utils import ZERO_ADDRESS

from flock.alliance.chain import owed_of, withdraw
from flock.alliance.protocol import Owed
from flock.chain.clock import head_time
from flock.ops import OpsError
from flock.units import format_token, human_duration, relative_time


@dataclass(frozen=True)
class Credits:
    """``account``'s credits and what a withdrawal now would make of the relock part: a lock of
    ``max_duration`` giving ``gm`` gmFLOCK."""

    account: str
    owed: Owed
    max_duration: int
    gm: int

    def lines(self, now: int) -> list[str]:
        if not self.owed.total:
            return [f"{self.account} is owed nothing by FL Alliance rounds"]
        lines = [f"{self.account} is owed {format_token(self.owed.total)} FLOCK by FL Alliance rounds:"]
        if self.owed.liquid:
            lines.append(
                f"  {format_token(self.owed.liquid)} FLOCK of rewards, paid as FLOCK to the recipient"
            )
        if self.owed.relock:
            lines.append(
                f"  {format_token(self.owed.relock)} FLOCK of slash shares, relocked: a new gmFLOCK lock of "
                f"{self.account} for {human_duration(self.max_duration)} (the maximum), "
                f"{format_token(self.gm)} gmFLOCK, unlockable {relative_time(now + self.max_duration, now)} "
                "if withdrawn now"
            )
        lines.append("only the account itself withdraws them: `ape run tasks withdraw --account ...`")
        return lines


def credits(alliance: Any, gmflock: Any, account: str) -> Credits:
    """What ``account`` is owed, and the lock a withdrawal now would open for the relock part."""
    owed = owed_of(alliance, account)
    max_duration = int(gmflock.lockDurationBounds()[1])
    gm = int(gmflock.previewLock(owed.relock, max_duration)) if owed.relock else 0
    return Credits(account, owed, max_duration, gm)


def _can_relock(alliance: Any, gmflock: Any) -> bool:
    """AllianceRounds holds gmFLOCK's LOCKER_ROLE (granted at deploy; on an upgraded deployment,
    by the upgrade's proposal: decision 195)."""
    return bool(gmflock.hasRole(gmflock.LOCKER_ROLE(), alliance.address))


def withdraw_credits(alliance: Any, gmflock: Any, sender: Any, to: str) -> list[str]:
    """Withdraws the sender's credits: the liquid part as FLOCK to ``to``, the relock part as a
    gmFLOCK lock of the sender. Refuses before sending what the contract would refuse."""
    account = str(sender.address)
    owed = owed_of(alliance, account)
    if not owed.total:
        raise OpsError(
            f"{account} has no FL Alliance credits to withdraw: nothing is owed "
            "(credits come from settled rounds; `ape run tasks credits`)"
        )
    if owed.liquid and to == ZERO_ADDRESS:
        raise OpsError(
            f"--to is the zero address: the {format_token(owed.liquid)} FLOCK of rewards would be lost; "
            "give the recipient's address"
        )
    if owed.relock and not _can_relock(alliance, gmflock):
        raise OpsError(
            f"{format_token(owed.relock)} FLOCK of {account}'s credits is relocked by withdrawing, and "
            "AllianceRounds does not hold gmFLOCK's LOCKER_ROLE: the withdrawal would revert "
            "(nothing is lost; withdraw once governance grants the role)"
        )
    paid = withdraw(alliance, sender, to)
    lines = []
    if paid.liquid:
        lines.append(f"paid {format_token(paid.liquid)} FLOCK of rewards to {to}")
    if paid.lock_id is not None:
        lock = gmflock.lockInfo(account, paid.lock_id)
        lines.append(
            f"relocked {format_token(paid.relocked)} FLOCK of slash shares as gmFLOCK lock {paid.lock_id} "
            f"of {account}: {format_token(int(lock.gm))} gmFLOCK, unlockable "
            f"{relative_time(int(lock.end), head_time())}"
        )
    return lines
