"""Tasks, delegation, slashing and emissions under random actions, on the in-process harness.

Rules are what people, governance and the protocol's roles do: create Arena and Alliance tasks,
approve and cancel them (governance), join, add stake, delegate, undelegate, sync, set sigma, slash
and take the slash pot (a slasher), draw budgets (a distributor), release stake, open epochs and
let time pass. ``@invariant`` methods are the numbered invariants of docs/invariants.md that these
contracts carry. Used by tests/property/test_task_invariants.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.emissions import STAKE_UNIT, EpochSplit, Schedule, task_budget
from flock.harness.evm import Event
from flock.harness.system import System
from flock.tasks import ZERO_ADDRESS, Role, TaskKind, TaskState, allocated_in_task, read_parameters
from flock.testing.fixtures import stake
from flock.testing.machine import ProtocolMachine, initialize, precondition, rule
from flock.units import DAY, WAD

N_USERS = 6
CAP = 1_000_000_000 * WAD
OPERATORS = (Role.NODE, Role.VALIDATOR)

user_index = st.integers(min_value=0, max_value=N_USERS - 1)
pick = st.integers(min_value=0, max_value=10**6)
per_mille = st.integers(min_value=1, max_value=1000)


def stake_units(tasks: Any, task_id: int) -> tuple[int, int]:
    """A task's registry stake in emission units, as it reports it (INV-13): nodes, participants
    and delegations to nodes; validators and delegations to validators."""
    stakes = tasks.taskStakes(task_id)
    nodes = stakes.nodes + stakes.participants + stakes.delegatedToNodes
    return nodes // STAKE_UNIT, (stakes.validators + stakes.delegatedToValidators) // STAKE_UNIT


@dataclass
class BudgetModel:
    """The emission budgets the controller must hold, from the registry's stakes alone (INV-11,
    INV-12; decision 236: the chain keeps each task's cumulative budget, not one epoch's).

    ``observe`` records, after each step, the stake units of every task the registry reports for
    (approved, before its end, still earning): the controller weighs epoch e by the last weight
    reported before e opened, and a report made while ``nextEpoch`` is n counts from n on, so the
    weight observed at n is the one in force from n until the next observation. ``open_epochs``
    then splits each newly opened epoch with flock.emissions' ``task_budget`` and adds each task's
    budget to what it should have accrued; ``drawn`` is what the machine drew per task."""

    weights: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)  # task -> from -> (n, v)
    accrued: dict[int, int] = field(default_factory=dict)
    drawn: dict[int, int] = field(default_factory=dict)
    epochs_done: int = 0  # epochs [0, epochs_done) split and added

    def observe(self, task_id: int, next_epoch: int, weight: tuple[int, int]) -> None:
        self.weights.setdefault(task_id, {})[next_epoch] = weight

    def weight_in(self, task_id: int, epoch: int) -> tuple[int, int]:
        """The weight in force in ``epoch``: the latest observed from an epoch at or before it."""
        entries = self.weights.get(task_id, {})
        keys = [k for k in entries if k <= epoch]
        return entries[max(keys)] if keys else (0, 0)

    def open_epochs(self, emissions: Any, tasks: dict[int, bool], next_epoch: int) -> None:
        """Checks every epoch opened since the last call against ``tasks`` (id -> Arena), all the
        tasks with weight: their weights make up the epoch's units, their budgets plus the dust
        are what it minted (INV-11), and each budget is added to the task's accrual."""
        expiry = {t: emissions.taskEnrollment(t).expiry for t in tasks}
        for epoch in range(self.epochs_done, next_epoch):
            minted, units, rate, dust, gamma, _ = emissions.epochInfo(epoch)
            split = EpochSplit(minted, units, rate, dust)
            weight = total = 0
            for task_id, arena in tasks.items():
                n, v = self.weight_in(task_id, epoch) if epoch < expiry[task_id] else (0, 0)
                budget, nodes, validators = task_budget(split, n, v, gamma, arena)
                assert nodes + validators == budget
                self.accrued[task_id] = self.accrued.get(task_id, 0) + budget
                weight += n + v
                total += budget
            assert weight == units, f"epoch {epoch}: modelled weight {weight}, opened with {units}"
            assert total + dust == minted
            assert dust < max(units, 1)
        self.epochs_done = max(self.epochs_done, next_epoch)

    def due(self, task_id: int) -> int:
        """What a draw of ``task_id`` pays now: accrued over the checked epochs, less drawn."""
        return self.accrued.get(task_id, 0) - self.drawn.get(task_id, 0)


@dataclass
class WeightWatch:
    """A ``Chain`` observer keeping the last ``TaskWeightChanged`` (fromEpoch, nodeUnits,
    validatorUnits) of each task: the node/validator split lives only in those events (INV-13).
    With a ``model``, it also records every reported weight in it, transaction by transaction, from
    the epoch the report counts from: what the oracles read (docs/emissions.md), for machines whose
    steps send many transactions across epoch openings (SystemMachine)."""

    emissions: str
    last: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    model: BudgetModel | None = None

    def __call__(self, sender: str, to: str, events: list[Event]) -> None:
        for event in events:
            if event.name == "TaskWeightChanged" and event.address == self.emissions:
                task, start = event["taskId"], event["fromEpoch"]
                weight = (event["nodeUnits"], event["validatorUnits"])
                self.last[task] = (start, *weight)
                if self.model is not None:
                    self.model.observe(task, start, weight)


def eligible_weights(
    tasks: Any, emissions: Any, task_ids: Iterable[int], eligible: Callable[[int], bool], model: BudgetModel
) -> None:
    """Records in ``model`` the registry's stake units of every task in ``task_ids`` that
    ``eligible`` says the registry reports for, from the controller's ``nextEpoch`` on."""
    next_epoch = emissions.nextEpoch()
    for task_id in task_ids:
        if eligible(task_id) and next_epoch < emissions.taskEnrollment(task_id).expiry:
            model.observe(task_id, next_epoch, stake_units(tasks, task_id))


@dataclass
class TaskModel:
    kind: TaskKind
    creator: str
    end: int
    dispute: int
    state: TaskState = TaskState.PENDING
    creator_released: bool = False


@dataclass
class Membership:
    role: Role
    exit_at: int = 0
    released: bool = False
    since: int = 0  # delegators: when the delegation began (its risk window opens)
    operator: str = ""  # delegators: whom they back


class TaskMachine(ProtocolMachine):
    """The task registry and the emission controller, with a slasher and a distributor played by
    harness accounts."""

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """Appoints the slasher and the distributor and funds the users, each with two locks."""
        tasks, emissions, admin = system.tasks, system.emissions, system.admin
        slasher, distributor = accounts[15], accounts[16]
        tasks.grantRole(tasks.SLASHER_ROLE(), slasher, sender=admin)
        emissions.grantRole(emissions.DISTRIBUTOR_ROLE(), distributor, sender=admin)
        for i, user in enumerate(accounts[1 : 1 + N_USERS]):
            # Different boosts, so gmFLOCK and FLOCK differ per account; one short lock to unlock.
            locks = [((200_000 + 50_000 * i) * WAD, (30 + 60 * i) * DAY), (1_000 * WAD, 7 * DAY)]
            stake(system, user, 2_000_000 * WAD, locks)

    def new_model(self, accounts: list[str]) -> None:
        system = self.system
        self.gm, self.token = system.gmflock, system.token
        self.tasks, self.emissions = system.tasks, system.emissions
        self.admin = system.admin
        self.users = accounts[1 : 1 + N_USERS]
        self.slasher, self.distributor = accounts[15], accounts[16]
        self.keeper, self.sink = accounts[17], accounts[18]
        self.model: dict[int, TaskModel] = {}
        self.members: dict[tuple[int, str], Membership] = {}
        self.params = read_parameters(self.tasks)
        e0, decay, period = self.emissions.schedule()
        self.schedule = Schedule(e0, decay, period, self.emissions.epochCap())
        self.epochs_checked = 0  # epochs [0, epochs_checked) verified once opened
        self.budgets = BudgetModel()
        # One watch per chain: a fresh example replaces the previous example's.
        self.watch = WeightWatch(self.emissions.address)
        self.chain.observers[:] = [o for o in self.chain.observers if not isinstance(o, WeightWatch)]
        self.chain.observers.append(self.watch)
        self.scheduled_sum = 0
        self.minted_sum = 0
        self.dust_sum = 0
        self.burned = 0
        self.initial_supply = self.token.totalSupply()

    @initialize(arena_days=st.integers(5, 30), alliance_days=st.integers(5, 30))
    def start(self, arena_days: int, alliance_days: int) -> None:
        """Every example starts with an approved Arena task (a node, a validator, a delegator) and
        an approved Alliance task (two participants), so that the rules have something to act on."""
        self.chain.warp(1)
        creator, node, validator, delegator, p1, p2 = self.users
        arena = self._create(creator, TaskKind.ARENA, arena_days, 0, 0)
        alliance = self._create(creator, TaskKind.ALLIANCE, alliance_days, 2, 4)
        for task_id in (arena, alliance):
            self.tasks.approveTask(task_id, sender=self.admin)
            self.model[task_id].state = TaskState.APPROVED
        for user, task_id, role, amount in (
            (node, arena, Role.NODE, 20_000),
            (validator, arena, Role.VALIDATOR, 30_000),
            (p1, alliance, Role.PARTICIPANT, 10_000),
            (p2, alliance, Role.PARTICIPANT, 15_000),
        ):
            sigma = 0 if role == Role.PARTICIPANT else self.params.minSigmaBps
            self.tasks.join(task_id, role, amount * WAD, sigma, sender=user)
            self.members[(task_id, user)] = Membership(role)
        self.tasks.delegateStake(arena, node, 5_000 * WAD, sender=delegator)
        self.members[(arena, delegator)] = Membership(Role.DELEGATOR, since=self.now, operator=node)

    def _create(self, user: str, kind: TaskKind, days: int, lo: int, hi: int) -> int:
        receipt = self.tasks.createTask(kind, days * DAY, b"\x11" * 32, "ipfs://spec", lo, hi, sender=user)
        task_id = receipt.return_value
        self.model[task_id] = TaskModel(kind, user, self.now + days * DAY, self.params.disputeWindow)
        return task_id

    # ------------------------------------------------------------------ helpers

    def _task_ids(self) -> list[int]:
        return sorted(self.model)

    def _pick_task(self, p: int) -> int | None:
        ids = self._task_ids()
        return ids[p % len(ids)] if ids else None

    def _active(self, task_id: int) -> bool:
        t = self.model[task_id]
        return t.state in (TaskState.PENDING, TaskState.APPROVED) and self.now < t.end

    def _free(self, user: str) -> int:
        return self.gm.balanceOf(user) - self.gm.allocatedOf(user)

    def _role(self, task_id: int, user: str) -> Membership | None:
        return self.members.get((task_id, user))

    def _operators(self, task_id: int) -> list[str]:
        return [
            u
            for u in self.users
            if (m := self._role(task_id, u)) is not None and m.role in OPERATORS and not m.released
        ]

    def _task_release_at(self, task_id: int) -> int:
        t = self.model[task_id]
        return t.end + t.dispute

    def _delegation_release_at(self, task_id: int, exit_at: int) -> int:
        t = self.model[task_id]
        cooldown = self.params.undelegationCooldown
        return max(min(exit_at, t.end) + t.dispute, exit_at + cooldown)

    # ------------------------------------------------------------------ tasks

    @rule(u=user_index, kind=st.sampled_from(TaskKind), days=st.integers(1, 30), size=st.integers(2, 5))
    def create_task(self, u: int, kind: TaskKind, days: int, size: int) -> None:
        user = self.users[u]
        self._catch_up()
        lo, hi = (2, size) if kind == TaskKind.ALLIANCE else (0, 0)
        stake_needed = self.params.creatorStakePerDay * days
        if stake_needed > self._free(user):
            with self.chain.reverts("GmFlockInsufficientUnallocated"):
                self.tasks.createTask(kind, days * DAY, b"\x11" * 32, "ipfs://spec", lo, hi, sender=user)
            return
        before = self.gm.allocatedOf(user)
        self._create(user, kind, days, lo, hi)
        assert self.gm.allocatedOf(user) == before + stake_needed

    @precondition(lambda self: self.model)
    @rule(p=pick, outsider=st.integers(0, 2 * N_USERS))
    def approve(self, p: int, outsider: int) -> None:
        task_id = self._pick_task(p)
        self._catch_up()
        t = self.model[task_id]
        if outsider < N_USERS:
            with self.chain.reverts("AccessControlUnauthorizedAccount"):
                self.tasks.approveTask(task_id, sender=self.users[outsider])
        if t.state != TaskState.PENDING:
            with self.chain.reverts("TaskRegistryWrongState"):
                self.tasks.approveTask(task_id, sender=self.admin)
            return
        if self.now >= t.end:
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                self.tasks.approveTask(task_id, sender=self.admin)
            return
        self.tasks.approveTask(task_id, sender=self.admin)
        t.state = TaskState.APPROVED

    @precondition(lambda self: self.model)
    @rule(p=pick)
    def cancel(self, p: int) -> None:
        task_id = self._pick_task(p)
        self._catch_up()
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                self.tasks.cancelTask(task_id, sender=self.admin)
            return
        self.tasks.cancelTask(task_id, sender=self.admin)
        t = self.model[task_id]
        t.state, t.end = TaskState.CANCELLED, self.now

    @precondition(lambda self: self.model)
    @rule(p=pick)
    def end_task(self, p: int) -> None:
        task_id = self._pick_task(p)
        t = self.model[task_id]
        if t.state not in (TaskState.PENDING, TaskState.APPROVED):
            with self.chain.reverts("TaskRegistryWrongState"):
                self.tasks.endTask(task_id, sender=self.keeper)
        elif self.now < t.end:
            with self.chain.reverts("TaskRegistryTaskNotOver"):
                self.tasks.endTask(task_id, sender=self.keeper)
        else:
            self.tasks.endTask(task_id, sender=self.keeper)
            t.state = TaskState.ENDED

    # ------------------------------------------------------------------ roles

    @precondition(lambda self: self.model)
    @rule(p=pick, u=user_index, validator=st.booleans(), share=per_mille, wrong=st.integers(0, 9))
    def join(self, p: int, u: int, validator: bool, share: int, wrong: int) -> None:
        task_id, user = self._pick_task(p), self.users[u]
        self._catch_up()
        t = self.model[task_id]
        role = (
            Role.PARTICIPANT if t.kind == TaskKind.ALLIANCE else (Role.VALIDATOR if validator else Role.NODE)
        )
        if wrong == 0:  # now and then, a role this kind of task does not have
            role = Role.NODE if t.kind == TaskKind.ALLIANCE else Role.PARTICIPANT
        minimum = {
            Role.NODE: self.params.minNodeStake,
            Role.VALIDATOR: self.params.minValidatorStake,
            Role.PARTICIPANT: self.params.minParticipantStake,
        }[role]
        amount = minimum + (self._free(user) - minimum) * share // 4000
        sigma = 0 if role == Role.PARTICIPANT else self.params.minSigmaBps
        call = lambda: self.tasks.join(task_id, role, amount, sigma, sender=user)  # noqa: E731
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                call()
            return
        if self._role(task_id, user) is not None:
            with self.chain.reverts("TaskRegistryAlreadyMember"):
                call()
            return
        if (role == Role.PARTICIPANT) != (t.kind == TaskKind.ALLIANCE):
            with self.chain.reverts("TaskRegistryRoleNotInTask"):
                call()
            return
        info = self.tasks.taskInfo(task_id)
        if role == Role.PARTICIPANT and info.members >= info.maxParticipants:
            with self.chain.reverts("TaskRegistryTaskFull"):
                call()
            return
        if amount > self._free(user):
            with self.chain.reverts("GmFlockInsufficientUnallocated"):
                call()
            return
        before = self.gm.allocatedOf(user)
        call()
        self.members[(task_id, user)] = Membership(role)
        assert self.gm.allocatedOf(user) == before + amount
        if role == Role.PARTICIPANT:
            assert self.tasks.participantCount(task_id) == info.members + 1

    @precondition(lambda self: self.members)
    @rule(p=pick, share=per_mille)
    def add_stake(self, p: int, share: int) -> None:
        keys = sorted(k for k, m in self.members.items() if m.role != Role.DELEGATOR and not m.released)
        if not keys:
            return
        task_id, user = keys[p % len(keys)]
        self._catch_up()
        amount = max(1, self._free(user) * share // 10_000)
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                self.tasks.addStake(task_id, amount, sender=user)
            return
        own = self.tasks.memberOf(task_id, user).stake
        self.tasks.addStake(task_id, amount, sender=user)
        assert self.tasks.memberOf(task_id, user).stake == own + amount

    @precondition(lambda self: self.members)
    @rule(p=pick, sigma=st.integers(0, 10_000))
    def set_sigma(self, p: int, sigma: int) -> None:
        keys = sorted(k for k, m in self.members.items() if m.role in OPERATORS and not m.released)
        if not keys:
            return
        task_id, user = keys[p % len(keys)]
        t = self.model[task_id]
        member = self.tasks.memberOf(task_id, user)
        call = lambda: self.tasks.setSigma(task_id, sigma, sender=user)  # noqa: E731
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                call()
        elif self.now >= t.end - self.params.sigmaFreeze:
            with self.chain.reverts("TaskRegistrySigmaFrozen"):
                call()
        elif self.now < member.sigmaSetAt + DAY:
            with self.chain.reverts("TaskRegistrySigmaChangeTooSoon"):
                call()
        elif not self.params.minSigmaBps <= sigma <= self.params.maxSigmaBps:
            with self.chain.reverts("TaskRegistryInvalidSigma"):
                call()
        else:
            call()
            assert self.tasks.memberOf(task_id, user).sigmaBps == sigma

    # ------------------------------------------------------------------ delegation

    @precondition(lambda self: self.members)
    @rule(p=pick, u=user_index, o=pick, share=per_mille)
    def delegate(self, p: int, u: int, o: int, share: int) -> None:
        with_operators = [t for t in self._task_ids() if self._operators(t)]
        if not with_operators:
            return
        task_id, user = with_operators[p % len(with_operators)], self.users[u]
        self._catch_up()
        operators = self._operators(task_id)
        operator = operators[o % len(operators)]
        amount = self.params.minDelegation + (self._free(user) - self.params.minDelegation) * share // 4000
        call = lambda: self.tasks.delegateStake(task_id, operator, amount, sender=user)  # noqa: E731
        mine = self._role(task_id, user)
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                call()
            return
        if mine is not None and mine.role != Role.DELEGATOR:
            with self.chain.reverts("TaskRegistryAlreadyMember"):
                call()
            return
        if mine is not None and not mine.released:
            current = self.tasks.delegationOf(task_id, user).operator
            if current != operator:
                with self.chain.reverts("TaskRegistryDelegatedElsewhere"):
                    call()
                return
            if mine.exit_at:
                with self.chain.reverts("TaskRegistryUndelegating"):
                    call()
                return
        if amount > self._free(user):
            with self.chain.reverts("GmFlockInsufficientUnallocated"):
                call()
            return
        pool_before = self.tasks.poolOf(task_id, operator)
        _, delegated_before, _ = self.tasks.effectiveStake(task_id, operator)
        topping_up = mine is not None and not mine.released
        value_before = self.tasks.delegationOf(task_id, user).value if topping_up else 0
        call()
        # A top-up joins its delegation's risk window; a new delegation opens one now.
        since = mine.since if topping_up else self.now
        self.members[(task_id, user)] = Membership(Role.DELEGATOR, since=since, operator=operator)
        # The delegation is worth what it was worth plus the top-up, to the wei.
        assert self.tasks.delegationOf(task_id, user).value == value_before + amount
        # The pool's totals grow by the top-up, plus what they had booked against this delegation
        # for slashes outside its risk window (booked as if every delegation were at risk, given
        # back when it syncs: `DelegationPool.settle`), which is at most what the delegation is worth. A new
        # delegation has nothing to give back: exactly the amount.
        restored = self.tasks.effectiveStake(task_id, operator).delegated - delegated_before - amount
        assert 0 <= restored <= value_before
        assert self.tasks.poolOf(task_id, operator).active == pool_before.active + amount + restored

    @precondition(lambda self: self.members)
    @rule(p=pick)
    def undelegate(self, p: int) -> None:
        keys = sorted(k for k, m in self.members.items() if m.role == Role.DELEGATOR and not m.released)
        if not keys:
            return
        task_id, user = keys[p % len(keys)]
        self._catch_up()
        m = self.members[(task_id, user)]
        if not self._active(task_id):
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                self.tasks.undelegate(task_id, sender=user)
        elif m.exit_at:
            with self.chain.reverts("TaskRegistryUndelegating"):
                self.tasks.undelegate(task_id, sender=user)
        else:
            self.tasks.undelegate(task_id, sender=user)
            m.exit_at = self.now

    @precondition(lambda self: self.members)
    @rule(p=pick, by_self=st.booleans())
    def sync(self, p: int, by_self: bool) -> None:
        keys = sorted(k for k, m in self.members.items() if m.role == Role.DELEGATOR and not m.released)
        if not keys:
            return
        task_id, user = keys[p % len(keys)]
        caller = user if by_self else self.keeper
        _, allocated, value, _, _ = self.tasks.delegationOf(task_id, user)
        keeper_before = self.token.balanceOf(self.keeper)
        pot_before = self.tasks.slashPot(task_id)
        gm_before = self.gm.balanceOf(user)
        receipt = self.tasks.sync(task_id, user, sender=caller)
        seized = receipt.return_value
        # Invariant 7: what sync seizes goes to the keeper share and the task's pot, nothing else.
        keeper_gain = self.token.balanceOf(self.keeper) - keeper_before
        assert keeper_gain + self.tasks.slashPot(task_id) - pot_before == seized
        if by_self:
            assert keeper_gain == 0
        assert self.gm.balanceOf(user) == gm_before - (allocated - value)
        assert self.tasks.delegationOf(task_id, user).allocated == value

    # ------------------------------------------------------------------ slashing

    @precondition(lambda self: self.members)
    @rule(
        p=pick,
        share=per_mille,
        route=st.integers(0, 3),
        keeper_bps=st.integers(0, 3000),
        when=st.integers(0, 1000),
    )
    def slash(self, p: int, share: int, route: int, keeper_bps: int, when: int) -> None:
        keys = sorted(k for k, m in self.members.items() if m.role != Role.DELEGATOR and not m.released)
        if not keys:
            return
        task_id, account = keys[p % len(keys)]
        self._catch_up()
        own, _, _ = self.tasks.effectiveStake(task_id, account)
        active, exiting, *_ = self.tasks.poolOf(task_id, account)
        slashable = own + active + exiting
        amount = slashable * share // 1000
        recipient = ZERO_ADDRESS if route == 0 else self.sink
        burn_bps = 0 if route < 2 else 1000
        keeper = ZERO_ADDRESS if route == 3 else self.keeper
        created = self.tasks.taskInfo(task_id).createdAt
        offence_at = created + (self.now - created) * when // 1000  # any time in the task's life
        args = (task_id, account, amount, offence_at, (recipient, keeper, keeper_bps, burn_bps))
        if amount == 0:
            with self.chain.reverts("TaskRegistryZeroAmount"):
                self.tasks.slash(*args, sender=self.slasher)
            return
        if self.now >= self._task_release_at(task_id):
            with self.chain.reverts("TaskRegistryDisputeWindowClosed"):
                self.tasks.slash(*args, sender=self.slasher)
            return
        self.emissions.checkpoint(sender=self.keeper)  # no emission mint inside the measured slash
        with self.chain.reverts("TaskRegistrySlashExceedsStake"):
            self.tasks.slash(task_id, account, slashable + 1, offence_at, args[4], sender=self.slasher)
        for bad in (self.now + 1, created - 1):
            with self.chain.reverts("TaskRegistryInvalidOffenceTime"):
                self.tasks.slash(task_id, account, amount, bad, args[4], sender=self.slasher)
        delegations = self._delegations_of(task_id, account)
        values_before = {user: self.tasks.delegationOf(task_id, user).value for user in delegations}
        sink_before, keeper_before = self.token.balanceOf(self.sink), self.token.balanceOf(self.keeper)
        supply_before = self.token.totalSupply()
        gm_before = self.gm.balanceOf(account)
        pool_slashes = self.tasks.poolOf(task_id, account).slashes
        receipt = self.tasks.slash(*args, sender=self.slasher)
        seized, pool_gm = receipt.return_value
        (event,) = [e for e in receipt.events_named("Slashed") if e.address == self.tasks.address]
        own_gm = event["ownGm"]
        # The own stake takes its pro-rata part; the pool the rest, unless the pool was slashed
        # MAX_POOL_SLASHES times already: then the delegations' part is waived (pool_gm = 0).
        assert own_gm == amount * own // slashable
        waived = pool_slashes >= self.tasks.MAX_POOL_SLASHES()
        assert (pool_gm, event["poolGm"]) == ((0, 0) if waived else (amount - own_gm, amount - own_gm))
        assert self.gm.balanceOf(account) == gm_before - own_gm
        # Invariant 7: seized = paid to the recipient + keeper share + burned.
        burned = supply_before - self.token.totalSupply()
        paid = self.token.balanceOf(self.sink) - sink_before
        paid += self.token.balanceOf(self.keeper) - keeper_before
        assert paid + burned == seized
        assert burned >= seized * burn_bps // 10_000
        self.burned += burned
        assert self.tasks.effectiveStake(task_id, account).own == own - own_gm
        # INV-15: a pool slash reaches only the delegations at risk at the offence (made at or
        # before it, not undelegated before it); the others keep their value to the wei.
        for user, m in delegations.items():
            value = self.tasks.delegationOf(task_id, user).value
            at_risk = m.since <= offence_at and (m.exit_at == 0 or offence_at <= m.exit_at)
            if at_risk:
                assert value <= values_before[user]
            else:
                assert value == values_before[user]

    def _delegations_of(self, task_id: int, operator: str) -> dict[str, Membership]:
        """The unreleased delegations to ``operator`` in the task, by delegator."""
        return {
            user: m
            for (t, user), m in self.members.items()
            if t == task_id and m.role == Role.DELEGATOR and not m.released and m.operator == operator
        }

    @precondition(lambda self: self.model)
    @rule(p=pick, share=per_mille)
    def withdraw_pot(self, p: int, share: int) -> None:
        task_id = self._pick_task(p)
        pot = self.tasks.slashPot(task_id)
        amount = pot * share // 1000
        if amount == 0:
            with self.chain.reverts("TaskRegistryZeroAmount"):
                self.tasks.withdrawSlashPot(task_id, self.sink, 0, sender=self.slasher)
            return
        with self.chain.reverts("TaskRegistryPotExceeded"):
            self.tasks.withdrawSlashPot(task_id, self.sink, pot + 1, sender=self.slasher)
        before = self.token.balanceOf(self.sink)
        self.tasks.withdrawSlashPot(task_id, self.sink, amount, sender=self.slasher)
        assert self.token.balanceOf(self.sink) == before + amount
        assert self.tasks.slashPot(task_id) == pot - amount

    # ------------------------------------------------------------------ release (invariant 10)

    @precondition(lambda self: self.model)
    @rule(p=pick, u=user_index)
    def release(self, p: int, u: int) -> None:
        task_id, user = self._pick_task(p), self.users[u]
        self._catch_up()
        t = self.model[task_id]
        m = self._role(task_id, user)
        has_stake = m is not None and not m.released
        is_creator = t.creator == user and not t.creator_released
        task_at = self._task_release_at(task_id)
        stake_at = None
        if has_stake:
            assert m is not None
            stake_at = self._delegation_release_at(task_id, m.exit_at) if m.exit_at else task_at
        due_stake = stake_at is not None and self.now >= stake_at
        due_creator = is_creator and self.now >= task_at
        allocated_before = self.gm.allocatedOf(user)
        if not has_stake and not is_creator:
            with self.chain.reverts("TaskRegistryNothingToRelease"):
                self.tasks.release(task_id, user, sender=self.keeper)
            return
        if not due_stake and not due_creator:
            # Invariant 10: no stake leaves before its time.
            with self.chain.reverts("TaskRegistryStakeLocked"):
                self.tasks.release(task_id, user, sender=self.keeper)
            assert self.gm.allocatedOf(user) == allocated_before
            return
        receipt = self.tasks.release(task_id, user, sender=self.keeper)
        released = receipt.return_value
        if due_stake:
            assert m is not None
            m.released = True
        if due_creator:
            t.creator_released = True
        if self.now >= task_at and t.state in (TaskState.PENDING, TaskState.APPROVED):
            t.state = TaskState.ENDED
        # A release gives back exactly what it says, and syncing may have slashed some first.
        assert self.gm.allocatedOf(user) <= allocated_before - released

    @precondition(lambda self: any(self.gm.activeLockCount(u) for u in self.users))
    @rule(u=user_index)
    def unlock_short_lock(self, u: int) -> None:
        """Invariant 10 at the gmFLOCK end: an expired lock cannot take allocated stake out."""
        unlocked = self._unlock_expired(self.users[u], 1)
        if unlocked is not None:
            lock, receipt = unlocked
            fee = self.gm.withdrawalFee()
            if int(fee.recipient, 16) == 0:
                self.burned += lock.amount * fee.feeBps // 10_000
            assert receipt.return_value <= lock.amount

    # ------------------------------------------------------------------ emissions

    @rule()
    def checkpoint(self) -> None:
        behind = self.emissions.currentEpoch() + 1 - self.emissions.nextEpoch()
        receipt = self.emissions.checkpoint(sender=self.keeper)
        assert receipt.return_value == min(behind, 32)

    @rule(p=pick, again=st.booleans(), outsider=st.integers(0, 2 * N_USERS))
    def draw_accrued(self, p: int, again: bool, outsider: int) -> None:
        """A distributor draws a task's accrued budget: exactly accrued - drawn over the opened
        epochs (the model's sum of per-epoch budgets), nothing twice, nothing of another task."""
        ids = self._task_ids()
        owed = [t for t in ids if self.budgets.due(t)]
        if not ids or p % 7 == 0:
            task_id = 9_999_999  # no such task: nothing to draw
        elif owed and p % 3:
            task_id = owed[p % len(owed)]  # mostly a task with something to draw
        else:
            task_id = ids[p % len(ids)]
        if outsider < N_USERS:
            with self.chain.reverts("AccessControlUnauthorizedAccount"):
                self.emissions.drawAccrued(task_id, self.sink, sender=self.users[outsider])
        due = self.budgets.due(task_id)
        others = {t: self.emissions.drawnBudget(t) for t in ids if t != task_id}
        before = self.token.balanceOf(self.sink)
        receipt = self.emissions.drawAccrued(task_id, self.sink, sender=self.distributor)
        assert receipt.return_value == due
        assert self.token.balanceOf(self.sink) == before + due
        drawn_events = receipt.events_named("BudgetDrawn")
        if due == 0:
            assert not drawn_events and not receipt.events_named("Transfer")
        else:
            (event,) = drawn_events
            assert (event["taskId"], event["toEpoch"], event["to"], event["amount"]) == (
                task_id,
                self.emissions.nextEpoch(),
                self.sink,
                due,
            )
        self.budgets.drawn[task_id] = self.budgets.drawn.get(task_id, 0) + due
        assert self.emissions.drawnBudget(task_id) == self.budgets.drawn[task_id]
        assert {t: self.emissions.drawnBudget(t) for t in others} == others
        if again:  # at once again: everything is drawn already
            receipt = self.emissions.drawAccrued(task_id, self.sink, sender=self.distributor)
            assert receipt.return_value == 0 and not receipt.events

    @rule(
        seconds=st.one_of(
            st.integers(1, 6 * 3600),
            st.integers(3600, 2 * DAY),
            st.integers(DAY, 5 * DAY),
            st.integers(5 * DAY, 20 * DAY),
        )
    )
    def warp(self, seconds: int) -> None:
        self.chain.warp(seconds)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def inv_01_emission_within_schedule(self) -> None:
        supply = self.token.totalSupply()
        assert supply <= CAP
        next_epoch = self.emissions.nextEpoch()
        minted_total, _, dust_total, _ = self.emissions.totals()
        for epoch in range(self.epochs_checked, next_epoch):
            minted, units, _, epoch_dust, _, _ = self.emissions.epochInfo(epoch)
            scheduled = self.schedule.scheduled(epoch)
            assert self.emissions.scheduledEmission(epoch) == scheduled
            # Exactly the schedule (capped) when there is eligible stake; nothing without.
            assert minted == (self.schedule.emission(epoch) if units else 0)
            self.scheduled_sum += scheduled
            self.minted_sum += minted
            self.dust_sum += epoch_dust
        assert minted_total == self.minted_sum <= self.scheduled_sum
        assert dust_total == self.dust_sum
        assert supply == self.initial_supply + minted_total - self.burned

    @invariant()
    def inv_04_task_stakes_match_allocations(self) -> None:
        total_allocated = sum(self.gm.allocatedOf(u) for u in self.users)
        per_user = dict.fromkeys(self.users, 0)
        total_tasks = 0
        for task_id in self._task_ids():
            stakes = self.tasks.taskStakes(task_id)
            # The registry keeps no per-task total of the delegations' allocations (decision
            # 190): the task's pools are summed here, every account that ever held a pool.
            total_tasks += allocated_in_task(self.tasks, task_id, self.users)
            if not self.model[task_id].creator_released:
                per_user[self.model[task_id].creator] += stakes.creator
            own_nodes = own_validators = delegated_nodes = delegated_validators = 0
            behind = dict.fromkeys(self.users, 0)  # per operator: its delegators' allocations
            for user in self.users:
                m = self._role(task_id, user)
                if m is None:
                    continue
                member = self.tasks.memberOf(task_id, user)
                if m.released:
                    assert member.stake == 0
                per_user[user] += member.stake
                if m.role == Role.DELEGATOR:
                    behind[m.operator] += member.stake
                # A released operator's pool still counts until its delegators leave.
                if m.role in (Role.NODE, Role.PARTICIPANT):
                    own_nodes += member.stake
                    delegated_nodes += self.tasks.effectiveStake(task_id, user).delegated
                elif m.role == Role.VALIDATOR:
                    own_validators += member.stake
                    delegated_validators += self.tasks.effectiveStake(task_id, user).delegated
            assert stakes.nodes + stakes.participants == own_nodes
            assert stakes.validators == own_validators
            assert stakes.delegatedToNodes == delegated_nodes
            assert stakes.delegatedToValidators == delegated_validators
            for operator, allocated in behind.items():
                assert self.tasks.poolOf(task_id, operator).allocated == allocated
        assert total_tasks == total_allocated
        for user, amount in per_user.items():
            assert self.gm.allocatedOf(user) == amount
            assert amount <= self.gm.balanceOf(user)

    @invariant()
    def inv_10_stake_at_risk_stays(self) -> None:
        # Every unreleased stake of a task not yet past its release time is still allocated.
        for (task_id, user), m in self.members.items():
            if m.released:
                continue
            release_at = self._task_release_at(task_id)
            if m.exit_at:
                release_at = self._delegation_release_at(task_id, m.exit_at)
            if self.now < release_at:
                member = self.tasks.memberOf(task_id, user)
                assert (member.role, member.exitAt, member.released) == (m.role, m.exit_at, False)

    @invariant()
    def inv_11_budget_conservation(self) -> None:
        """Each newly opened epoch: the tasks' budgets (the model's weights x the epoch's rate) plus
        the dust are what it minted; each task's ``accruedBudget`` is the sum of its modelled
        per-epoch budgets. Then the weights reported in this step are recorded for the epochs to
        come."""
        next_epoch = self.emissions.nextEpoch()
        arena = {t: self.model[t].kind == TaskKind.ARENA for t in self._task_ids()}
        self.budgets.open_epochs(self.emissions, arena, next_epoch)
        self.epochs_checked = next_epoch
        for task_id in arena:
            assert self.emissions.accruedBudget(task_id) == self.budgets.accrued.get(task_id, 0)
        eligible_weights(self.tasks, self.emissions, arena, self._reports, self.budgets)

    def _reports(self, task_id: int) -> bool:
        """Whether the registry reports ``task_id``'s stake changes (approved, before its end)."""
        t = self.model[task_id]
        return t.state == TaskState.APPROVED and self.now < t.end

    @invariant()
    def inv_12_controller_solvent(self) -> None:
        """No budget spent twice: each task drew at most what it accrued (and what the machine
        drew); the controller holds exactly minted - drawn - dust swept."""
        minted, drawn, _, swept = self.emissions.totals()
        assert self.token.balanceOf(self.emissions.address) == minted - drawn - swept
        assert drawn == sum(self.budgets.drawn.values())
        for task_id in self._task_ids():
            drawn_task = self.emissions.drawnBudget(task_id)
            assert drawn_task == self.budgets.drawn.get(task_id, 0)
            assert drawn_task <= self.emissions.accruedBudget(task_id)
        pot_total = sum(self.tasks.slashPot(t) for t in self._task_ids())
        assert self.token.balanceOf(self.tasks.address) == pot_total

    @invariant()
    def inv_13_weights_reported(self) -> None:
        """An eligible task's weight is its registry stake, in stake units: the controller's sum
        (``taskEnrollment().units``) and the split of its last ``TaskWeightChanged``."""
        next_epoch = self.emissions.nextEpoch()
        for task_id in self._task_ids():
            _, expiry, units = self.emissions.taskEnrollment(task_id)
            if not self._reports(task_id) or next_epoch >= expiry:
                continue
            n, v = stake_units(self.tasks, task_id)
            assert units == n + v
            from_epoch, nodes, validators = self.watch.last[task_id]
            assert (nodes, validators) == (n, v)
            assert from_epoch <= next_epoch
