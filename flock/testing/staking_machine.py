"""FLOCK and gmFLOCK under random user and role actions, on the in-process harness.

Rules are what users and the protocol's roles do (lock, unlock, extend, delegate, allocate, release,
slash, try to transfer, let time pass); ``@invariant`` methods are the numbered invariants of
docs/invariants.md that these contracts carry. Used by tests/property/test_staking_invariants.py and
by the ``fuzz.staking_tx_per_second`` benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.harness.evm import Reverted
from flock.harness.system import System
from flock.tasks import LockStatus
from flock.testing.fixtures import stake
from flock.testing.machine import ProtocolMachine, initialize, precondition, rule
from flock.units import DAY, WAD

N_USERS = 5
DUST = 10**6  # wei: an account's totals and its last lock's value differ by rounding after slashes
CAP = 1_000_000_000 * WAD

user_index = st.integers(min_value=0, max_value=N_USERS - 1)
fraction = st.integers(min_value=1, max_value=1000)  # per mille
lock_amount = st.one_of(
    st.integers(min_value=1, max_value=10**6),  # dust, to stress rounding
    st.integers(min_value=1, max_value=2_000_000).map(lambda n: n * WAD),
)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def gm_views(gm: Any, users: Iterable[str]) -> dict[str, dict[str, int]]:
    """Each user's gmFLOCK balance, locked FLOCK, allocation and votes: what the invariants read."""
    return {
        u: {
            "balance": gm.balanceOf(u),
            "locked": gm.lockedOf(u),
            "allocated": gm.allocatedOf(u),
            "votes": gm.getVotes(u),
        }
        for u in users
    }


class StakingMachine(ProtocolMachine):
    """gmFLOCK with a stake manager and a slasher played by harness accounts."""

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """Funds the users (gmFLOCK may take all their FLOCK) and appoints the stake manager and
        the slasher."""
        gm, admin = system.gmflock, system.admin
        manager, slasher = accounts[17], accounts[18]
        gm.grantRole(gm.STAKE_MANAGER_ROLE(), manager, sender=admin)
        gm.grantRole(gm.SLASHER_ROLE(), slasher, sender=admin)
        for user in accounts[1 : 1 + N_USERS]:
            stake(system, user, 10_000_000 * WAD)

    def new_model(self, accounts: list[str]) -> None:
        self.gm = self.system.gmflock
        self.token = self.system.token
        self.users = accounts[1 : 1 + N_USERS]
        self.manager, self.slasher, self.sink = accounts[17:20]
        self.active: dict[str, list[int]] = {u: [] for u in self.users}
        self.allocated: dict[str, int] = dict.fromkeys(self.users, 0)
        self.past: list[tuple[int, dict[str, int], int]] = []  # (timepoint, votes by user, supply)
        self.burned = 0
        self.initial_supply = self.token.totalSupply()
        self.fee_bps, self.fee_recipient = self.gm.withdrawalFee()
        self.fee_burned = int(self.fee_recipient, 16) == 0
        self._state_cache: tuple[Any, dict[str, dict[str, int]]] = (None, {})

    @initialize()
    def start(self) -> None:
        self.chain.warp(1)

    # ------------------------------------------------------------------ helpers

    def _balances(self) -> dict[str, int]:
        return {u: self.gm.balanceOf(u) for u in self.users}

    def _state(self) -> dict[str, dict[str, int]]:
        """Per-user views, read once per step and shared by the invariants."""
        key = (self.chain.tx_count, self.chain.now)
        if self._state_cache[0] != key:
            self._state_cache = (key, gm_views(self.gm, self.users))
        return self._state_cache[1]

    def _assert_only_changed(self, before: dict[str, int], actor: str | None) -> None:
        """Invariant 3: gmFLOCK never moves between accounts; an action touches its actor only."""
        after = self._balances()
        for user, balance in before.items():
            if user != actor:
                assert after[user] == balance, f"{user}'s gmFLOCK changed on another account's action"

    # ------------------------------------------------------------------ user actions

    @rule(u=user_index, amount=lock_amount, duration=st.integers(min_value=7 * DAY, max_value=365 * DAY))
    def lock(self, u: int, amount: int, duration: int) -> None:
        user = self.users[u]
        if amount > self.token.balanceOf(user):
            with self.chain.reverts("ERC20InsufficientBalance"):
                self.gm.lock(amount, duration, sender=user)
            return
        before = self._balances()
        expected = self.gm.previewLock(amount, duration)
        receipt = self.gm.lock(amount, duration, sender=user)
        assert receipt.return_value == self.gm.lockCount(user) - 1
        self.active[user].append(receipt.return_value)
        assert self.gm.balanceOf(user) == before[user] + expected
        self._assert_only_changed(before, user)

    @rule(u=user_index, duration=st.integers(min_value=0, max_value=800 * DAY))
    def lock_with_bad_duration(self, u: int, duration: int) -> None:
        low, high = self.gm.lockDurationBounds()
        if low <= duration <= high:
            return
        with self.chain.reverts("GmFlockInvalidDuration"):
            self.gm.lock(WAD, duration, sender=self.users[u])

    @precondition(lambda self: any(self.active.values()))
    @rule(u=user_index, pick=st.integers(min_value=0, max_value=10**6))
    def unlock(self, u: int, pick: int) -> None:
        user = self.users[u]
        if not self.active[user]:
            return
        lock_id = self.active[user][pick % len(self.active[user])]
        lock = self.gm.lockInfo(user, lock_id)
        amount, gm = lock.amount, lock.gm
        if lock.status != LockStatus.ACTIVE:  # voided by a wipe-out slash
            self.active[user].remove(lock_id)
            return
        balance, allocated = self.gm.balanceOf(user), self.gm.allocatedOf(user)
        if self.chain.now < lock.end:
            with self.chain.reverts("GmFlockLockNotExpired"):
                self.gm.unlock(lock_id, sender=user)
            return
        if balance - gm < allocated:
            # Invariant 10: stake at risk cannot leave.
            with self.chain.reverts("GmFlockStakeAllocated"):
                self.gm.unlock(lock_id, sender=user)
            return
        before, flock_before = self._balances(), self.token.balanceOf(user)
        fee = amount * self.fee_bps // 10_000
        receipt = self.gm.unlock(lock_id, sender=user)
        self.active[user].remove(lock_id)
        assert receipt.return_value == amount - fee
        assert self.token.balanceOf(user) == flock_before + amount - fee
        assert self.gm.balanceOf(user) == balance - gm >= self.gm.allocatedOf(user)
        if self.fee_burned:
            self.burned += fee
        self._assert_only_changed(before, user)

    @precondition(lambda self: any(self.active.values()))
    @rule(u=user_index, pick=st.integers(0, 10**6), duration=st.integers(7 * DAY, 365 * DAY))
    def extend(self, u: int, pick: int, duration: int) -> None:
        user = self.users[u]
        if not self.active[user]:
            return
        lock_id = self.active[user][pick % len(self.active[user])]
        lock = self.gm.lockInfo(user, lock_id)
        if lock.status != LockStatus.ACTIVE:
            return
        if self.chain.now + duration <= lock.end:
            with self.chain.reverts("GmFlockExtensionTooShort"):
                self.gm.extend(lock_id, duration, sender=user)
            return
        before = self._balances()
        gm = lock.gm
        expected = lock.amount * self.gm.boost(duration) // WAD
        try:
            receipt = self.gm.extend(lock_id, duration, sender=user)
        except Reverted as exc:
            # A lower boost burns gmFLOCK, never below the allocation (INV-04).
            assert exc.name == "GmFlockStakeAllocated"
            assert expected < gm and before[user] - (gm - expected) <= self.gm.allocatedOf(user) + DUST
            return
        (extended,) = receipt.events_named("Extended")
        burned = sum(t["value"] for t in receipt.events_named("Transfer") if int(t["to"], 16) == 0)
        assert self.gm.balanceOf(user) == before[user] + extended["gmAdded"] - burned
        after = self.gm.lockInfo(user, lock_id)
        assert after.end == self.chain.now + duration
        # INV-16: the boost follows the remaining duration, up or down (an account's last lock
        # shows its totals, which may differ from the lock's own value by rounding dust).
        assert abs(receipt.return_value - expected) <= DUST and abs(after.gm - expected) <= DUST
        self._assert_only_changed(before, user)

    @precondition(lambda self: any(self.active.values()))
    @rule(u=user_index, pick=st.integers(0, 10**6), k=user_index)
    def kick(self, u: int, pick: int, k: int) -> None:
        """Anyone removes an expired lock's boost, as far as no task holds it (issue 11, attack 5)."""
        user, kicker = self.users[u], self.users[k]
        if not self.active[user]:
            with self.chain.reverts("GmFlockUnknownLock"):  # no lock of that id (yet)
                self.gm.kick(user, self.gm.lockCount(user), sender=kicker)
            return
        lock_id = self.active[user][pick % len(self.active[user])]
        lock = self.gm.lockInfo(user, lock_id)
        amount, gm = lock.amount, lock.gm
        if lock.status != LockStatus.ACTIVE:  # voided by a wipe-out slash
            with self.chain.reverts("GmFlockUnknownLock"):
                self.gm.kick(user, lock_id, sender=kicker)
            return
        if self.chain.now < lock.end:
            with self.chain.reverts("GmFlockLockNotExpired"):
                self.gm.kick(user, lock_id, sender=kicker)
            return
        views = self._state()[user]  # read once a step, shared with the invariants
        balance, allocated = views["balance"], views["allocated"]
        removable = min(max(gm - amount, 0), balance - allocated)
        if removable == 0:
            with self.chain.reverts("GmFlockNothingToKick"):
                self.gm.kick(user, lock_id, sender=kicker)
            return
        supply = self.gm.totalSupply()
        receipt = self.gm.kick(user, lock_id, sender=kicker)
        assert receipt.return_value == removable
        # Only the kicked account loses, exactly the removed boost (INV-03); the allocation is
        # untouched (INV-04); votes follow the balance (INV-08, after every step).
        assert self.gm.balanceOf(user) == balance - removable
        assert self.gm.totalSupply() == supply - removable
        # INV-16: what is left of the expired lock's boost is held by tasks, or there is none.
        left = self.gm.lockInfo(user, lock_id).gm
        assert left == gm - removable and (left <= amount or balance - removable == allocated)

    @rule(u=user_index, to=user_index)
    def delegate(self, u: int, to: int) -> None:
        before = self._balances()
        self.gm.delegate(self.users[to], sender=self.users[u])
        assert self.gm.delegates(self.users[u]) == self.users[to]
        self._assert_only_changed(before, None)

    @rule(u=user_index, v=user_index, amount=st.integers(min_value=0, max_value=10**30))
    def transfer_refused(self, u: int, v: int, amount: int) -> None:
        user, other = self.users[u], self.users[v]
        with self.chain.reverts("GmFlockNonTransferable"):
            self.gm.transfer(other, amount, sender=user)
        with self.chain.reverts("GmFlockNonTransferable"):
            self.gm.approve(other, amount, sender=user)
        with self.chain.reverts("GmFlockNonTransferable"):
            self.gm.transferFrom(user, other, amount, sender=other)

    @rule(seconds=st.one_of(st.integers(1, 3600), st.integers(1, 400 * DAY)))
    def warp(self, seconds: int) -> None:
        # Votes at this timepoint are final once time moves on: record them for invariant 8.
        votes = {u: self.gm.getVotes(u) for u in self.users}
        self.past.append((self.chain.now, votes, self.gm.totalSupply()))
        self.chain.warp(seconds)

    # ------------------------------------------------------------------ role actions

    @rule(u=user_index, share=fraction)
    def allocate(self, u: int, share: int) -> None:
        user = self.users[u]
        available = self.gm.balanceOf(user) - self.gm.allocatedOf(user)
        amount = available * share // 1000
        if amount == 0:
            with self.chain.reverts("GmFlockZeroAmount"):
                self.gm.allocate(user, 0, sender=self.manager)
            return
        self.gm.allocate(user, amount, sender=self.manager)
        self.allocated[user] += amount
        with self.chain.reverts("GmFlockInsufficientUnallocated"):
            self.gm.allocate(user, available - amount + 1, sender=self.manager)

    @rule(u=user_index, share=fraction)
    def release(self, u: int, share: int) -> None:
        user = self.users[u]
        amount = self.allocated[user] * share // 1000
        if amount == 0:
            return
        self.gm.release(user, amount, sender=self.manager)
        self.allocated[user] -= amount

    @rule(u=user_index, share=fraction, burn=st.booleans())
    def slash(self, u: int, share: int, burn: bool) -> None:
        user = self.users[u]
        amount = self.allocated[user] * share // 1000
        if amount == 0:
            return
        before = self._balances()
        balance, locked = self.gm.balanceOf(user), self.gm.lockedOf(user)
        expected_seized = locked - _ceil_div(locked * (balance - amount), balance)
        sink_before, supply_before = self.token.balanceOf(self.sink), self.token.totalSupply()
        to = "0x" + "00" * 20 if burn else self.sink
        receipt = self.gm.slash(user, amount, to, sender=self.slasher)
        assert receipt.return_value == expected_seized
        # Invariant 7 (for gmFLOCK): what is seized goes exactly where the slasher said.
        if burn:
            assert self.token.totalSupply() == supply_before - expected_seized
            self.burned += expected_seized
        else:
            assert self.token.balanceOf(self.sink) == sink_before + expected_seized
        assert self.gm.balanceOf(user) == balance - amount
        assert self.gm.lockedOf(user) == locked - expected_seized
        self.allocated[user] -= amount
        self._assert_only_changed(before, user)

    @rule(u=user_index)
    def slash_over_allocation_refused(self, u: int) -> None:
        user = self.users[u]
        with self.chain.reverts("GmFlockExceedsAllocation"):
            self.gm.slash(user, self.allocated[user] + 1, self.sink, sender=self.slasher)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def inv_01_flock_supply_within_cap(self) -> None:
        supply = self.token.totalSupply()
        assert supply <= CAP
        assert supply == self.initial_supply - self.burned  # nothing mints here; burns are accounted

    @invariant()
    def inv_02_gmflock_solvent(self) -> None:
        state = self._state()
        # Per-lock values of one account a step (in turn): never worth more than its total.
        user = self.users[self.chain.tx_count % N_USERS]
        if self.active[user]:
            infos = self.gm.locksOf(user, 0, self.gm.lockCount(user))
            assert sum(i.amount for i in infos if i.status == LockStatus.ACTIVE) <= state[user]["locked"]
        assert self.token.balanceOf(self.gm.address) >= sum(v["locked"] for v in state.values())

    @invariant()
    def inv_03_gm_supply_is_sum_of_balances(self) -> None:
        assert self.gm.totalSupply() == sum(v["balance"] for v in self._state().values())

    @invariant()
    def inv_04_allocation_within_balance(self) -> None:
        for user, view in self._state().items():
            assert view["allocated"] == self.allocated[user]
            assert view["allocated"] <= view["balance"]

    @invariant()
    def inv_08_votes_match_supply_and_history(self) -> None:
        assert sum(v["votes"] for v in self._state().values()) == self.gm.totalSupply()
        for timepoint, votes, supply in self.past[:1] + self.past[-2:]:
            assert self.gm.getPastTotalSupply(timepoint) == supply
            for user, value in votes.items():
                assert self.gm.getPastVotes(user, timepoint) == value
