"""The API credits under random actions, on the harness (docs/api.md).

Rules are what developers, gateway operators, guardians, keepers and time do: deposit, withdraw and
change caps (refused inside a pending settlement), operators report an epoch's usage (honest
amounts, and amounts far beyond what users authorised), the guardian vetoes, anyone finalizes,
applies charges (some twice, some with a forged amount) and flushes a model's revenue. A model
follows every balance and cap. ``inv_14_...`` is invariant 14 of docs/invariants.md. Used by
tests/property/test_api_invariants.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.gateway.usage import Metered, UsageReport, build_report
from flock.harness.system import System
from flock.rewards import UsageStatus
from flock.tasks import Role, TaskKind, spec_hash
from flock.testing.fixtures import stake
from flock.testing.machine import ProtocolMachine, precondition, rule
from flock.units import DAY, WAD

N_USERS = 4
MODELS = (3, 4)  # model epochs of the task's winners
amounts = st.integers(min_value=1, max_value=60 * WAD)
user = st.integers(min_value=0, max_value=N_USERS - 1)


@dataclass
class Account:
    balance: int = 0
    cap: int = 0


@dataclass
class Settlement:
    report: UsageReport
    finalizes_at: int
    status: UsageStatus = UsageStatus.ACCEPTED
    charged: set[int] = field(default_factory=set)


class ApiMachine(ProtocolMachine):
    """The API credits of an approved Arena task, with three gateway operators and four users."""

    applied: ClassVar[int] = 0  # charges applied across all examples (how much the runs reached)
    flushes: bool = True  # the system suite turns flushes off (see flock.testing.system_machine)

    @classmethod
    def deploy(cls) -> System:
        system = super().deploy()
        em = system.emissions
        system.chain.set_time(em.genesis() + em.epochLength() + 2 * 3_600)  # epoch 0 reportable
        return system

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """An approved Arena task (``accounts[1]`` its node), three operators (quorum 2), a 6-hour
        challenge window, and four users with 100 FLOCK of credit and a cap of 50."""
        admin, tasks = system.admin, system.tasks
        stake(system, accounts[1], 100_000 * WAD, [(100_000 * WAD, 365 * DAY)])
        tasks.createTask(TaskKind.ARENA, 30 * DAY, spec_hash("api"), "ipfs://api", 0, 0, sender=accounts[1])
        tasks.join(tasks.taskCount(), Role.NODE, 20_000 * WAD, 5_000, sender=accounts[1])
        tasks.approveTask(tasks.taskCount(), sender=admin)
        system.api.setOperators(accounts[10:13], 2, sender=admin)
        system.rewards.setRewardParameters(6 * 3_600, 0, 0, sender=admin)  # a 6-hour challenge window
        for u in accounts[2 : 2 + N_USERS]:
            system.token.transfer(u, 1_000 * WAD, sender=system.treasury)
            system.token.approve(system.api.address, 1_000 * WAD, sender=u)
            system.api.deposit(100 * WAD, sender=u)
            system.api.setCap(50 * WAD, sender=u)

    def new_model(self, accounts: list[str]) -> None:
        system = self.system
        self.api, self.token, self.emissions = system.api, system.token, system.emissions
        self.node = accounts[1]
        self.users = accounts[2 : 2 + N_USERS]
        self.operators = accounts[10:13]
        self.keeper = accounts[14]
        self.task = next(
            t
            for t in range(system.tasks.taskCount(), 0, -1)
            if system.tasks.memberOf(t, self.node).role != Role.NONE
        )
        self.model = {u: Account(100 * WAD, 50 * WAD) for u in self.users}
        self.accrued = dict.fromkeys(MODELS, 0)
        self.flushed = 0
        self.settlements: dict[int, Settlement] = {}

    # ------------------------------------------------------------------ helpers

    def _locked(self) -> bool:
        return self.chain.now < self.api.withdrawLockedUntil()

    def _epoch(self) -> int:
        return self.emissions.currentEpoch()

    # ------------------------------------------------------------------ users

    @rule(who=user, amount=amounts)
    def deposit(self, who: int, amount: int) -> None:
        u = self.users[who]
        if self.token.balanceOf(u) < amount:
            return
        self.api.deposit(amount, sender=u)
        self.model[u].balance += amount

    @rule(who=user, amount=amounts)
    def withdraw(self, who: int, amount: int) -> None:
        u = self.users[who]
        if self._locked():
            with self.chain.reverts("ApiSettlementPending"):
                self.api.withdraw(amount, sender=u)
        elif amount > self.model[u].balance:
            with self.chain.reverts("ApiInsufficientBalance"):
                self.api.withdraw(amount, sender=u)
        else:
            self.api.withdraw(amount, sender=u)
            self.model[u].balance -= amount

    @rule(who=user, cap=st.integers(min_value=0, max_value=200 * WAD))
    def set_cap(self, who: int, cap: int) -> None:
        u = self.users[who]
        if cap < self.model[u].cap and self._locked():
            with self.chain.reverts("ApiSettlementPending"):
                self.api.setCap(cap, sender=u)
            return
        self.api.setCap(cap, sender=u)
        self.model[u].cap = cap

    @rule(seconds=st.sampled_from([60, 30 * 60, 2 * 3_600, 7 * 3_600, DAY, DAY + 3 * 3_600]))
    def time_passes(self, seconds: int) -> None:
        self.chain.warp(seconds)

    # ------------------------------------------------------------------ operators, guardian

    @rule(asks=st.lists(st.tuples(user, st.sampled_from(MODELS), amounts), min_size=1, max_size=6))
    def report(self, asks: list[tuple[int, int, int]]) -> None:
        """The operators report the epoch just ended; asks may exceed anyone's cap or balance."""
        epoch = self._epoch() - 1
        if epoch < 0 or epoch in self.settlements:
            return
        merged: dict[tuple[str, int], int] = {}
        for who, model_epoch, amount in asks:
            merged[(self.users[who].lower(), model_epoch)] = amount
        rows = [Metered(a, self.task, m, 1, amount * 1_000, 1) for (a, m), amount in merged.items()]
        report = build_report(epoch, rows)
        args = (epoch, report.root, report.total, report.report_hash)
        if report.total > self.api.totalCredit():
            with self.chain.reverts("ApiTotalExceedsCredit"):
                self.api.postUsage(*args, sender=self.operators[0])
            return
        self.api.postUsage(*args, sender=self.operators[0])
        with self.chain.reverts("ApiAlreadyPosted"):
            self.api.postUsage(*args, sender=self.operators[0])
        receipt = self.api.postUsage(*args, sender=self.operators[1])
        assert receipt.events_named("UsageAccepted")
        self.settlements[epoch] = Settlement(report, finalizes_at=self.api.settlementOf(epoch).finalizesAt)

    def _accepted(self, open_window: bool) -> list[int]:
        now = self.chain.now
        return sorted(
            e
            for e, s in self.settlements.items()
            if s.status == UsageStatus.ACCEPTED and (now < s.finalizes_at) == open_window
        )

    @precondition(lambda self: bool(self._accepted(open_window=True)))
    @rule(data=st.data(), veto=st.integers(min_value=0, max_value=3))
    def veto_or_finalize_early(self, data: st.DataObject, veto: int) -> None:
        """In the window: the guardian vetoes now and then; finalizing is refused."""
        epoch = data.draw(st.sampled_from(self._accepted(open_window=True)))
        if veto == 0:
            self.api.veto(epoch, sender=self.system.admin)
            del self.settlements[epoch]
            return
        with self.chain.reverts("ApiChallengeOpen"):
            self.api.finalize(epoch, sender=self.keeper)

    @precondition(lambda self: bool(self._accepted(open_window=False)))
    @rule(data=st.data())
    def finalize(self, data: st.DataObject) -> None:
        epoch = data.draw(st.sampled_from(self._accepted(open_window=False)))
        with self.chain.reverts("ApiNotVetoable"):
            self.api.veto(epoch, sender=self.system.admin)
        self.api.finalize(epoch, sender=self.keeper)
        self.settlements[epoch].status = UsageStatus.FINAL

    # ------------------------------------------------------------------ anyone

    @precondition(lambda self: any(s.status == UsageStatus.FINAL for s in self.settlements.values()))
    @rule(data=st.data(), forge=st.integers(min_value=0, max_value=3))
    def charge(self, data: st.DataObject, forge: int) -> None:
        """One leaf; now and then with a forged amount (refused), or again (refused)."""
        epoch = data.draw(
            st.sampled_from(sorted(e for e, s in self.settlements.items() if s.status == UsageStatus.FINAL))
        )
        s = self.settlements[epoch]
        index = data.draw(st.integers(min_value=0, max_value=len(s.report.rows) - 1))
        args = list(s.report.charge_args(index))
        if forge == 0:
            args[5] += 1
            with self.chain.reverts("ApiInvalidProof" if index not in s.charged else None):
                self.api.charge(tuple(args), sender=self.keeper)
            return
        if index in s.charged:
            with self.chain.reverts("ApiAlreadyCharged"):
                self.api.charge(tuple(args), sender=self.keeper)
            return
        (event,) = self.api.charge(tuple(args), sender=self.keeper).events_named("Charged")
        self._applied(s, index, args, event["charged"])

    @precondition(lambda self: any(s.status == UsageStatus.FINAL for s in self.settlements.values()))
    @rule(data=st.data())
    def charge_all(self, data: st.DataObject) -> None:
        """Every leaf not applied yet of a final report, in one batch."""
        epoch = data.draw(
            st.sampled_from(sorted(e for e, s in self.settlements.items() if s.status == UsageStatus.FINAL))
        )
        s = self.settlements[epoch]
        todo = [i for i in range(len(s.report.rows)) if i not in s.charged]
        if not todo:
            with self.chain.reverts("ApiNoCharges"):
                self.api.chargeMany([], sender=self.keeper)
            return
        receipt = self.api.chargeMany([s.report.charge_args(i) for i in todo], sender=self.keeper)
        events = receipt.events_named("Charged")
        assert [e["index"] for e in events] == todo
        for i, e in zip(todo, events, strict=True):
            self._applied(s, i, list(s.report.charge_args(i)), e["charged"])

    def _applied(self, s: Settlement, index: int, args: list[Any], charged: int) -> None:
        account = next(u for u in self.users if u.lower() == args[2].lower())
        m = self.model[account]
        expected = min(args[5], m.cap, m.balance)
        assert charged == expected, "a charge must take min(asked, cap, balance), no more"
        m.balance -= expected
        m.cap -= expected
        self.accrued[args[4]] += expected
        s.charged.add(index)
        ApiMachine.applied += 1

    @precondition(lambda self: self.flushes)
    @rule(model_epoch=st.sampled_from(MODELS))
    def flush(self, model_epoch: int) -> None:
        if self.accrued[model_epoch] == 0:
            with self.chain.reverts("ApiNothingToFlush"):
                self.api.flush(self.task, model_epoch, sender=self.keeper)
            return
        target = self._epoch() + 1
        before = self.system.rewards.unallocatedOf(self.task)  # the task's pool (decision 236)
        treasury = self.token.balanceOf(self.system.timelock.address)
        (event,) = self.api.flush(self.task, model_epoch, sender=self.keeper).events_named("RevenueFlushed")
        assert event["contributors"] + event["protocolShare"] == self.accrued[model_epoch]
        assert event["protocolShare"] == self.accrued[model_epoch] * 1_000 // 10_000  # the local 10%
        assert self.system.rewards.unallocatedOf(self.task) == before + event["contributors"]
        assert event["targetEpoch"] == target
        assert self.token.balanceOf(self.system.timelock.address) == treasury + event["protocolShare"]
        self.flushed += self.accrued[model_epoch]
        self.accrued[model_epoch] = 0

    # ------------------------------------------------------------------ invariant

    @invariant()
    def inv_14_api_credits_solvent_and_within_authorisation(self) -> None:
        """ApiCredits holds exactly the users' credit plus the revenue not flushed yet; every user's
        balance and cap are what deposits, withdrawals, caps and charges of at most min(asked, cap,
        balance) leave."""
        for u in self.users:
            assert tuple(self.api.accountOf(u)) == (self.model[u].balance, self.model[u].cap), u
        credit = sum(m.balance for m in self.model.values())
        assert self.api.totalCredit() == credit
        accrued = sum(self.accrued.values())
        assert [self.api.accrued(self.task, m) for m in MODELS] == [self.accrued[m] for m in MODELS]
        assert self.token.balanceOf(self.api.address) == credit + accrued
