"""The whole protocol under everyone's actions at once, on the in-process harness.

One deployment (token, gmFLOCK, governor and timelock, task registry, emission controller, reward
distributor and its pots, Arena submissions, Alliance rounds, API credits) is shared by every kind
of user. The per-subsystem machines (staking, tasks, rewards, alliance, API) each act on it as a
*part*, with its own window of accounts: their rules become this machine's rules
(``staking_lock``, ``tasks_delegate``, ``rewards_post``, ``alliance_play``, ``api_charge``, ...)
with the same strategies, preconditions and predictions, so Hypothesis interleaves stakers, task
creators, nodes, validators, delegators, participants, oracles, developers, gateway operators, the
guardian, slashers, keepers and governance (the timelock, impersonated) with time jumps from
seconds to a year. This machine adds governance and intruder rules of its own, and time jumps.

Every invariant of docs/invariants.md is an ``inv_NN_...`` method here, checked over the whole
system after every step: a FLOCK ledger built from every transaction's ``Transfer`` events (see
``flock.testing.ledger``) against the token, every task of the registry against the emission
controller, every staker against gmFLOCK, the role model against every role event. Where a part's
own invariant is about its part alone and stays true when others act beside it, the system
invariant runs it too. Used by tests/property/test_system_invariants.py and by the
``fuzz.tx_per_second`` benchmark.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.deploy.governed import PARAMETERS
from flock.deploy.plan import Context, roles_of
from flock.deploy.verify import normalize
from flock.emissions import Schedule
from flock.harness.evm import Chain
from flock.harness.system import System
from flock.oracle.merkle import slash_tree
from flock.rewards import Offence, Phase, SlashStatus
from flock.tasks import LockStatus, Role, TaskKind, TaskState, allocated_in_task
from flock.testing.alliance_machine import AllianceMachine
from flock.testing.api_machine import ApiMachine
from flock.testing.ledger import ADMIN, Watch
from flock.testing.machine import ProtocolMachine, Step, initialize, precondition, rule, steps_of
from flock.testing.rewards_machine import RewardMachine
from flock.testing.staking_machine import StakingMachine, gm_views
from flock.testing.tasks_machine import TaskMachine, stake_units
from flock.units import DAY, WAD

CAP = 1_000_000_000 * WAD
WINDOW = 20  # accounts per part
_WRONG = bytes(31) + b"\x01"  # what a dishonest reveal shows instead of its commitment's value
# Parts, in set-up order (the reward part's tasks must be the registry's first two), each with the
# first account of its window. Window 0 starts with the deployer, which the staking part never uses.
PARTS: tuple[tuple[str, type[ProtocolMachine], int], ...] = (
    ("rewards", RewardMachine, 20),
    ("staking", StakingMachine, 0),
    ("tasks", TaskMachine, 40),
    ("alliance", AllianceMachine, 60),
    ("api", ApiMachine, 90),
)
SPARE = range(80, 90)  # accounts governance appoints to roles; they never act
N_ACCOUNTS = 110
ROLE_CONTRACTS = ("token", "gmflock", "emissions", "tasks", "alliance", "submissions", "rewards", "slasher")
APPOINTED = ("token", "gmflock", "emissions", "tasks", "rewards", "slasher")  # with roles besides the admin's
pick = st.integers(min_value=0, max_value=10**6)
# (examples, steps per example) by Hypothesis profile (tests/conftest.py). Invariants run after
# every step, so each profile checks every invariant examples x steps times at most (Hypothesis
# may end an example early); `make fuzz` (deep) runs at least 10,000 steps: see docs/invariants.md.
PROFILE_SIZES = {"quick": (40, 40), "deep": (1_000, 100)}


def system_settings() -> settings:
    """The system suite's size for the loaded profile (``HYPOTHESIS_PROFILE``), everything else
    (deadline, health checks, ``print_blob``) from the profile itself."""
    examples, steps = PROFILE_SIZES.get(os.environ.get("HYPOTHESIS_PROFILE", "quick"), PROFILE_SIZES["quick"])
    return settings(max_examples=examples, stateful_step_count=steps)


class SystemMachine(ProtocolMachine):
    """Every contract at once; rules of every part interleaved, invariants over the whole system."""

    _watch: ClassVar[Watch]  # the ledger and role model right after the set-up (``deploy``)

    # ------------------------------------------------------------------ set-up

    @classmethod
    def new_chain(cls) -> Chain:
        return Chain(n_accounts=N_ACCOUNTS)

    @classmethod
    def deploy(cls) -> System:
        system = super().deploy()
        cls._watch = cls._survey(system)
        return system

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """Every part's set-up, each with its window of accounts."""
        for _, part, first in PARTS:
            part.prepare(system, accounts[first : first + WINDOW])

    @staticmethod
    def _survey(system: System) -> Watch:
        """Reads every FLOCK balance and every role holder among the known accounts once, after the
        set-up: the ledger and the role model start from here and change only by events."""
        chain, token = system.chain, system.token
        ctx = Context(system.config, system.deployer, {k: c.address for k, c in system.contracts.items()})
        genesis = [ctx.address(g.key or g.recipient) for g in system.config.token.grants()]
        known = [*chain.accounts, system.deployer, *(c.address for c in system.contracts.values()), *genesis]
        balances = Counter({a: token.balanceOf(a) for a in dict.fromkeys(known)})
        assert sum(balances.values()) == token.totalSupply(), "a FLOCK holder is missing from the survey"
        roles: dict[tuple[str, bytes], set[str]] = {}
        admins: dict[tuple[str, bytes], bytes] = {}
        for key in (*ROLE_CONTRACTS, "timelock"):
            contract = system.contracts[key]
            for name in roles_of(contract.name):
                role = ADMIN if name == "DEFAULT_ADMIN_ROLE" else bytes(getattr(contract, name)())
                admins[(contract.address, role)] = bytes(contract.getRoleAdmin(role))
                roles[(contract.address, role)] = {a for a in known if contract.hasRole(role, a)}
        c = system.contracts
        return Watch(
            token=token.address,
            gmflock=c["gmflock"].address,
            tasks=c["tasks"].address,
            alliance=c["alliance"].address,
            timelock=c["timelock"].address,
            emissions=c["emissions"].address,
            balances=balances,
            roles=roles,
            role_admins=admins,
        )

    def new_model(self, accounts: list[str]) -> None:
        system = self.system
        self.token, self.gm, self.tasks = system.token, system.gmflock, system.tasks
        self.emissions = system.emissions
        self.timelock = system.timelock.address
        for name, part, first in PARTS:
            setattr(self, f"{name}_part", part(system, accounts[first : first + WINDOW]))
        # The submission and slash rules act on the reward tasks as members of live tasks: the
        # reward part does not cancel one here (its sweeps are refused until the tasks end).
        self.rewards_part.may_cancel = False
        # The API part's flushes fund reward epochs the reward part's exact books do not model.
        self.api_part.flushes = False
        self.watch = type(self)._watch.fresh(lambda: self.chain.now)
        # The ledger's watch, and the task part's watch of `TaskWeightChanged` (inv_13's split).
        self.chain.observers[:] = [self.watch, self.tasks_part.watch]
        # One step here may send many transactions across epoch openings (an Alliance round): the
        # budget model takes every reported weight from its event, as it happens (INV-11).
        self.tasks_part.watch.model = self.tasks_part.budgets
        # The tasks the shared set-up made reported before the watch was attached: their pending
        # weights, in force from the controller's next epoch.
        next_epoch = self.emissions.nextEpoch()
        for task_id in self._task_ids():
            if next_epoch < self.emissions.taskEnrollment(task_id).expiry:
                self.tasks_part.budgets.observe(task_id, next_epoch, stake_units(self.tasks, task_id))
        self.stakers = list(
            dict.fromkeys(
                [
                    *self.staking_part.users,
                    *self.rewards_users,
                    *self.tasks_part.users,
                    self.alliance_part.creator,
                    *self.alliance_part.participants,
                    self.alliance_part.outsider,
                    # a finalizer's or an evictor's share of a slash is withdrawn as a gmFLOCK lock
                    # (decision 195): they become stakers by withdrawing
                    self.alliance_part.keeper,
                    *self.alliance_part.finalizer_pool,
                    self.api_part.node,
                ]
            )
        )
        self.spares = [accounts[i] for i in SPARE]
        self.initial_supply = self.token.totalSupply()
        minted, drawn, _, swept = self.emissions.totals()
        self.initial_minted, self._drawn_before = minted, drawn + swept
        e0, decay, period = self.emissions.schedule()
        self.schedule = Schedule(e0, decay, period, self.emissions.epochCap())
        self.epochs_checked = 0
        self.minted_sum = self.scheduled_sum = 0
        self.params = self._read_parameters()
        self.past: list[tuple[int, dict[str, int], int]] = []  # (timepoint, votes, gm supply): final
        self.pending: tuple[int, dict[str, int], int] | None = None
        self.reward_members = self._reward_members()
        self.steps = 0
        self._seen: dict[str, int] = {}
        self._budgets_seeded = False  # inv_11: the budget model starts from the chain after the set-up
        self.commitments: dict[tuple[int, int, str], tuple[bytes, bytes]] = {}  # Arena score commitments
        self.model_commitments: dict[tuple[int, int, str], tuple[bytes, bytes]] = {}  # Arena models
        self.slashed: set[tuple[int, int, str, int]] = set()  # offences slashed by ArenaSlasher
        self.slash_roots: dict[tuple[int, int], tuple[Any, list[tuple[str, int]]]] = {}  # accepted
        self.phase_history: dict[int, tuple[int, ...]] = {}  # epoch -> its phases, once started
        self._cache: tuple[int, dict[str, dict[str, int]]] = (-1, {})

    @property
    def rewards_users(self) -> list[str]:
        first = next(f for n, _, f in PARTS if n == "rewards")
        return self.chain.accounts[first + 1 : first + 7]

    def _reward_members(self) -> dict[tuple[int, str], tuple[int, bool]]:
        """The reward tasks' nodes and validators and their stakes: no rule changes them."""
        return {
            (t, u): tuple(self.tasks.memberOf(t, u)[i] for i in (1, 5))
            for t in self.rewards_part.tasks
            for u in self.rewards_users
            if self.tasks.memberOf(t, u).role != Role.NONE
        }

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> int:
        return self.chain.now

    def _task_ids(self) -> list[int]:
        return list(range(1, self.tasks.taskCount() + 1))

    def _sync_epochs(self) -> None:
        """Opens every epoch due, as keepers would (the reward part posts for ended epochs only)."""
        while self.emissions.nextEpoch() <= self.emissions.currentEpoch():
            self.emissions.checkpoint(sender=self.spares[-1])

    def _read_parameters(self, keys: set[str] | None = None) -> dict[str, Any]:
        """The governed parameters (with a setter) of the contracts ``keys`` (default: all)."""
        return {
            p.label: normalize(getattr(self.system.contracts[p.key], p.getter)())
            for p in PARAMETERS
            if p.setter and p.key in self.system.contracts and (keys is None or p.key in keys)
        }

    def _state(self) -> dict[str, dict[str, int]]:
        """Every staker's gmFLOCK views, shared by the invariants; read again only after a
        transaction with a gmFLOCK event (none of them depends on time alone)."""
        key = self.watch.gm_changes
        if self._cache[0] != key:
            self._cache = (key, gm_views(self.gm, self.stakers))
        return self._cache[1]

    def _fresh(self, key: str) -> bool:
        """Whether a transaction succeeded since invariant ``key`` last made its full check: the
        registry's, the controller's and the distributor's books change by transactions only, so a
        step that sent none (or only reverted ones) leaves them as they were checked."""
        seen = self.watch.transactions
        if self._seen.get(key) == seen:
            return False
        self._seen[key] = seen
        return True

    def _rotating(self, items: list[Any]) -> Any:
        """One of ``items`` per step, in turn."""
        return items[self.steps % len(items)]

    # ------------------------------------------------------------------ rules of its own

    @rule(
        seconds=st.one_of(
            st.integers(1, 3_600),
            st.integers(3_600, 2 * DAY),
            st.integers(2 * DAY, 40 * DAY),
            st.integers(40 * DAY, 400 * DAY),
        )
    )
    def time_passes(self, seconds: int) -> None:
        """Small and large jumps: within a round phase, across epochs, challenge and dispute
        windows, task ends and lock expiries."""
        self.chain.warp(seconds)

    @rule(
        submit=st.integers(0, 12 * 3_600),
        models=st.integers(0, 4 * 3_600),
        commit=st.integers(0, 6 * 3_600),
    )
    def governance_sets_phases(self, submit: int, models: int, commit: int) -> None:
        """The timelock sets new Arena phase lengths that fill the epoch (so the reward part's
        epochs still end at the epoch's end), or is refused a phase shorter than ten minutes;
        past and running epochs keep theirs (INV-20)."""
        subs = self.system.submissions
        epoch_length = self.emissions.epochLength()
        lengths = (submit, models, commit, epoch_length - submit - models - commit)
        if min(lengths) < 600:
            with self.chain.reverts("SubmissionsInvalidPhases"):
                subs.setPhases(lengths, sender=self.timelock)
            return
        current = subs.currentEpoch()
        before = tuple(subs.phasesAt(current))
        subs.setPhases(lengths, sender=self.timelock)
        assert tuple(subs.phasesAt(current)) == before
        assert tuple(subs.phasesAt(current + 1)) == lengths

    @rule(spare=st.integers(0, len(SPARE) - 1), key=st.sampled_from(APPOINTED), r=pick, grant=st.booleans())
    def governance_appoints(self, spare: int, key: str, r: int, grant: bool) -> None:
        """The timelock grants or revokes a role to or from an account that never uses it."""
        contract = self.system.contracts[key]
        names = [n for n in roles_of(contract.name) if n != "DEFAULT_ADMIN_ROLE"]
        role = bytes(getattr(contract, names[r % len(names)])())
        account = self.spares[spare]
        (contract.grantRole if grant else contract.revokeRole)(role, account, sender=self.timelock)
        assert contract.hasRole(role, account) == grant

    @rule(
        who=pick,
        key=st.sampled_from(ROLE_CONTRACTS),
        r=pick,
        grant=st.booleans(),
    )
    def intruder_changes_role(self, who: int, key: str, r: int, grant: bool) -> None:
        """Anyone but an admin (users, role holders, the deployer) is refused any role change."""
        contract = self.system.contracts[key]
        names = roles_of(contract.name)
        role = (
            ADMIN if (n := names[r % len(names)]) == "DEFAULT_ADMIN_ROLE" else bytes(getattr(contract, n)())
        )
        caller = [self.system.deployer, *self.stakers, *self.spares][who % (len(self.stakers) + 11)]
        with self.chain.reverts("AccessControlUnauthorizedAccount"):
            (contract.grantRole if grant else contract.revokeRole)(role, caller, sender=caller)

    @rule(who=pick, which=st.integers(0, 6))
    def intruder_governs(self, who: int, which: int) -> None:
        """A staker or the deployer tries what only governance or a role holder may do."""
        caller = [self.system.deployer, *self.stakers][who % (len(self.stakers) + 1)]
        s = self.system
        calls: list[Callable[[], Any]] = [
            lambda: s.tasks.approveTask(1, sender=caller),
            lambda: s.rewards.setRewardParameters(3_600, 0, 0, sender=caller),
            lambda: s.gmflock.setWithdrawalFee(0, caller, sender=caller),
            lambda: s.token.mint(caller, WAD, sender=caller),
            lambda: s.emissions.drawAccrued(1, caller, sender=caller),
            lambda: s.alliance.setRoundPhases(600, 600, 120, 1_200, 600, 600, 600, sender=caller),
            lambda: s.rewards.sweepUnallocated(1, caller, sender=caller),
        ]
        with self.chain.reverts("AccessControlUnauthorizedAccount"):
            calls[which]()

    # ------------------------------------------------------------------ Arena submissions

    def _submitter(self, who: int, t: int) -> tuple[int, str]:
        """Three times in four a reward task's member (node or validator) and its task; else any
        task-part user and any task."""
        if who % 4:
            keys = sorted(self.reward_members)
            return keys[(who // 4) % len(keys)]
        ids = self._task_ids()
        return ids[t % len(ids)], self.tasks_part.users[who % len(self.tasks_part.users)]

    def _submission_error(self, task_id: int, account: str, phase: Phase, role: Role) -> str | None:
        """The error ``commitModel`` / ``commitScores`` must give (None: it must succeed), in the
        contract's order: phase, then an open Arena task, then the caller's role."""
        _, current, _ = self.system.submissions.currentPhase()
        if current != phase:
            return "SubmissionsWrongPhase"
        info = self.tasks.taskInfo(task_id)
        if info.kind != TaskKind.ARENA or info.state != TaskState.APPROVED or self.now >= info.endTime:
            return "SubmissionsTaskNotOpen"
        if self.tasks.memberOf(task_id, account).role != role:
            return "SubmissionsWrongRole"
        return None

    @rule(who=pick, t=pick, salt=st.integers(1, 2**64), reveal=st.sampled_from([None, True, False]))
    def submissions_submit(self, who: int, t: int, salt: int, reveal: bool | None = True) -> None:
        """A node commits to a model for the current epoch of an Arena task (once per epoch);
        ``reveal`` (not None): then reveals it, honestly or not, once the model-reveal phase comes."""
        task_id, account = self._submitter(who, t)
        subs = self.system.submissions
        epoch = subs.currentPhase().epoch
        model, secret = salt.to_bytes(32, "big"), (salt + 7).to_bytes(32, "big")
        commitment = subs.modelCommitmentOf(model, "ipfs://model", secret, account, task_id, epoch)
        error = self._submission_error(task_id, account, Phase.SUBMIT, Role.NODE)
        if error is None and subs.modelOf(task_id, epoch, account).commitment != bytes(32):
            error = "SubmissionsAlreadyCommitted"
        if error:
            with self.chain.reverts(error):
                subs.commitModel(task_id, commitment, sender=account)
            return
        subs.commitModel(task_id, commitment, sender=account)
        assert subs.modelOf(task_id, epoch, account) == (commitment, bytes(32))
        self.model_commitments[(task_id, epoch, account)] = (model, secret)
        if reveal is not None:
            self._reveal(task_id, epoch, account, reveal, model=True)

    @rule(
        who=pick,
        t=pick,
        salt=st.integers(1, 2**64),
        wait=st.booleans(),
        reveal=st.sampled_from([None, True, False]),
    )
    def submissions_commit(self, who: int, t: int, salt: int, wait: bool, reveal: bool | None) -> None:
        """A validator commits to its score file for the current epoch (once per epoch); ``wait``:
        first lets the epoch's model-reveal phase end if it has not; ``reveal`` (not None): then
        reveals it, honestly or not, once its reveal phase comes."""
        task_id, account = self._submitter(who, t)
        subs = self.system.submissions
        models_end = subs.schedule(subs.currentPhase().epoch).modelRevealEnd
        if wait and self.now < models_end:
            self.chain.set_time(models_end)
        epoch = subs.currentPhase().epoch
        file_hash, secret = (salt + 1).to_bytes(32, "big"), salt.to_bytes(32, "big")
        commitment = subs.commitmentOf(file_hash, secret, account, task_id, epoch)
        error = self._submission_error(task_id, account, Phase.COMMIT, Role.VALIDATOR)
        if error is None and subs.scoresOf(task_id, epoch, account).commitment != bytes(32):
            error = "SubmissionsAlreadyCommitted"
        if error:
            with self.chain.reverts(error):
                subs.commitScores(task_id, commitment, sender=account)
            return
        subs.commitScores(task_id, commitment, sender=account)
        self.commitments[(task_id, epoch, account)] = (file_hash, secret)
        if reveal is not None:
            self._reveal(task_id, epoch, account, reveal, model=False)

    @rule(
        node=pick,
        validator=pick,
        salt=st.integers(1, 2**64),
        honest=st.booleans(),
        absent=st.sampled_from([None, "model", "scores"]),
        keeper=pick,
    )
    def submissions_epoch(
        self, node: int, validator: int, salt: int, honest: bool, absent: str | None = None, keeper: int = 0
    ) -> None:
        """One epoch of an Arena task's submissions at once: a member commits to a model (in the
        submit phase, or is refused) and reveals it, a member commits to scores (waiting for the
        commit phase) and reveals them (waiting for the reveal phase), honestly or not; ``absent``:
        one of them never reveals, and a keeper slashes it after its deadline."""
        self.submissions_submit(node * 4 + 1, 0, salt, None if absent == "model" else True)
        self.submissions_commit(validator * 4 + 1, 0, salt, True, None if absent == "scores" else honest)
        book = self.model_commitments if absent == "model" else self.commitments
        if absent and book:
            self._slash_unrevealed(max(book, key=lambda k: (k[1], k)), absent == "model", keeper, True)

    @precondition(lambda self: self.commitments or self.model_commitments)
    @rule(c=pick, honest=st.booleans(), model=st.booleans())
    def submissions_reveal(self, c: int, honest: bool, model: bool) -> None:
        """A node reveals a committed model, or a validator a committed score file (or a wrong
        one), waiting for its phase if that is still ahead."""
        book = self.model_commitments if model and self.model_commitments else self.commitments
        if not book:
            book = self.model_commitments
        keys = sorted(book)
        self._reveal(*keys[c % len(keys)], honest, model=book is self.model_commitments)

    def _reveal(self, task_id: int, epoch: int, account: str, honest: bool, *, model: bool) -> None:
        """Reveals a model or score commitment of ``epoch`` (waiting for its phase if ahead; a
        reveal after it must be refused), predicting the contract's answer."""
        book = self.model_commitments if model else self.commitments
        value, secret = book[(task_id, epoch, account)]
        if not honest:  # a value other than the committed one (salt 1 commits to 0x..01 itself)
            value = _WRONG if value != _WRONG else bytes(31) + b"\x02"
        subs = self.system.submissions
        opens = subs.schedule(epoch)[1 if model else 3]
        if self.now < opens:
            self.chain.set_time(opens)
        current, phase, _ = subs.currentPhase()
        view = subs.modelOf if model else subs.scoresOf
        committed, revealed = view(task_id, current, account)  # what the reveal will look at
        error = None
        if phase != (Phase.MODEL_REVEAL if model else Phase.REVEAL):
            error = "SubmissionsWrongPhase"
        elif committed == bytes(32):
            error = "SubmissionsNotCommitted"
        elif revealed != bytes(32):
            error = "SubmissionsAlreadyRevealed"
        elif not honest or current != epoch:  # a commitment binds its epoch and its value
            error = "SubmissionsRevealMismatch"

        def send() -> Any:
            if model:
                return subs.revealModel(task_id, value, "ipfs://model", secret, sender=account)
            return subs.revealScores(task_id, value, secret, sender=account)

        if error:
            with self.chain.reverts(error):
                send()
            return
        send()
        assert view(task_id, epoch, account)[1] == value  # the revealed hash

    @precondition(lambda self: self.commitments or self.model_commitments)
    @rule(c=pick, model=st.booleans(), keeper=pick, wait=st.booleans())
    def slash_unrevealed(self, c: int, model: bool, keeper: int, wait: bool) -> None:
        """Anyone slashes a commitment never revealed (issue 11, attack 4); ``wait``: first lets its
        reveal deadline pass."""
        book = self.model_commitments if model and self.model_commitments else self.commitments
        if not book:
            book = self.model_commitments
        keys = sorted(book)
        self._slash_unrevealed(keys[c % len(keys)], book is self.model_commitments, keeper, wait)

    def _slash_unrevealed(self, key: tuple[int, int, str], is_model: bool, keeper: int, wait: bool) -> None:
        """A keeper slashes the account of commitment ``key``. Predicts the refusal (nothing
        unrevealed, deadline ahead, already slashed, nothing left, dispute window over) or the exact
        stake taken, and books the member's new stake."""
        task_id, epoch, account = key
        subs, slasher = self.system.submissions, self.system.slasher
        deadline = subs.schedule(epoch)[2 if is_model else 4]
        if wait and self.now < deadline:
            self.chain.set_time(deadline)
        caller = self.spares[keeper % len(self.spares)]
        model_committed, model_revealed = subs.modelOf(task_id, epoch, account)
        score_committed, score_revealed = subs.scoresOf(task_id, epoch, account)
        unrevealed_model = model_committed != bytes(32) and model_revealed == bytes(32)
        unrevealed_scores = score_committed != bytes(32) and score_revealed == bytes(32)
        offence, deadline = (
            (Offence.MODEL_NOT_REVEALED, subs.schedule(epoch).modelRevealEnd)
            if unrevealed_model
            else (Offence.SCORES_NOT_REVEALED, subs.schedule(epoch).revealEnd)
        )
        own, _, effective = self.tasks.effectiveStake(task_id, account)
        _, _, closes = self._release_times(task_id)
        params = slasher.slashParameters()
        gm = effective * params.provableBps // 10_000
        error = None
        if not unrevealed_model and not unrevealed_scores:
            error = "SlasherNothingUnrevealed"
        elif self.now < deadline:
            error = "SlasherRevealStillOpen"
        elif (task_id, epoch, account, offence) in self.slashed:
            error = "SlasherAlreadySlashed"
        elif gm == 0:
            error = "SlasherNothingToSlash"
        elif self.now >= closes:
            error = "TaskRegistryDisputeWindowClosed"
        if error:
            with self.chain.reverts(error):
                slasher.slashUnrevealed(task_id, epoch, account, sender=caller)
            return
        active, exiting = self.tasks.poolOf(task_id, account)[:2]
        slasher.slashUnrevealed(task_id, epoch, account, sender=caller)
        self.slashed.add((task_id, epoch, account, offence))
        assert slasher.isSlashed(task_id, epoch, account, offence)
        own_gm = gm * own // (own + active + exiting)
        member = self.tasks.memberOf(task_id, account)
        assert member.stake == own - own_gm
        if (task_id, account) in self.reward_members:
            self.reward_members[(task_id, account)] = (member.stake, member.released)

    @rule(
        which=pick,
        picks=st.lists(
            st.tuples(
                pick, st.sampled_from([Offence.DEVIATION, Offence.UNREADABLE_SCORES, Offence.INVALID_MODEL])
            ),
            min_size=1,
            max_size=3,
        ),
        veto=st.booleans(),
        keeper=pick,
    )
    def slash_report(self, which: int, picks: list[tuple[int, int]], veto: bool, keeper: int) -> None:
        """The oracles (a quorum of the reward distributor's set) post a slash root for an ended
        epoch of a reward task (refused once one is accepted); the timelock may veto it in its
        window; else, after the window, a keeper executes every leaf, each offence once (INV-18)."""
        self._sync_epochs()
        current = self.emissions.currentEpoch()
        if current < 2:
            return
        task_id = self.rewards_part.tasks[which % 2]
        epoch = max(1, current - 1 - (which // 2) % 2)
        members = sorted(u for t, u in self.reward_members if t == task_id)
        entries = list(dict.fromkeys((members[i % len(members)], offence) for i, offence in picks))
        slasher, key = self.system.slasher, (task_id, epoch)
        oracles, quorum = self.system.rewards.oracleSet()
        if slasher.reportOf(task_id, epoch).status == SlashStatus.ACCEPTED:  # posts are refused
            tree = slash_tree(entries)
            with self.chain.reverts("SlasherRootAlreadyAccepted"):
                slasher.postSlashRoot(task_id, epoch, tree.root, len(entries), bytes(32), sender=oracles[0])
        else:
            tree = slash_tree(entries)
            for oracle in oracles[:quorum]:
                slasher.postSlashRoot(task_id, epoch, tree.root, len(entries), bytes(32), sender=oracle)
            assert slasher.reportOf(task_id, epoch).status == SlashStatus.ACCEPTED
            self.slash_roots[key] = (tree, entries)
        report = slasher.reportOf(task_id, epoch)
        if veto and self.now < report.executableAt:
            slasher.veto(task_id, epoch, sender=self.timelock)
            self.slash_roots.pop(key)
            return
        self.chain.set_time(max(self.now, report.executableAt))
        tree, entries = self.slash_roots[key]
        for index, (account, offence) in enumerate(entries):
            self._execute_slash(task_id, epoch, index, account, offence, tree.proof(index), keeper)

    def _execute_slash(
        self,
        task_id: int,
        epoch: int,
        index: int,
        account: str,
        offence: Offence,
        proof: list[bytes],
        keeper: int,
    ) -> None:
        """A keeper executes one leaf of an accepted slash root, predicting the refusal or the stake."""
        slasher = self.system.slasher
        caller = self.spares[keeper % len(self.spares)]
        own, _, effective = self.tasks.effectiveStake(task_id, account)
        gm = effective * slasher.slashParameters().reportedBps // 10_000
        error = None
        if (task_id, epoch, account, offence) in self.slashed:
            error = "SlasherAlreadySlashed"
        elif gm == 0:
            error = "SlasherNothingToSlash"
        elif self.now >= self._release_times(task_id)[2]:  # slashing's end
            error = "TaskRegistryDisputeWindowClosed"
        if error:
            with self.chain.reverts(error):
                slasher.executeSlash(task_id, epoch, index, account, offence, proof, sender=caller)
            return
        active, exiting = self.tasks.poolOf(task_id, account)[:2]
        slasher.executeSlash(task_id, epoch, index, account, offence, proof, sender=caller)
        self.slashed.add((task_id, epoch, account, offence))
        member = self.tasks.memberOf(task_id, account)
        assert member.stake == own - gm * own // (own + active + exiting)
        if (task_id, account) in self.reward_members:
            self.reward_members[(task_id, account)] = (member.stake, member.released)

    def _release_times(self, task_id: int) -> tuple[int, int, int]:
        """A task's end, its dispute window and the end of its slashing (end + window)."""
        info = self.tasks.taskInfo(task_id)
        return info.endTime, info.disputeWindow, info.endTime + info.disputeWindow

    # ------------------------------------------------------------------ invariants

    @invariant()
    def count_step(self) -> None:
        """Not an invariant: counts the checks, so that each step's rotating checks differ."""
        self.steps += 1
        SystemMachine.checks += 1

    checks: ClassVar[int] = 0  # invariant rounds run in this process (the deep profile's arithmetic)

    @invariant()
    def inv_01_supply_within_cap_and_schedule(self) -> None:
        """FLOCK supply <= cap and = genesis + minted - burned, every mint by the emission controller
        and every opened epoch minted exactly the (capped) schedule if it had stake, else nothing."""
        supply = self.token.totalSupply()
        assert supply <= CAP
        minted_total, _, _, _ = self.emissions.totals()
        assert minted_total - self.initial_minted == self.watch.minted
        assert supply == self.initial_supply + self.watch.minted - self.watch.burned
        next_epoch = self.emissions.nextEpoch()
        for epoch in range(self.epochs_checked, next_epoch):
            minted, units, *_ = self.emissions.epochInfo(epoch)
            assert minted == (self.schedule.emission(epoch) if units else 0)
            self.minted_sum += minted
            self.scheduled_sum += self.schedule.scheduled(epoch)
        self.epochs_checked = next_epoch
        assert minted_total == self.minted_sum <= self.scheduled_sum

    @invariant()
    def inv_02_gmflock_solvent(self) -> None:
        """gmFLOCK holds at least the FLOCK it owes every staker's locks; one staker a step: its
        active locks together are worth no more than its total."""
        state = self._state()
        assert self.token.balanceOf(self.gm.address) >= sum(v["locked"] for v in state.values())
        if not self._fresh("inv_02"):
            return
        user = self._rotating(self.stakers)
        locks = self.gm.locksOf(user, 0, self.gm.lockCount(user))
        assert sum(lock.amount for lock in locks if lock.status == LockStatus.ACTIVE) <= state[user]["locked"]

    @invariant()
    def inv_03_gm_supply_is_sum_of_balances(self) -> None:
        """gmFLOCK supply = the sum of every holder's balance; it never moved between accounts."""
        state = self._state()
        assert self.watch.gm_holders <= set(state), "gmFLOCK reached an account that is no staker"
        assert self.gm.totalSupply() == sum(v["balance"] for v in state.values())
        assert not [p for p in self.watch.problems if p.startswith("gmFLOCK moved")]

    @invariant()
    def inv_04_allocations_match_task_stakes(self) -> None:
        """Every staker's allocation <= its balance; all allocations = the registry's task stakes +
        the staking part's direct allocations (its stake manager); one staker a step in detail."""
        state = self._state()
        if not self._fresh("inv_04"):
            return
        ids = self._task_ids()
        direct = self.staking_part.allocated
        # Every staker may hold a delegation pool in any task (decision 190: no per-task total).
        registry_total = sum(allocated_in_task(self.tasks, t, self.stakers) for t in ids)
        assert sum(v["allocated"] for v in state.values()) == registry_total + sum(direct.values())
        for view in state.values():
            assert view["allocated"] <= view["balance"]
        user = self._rotating(self.stakers)
        own = sum(self.tasks.memberOf(t, user).stake for t in ids)
        created = sum(info.creatorStake for t in ids if (info := self.tasks.taskInfo(t)).creator == user)
        assert state[user]["allocated"] == own + created + direct.get(user, 0)
        self.staking_part.inv_04_allocation_within_balance()
        self.tasks_part.inv_04_task_stakes_match_allocations()

    @invariant()
    def inv_05_distributor_holds_what_it_owes(self) -> None:
        """The reward part's books against the distributor and its pots (exact), and what the
        distributor drew from the emission controller = what the controller says its tasks drew
        (decision 236: `drawnBudget`, per task; only the distributor draws for Arena tasks)."""
        if not self._fresh("inv_05"):
            return
        self.rewards_part.inv_05_distributor_holds_what_it_owes()
        drawn = sum(self.emissions.drawnBudget(t) for t in self.rewards_part.tasks)
        assert drawn == self.rewards_part.drawn

    @invariant()
    def inv_06_claims_within_root_within_budget(self) -> None:
        """The reward part's claims against roots, roots against budgets, and the pots' bitmaps."""
        if self._fresh("inv_06"):
            self.rewards_part.inv_06_claims_within_root_within_budget()

    @invariant()
    def inv_07_flock_ledger_and_slashes_conserve(self) -> None:
        """Tokens are conserved across every slash and everything else: the ledger built from
        Transfer events sums to the supply and matches the token for every account touched (and one
        more a step); every slash's seized FLOCK was routed exactly (checked per transaction)."""
        w = self.watch
        assert not w.problems, w.problems
        assert sum(w.balances.values()) == self.token.totalSupply()
        touched = w.dirty | {self._rotating(sorted(w.balances))}
        for holder in touched:
            assert self.token.balanceOf(holder) == w.balances[holder], f"ledger of {holder}"
        w.dirty = set()
        self.alliance_part.inv_07_slashing_conserves_tokens()
        self.alliance_part.inv_07_alliance_holds_exactly_its_books()

    @invariant()
    def inv_08_votes_match_supply_and_history(self) -> None:
        """Votes sum to the gmFLOCK supply (stakers delegate among themselves); the votes and supply
        recorded at a timepoint (once it is final) never change."""
        state = self._state()
        supply = self.gm.totalSupply()
        assert sum(v["votes"] for v in state.values()) == supply
        if self.pending and self.watch.mark is None:
            self.pending = None  # a transaction followed at the same timepoint
        if self.pending and self.now > self.pending[0]:
            self.past.append(self.pending)
        self.pending = (self.now, {u: v["votes"] for u, v in state.items()}, supply)
        self.watch.mark = self.now
        for timepoint, votes, total in self.past[:1] + self.past[-2:]:
            assert self.gm.getPastTotalSupply(timepoint) == total
            user = self._rotating(self.stakers)
            assert self.gm.getPastVotes(user, timepoint) == votes[user]

    @invariant()
    def inv_09_only_admins_change_roles_and_parameters(self) -> None:
        """Role changes only by their admin (every role event checked against the model); the
        deployer holds no role; a parameter changes only when the timelock called its contract;
        FLOCK leaves the treasury only by the timelock (checked per transaction); one role a step
        compared holder by holder."""
        w = self.watch
        assert not w.problems, w.problems
        for holders in w.roles.values():
            assert self.system.deployer not in holders
        contract, role = self._rotating(sorted(w.roles))
        handle = self.chain.at("FlockToken", contract)  # any AccessControl ABI reads hasRole
        for account in [self.system.deployer, *self.spares, self._rotating(self.stakers)]:
            assert bool(handle.hasRole(role, account)) == (account in w.roles[(contract, role)])
        # Parameters are read again only on the contracts a transaction reached since the last check.
        keys = {k for k, c in self.system.contracts.items() if c.address in w.touched}
        now = self._read_parameters(keys)
        governed = {k for k, c in self.system.contracts.items() if c.address in w.governed}
        for label, value in now.items():
            if value != self.params[label]:
                assert label.split(".")[0] in governed, f"{label} changed without governance"
        w.touched = set()
        self.params.update(now)
        w.governed = set()

    @invariant()
    def inv_10_stake_at_risk_stays(self) -> None:
        """No staker's balance below its allocation; the parts' stake stays until its time; the
        reward tasks' members (never released, never slashed) keep their stake."""
        for view in self._state().values():
            assert view["balance"] >= view["allocated"]
        if not self._fresh("inv_10"):
            return
        self.tasks_part.inv_10_stake_at_risk_stays()
        self.alliance_part.inv_10_stake_at_risk_stays()
        for (task_id, user), expected in self.reward_members.items():
            member = self.tasks.memberOf(task_id, user)
            assert (member.stake, member.released) == expected

    @invariant()
    def inv_18_offences_slashed_at_most_once(self) -> None:
        """Every offence the machine slashed is recorded as slashed on chain (a second slash of it
        is refused: ``slash_unrevealed`` predicts ``SlasherAlreadySlashed``); one a step."""
        if not self.slashed or not self._fresh("inv_18"):
            return
        task_id, epoch, account, offence = self._rotating(sorted(self.slashed))
        assert self.system.slasher.isSlashed(task_id, epoch, account, offence)

    @invariant()
    def inv_20_phase_history_never_changes(self) -> None:
        """The phase lengths of every epoch that has started never change (a later ``setPhases``
        applies from the next epoch on): the current epoch's are recorded, one recorded epoch is
        compared a step."""
        subs = self.system.submissions
        if not hasattr(self, "_epoch_clock"):
            self._epoch_clock = (self.emissions.genesis(), self.emissions.epochLength())
        genesis, length = self._epoch_clock
        current = (self.now - genesis) // length
        if current not in self.phase_history:
            self.phase_history[current] = tuple(subs.phasesAt(current))
        if not self._fresh("inv_20"):
            return  # only governance's transactions change phases
        epoch = self._rotating(sorted(self.phase_history))
        assert tuple(subs.phasesAt(epoch)) == self.phase_history[epoch]

    @invariant()
    def inv_11_budget_conservation(self) -> None:
        """Each newly opened epoch: every task's budget (the weight in force x the epoch's rate) +
        dust = minted, and the weights make up the epoch's units: the task part's `BudgetModel`
        (decision 236), here over every task of the registry, whichever part made it. The weights
        are those each report's `TaskWeightChanged` stated, transaction by transaction (a step here
        spans epoch openings, so a snapshot after it cannot tell which weight an epoch opened with;
        INV-13 ties the reported weights to the registry's stakes). Each task's `accruedBudget` =
        the sum of its modelled per-epoch budgets and bounds what was drawn of it; the tasks' draws
        add up to the controller's. The model starts from the chain as the set-up left it (the initializers of
        every part run before any invariant)."""
        if not self._fresh("inv_11"):
            return
        next_epoch = self.emissions.nextEpoch()
        ids = self._task_ids()
        model = self.tasks_part.budgets
        if not self._budgets_seeded:
            model.epochs_done = next_epoch
            model.accrued = {t: self.emissions.accruedBudget(t) for t in ids}
            self._budgets_seeded = True
        model.open_epochs(
            self.emissions, {t: self.tasks.taskInfo(t).kind == TaskKind.ARENA for t in ids}, next_epoch
        )
        drawn_total = 0
        for task_id in ids:
            accrued, drawn = self.emissions.accruedBudget(task_id), self.emissions.drawnBudget(task_id)
            assert accrued == model.accrued.get(task_id, 0)
            assert drawn <= accrued
            drawn_total += drawn
        assert drawn_total == self.emissions.totals()[1]

    @invariant()
    def inv_12_no_budget_spent_twice(self) -> None:
        """The controller holds exactly minted - drawn - dust swept, and what left it is what it
        says was drawn; the registry holds exactly the slash pots of all tasks."""
        minted, drawn, _, swept = self.emissions.totals()
        assert self.token.balanceOf(self.emissions.address) == minted - drawn - swept
        assert self.watch.drawn == drawn + swept - self._drawn_before
        if not self._fresh("inv_12"):
            return
        pots = sum(self.tasks.slashPot(t) for t in self._task_ids())
        assert self.token.balanceOf(self.tasks.address) == pots

    @invariant()
    def inv_13_weights_reported(self) -> None:
        """Every eligible task's pending weight is its registry stake, in stake units: the
        controller's sum (`taskEnrollment().units`) and the split of its last `TaskWeightChanged`
        (the task part's watch sees every task's)."""
        if not self._fresh("inv_13"):
            return
        next_epoch = self.emissions.nextEpoch()
        for task_id in self._task_ids():
            info = self.tasks.taskInfo(task_id)
            _, expiry, _ = self.emissions.taskEnrollment(task_id)
            if info.state != TaskState.APPROVED or self.now >= info.endTime or next_epoch >= expiry:
                continue
            n, v = stake_units(self.tasks, task_id)
            assert self.emissions.taskEnrollment(task_id)[2] == n + v
            if task_id in self.tasks_part.watch.last:
                assert self.tasks_part.watch.last[task_id][1:] == (n, v)

    @invariant()
    def inv_14_api_credits_solvent_and_within_authorisation(self) -> None:
        """The API credits hold exactly the users' credit plus the revenue not flushed; every
        account's balance and cap are the API part's model (charges within what users authorised)."""
        if self._fresh("inv_14"):
            self.api_part.inv_14_api_credits_solvent_and_within_authorisation()

    @invariant()
    def inv_21_one_update_counts_once(self) -> None:
        """Alliance proposals: one update, one proposer (its earliest committer) per round; the
        lineage never repeats an update and names its holder."""
        self.alliance_part.inv_21_one_update_counts_once()

    @invariant()
    def inv_22_slots_count_current_members(self) -> None:
        """The Alliance join cap counts current members: evicted and released participants free
        their slots; evicted stake stays at risk."""
        self.alliance_part.inv_22_slots_count_current_members()


def _delegate(name: str, part: str, step: Step) -> Callable[..., Any]:
    """A part's rule or initializer as a rule (initializer) of the system machine, acting on the part."""

    def run(self: SystemMachine, **kwargs: Any) -> None:
        if part == "rewards":
            self._sync_epochs()
        step.function(getattr(self, f"{part}_part"), **kwargs)

    run.__name__ = run.__qualname__ = name
    run.__doc__ = step.function.__doc__
    if step.initial:
        return initialize(**step.arguments)(run)
    wrapped = rule(**step.arguments)(run)
    for check in step.preconditions:
        wrapped = precondition(lambda self, check=check: check(getattr(self, f"{part}_part")))(wrapped)
    return wrapped


def _install_parts() -> None:
    """Every part's rules and initializers become ``<part>_<rule>`` on the system machine."""
    for part, machine, _ in PARTS:
        for name, step in steps_of(machine).items():
            setattr(SystemMachine, f"{part}_{name}", _delegate(f"{part}_{name}", part, step))


_install_parts()
