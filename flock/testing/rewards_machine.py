"""Reward roots, vetoes, finalization, claims and vesting under random actions, on the harness.

Rules are what oracles, the guardian, governance, claimers and time do: oracles post the honest
tuple of a task epoch, a rogue one, or one over the budget; the guardian vetoes (in and out of the
window, and a stranger tries); anyone finalizes (creating the root's pot), claims at the pot (right
leaves, tampered proofs, leaves already claimed), claims in batches through the distributor (which
finalizes late roots) and releases vested FLOCK; governance changes the vesting terms, cancels
the second task and sweeps an ended task's pool. A model follows every amount, the budgets per
task (decision 236): the first post of a task epoch draws everything the task accrued into the
task's pool, a root reserves its total + burn out of it, a veto returns them. The ``inv_05_...``
and ``inv_06_...`` methods are invariants 5 and 6 of docs/invariants.md. Used by
tests/property/test_reward_invariants.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak, to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.harness.system import System
from flock.oracle.merkle import StandardMerkleTree, reward_tree
from flock.rewards import PotTerms, Status, claim_args, pot_address
from flock.tasks import Role, TaskKind
from flock.testing.fixtures import stake
from flock.testing.machine import ProtocolMachine, initialize, rule
from flock.units import DAY, WAD

BPS = 10_000
WINDOW = 6 * 3600
N_CLAIMANTS = 10
pick = st.integers(min_value=0, max_value=10**6)
seed = st.integers(min_value=0, max_value=2**32)


@dataclass
class Tuple:
    """What an oracle posts, with the tree behind it."""

    tree: StandardMerkleTree
    total: int
    burn: int
    report: bytes

    def args(self) -> tuple[Any, ...]:
        return (self.tree.root, self.total, self.burn, self.report)


@dataclass
class EpochModel:
    budget: int = 0  # the task's pool when the root was accepted (what it had to fit)
    status: Status = Status.NONE
    round: int = 0
    accepted: Tuple | None = None
    finalizes_at: int = 0
    locked_bps: int = 0
    period: int = 0
    claimed: set[int] = field(default_factory=set)
    claimed_amount: int = 0
    candidates: dict[tuple[int, bool], Tuple] = field(default_factory=dict)  # (round, honest)
    votes: dict[tuple[int, bytes], set[str]] = field(default_factory=dict)  # (round, tuple hash)


class RewardMachine(ProtocolMachine):
    """The reward distributor with two approved Arena tasks, three oracles (quorum 2) and a guardian."""

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """Two approved Arena tasks (the registry's first two: ids 1 and 2) with a node and a
        validator each, three oracles (quorum 2) and a guardian."""
        tasks, rewards, admin = system.tasks, system.rewards, system.admin
        users = accounts[1:7]
        for user in users:
            stake(system, user, 1_000_000 * WAD, [(1_000_000 * WAD, 365 * DAY)])
        for node, validator in ((users[1], users[2]), (users[3], users[4])):
            tasks.createTask(TaskKind.ARENA, 30 * DAY, b"\x11" * 32, "ipfs://spec", 0, 0, sender=users[0])
            task_id = tasks.taskCount()
            tasks.join(task_id, Role.NODE, 20_000 * WAD, 5_000, sender=node)
            tasks.join(task_id, Role.VALIDATOR, (10_000 + 5_000 * task_id) * WAD, 5_000, sender=validator)
            tasks.approveTask(task_id, sender=admin)
        assert tasks.taskCount() == 2, "the reward tasks must be the registry's first two"
        rewards.setOracles(accounts[10:13], 2, sender=admin)
        rewards.grantRole(rewards.GUARDIAN_ROLE(), accounts[13], sender=admin)
        rewards.setRewardParameters(WINDOW, 0, 0, sender=admin)

    def new_model(self, accounts: list[str]) -> None:
        system = self.system
        self.token, self.emissions, self.rewards = system.token, system.emissions, system.rewards
        self.admin = system.admin
        self.oracles = accounts[10:13]
        self.guardian = accounts[13]
        self.stranger = accounts[14]
        self.claimants = [to_checksum_address(keccak(text=f"claimant-{i}")[12:]) for i in range(N_CLAIMANTS)]
        self.tasks = (1, 2)
        self.registry = system.tasks
        self.epochs: dict[tuple[int, int], EpochModel] = {}
        self.pools = {t: 0 for t in self.tasks}  # unallocatedOf: drawn, not reserved, not swept
        self.task_drawn = {t: 0 for t in self.tasks}  # what the distributor drew of each task
        self.task_swept = {t: 0 for t in self.tasks}
        self.cancelled = False
        self.may_cancel = True  # the system machine says no: its other parts act on these tasks
        self.vesting: dict[
            tuple[str, int, int], list[int]
        ] = {}  # (account, task, epoch) -> [locked, released]
        self.terms = (0, 0)  # locked share bps, vesting period for roots accepted from now
        self.burned = 0
        self.swept = 0
        self.drawn = 0
        self.paid = 0

    @initialize(seed_value=seed, locked=st.sampled_from([9_000, 0, 2_500]), later=st.booleans())
    def start(self, seed_value: int, locked: int, later: bool) -> None:
        """Into epoch 2, with epoch 1 (the tasks' first earning epoch) over and a root accepted for
        each task in it (vesting or not), then maybe past their challenge window: every example has
        something to veto, finalize or claim from its first step."""
        self.set_vesting(locked, 30)
        self._advance_to(self.emissions.genesis() + 2 * self.emissions.epochLength() + 60)
        for which in (0, 1):
            self.post_until_quorum(which, seed_value + which)
        assert {self.epochs[(t, 1)].status for t in self.tasks} == {Status.ACCEPTED}
        if later:
            self._advance_to(self.now + WINDOW + 3600)

    # ------------------------------------------------------------------ helpers

    def _advance_to(self, timestamp: int) -> None:
        self.chain.set_time(max(timestamp, self.now))
        self.emissions.checkpoint(sender=self.stranger)

    def _ended_epochs(self) -> list[tuple[int, int]]:
        """The latest three task epochs whose reveal phase is over (the phases fill each epoch), per
        task: few enough that posts meet."""
        current = self.emissions.currentEpoch()
        return [(t, e) for t in self.tasks for e in range(max(1, current - 3), current)]

    def _epoch(self, key: tuple[int, int]) -> EpochModel:
        if key not in self.epochs:
            self.epochs[key] = EpochModel()
        return self.epochs[key]

    def _candidate(self, model: EpochModel, room: int, honest: bool, seed_value: int) -> Tuple:
        """The round's honest or rogue tuple (fixed once drawn): a few claimants, amounts and a burn
        that fit the task's pool (``room``, when the round's tuple is first drawn)."""
        key = (model.round, honest)
        if key not in model.candidates:
            rnd = random.Random(seed_value)
            accounts = rnd.sample(self.claimants, rnd.randint(1, 6))
            amounts = [room * rnd.randint(1, 1_000) // (1_000 * len(accounts)) for _ in accounts]
            if sum(amounts) == 0:
                amounts[0] = min(room, 1)
            leaves = [(a, x) for a, x in zip(accounts, amounts, strict=True) if x > 0] or [(accounts[0], 1)]
            total = sum(x for _, x in leaves)
            burn = max(0, room - total) * rnd.randint(0, 1_000) // 1_000
            report = keccak(text=f"report-{seed_value}-{honest}")
            model.candidates[key] = Tuple(reward_tree(leaves), total, burn, report)
        return model.candidates[key]

    def _choose(self, which: int, preferred: list[tuple[int, int]]) -> tuple[int, int] | None:
        """A key from ``preferred`` three times in four (when there is one), else any known key."""
        keys = list(self.epochs)
        if preferred and which % 4:
            return preferred[which % len(preferred)]
        return keys[which % len(keys)] if keys else None

    def _accepted_keys(self) -> list[tuple[int, int]]:
        return [k for k, m in self.epochs.items() if m.status == Status.ACCEPTED]

    def _final_keys(self) -> list[tuple[int, int]]:
        return [k for k, m in self.epochs.items() if m.status == Status.FINAL]

    def _vested(self, locked: int, model: EpochModel) -> int:
        if self.now <= model.finalizes_at:
            return 0
        elapsed = self.now - model.finalizes_at
        return locked if elapsed >= model.period else locked * elapsed // model.period

    def _finalized(self, model: EpochModel) -> None:
        model.status = Status.FINAL
        assert model.accepted is not None
        self.burned += model.accepted.burn

    # ------------------------------------------------------------------ rules

    @rule(hours=st.sampled_from([1, 3, 7, 13, 25, 49]))
    def advance(self, hours: int) -> None:
        if self.emissions.currentEpoch() < 34:
            self._advance_to(self.now + hours * 3600)

    @rule(which=pick, seed_value=seed)
    def post_until_quorum(self, which: int, seed_value: int) -> None:
        """The oracles that have not posted in the round post its honest tuple, until one is accepted."""
        for oracle in range(3):
            ended = self._ended_epochs()
            key = ended[which % len(ended)] if ended else None
            if key is None or self._epoch(key).status in (Status.ACCEPTED, Status.FINAL):
                return
            model = self.epochs[key]
            if not any(self.oracles[oracle] in v for (r, _), v in model.votes.items() if r == model.round):
                self.post(oracle, which, True, False, seed_value)

    @rule(
        oracle=st.integers(0, 2),
        which=pick,
        honest=st.sampled_from([True, True, False]),
        over=st.sampled_from([False, False, False, True]),
        seed_value=seed,
    )
    def post(self, oracle: int, which: int, honest: bool, over: bool, seed_value: int) -> None:
        ended = self._ended_epochs()
        if not ended:
            return
        key = ended[which % len(ended)]
        model = self._epoch(key)
        sender = self.oracles[oracle]
        if model.status in (Status.ACCEPTED, Status.FINAL):
            with self.chain.reverts("RewardRootAlreadyAccepted"):
                self.rewards.postRoot(*key, b"\x01" * 32, 1, 0, b"", sender=sender)
            return
        task = key[0]
        undrawn = self.emissions.accruedBudget(task) - self.emissions.drawnBudget(task)
        draws = undrawn if model.status == Status.NONE else 0  # the first post draws it all
        room = self.pools[task] + draws
        if room == 0:
            with self.chain.reverts("RewardBudgetExceeded"):
                self.rewards.postRoot(*key, b"\x01" * 32, 1, 0, b"", sender=sender)
            return
        if over:
            with self.chain.reverts("RewardBudgetExceeded", unallocated=room):
                self.rewards.postRoot(*key, b"\x01" * 32, room, 1, b"", sender=sender)
            return
        candidate = self._candidate(model, room, honest, seed_value)
        if candidate.total + candidate.burn > room:  # another epoch's root took the task's pool since
            with self.chain.reverts("RewardBudgetExceeded", unallocated=room):
                self.rewards.postRoot(*key, *candidate.args(), sender=sender)
            return
        tuple_id = keccak(
            b"".join(x.to_bytes(32, "big") if isinstance(x, int) else x for x in candidate.args())
        )
        if any(sender in voters for (rnd, _), voters in model.votes.items() if rnd == model.round):
            with self.chain.reverts("RewardAlreadyPosted"):
                self.rewards.postRoot(*key, *candidate.args(), sender=sender)
            return
        receipt = self.rewards.postRoot(*key, *candidate.args(), sender=sender)
        if model.status == Status.NONE:
            model.status = Status.OPEN
            self.pools[task] += draws
            self.task_drawn[task] += draws
            self.drawn += draws
            assert [e["amount"] for e in receipt.events_named("BudgetReserved")] == [draws]
        voters = model.votes.setdefault((model.round, tuple_id), set())
        voters.add(sender)
        if len(voters) == 2:
            model.status = Status.ACCEPTED
            model.accepted = candidate
            model.budget = room
            self.pools[task] -= candidate.total + candidate.burn
            model.finalizes_at = self.now + WINDOW
            model.locked_bps, model.period = self.terms
            assert receipt.events_named("RootAccepted")
        else:
            assert not receipt.events_named("RootAccepted")

    @rule(which=pick, guardian=st.booleans())
    def veto(self, which: int, guardian: bool) -> None:
        key = self._choose(
            which, [k for k in self._accepted_keys() if self.now < self.epochs[k].finalizes_at]
        )
        if key is None:
            return
        model = self.epochs[key]
        if not guardian:
            with self.chain.reverts("AccessControlUnauthorizedAccount"):
                self.rewards.veto(*key, sender=self.stranger)
            return
        if model.status != Status.ACCEPTED or self.now >= model.finalizes_at:
            with self.chain.reverts("RewardNotVetoable"):
                self.rewards.veto(*key, sender=self.guardian)
            return
        self.rewards.veto(*key, sender=self.guardian)
        assert model.accepted is not None
        self.pools[key[0]] += model.accepted.total + model.accepted.burn
        model.accepted, model.status, model.round = None, Status.OPEN, model.round + 1
        model.finalizes_at, model.locked_bps, model.period = 0, 0, 0

    @rule(which=pick)
    def finalize(self, which: int) -> None:
        key = self._choose(which, self._accepted_keys())
        if key is None:
            return
        model = self.epochs[key]
        if model.status != Status.ACCEPTED:
            with self.chain.reverts("RewardNothingToFinalize"):
                self.rewards.finalize(*key, sender=self.stranger)
        elif self.now < model.finalizes_at:
            with self.chain.reverts("RewardChallengeOpen", finalizesAt=model.finalizes_at):
                self.rewards.finalize(*key, sender=self.stranger)
        else:
            supply = self.token.totalSupply()
            self.rewards.finalize(*key, sender=self.stranger)
            self._finalized(model)
            assert self.token.totalSupply() == supply - model.accepted.burn

    def _pot(self, key: tuple[int, int]) -> Any:
        return self.chain.at("RewardPot", self.rewards.potOf(*key))

    @rule(which=pick, leaf=pick, tamper=st.booleans())
    def claim(self, which: int, leaf: int, tamper: bool) -> None:
        """A claim at the root's pot once it is final; before, through ``claimMany``, which
        finalizes a root whose window is over (and refuses one still in its window)."""
        keys = [k for k, m in self.epochs.items() if m.accepted is not None]
        if not keys:
            return
        key = keys[which % len(keys)]
        model = self.epochs[key]
        tree = model.accepted.tree
        index = leaf % len(tree.leaves)
        args = claim_args(tree, *key, index)
        if model.status == Status.ACCEPTED and self.now < model.finalizes_at:
            with self.chain.reverts("RewardChallengeOpen"):
                self.rewards.claimMany([args.args()], sender=self.stranger)
            return
        if tamper:
            bad = (*key, index, args.account, args.amount + 1, args.proof)
            with self.chain.reverts("RewardPotInvalidProof"):
                self.rewards.claimMany([bad], sender=self.stranger)  # the pot refuses, nothing is kept
            return
        before = self.token.balanceOf(args.account)
        if model.status == Status.ACCEPTED:
            self.rewards.claimMany([args.args()], sender=self.stranger)  # finalizes first
            self._finalized(model)
        elif index in model.claimed:
            with self.chain.reverts("RewardPotAlreadyClaimed", index=index):
                self._pot(key).claim(*args.pot_args(), sender=self.stranger)
            return
        else:
            self._pot(key).claim(*args.pot_args(), sender=self.stranger)
        paid = self._book(key, model, index, args.account, args.amount)
        assert self.token.balanceOf(args.account) == before + paid

    @rule(picks=st.lists(st.tuples(pick, pick), min_size=1, max_size=5))
    def claim_many(self, picks: list[tuple[int, int]]) -> None:
        keys = self._final_keys()
        if not keys:
            return
        chosen: dict[tuple[tuple[int, int], int], Any] = {}
        for which, leaf in picks:
            key = keys[which % len(keys)]
            model = self.epochs[key]
            index = leaf % len(model.accepted.tree.leaves)
            if index not in model.claimed:
                chosen[(key, index)] = claim_args(model.accepted.tree, *key, index)
        if not chosen:
            return
        batch = list(chosen.items())
        befores = {args.account: self.token.balanceOf(args.account) for _, args in batch}
        receipt = self.rewards.claimMany([args.args() for _, args in batch], sender=self.stranger)
        assert len(receipt.events_named("Claimed")) == len(batch)
        expected = dict(befores)
        for (key, index), args in batch:
            model = self.epochs[key]
            expected[args.account] += self._book(key, model, index, args.account, args.amount)
        for account, balance in expected.items():
            assert self.token.balanceOf(account) == balance

    def _book(self, key: tuple[int, int], model: EpochModel, index: int, account: str, amount: int) -> int:
        """Books a claim of leaf ``index``; returns what it pays now (the rest vests)."""
        locked = amount * model.locked_bps // BPS
        vested = self._vested(locked, model) if locked else 0
        paid = amount - locked + vested
        model.claimed.add(index)
        model.claimed_amount += amount
        self.paid += paid
        if model.locked_bps:
            entry = self.vesting.setdefault((account, *key), [0, 0])
            entry[0] += locked
            entry[1] += vested
        return paid

    @rule(who=pick)
    def release(self, who: int) -> None:
        """Mostly an account with something vesting; sometimes any claimant."""
        vesting = sorted({k[0] for k in self.vesting})
        account = vesting[who % len(vesting)] if vesting and who % 4 else self.claimants[who % N_CLAIMANTS]
        entries = [(k, v) for k, v in self.vesting.items() if k[0] == account]
        due = 0
        for (_, task, epoch), entry in entries:
            vested = self._vested(entry[0], self.epochs[(task, epoch)])
            due += vested - entry[1]
        tasks_, epochs_ = [k[1] for k, _ in entries], [k[2] for k, _ in entries]
        if due == 0:
            with self.chain.reverts("RewardNothingToRelease"):
                self.rewards.releaseVested(account, tasks_, epochs_, sender=self.stranger)
            return
        before = self.token.balanceOf(account)
        self.rewards.releaseVested(account, tasks_, epochs_, sender=self.stranger)
        assert self.token.balanceOf(account) == before + due
        for (_, task, epoch), entry in entries:
            entry[1] = self._vested(entry[0], self.epochs[(task, epoch)])
        self.paid += due

    @rule(share=st.sampled_from([0, 2_500, 9_000, 10_000]), days=st.integers(1, 40))
    def set_vesting(self, share: int, days: int) -> None:
        period = days * DAY if share else 0
        self.rewards.setRewardParameters(WINDOW, share, period, sender=self.admin)
        self.terms = (share, period)

    @rule()
    def cancel_second_task(self) -> None:
        """Governance cancels the second task (once): it stops earning, its pool becomes sweepable."""
        if self.cancelled or not self.may_cancel:
            return
        self.registry.cancelTask(self.tasks[1], sender=self.admin)
        self.cancelled = True

    @rule(which=pick, admin=st.sampled_from([True, True, True, False]))
    def sweep(self, which: int, admin: bool) -> None:
        """Governance sweeps a task's pool and its undrawn accrual, once the task is over; roots
        accepted keep their reservations."""
        task = self.tasks[which % 2]
        if not admin:
            with self.chain.reverts("AccessControlUnauthorizedAccount"):
                self.rewards.sweepUnallocated(task, self.stranger, sender=self.stranger)
            return
        if self.registry.isActive(task):
            with self.chain.reverts("RewardTaskStillActive", taskId=task):
                self.rewards.sweepUnallocated(task, self.stranger, sender=self.admin)
            return
        undrawn = self.emissions.accruedBudget(task) - self.emissions.drawnBudget(task)
        amount = self.pools[task] + undrawn
        if amount == 0:
            with self.chain.reverts("RewardNothingToSweep", taskId=task):
                self.rewards.sweepUnallocated(task, self.stranger, sender=self.admin)
            return
        before = self.token.balanceOf(self.stranger)
        self.rewards.sweepUnallocated(task, self.stranger, sender=self.admin)
        assert self.token.balanceOf(self.stranger) == before + amount
        self.task_drawn[task] += undrawn
        self.drawn += undrawn
        self.swept += amount
        self.task_swept[task] += amount
        self.pools[task] = 0

    # ------------------------------------------------------------------ invariants

    def _owed_by_pot(self, key: tuple[int, int], model: EpochModel) -> int:
        """A final root's pot owes its unclaimed leaves and the locked, unreleased part of claimed ones."""
        locked = sum(lk - rel for (_, t, e), (lk, rel) in self.vesting.items() if (t, e) == key)
        return model.accepted.total - model.claimed_amount + locked

    @invariant()
    def inv_05_distributor_holds_what_it_owes(self) -> None:
        """The distributor holds the tasks' pools and pending roots (total + burn); each final root's
        pot holds its unclaimed leaves and locked vesting. With honest trees, exactly that."""
        owed_here, held_in_pots = sum(self.pools.values()), 0
        for task in self.tasks:
            assert self.rewards.unallocatedOf(task) == self.pools[task]
        for key, model in self.epochs.items():
            if model.status == Status.ACCEPTED:
                owed_here += model.accepted.total + model.accepted.burn
            elif model.status == Status.FINAL:
                pot = self.rewards.potOf(*key)
                balance = self.token.balanceOf(pot)
                assert balance >= self._owed_by_pot(key, model)
                assert balance == self._owed_by_pot(key, model)
                held_in_pots += balance
            info = self.rewards.epochRewards(*key)
            assert (info.status, info.round) == (model.status, model.round)
        balance = self.token.balanceOf(self.rewards.address)
        assert balance >= owed_here
        assert balance == owed_here
        assert balance + held_in_pots == self.drawn - self.paid - self.burned - self.swept

    @invariant()
    def inv_06_claims_within_root_within_budget(self) -> None:
        """Per task epoch: claimed <= root total; total + burn <= the budget, the task's pool when
        the root was accepted. Per task: its roots' total + burn together <= what the distributor
        drew of it (no revenue here) <= what it accrued, each wei drawn once. Every leaf is claimed
        at most once, and the pot's bitmap says which."""
        reserved = dict.fromkeys(self.tasks, 0)
        for key, model in self.epochs.items():
            if model.accepted is not None:
                reserved[key[0]] += model.accepted.total + model.accepted.burn
        for task in self.tasks:
            drawn = self.emissions.drawnBudget(task)
            assert drawn == self.task_drawn[task] <= self.emissions.accruedBudget(task)
            assert reserved[task] <= drawn
            assert reserved[task] + self.pools[task] + self.task_swept[task] == drawn
        for key, model in self.epochs.items():
            if model.accepted is None:
                continue
            assert model.claimed_amount <= model.accepted.total
            assert model.accepted.total + model.accepted.burn <= model.budget
            if model.status != Status.FINAL:
                assert not model.claimed
                continue
            pot = self._pot(key)
            terms = PotTerms(
                model.accepted.tree.root, *key, model.locked_bps, model.finalizes_at, model.period
            )
            assert pot.address == pot_address(self.rewards.address, self.rewards.potImplementation(), terms)
            assert tuple(pot.terms()) == (
                terms.root,
                *key,
                terms.locked_share_bps,
                terms.vesting_start,
                terms.vesting_period,
            )
            for index in range(len(model.accepted.tree.leaves)):
                assert pot.isClaimed(index) == (index in model.claimed)
