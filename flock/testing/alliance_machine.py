"""FL Alliance rounds under random actions, on the in-process harness.

Rules are what participants, keepers and outsiders do to an approved Alliance task's rounds: open
a round, enroll, reveal secrets (or wrong ones), draw roles, commit and reveal proposals (copies of
another proposer's update and updates already in the lineage among them), commit and reveal votes
(honestly or not), finalize, settle any subset of participants, evict absent participants, withdraw,
fund the pool, pull emissions, add stake, release stake and unlock gmFLOCK at random times, sweep,
and let time pass.
Each rule predicts success or the exact custom error from a model of the round. The ``inv_07_``
invariants check that slashing conserves tokens (seized = honest + finalizer share + burned, and
the contract holds exactly its books) and that every credit from a slash is paid as a gmFLOCK lock
of the maximum duration, rewards alone as FLOCK (decision 195); ``inv_10_`` that stake at risk
stays until the task's end plus its dispute window. Used by tests/property/test_alliance_invariants.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import keccak
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.alliance.chain import HarnessClock, RoundDriver, owed_of, round_info, withdraw
from flock.alliance.protocol import (
    Outcome,
    Owed,
    Participant,
    Phase,
    SlashReason,
    SlashRules,
    assess,
    draw_proposers,
    draw_seed,
    proposal_commitment,
    seed_commitment,
    seized_rest_to_treasury,
    tally,
    vote_commitment,
    xor32,
)
from flock.harness.system import System
from flock.tasks import Role, TaskKind
from flock.testing.fixtures import stake
from flock.testing.machine import ProtocolMachine, initialize, precondition, rule
from flock.units import DAY, WAD

N_PARTICIPANTS = 6
# Short phases, so that a few days hold many rounds: 10 min each, a 2-minute draw delay.
PHASES = (600, 600, 120, 1_200, 600, 600, 600)
BPS = 10_000

pick = st.integers(min_value=0, max_value=10**6)
VOTE_LISTS = st.lists(st.integers(0, 3), min_size=N_PARTICIPANTS, max_size=N_PARTICIPANTS)
ALL = 2**N_PARTICIPANTS - 1
SUBSET = st.integers(0, ALL)
# One phase's choices: who acts, who lies, their votes, which account finalizes.
MOVES = st.tuples(SUBSET, SUBSET, VOTE_LISTS, st.integers(0, 2))


def _secret(n: int) -> bytes:
    return keccak(text=f"secret-{n}")


@dataclass
class RoundModel:
    """What the machine knows about the open (or last) round."""

    number: int
    secrets: dict[str, bytes] = field(default_factory=dict)  # enrolled -> committed secret
    stakes: dict[str, int] = field(default_factory=dict)  # enrolled -> stake at enrollment
    seeded: list[str] = field(default_factory=list)  # in reveal order
    opened_at: int = 0
    proposers: list[str] = field(default_factory=list)
    proposal_commits: dict[str, tuple[bytes, bytes, int]] = field(default_factory=dict)  # update, salt, order
    posted: dict[str, bytes] = field(default_factory=dict)  # proposers holding a revealed update
    duplicates: set[str] = field(default_factory=set)  # revealed an earlier committer's update
    commits: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    revealed: dict[str, int] = field(default_factory=dict)  # voter -> counted votes
    finalized: bool = False
    settled_slash: set[str] = field(default_factory=set)
    honest_credited: int = 0  # the honest shares credited so far (Credited events)

    def participant(self, who: str) -> Participant:
        slot = self.proposers.index(who) if who in self.proposers else None
        return Participant(
            who,
            self.stakes[who],
            seed_revealed=who in self.seeded,
            slot=slot,
            posted=who in self.posted or who in self.duplicates,
            duplicate=who in self.duplicates,
            vote_revealed=who in self.revealed,
            votes=self.revealed.get(who, 0),
        )


class AllianceMachine(ProtocolMachine):
    """One approved Alliance task with six participants (and one outsider) and its rounds."""

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """Short round phases; the creator, participants and outsider funded, with two locks each
        (the Alliance contract may take their FLOCK too)."""
        system.alliance.setRoundPhases(*PHASES, sender=system.admin)
        for i, user in enumerate(accounts[1 : 3 + N_PARTICIPANTS]):
            # Different boosts, so that FLOCK per gmFLOCK (what a slash seizes) differs per account;
            # and a short lock each, to try unlocking under allocated stake.
            locks = [((100_000 + 20_000 * i) * WAD, (30 + 45 * i) * DAY), (1_000 * WAD, 7 * DAY)]
            stake(system, user, 2_000_000 * WAD, locks, spenders=[system.alliance.address])

    def new_model(self, accounts: list[str]) -> None:
        system = self.system
        self.token, self.gm, self.tasks = system.token, system.gmflock, system.tasks
        self.alliance, self.emissions = system.alliance, system.emissions
        self.creator = accounts[1]
        self.participants = accounts[2 : 2 + N_PARTICIPANTS]
        self.outsider = accounts[2 + N_PARTICIPANTS]
        self.keeper, self.finalizer_pool = accounts[15], accounts[16:19]
        self.task = 0
        self.end = 0
        self.dispute = 0
        self.rounds: list[RoundModel] = []
        self.own_stake: dict[str, int] = {}  # joined + added
        self.slashed: dict[str, int] = dict.fromkeys(self.participants, 0)
        self.released: set[str] = set()
        self.evicted: set[str] = set()
        self.joined_at: dict[str, int] = {}
        self.accepted_updates: set[bytes] = set()
        self.lineage = 0
        self.seized_total = 0
        self.routed_total = 0
        self.owed: dict[str, Owed] = {}  # the model of every account's credits, liquid and to relock
        self.nonce = 0
        self.slash_rules = SlashRules(*self.alliance.slashRules())
        self.quorum = self.alliance.roundRules().quorumBps
        self.driver: RoundDriver

    @initialize(days=st.integers(2, 6), stakes=st.lists(st.integers(1, 40), min_size=6, max_size=6))
    def start(self, days: int, stakes: list[int]) -> None:
        receipt = self.tasks.createTask(
            TaskKind.ALLIANCE, days * DAY, b"\x22" * 32, "ipfs://alliance", 2, 8, sender=self.creator
        )
        self.task = receipt.return_value
        self.tasks.approveTask(self.task, sender=self.system.admin)
        for user, k in zip(self.participants, stakes, strict=True):
            amount = k * 1_000 * WAD
            self.tasks.join(self.task, Role.PARTICIPANT, amount, 0, sender=user)
            self.own_stake[user] = amount
            self.joined_at[user] = self.now
        info = self.tasks.taskInfo(self.task)
        self.end, self.dispute = info.endTime, info.disputeWindow
        self.driver = RoundDriver(self.alliance, self.task, HarnessClock(self.chain), self.keeper)

    # ------------------------------------------------------------------ helpers

    @property
    def current(self) -> RoundModel | None:
        return self.rounds[-1] if self.rounds else None

    def _info(self, number: int | None = None):
        return round_info(self.alliance, self.task, number or self.current.number)

    def _window(self, opens: int, closes: int) -> bool:
        return opens <= self.now < closes

    def _next(self) -> int:
        self.nonce += 1
        return self.nonce

    # ------------------------------------------------------------------ time

    @rule(step=st.sampled_from(["phase"] * 6 + ["minute", "hour", "day", "week"]))
    def let_time_pass(self, step: str) -> None:
        if step == "phase" and self.current and not self.current.finalized:
            info = self._info()
            future = [t for t in (info.enrollEnd, info.seedEnd, info.drawAt, info.proposeEnd,
                                  info.proposalRevealEnd, info.commitEnd, info.revealEnd)
                      if t > self.now]  # fmt: skip
            self.chain.set_time(future[0] if future else self.now + 60)
        else:
            self.chain.warp({"phase": 60, "minute": 60, "hour": 3_600, "day": DAY, "week": 7 * DAY}[step])

    @rule()
    def checkpoint(self) -> None:
        self._catch_up()
        self.emissions.checkpoint(sender=self.keeper)

    # ------------------------------------------------------------------ rounds

    @precondition(lambda self: self.task)
    @rule(moves=st.lists(MOVES, min_size=4, max_size=10))
    def play(self, moves: list[tuple[int, int, list[int], int]]) -> None:
        """Up to ten phases of the round, each doing what the phase calls for with the move's
        choices, then moving to the next phase."""
        for who, liar, votes, f in moves:
            self._play(who, liar, votes, f)

    def _play(self, who: int, liar: int, votes: list[int], f: int) -> None:
        """What the round's phase calls for, by the chosen participants: open a round, enroll,
        reveal secrets (``liar``: wrong ones), draw and propose, commit ``votes``, reveal them
        (``liar``: other votes), finalize (by finalizer ``f``), settle. The other rules also try
        every action out of turn."""
        r = self.current
        if r is None or r.finalized:
            if r is not None and who & 1:
                self.settle(len(self.rounds) - 1, who | 1)
            self.open_round()
            return
        phase = self._info().phase
        if phase == Phase.ENROLLMENT:
            self.enroll(who | 1)
        elif phase == Phase.SEED_REVEAL and r.secrets:
            self.reveal_seed(who or 1, liar & ~who)  # the chosen tell the truth, a few others lie
        elif phase == Phase.PROPOSAL:
            if not r.proposers:
                self.draw()
            if r.seeded:
                self.commit_proposal(ALL if who & 1 else who or 1, votes)  # votes: which update to copy
        elif phase == Phase.PROPOSAL_REVEAL and r.proposal_commits:
            self.reveal_proposal(ALL if who & 3 else who or 1, liar & ~who & ~3)
        elif phase == Phase.COMMIT and r.secrets:
            self.commit(ALL if who & 3 else who or 1, votes)  # mostly everyone, sometimes a few
        elif phase == Phase.REVEAL and r.commits:
            self.reveal_vote(ALL if who & 3 else who or 1, liar & ~who & ~3)
        elif phase == Phase.TALLY:
            self.finalize(f)
            self.settle(len(self.rounds) - 1, who or ALL)
            if liar & 1:
                self.evict(liar)
        self.let_time_pass("phase")

    @rule()
    def open_round(self) -> None:
        self._catch_up()
        duration = self.alliance.roundDuration()
        call = lambda: self.alliance.openRound(self.task, sender=self.keeper)  # noqa: E731
        if self.now >= self.end:
            with self.chain.reverts("AllianceTaskNotActive"):
                call()
        elif self.current and not self.current.finalized:
            with self.chain.reverts("AllianceRoundInProgress"):
                call()
        elif self.now + duration > self.end:
            with self.chain.reverts("AllianceRoundDoesNotFit"):
                call()
        else:
            receipt = call()
            number = len(self.rounds) + 1
            (opened,) = receipt.events_named("RoundOpened")
            assert opened["round"] == number and opened["revealEnd"] == self.now + duration
            self.rounds.append(RoundModel(number, opened_at=self.now))

    @precondition(lambda self: self.current and not self.current.finalized)
    @rule(who=st.integers(1, 2 ** (N_PARTICIPANTS + 1) - 1))
    def enroll(self, who: int) -> None:
        """Each chosen account (the participants and the outsider) tries to enroll."""
        for i, user in enumerate((*self.participants, self.outsider)):
            if who >> i & 1:
                self._enroll(user)

    def _enroll(self, user: str) -> None:
        r, info = self.current, self._info()
        secret = _secret(self._next())
        commitment = seed_commitment(self.task, r.number, user, secret)
        call = lambda: self.alliance.enroll(self.task, r.number, commitment, sender=user)  # noqa: E731
        if not self._window(info.openedAt, info.enrollEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif user in r.secrets:
            with self.chain.reverts("AllianceAlreadyEnrolled"):
                call()
        elif user == self.outsider or user in self.released or user in self.evicted:
            with self.chain.reverts("AllianceNotParticipant"):
                call()
        else:
            call()
            r.secrets[user] = secret
            r.stakes[user] = self.tasks.memberOf(self.task, user).stake

    @precondition(lambda self: self.current and self.current.secrets and not self.current.finalized)
    @rule(who=st.integers(1, 2**N_PARTICIPANTS - 1), liar=st.integers(0, 2**N_PARTICIPANTS - 1))
    def reveal_seed(self, who: int, liar: int) -> None:
        """The chosen enrolled participants reveal their secret; those in ``liar`` a wrong one."""
        for i, user in enumerate(sorted(self.current.secrets)):
            if who >> i & 1:
                self._reveal_seed(user, not liar >> i & 1)

    def _reveal_seed(self, user: str, honest: bool) -> None:
        r, info = self.current, self._info()
        secret = r.secrets[user] if honest else _secret(self._next())
        call = lambda: self.alliance.revealSeed(self.task, r.number, secret, sender=user)  # noqa: E731
        if not self._window(info.enrollEnd, info.seedEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif user in r.seeded:
            with self.chain.reverts("AllianceSeedAlreadyRevealed"):
                call()
        elif not honest:
            with self.chain.reverts("AllianceSeedMismatch"):
                call()
        else:
            call()
            r.seeded.append(user)
            assert self._info().seed == xor32([r.secrets[s] for s in r.seeded])

    @precondition(lambda self: self.current and not self.current.finalized)
    @rule()
    def draw(self) -> None:
        r, info = self.current, self._info()
        call = lambda: self.alliance.drawRoles(self.task, r.number, sender=self.keeper)  # noqa: E731
        if not self._window(info.drawAt, info.proposeEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif r.proposers:
            with self.chain.reverts("AllianceAlreadyDrawn"):
                call()
        elif len(r.seeded) < 2:
            with self.chain.reverts("AllianceTooFewParticipants"):
                call()
        else:
            entropy = info.seed
            receipt = call()
            randao = self.chain.prevrandao  # the block the draw ran in (on anvil, known once mined)
            (drawn,) = receipt.events_named("RolesDrawn")
            seed = draw_seed(entropy, randao, self.task, r.number)
            assert drawn["seed"] == seed
            r.proposers = draw_proposers(seed, r.seeded, self.alliance.roundRules().proposers)
            assert list(drawn["proposers"]) == r.proposers

    @precondition(lambda self: self.current and self.current.seeded and not self.current.finalized)
    @rule(who=st.integers(1, 2**N_PARTICIPANTS - 1), copy=st.lists(st.integers(0, 3), min_size=6, max_size=6))
    def commit_proposal(self, who: int, copy: list[int]) -> None:
        """The chosen participants who revealed their secret try to commit to an update: their own
        (``copy`` 0 or 1), the same update as another proposer's (2: a copy, or an identical
        aggregate) or the lineage's head (3: an update already accepted)."""
        for i, user in enumerate(list(self.current.seeded)):
            if who >> i & 1:
                self._commit_proposal(user, copy[i])

    def _update(self, user: str, copy: int) -> bytes:
        r = self.current
        if copy == 2 and r.proposers:
            return keccak(text=f"update-{r.number}-{r.proposers[0]}")  # what the first proposer trains
        if copy == 3 and self.lineage:
            return bytes(self.alliance.lineageAt(self.task, self.lineage - 1).updateHash)
        return keccak(text=f"update-{r.number}-{user}")

    def _commit_proposal(self, user: str, copy: int) -> None:
        r, info = self.current, self._info()
        update, salt = self._update(user, copy), _secret(self._next())
        commitment = proposal_commitment(self.task, r.number, user, update, salt)
        call = lambda: self.alliance.commitProposal(self.task, r.number, commitment, sender=user)  # noqa: E731
        if not self._window(info.drawAt, info.proposeEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif not r.proposers:
            with self.chain.reverts("AllianceNotDrawn"):
                call()
        elif user not in r.proposers:
            with self.chain.reverts("AllianceNotProposer"):
                call()
        elif user in r.proposal_commits:
            with self.chain.reverts("AllianceAlreadyProposed"):
                call()
        else:
            call()
            r.proposal_commits[user] = (update, salt, len(r.proposal_commits) + 1)
            assert self.alliance.entryOf(self.task, r.number, user).commitOrder == len(r.proposal_commits)

    @precondition(lambda self: self.current and self.current.proposal_commits and not self.current.finalized)
    @rule(who=st.integers(1, 2**N_PARTICIPANTS - 1), liar=st.integers(0, 2**N_PARTICIPANTS - 1))
    def reveal_proposal(self, who: int, liar: int) -> None:
        """The chosen committed proposers reveal; those in ``liar`` another update than committed."""
        for i, user in enumerate(sorted(self.current.proposal_commits)):
            if who >> i & 1:
                self._reveal_proposal(user, not liar >> i & 1)

    def _reveal_proposal(self, user: str, honest: bool) -> None:
        r, info = self.current, self._info()
        update, salt, order = r.proposal_commits[user]
        if not honest:
            update = keccak(update)
        call = lambda: self.alliance.revealProposal(  # noqa: E731
            self.task, r.number, update, salt, "store://u", sender=user
        )
        if not self._window(info.proposeEnd, info.proposalRevealEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif user in r.posted or user in r.duplicates:
            with self.chain.reverts("AllianceAlreadyProposed"):
                call()
        elif not honest:
            with self.chain.reverts("AllianceProposalMismatch"):
                call()
        elif update in self.accepted_updates:
            with self.chain.reverts("AllianceUpdateInLineage"):
                call()
        else:
            receipt = call()
            holder = next((u for u, h in r.posted.items() if h == update), None)
            duplicates = receipt.events_named("DuplicateUpdate")
            if holder is None:
                r.posted[user] = update
                assert not duplicates
            elif r.proposal_commits[holder][2] < order:
                r.duplicates.add(user)  # the copy: an earlier committer holds the update
                assert [(d["duplicate"], d["holder"]) for d in duplicates] == [(user, holder)]
            else:
                del r.posted[holder]  # the earlier committer takes the update over
                r.duplicates.add(holder)
                r.posted[user] = update
                assert [(d["duplicate"], d["holder"]) for d in duplicates] == [(holder, user)]
            after = self._info()
            assert after.postedMask == sum(1 << r.proposers.index(u) for u in r.posted)
            assert after.posted == len(r.posted)

    @precondition(lambda self: self.current and self.current.secrets and not self.current.finalized)
    @rule(
        who=st.integers(1, 2**N_PARTICIPANTS - 1), votes=st.lists(st.integers(0, 3), min_size=6, max_size=6)
    )
    def commit(self, who: int, votes: list[int]) -> None:
        """The chosen enrolled participants try to commit to a vote (bit i: accept proposal i)."""
        for i, user in enumerate(sorted(self.current.secrets)):
            if who >> i & 1:
                self._commit(user, votes[i])

    def _commit(self, user: str, votes: int) -> None:
        r, info = self.current, self._info()
        salt = _secret(self._next())
        commitment = vote_commitment(self.task, r.number, user, votes, salt)
        call = lambda: self.alliance.commitVote(self.task, r.number, commitment, sender=user)  # noqa: E731
        if not self._window(info.proposalRevealEnd, info.commitEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif not r.proposers:
            with self.chain.reverts("AllianceNotDrawn"):
                call()
        elif user not in r.seeded or user in r.proposers:
            with self.chain.reverts("AllianceNotVoter"):
                call()
        elif user in r.commits:
            with self.chain.reverts("AllianceAlreadyCommitted"):
                call()
        else:
            call()
            r.commits[user] = (votes, salt)

    @precondition(lambda self: self.current and self.current.commits and not self.current.finalized)
    @rule(who=st.integers(1, 2**N_PARTICIPANTS - 1), liar=st.integers(0, 2**N_PARTICIPANTS - 1))
    def reveal_vote(self, who: int, liar: int) -> None:
        """The chosen committed voters reveal; those in ``liar`` another vote than committed."""
        for i, user in enumerate(sorted(self.current.commits)):
            if who >> i & 1:
                self._reveal_vote(user, not liar >> i & 1)

    def _reveal_vote(self, user: str, honest: bool) -> None:
        r, info = self.current, self._info()
        votes, salt = r.commits[user]
        if not honest:
            votes ^= 1
        call = lambda: self.alliance.revealVote(self.task, r.number, votes, salt, sender=user)  # noqa: E731
        if not self._window(info.commitEnd, info.revealEnd):
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
        elif user in r.revealed:
            with self.chain.reverts("AllianceVoteAlreadyRevealed"):
                call()
        elif not honest:
            with self.chain.reverts("AllianceVoteMismatch"):
                call()
        else:
            call()
            r.revealed[user] = votes & info.postedMask

    @precondition(lambda self: self.current is not None)
    @rule(f=st.integers(0, 2))
    def finalize(self, f: int) -> None:
        r, info = self.current, self._info()
        finalizer = self.finalizer_pool[f]
        call = lambda: self.alliance.finalize(self.task, r.number, sender=finalizer)  # noqa: E731
        if r.finalized:
            with self.chain.reverts("AllianceAlreadyFinalized"):
                call()
            return
        if self.now < info.revealEnd:
            with self.chain.reverts("AllianceOutsidePhase"):
                call()
            return
        self._catch_up()
        receipt = call()
        r.finalized = True
        after = self._info()
        if not r.proposers:
            assert after.outcome == Outcome.NOT_DRAWN
        else:
            expected = tally([r.participant(u) for u in r.seeded], self.quorum)
            assert (after.outcome, after.acceptedMask, after.honestStake) == (
                expected.outcome,
                expected.accepted,
                expected.honest_stake,
            )
        accepted = receipt.events_named("ModelAccepted")
        assert len(accepted) == (1 if after.acceptedMask else 0)
        if accepted:
            self.lineage += 1
            stake_for = self.alliance.proposalsOf(self.task, r.number).stakeFor
            best = max(
                (s for s in range(len(r.proposers)) if after.acceptedMask >> s & 1),
                key=lambda s: (stake_for[s], -s),
            )
            assert accepted[0]["updateHash"] == r.posted[r.proposers[best]]
            # the author is the update's earliest committer, never a copier
            assert accepted[0]["proposer"] == r.proposers[best] and r.proposers[best] not in r.duplicates
            self.accepted_updates.add(bytes(accepted[0]["updateHash"]))

    @precondition(lambda self: self.rounds)
    @rule(p=pick, subset=st.integers(1, 2**N_PARTICIPANTS - 1))
    def settle(self, p: int, subset: int) -> None:
        r = self.rounds[p % len(self.rounds)]
        enrolled = sorted(r.secrets)
        chosen = [u for i, u in enumerate(enrolled) if subset >> i & 1]
        if not chosen:
            return
        call = lambda: self.alliance.settle(self.task, r.number, chosen, sender=self.keeper)  # noqa: E731
        if not r.finalized:
            with self.chain.reverts("AllianceNotFinalized"):
                call()
            return
        info = self._info(r.number)
        locked = {u: self.gm.lockedOf(u) for u in chosen}
        treasury = self.alliance.treasury()
        treasury_before = self.token.balanceOf(treasury)
        slashable = self.now < self.end + self.dispute
        receipt = call()
        for e in receipt.events_named("Credited"):
            r.honest_credited += e["honestShare"]
            # decision 195: the reward (emissions) is liquid, the honest share (slashes) relocks
            self._credit(e["account"], reward=e["reward"], slash_share=e["honestShare"])
        slashes = {e["account"]: e for e in receipt.events_named("ParticipantSlashed")}
        routed = receipt.events_named("SlashRouted")
        lapsed = {e["account"] for e in receipt.events_named("SlashLapsed")}
        assert len(routed) == len(slashes)
        to_finalizer = to_treasury = 0
        for user in chosen:
            verdict = assess(
                r.participant(user), info.outcome, info.acceptedMask, info.postedMask, self.slash_rules
            )
            if user in r.settled_slash or verdict.reason == SlashReason.NONE:
                assert user not in slashes and user not in lapsed
                continue
            r.settled_slash.add(user)
            remaining = self.tasks.memberOf(self.task, user).stake + (
                slashes[user]["gm"] if user in slashes else 0
            )
            take = min(verdict.slash_gm, remaining)
            if not slashable or take == 0:
                assert user in lapsed
                continue
            event = slashes[user]
            assert (event["reason"], event["gm"]) == (verdict.reason, take)
            seized = event["flockSeized"]
            # INV-07: every FLOCK seized is paid to the honest pot (or, with no honest stake, the
            # treasury: never the pool) or the finalizer.
            assert seized == event["toHonest"] + event["toFinalizer"]
            assert locked[user] - self.gm.lockedOf(user) == seized
            self.slashed[user] += take
            self.seized_total += seized
            self.routed_total += event["toHonest"] + event["toFinalizer"]
            to_finalizer += event["toFinalizer"]
            if seized_rest_to_treasury(info.honestStake):
                to_treasury += event["toHonest"]
        to_pot = not seized_rest_to_treasury(info.honestStake)
        for event in routed:
            assert event["burned"] == 0
            if to_pot:
                assert event["recipient"] == self.alliance.address
            else:
                assert (event["recipient"], event["keeper"]) == (treasury, self.alliance.address)
        assert self.token.balanceOf(treasury) == treasury_before + to_treasury
        # the finalizer's share is credited to relock (a lock at withdraw, decision 195)
        self._credit(info.finalizer, slash_share=to_finalizer)

    @precondition(lambda self: self.task)
    @rule(p=pick)
    def evict(self, p: int) -> None:
        """Anyone tries to evict a participant (or the outsider): it must have skipped each of the
        last ``evictionRounds`` rounds whose enrollment closed (all opened after it joined) and not
        be enrolled in the open round; it pays the absent share, its slot is freed."""
        users = (*self.participants, self.outsider)
        user = users[p % len(users)]
        self._catch_up()
        call = lambda: self.alliance.evict(self.task, user, sender=self.keeper)  # noqa: E731
        if self.now >= self.end:
            with self.chain.reverts("AllianceTaskNotActive"):
                call()
            return
        if user == self.outsider or user in self.released or user in self.evicted:
            with self.chain.reverts("AllianceNotParticipant"):
                call()
            return
        if not self._absent(user):
            with self.chain.reverts("AllianceNotEvictable"):
                call()
            return
        stake = self.tasks.memberOf(self.task, user).stake
        members = self.tasks.participantCount(self.task)
        pool = self.alliance.poolOf(self.task).pool
        treasury = self.alliance.treasury()
        treasury_before = self.token.balanceOf(treasury)
        gm = stake * self.slash_rules.absent_bps // BPS
        receipt = call()
        (event,) = receipt.events_named("ParticipantEvicted")
        assert (event["account"], event["gm"]) == (user, gm)
        seized, to_evictor = event["flockSeized"], event["toEvictor"]
        assert to_evictor == seized * self.slash_rules.finalizer_bps // BPS
        # decision 195: the rest goes to the treasury, never to the pool (whose rewards are liquid)
        assert self.alliance.poolOf(self.task).pool == pool
        assert self.token.balanceOf(treasury) == treasury_before + seized - to_evictor
        self._credit(self.keeper, slash_share=to_evictor)  # the evictor's share, to relock
        member = self.tasks.memberOf(self.task, user)
        assert member.stake == stake - gm and member.exitAt == self.now  # evicted, its stake still at risk
        assert self.tasks.participantCount(self.task) == members - 1  # its slot is free
        self.evicted.add(user)
        self.slashed[user] += gm
        self.seized_total += seized
        self.routed_total += seized

    def _absent(self, user: str) -> bool:
        """The contract's eviction rule, from the model: no enrollment in the open round nor in the
        last ``evictionRounds`` rounds whose enrollment closed, each opened after ``user`` joined."""
        window = self.alliance.evictionRounds()
        closed = list(self.rounds)
        if closed and self.now < self._info(closed[-1].number).enrollEnd:
            if user in closed[-1].secrets:
                return False
            closed.pop()
        if len(closed) < window:
            return False
        last = closed[-window:]
        return last[0].opened_at >= self.joined_at[user] and all(user not in r.secrets for r in last)

    @rule(p=pick)
    def withdraw(self, p: int) -> None:
        """A participant, the keeper or a finalizer withdraws: its rewards as FLOCK, its shares of
        slashes as a new gmFLOCK lock of the maximum duration (decision 195), never as FLOCK."""
        users = (*self.participants, self.keeper, *self.finalizer_pool)
        user = users[p % len(users)]
        owed = self.owed.get(user, Owed())
        if owed.total == 0:
            with self.chain.reverts("AllianceNothingToWithdraw"):
                self.alliance.withdraw(user, sender=user)
            return
        before, locked, locks = self.token.balanceOf(user), self.gm.lockedOf(user), self.gm.lockCount(user)
        gm_before = self.gm.balanceOf(user)
        paid = withdraw(self.alliance, user)
        self.owed[user] = Owed()
        assert (paid.liquid, paid.relocked) == (owed.liquid, owed.relock)
        assert self.token.balanceOf(user) == before + owed.liquid  # only rewards come out liquid
        assert self.gm.lockedOf(user) == locked + owed.relock
        if owed.relock == 0:
            assert paid.lock_id is None and self.gm.lockCount(user) == locks
            return
        max_duration = self.gm.lockDurationBounds()[1]
        lock = self.gm.lockInfo(user, paid.lock_id)
        assert paid.lock_id == locks and lock.amount == owed.relock and lock.end == self.now + max_duration
        assert lock.gm == self.gm.previewLock(owed.relock, max_duration)
        assert self.gm.balanceOf(user) == gm_before + lock.gm

    def _credit(self, user: str, reward: int = 0, slash_share: int = 0) -> None:
        self.owed[user] = self.owed.get(user, Owed()).credit(reward, slash_share)

    @rule(amount=st.integers(0, 5_000))
    def fund(self, amount: int) -> None:
        call = lambda: self.alliance.fund(self.task, amount * WAD, sender=self.outsider)  # noqa: E731
        if amount == 0:
            with self.chain.reverts("AllianceZeroValue"):
                call()
        elif self.now >= self.end:
            with self.chain.reverts("AllianceTaskNotActive"):
                call()
        else:
            pool = self.alliance.poolOf(self.task).pool
            call()
            assert self.alliance.poolOf(self.task).pool == pool + amount * WAD

    @rule()
    def pull_emissions(self) -> None:
        self._catch_up()
        pool, _, _ = self.alliance.poolOf(self.task)
        undrawn = self.emissions.accruedBudget(self.task) - self.emissions.drawnBudget(self.task)
        amount = self.alliance.pullEmissions(self.task, sender=self.keeper).return_value
        # Decision 236: a pull draws everything the task accrued and had not drawn, nothing twice.
        assert amount == undrawn and self.alliance.poolOf(self.task).pool == pool + amount
        assert self.emissions.drawnBudget(self.task) == self.emissions.accruedBudget(self.task)

    @rule()
    def sweep(self) -> None:
        self._catch_up()
        call = lambda: self.alliance.sweep(self.task, sender=self.keeper)  # noqa: E731
        if self.now < self.end:
            with self.chain.reverts("AllianceTaskNotOver"):
                call()
        elif self.current and not self.current.finalized:
            with self.chain.reverts("AllianceRoundInProgress"):
                call()
        else:
            treasury = self.alliance.treasury()
            before = self.token.balanceOf(treasury)
            pool = (
                self.alliance.pullEmissions.call(self.task, sender=self.keeper)
                + self.alliance.poolOf(self.task).pool
            )
            if pool == 0:
                with self.chain.reverts("AllianceNothingToSweep"):
                    call()
                return
            call()
            assert self.token.balanceOf(treasury) == before + pool

    # ------------------------------------------------------------------ stake at risk (INV-10)

    @rule(p=pick, share=st.integers(1, 100))
    def add_stake(self, p: int, share: int) -> None:
        user = self.participants[p % N_PARTICIPANTS]
        amount = share * 100 * WAD
        self._catch_up()
        if self.now >= self.end:
            with self.chain.reverts("TaskRegistryTaskNotActive"):
                self.tasks.addStake(self.task, amount, sender=user)
            return
        if user in self.evicted:
            with self.chain.reverts("TaskRegistryVacated"):
                self.tasks.addStake(self.task, amount, sender=user)
            return
        if amount > self.gm.balanceOf(user) - self.gm.allocatedOf(user):
            with self.chain.reverts("GmFlockInsufficientUnallocated"):
                self.tasks.addStake(self.task, amount, sender=user)
            return
        self.tasks.addStake(self.task, amount, sender=user)
        self.own_stake[user] += amount

    @rule(p=pick)
    def release(self, p: int) -> None:
        """INV-10: no participant's stake leaves before the task's end plus its dispute window."""
        user = self.participants[p % N_PARTICIPANTS]
        due = self.end + self.dispute
        if user in self.released:
            with self.chain.reverts("TaskRegistryNothingToRelease"):
                self.tasks.release(self.task, user, sender=self.keeper)
        elif self.now < due:
            with self.chain.reverts("TaskRegistryStakeLocked"):
                self.tasks.release(self.task, user, sender=self.keeper)
        else:
            stake = self.tasks.memberOf(self.task, user).stake
            allocated = self.gm.allocatedOf(user)
            self.tasks.release(self.task, user, sender=self.keeper)
            assert self.gm.allocatedOf(user) == allocated - stake
            self.released.add(user)

    @rule(p=pick)
    def unlock_short_lock(self, p: int) -> None:
        """The 7-day lock expires long before the task's stake is free: unlocking it must not take
        the balance below the allocation."""
        user = self.participants[p % N_PARTICIPANTS]
        if self._unlock_expired(user, 1) is not None:
            assert self.gm.balanceOf(user) >= self.gm.allocatedOf(user)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def inv_07_slashing_conserves_tokens(self) -> None:
        """Every FLOCK seized from a participant was routed: to the honest pot or the treasury, or
        to the finalizer; nothing burned, nothing lost, nothing created."""
        assert self.seized_total == self.routed_total

    @invariant()
    def inv_07_slashed_flock_stays_locked(self) -> None:
        """Every account's credits, liquid and to relock, are the model's: rewards liquid, every
        share of slashed FLOCK (honest, finalizer, evictor) to relock (decision 195)."""
        for user in {*self.participants, *self.finalizer_pool, self.keeper}:
            assert owed_of(self.alliance, user) == self.owed.get(user, Owed())

    @invariant()
    def inv_07_alliance_holds_exactly_its_books(self) -> None:
        """The contract's FLOCK = the pool + the rewards and honest pots not yet credited + the
        credits not yet withdrawn."""
        if not self.task:
            return
        books = self.alliance.poolOf(self.task).pool
        for r in self.rounds:
            info = self._info(r.number)
            assert info.rewardCredited <= info.reward and r.honest_credited <= info.honestPot
            books += info.reward - info.rewardCredited + info.honestPot - r.honest_credited
        books += sum(
            owed_of(self.alliance, u).total for u in {*self.participants, *self.finalizer_pool, self.keeper}
        )
        assert self.token.balanceOf(self.alliance.address) == books

    @invariant()
    def inv_10_stake_at_risk_stays(self) -> None:
        """Until released (never before the end plus the dispute window), each participant's stake
        is what it joined and added, less exactly the slashes executed on it, and stays allocated."""
        if not self.task:
            return
        for user in self.participants:
            member = self.tasks.memberOf(self.task, user)
            if user in self.released:
                assert member.released and member.stake == 0
                continue
            assert not member.released
            assert member.stake == self.own_stake[user] - self.slashed[user]
            assert self.gm.allocatedOf(user) >= member.stake
            assert self.gm.balanceOf(user) >= self.gm.allocatedOf(user)
        if self.now < self.end + self.dispute:
            assert not self.released

    @invariant()
    def inv_21_one_update_counts_once(self) -> None:
        """INV-21: in each round an update is the proposal of one proposer, its earliest committer
        (a copy is marked a duplicate and counts for nothing); no update enters the lineage twice,
        and each lineage entry names the proposer that holds it."""
        if not self.task:
            return
        r = self.current
        if r is not None and r.proposers:
            updates = [
                bytes(u)
                for u in self.alliance.proposalsOf(self.task, r.number).updates
                if bytes(u) != bytes(32)
            ]
            assert len(updates) == len(set(updates)) == len(r.posted)
            for holder, update in r.posted.items():
                order = r.proposal_commits[holder][2]
                assert all(
                    r.proposal_commits[d][2] > order
                    for d in r.duplicates
                    if r.proposal_commits[d][0] == update
                )
        lineage = [bytes(self.alliance.lineageAt(self.task, i).updateHash) for i in range(self.lineage)]
        assert len(lineage) == len(set(lineage)) and set(lineage) == self.accepted_updates

    @invariant()
    def inv_22_slots_count_current_members(self) -> None:
        """INV-22: the join cap counts the participants holding a slot now (joined, neither evicted
        nor released), never more than the task's cap; an evicted participant's stake stays at risk."""
        if not self.task:
            return
        holding = [u for u in self.participants if u not in self.evicted and u not in self.released]
        assert (
            self.tasks.participantCount(self.task)
            == len(holding)
            <= self.tasks.taskInfo(self.task).maxParticipants
        )
        for user in self.evicted - self.released:
            member = self.tasks.memberOf(self.task, user)
            assert member.exitAt != 0 and not member.released

    @invariant()
    def lineage_has_one_entry_per_accepted_round(self) -> None:
        if self.task:
            assert self.alliance.lineageLength(self.task) == self.lineage
