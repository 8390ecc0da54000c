"""One FL Alliance participant on a live network: its own account, its own private data, its own
secrets on disk.

``ape run alliance`` (flock.alliance.federation) plays every participant of a task from one process
on a local chain, moving time itself. A real participant runs only itself: :meth:`Participant.step`
reads the task's latest round from the chain, does whatever is due for this account now (open the
next round when the last is finalized, enroll with a fresh secret, reveal it, draw the roles when
they are due, train a local update and publish it to the proposers through the shared store, as a
proposer average everyone's published updates and commit then reveal the candidate, as a voter judge
the candidates and commit then reveal the votes; as a keeper finalize and settle) and returns. Run
again in the same phase it sends nothing: every decision is read from the chain (the round's
deadlines, this account's entry) and the shared store, never from what an earlier run believed it
did. Every secret is on disk before the transaction that commits to it is sent, and the local
update before it is announced (flock.alliance.participant.state), so a crash anywhere is repaired by
the next run. The local updates travel as flock.alliance.participant.exchange says. The
transactions go through :class:`flock.alliance.chain.RoundDriver`; the model, its training and its
aggregation are flock.alliance.model and flock.alliance.client's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ape.exceptions import ApeException

from flock.alliance.chain import (
    Clock,
    EntryInfo,
    RoundDriver,
    RoundInfo,
    address_of,
    entry_info,
    lineage_of,
    owed_of,
    round_info,
)
from flock.alliance.client import Client
from flock.alliance.model import ModelFormatError, SoftmaxModel
from flock.alliance.participant import exchange
from flock.alliance.participant.data import PrivateData
from flock.alliance.participant.state import (
    ProposalSecret,
    PublishedUpdate,
    StateError,
    StateFile,
    VoteSecret,
)
from flock.alliance.protocol import Outcome, Phase, SlashReason
from flock.chain.errors import describe_revert
from flock.store import ContentStore, StoreError
from flock.tasks import Role
from flock.units import format_token, relative_time, utc

ACTIONS = (
    "open",
    "enroll",
    "reveal-seed",
    "draw",
    "publish",
    "propose",
    "reveal-proposal",
    "vote",
    "reveal-vote",
    "finalize",
    "settle",
)
KEEPER_ONLY = ("finalize",)  # anyone may, but a participant's step leaves it to keepers unless --keeper
# The revert that says an action was taken already: by another client (the "anyone may" ones), or by
# this account's own transaction mined between this run's read and its send (a transaction of this
# account still pending when the step reads the chain stops the step before it sends: decision 234).
DONE_ALREADY = {
    "open": "AllianceRoundInProgress",
    "enroll": "AllianceAlreadyEnrolled",
    "reveal-seed": "AllianceSeedAlreadyRevealed",
    "draw": "AllianceAlreadyDrawn",
    "propose": "AllianceAlreadyProposed",
    "reveal-proposal": "AllianceAlreadyProposed",
    "vote": "AllianceAlreadyCommitted",
    "reveal-vote": "AllianceVoteAlreadyRevealed",
    "finalize": "AllianceAlreadyFinalized",
}
SENDS_NOTHING = ("publish",)  # trains and writes to the store: no transaction to race a pending one
MAX_ACTIONS_PER_STEP = 12  # a step never loops: at most one pass through a whole round


class ParticipantError(ApeException):
    """This participant cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class Next:
    """What comes next in the task for this participant: ``action`` (one of ACTIONS; "" when only
    others can move the task on, or nothing ever will) between ``opens`` and ``closes``."""

    action: str
    what: str
    round_id: int
    opens: int | None = None
    closes: int | None = None

    def due(self, now: int) -> bool:
        return bool(self.action) and (self.opens is None or self.opens <= now)

    def when(self, now: int) -> str:
        if not self.action:
            return self.what
        opens = "now" if self.due(now) else relative_time(self.opens or now, now)
        until = f", until {utc(self.closes)}" if self.closes is not None else ""
        return f"{self.what}: {opens}{until}"


@dataclass
class StepReport:
    """What one step did (``lines``) and what comes next."""

    lines: list[str]
    next: Next
    done: list[str] = field(default_factory=list)  # the actions taken, in order

    @property
    def idle(self) -> bool:
        return not self.done


def phase_at(info: RoundInfo, now: int) -> Phase:
    """The round's phase for a transaction at ``now`` (the contract's ``phaseOf``, read ahead)."""
    if info.enrollEnd == 0:
        return Phase.NONE
    if info.outcome != Outcome.PENDING:
        return Phase.FINALIZED
    for phase, end in (
        (Phase.ENROLLMENT, info.enrollEnd),
        (Phase.SEED_REVEAL, info.seedEnd),
        (Phase.DRAW_DELAY, info.drawAt),
        (Phase.PROPOSAL, info.proposeEnd),
        (Phase.PROPOSAL_REVEAL, info.proposalRevealEnd),
        (Phase.COMMIT, info.commitEnd),
        (Phase.REVEAL, info.revealEnd),
    ):
        if now < end:
            return phase
    return Phase.TALLY


def _is_revert(err: Exception, *names: str) -> bool:
    text = describe_revert(err)
    return any(text.startswith(name) or f"{name}(" in text for name in names)


def _tx(receipt: Any) -> str:
    digest = getattr(receipt, "txn_hash", None)
    return f" (tx {str(digest)[:12]}…)" if digest else ""


@dataclass
class Participant:
    """One participant of one Alliance task: its account (which signs), its state file, the content
    store it shares models through, and its private data (None: it can only read and keep)."""

    alliance: Any
    registry: Any
    task_id: int
    account: Any
    state: StateFile
    store: ContentStore
    clock: Clock
    data: PrivateData | None = None
    keeper: bool = False
    # Where the others fetch a proposal: this prefix followed by its hash (else the store's file URI).
    publish: str | None = None
    rng: np.random.Generator = field(default_factory=np.random.default_rng)
    new_secret: Callable[[], bytes] = field(default=lambda: os.urandom(32), repr=False)
    warnings: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ reads

    @property
    def address(self) -> str:
        return address_of(self.account)

    def latest_round(self) -> int:
        return int(self.alliance.poolOf(self.task_id)[1])

    def driver(self, round_id: int) -> RoundDriver:
        return RoundDriver(self.alliance, self.task_id, self.clock, self.account, round_id)

    def info(self, round_id: int) -> RoundInfo:
        return round_info(self.alliance, self.task_id, round_id)

    def entry(self, round_id: int, account: str | None = None) -> EntryInfo:
        """This account's entry in round ``round_id`` (or ``account``'s)."""
        return entry_info(self.alliance, self.task_id, round_id, account or self.address)

    def scope(self, round_id: int) -> exchange.Scope:
        """The round the local updates exchanged through the store belong to."""
        return exchange.Scope(
            self.state.identity.chain_id, str(self.alliance.address), self.task_id, round_id
        )

    def pending(self) -> str | None:
        """Why this account must not send now, or None: a transaction of its own is still pending
        (its ``pending`` nonce is above its ``latest`` one; an earlier run sent it and did not see it
        mined). Sending again would race it, and the loser reverts "already done" at the cost of its
        gas (decision 234)."""
        from ape import chain

        mined = chain.provider.get_nonce(self.address, block_id="latest")
        sent = chain.provider.get_nonce(self.address, block_id="pending")
        if sent <= mined:
            return None
        which = f"nonce {mined}" if sent == mined + 1 else f"nonces {mined} to {sent - 1}"
        return (
            f"a transaction of {self.address} is still pending ({which}): nothing sent, so as not "
            "to race it; the next run goes on once it is mined"
        )

    def membership_problem(self) -> str | None:
        """Why this account cannot enroll in the task's rounds, or None."""
        member = self.registry.memberOf(self.task_id, self.address)
        who = f"{self.address} is"
        if Role(int(member.role)) != Role.PARTICIPANT:
            return (
                f"{who} not a participant of task {self.task_id}: join it first "
                f"(`ape run tasks join {self.task_id} participant AMOUNT`)"
            )
        if int(member.exitAt):
            return f"{who} evicted from task {self.task_id}: it can no longer enroll"
        if member.released or not int(member.stake):
            return f"{who} no longer staked in task {self.task_id}: its stake was released"
        return None

    def _needed(self) -> int:
        return max(2, int(self.registry.taskInfo(self.task_id).minParticipants))

    def global_model(self) -> tuple[SoftmaxModel | None, str | None]:
        """The lineage's head from the store (None if the store lacks it) and its digest; with no
        lineage yet, the task's base model: zeros of the data's shape."""
        lineage = lineage_of(self.alliance, self.task_id)
        if not lineage:
            assert self.data is not None
            return SoftmaxModel.zeros(self.data.features, self.data.classes), None
        digest = "0x" + lineage[-1][0].hex()
        try:
            return self._fetch(digest), digest
        except (StoreError, ModelFormatError):
            return None, digest

    def _fetch(self, digest: str) -> SoftmaxModel:
        data = self.store.get(digest)
        if data is None:
            raise StoreError(f"model {digest} is not in the store {self.store.root}")
        model = SoftmaxModel.from_bytes(data)
        features, classes = model.shape
        if self.data is not None and (features != self.data.features or classes < self.data.classes):
            raise ModelFormatError(
                f"model {digest} is {features} features x {classes} classes; the data has "
                f"{self.data.features} features and labels up to {self.data.classes - 1}"
            )
        return model

    # ------------------------------------------------------------------ what is next

    def next(self, now: int) -> Next:
        """The next action in the task for this account (or the keeper), as the chain stands."""
        r = self.latest_round()
        if r == 0:
            return self._next_round(0, now)
        info = self.info(r)
        if info.outcome != Outcome.PENDING:
            return self._after(r, info, now)
        e = self.entry(r)
        for step in self._round_steps(r, info, e, now):
            if step.closes is None or now < step.closes:
                return step
        end = info.revealEnd
        return Next("finalize", f"finalize round {r} (anyone: a keeper)", r, end)

    def _round_steps(self, r: int, info: RoundInfo, e: EntryInfo, now: int) -> Iterator[Next]:
        """This account's remaining steps in round ``r``, in order; a step whose window has closed
        is passed over (it was missed)."""
        if not e.enrolled:
            if info.enrolled < self._max_participants():
                yield Next("enroll", f"enroll in round {r}", r, info.openedAt, info.enrollEnd)
            return
        if not e.seedRevealed:
            yield Next("reveal-seed", f"reveal the seed of round {r}", r, info.enrollEnd, info.seedEnd)
            return
        if info.proposers == 0:
            if info.seeded >= self._needed() or now < info.seedEnd:  # else the round is not drawn
                yield Next("draw", f"draw the roles of round {r} (anyone)", r, info.drawAt, info.proposeEnd)
            return
        if not self._published(r):
            yield Next(
                "publish",
                f"train a local update and publish it to round {r}'s proposers",
                r,
                info.drawAt,
                info.proposeEnd,
            )
        if e.proposer:
            if not e.committed:
                yield Next(
                    "propose",
                    f"average the published local updates and commit a proposal in round {r}",
                    r,
                    self._commit_from(r, info, now),
                    info.proposeEnd,
                )
                return
            if not e.posted:
                yield Next(
                    "reveal-proposal",
                    f"reveal the proposal of round {r}",
                    r,
                    info.proposeEnd,
                    info.proposalRevealEnd,
                )
            return
        if not e.committed:
            yield Next(
                "vote",
                f"judge the proposals and commit votes in round {r}",
                r,
                info.proposalRevealEnd,
                info.commitEnd,
            )
            return
        if not e.voteRevealed:
            yield Next("reveal-vote", f"reveal the votes of round {r}", r, info.commitEnd, info.revealEnd)

    def _max_participants(self) -> int:
        return int(self.alliance.roundRules()[2])

    def _after(self, r: int, info: RoundInfo, now: int) -> Next:
        """Round ``r`` is finalized: settle what is owed, then the next round."""
        pending = self._unsettled(r, info) if self.keeper else self._own_credit(r)
        if pending:
            who = f"{len(pending)} account(s)" if self.keeper else "this account's credit"
            return Next("settle", f"settle round {r} ({who})", r, now)
        return self._next_round(r, now)

    def _next_round(self, r: int, now: int) -> Next:
        task = self.registry.taskInfo(self.task_id)
        end = int(task.endTime)
        duration = int(self.alliance.roundDuration())
        if not self.registry.isActive(self.task_id) or now + duration > end:
            return Next(
                "",
                f"task {self.task_id} has no room for another round (a round takes "
                f"{duration} s; the task ends {relative_time(end, now)})",
                r,
            )
        return Next("open", f"open round {r + 1} (anyone) and enroll", r + 1, now, end - duration + 1)

    def _own_credit(self, r: int) -> list[str]:
        s = self.alliance.settlementOf(self.task_id, r, self.address)
        return [self.address] if int(s.reward) or int(s.honestShare) else []

    def _unsettled(self, r: int, info: RoundInfo) -> list[str]:
        """The round's enrolled accounts that a settle would still slash or credit."""
        out = []
        for account in self._enrolled(r, info):
            s = self.alliance.settlementOf(self.task_id, r, account)
            if int(s.reason) or int(s.reward) or int(s.honestShare):
                out.append(account)
        return out

    def _enrolled(self, r: int, info: RoundInfo) -> list[str]:
        """Every account enrolled in round ``r``: from its ``Enrolled`` events, searched from the
        block where the round opened."""
        from ape import chain

        start = _block_at(info.openedAt)
        logs = self.alliance.Enrolled.range(
            start, chain.blocks.height + 1, search_topics={"taskId": self.task_id, "round": r}
        )
        seen: dict[str, None] = {}
        for log in logs:
            seen[str(log.account)] = None
        return list(seen)

    # ------------------------------------------------------------------ the step

    def step(self, only: str | None = None) -> StepReport:
        """Does everything due for this account now, in order, and returns what it did and what is
        next. ``only``: do that action alone, refused in words unless it is due now."""
        problem = self.membership_problem()
        if problem and not self.keeper:
            raise ParticipantError(problem)  # before anything is written, even the lock
        with self.state.locked():
            return self._step(only, problem)

    def _step(self, only: str | None, problem: str | None) -> StepReport:
        lines: list[str] = []
        done: list[str] = []
        last: tuple[str, int] | None = None
        waiting: str | None = None
        self.warnings.clear()
        for _ in range(MAX_ACTIONS_PER_STEP):
            now = self.clock.now()
            nxt = self.next(now)
            if only is not None:
                if done:
                    break
                if nxt.action != only or not nxt.due(now):
                    raise ParticipantError(self._not_due(only, nxt, now))
            if not nxt.due(now) or (nxt.action in KEEPER_ONLY and not self.keeper and only is None):
                break
            if problem and nxt.action in ("enroll", "open"):
                break  # a keeper that is not a participant keeps, it does not enroll
            if done and (nxt.action, nxt.round_id) == last:
                break  # done already, but the chain does not show it yet: the next run will
            if nxt.action not in SENDS_NOTHING and (waiting := self.pending()) is not None:
                break  # sending now would race it: the next run goes on once it is mined
            try:
                lines.extend(self._do(nxt))
            except ApeException as err:
                if not lines:
                    raise
                # What this step did before it stopped belongs in the one line (a cron log's record).
                raise ParticipantError(f"{'; '.join(lines)}; then: {describe_revert(err)}") from err
            done.append(nxt.action)
            last = (nxt.action, nxt.round_id)
        now = self.clock.now()
        nxt = self.next(now)
        if waiting is not None:
            lines.append(waiting)
        elif not done:
            lines.append(f"nothing due now for {self.address} in task {self.task_id}")
        lines.append("next: " + self._next_words(nxt, now))
        return StepReport([*self.warnings, *lines], nxt, done)

    def _next_words(self, nxt: Next, now: int) -> str:
        if nxt.action in KEEPER_ONLY and not self.keeper and nxt.due(now):
            return f"{nxt.what}: due now, waiting for a keeper (`step --keeper` does it)"
        return nxt.when(now)

    def _not_due(self, only: str, nxt: Next, now: int) -> str:
        r = self.latest_round()
        where = (
            f"round {r} is in phase {phase_at(self.info(r), now).name.lower()}" if r else "no round is open"
        )
        return (
            f"{only} is not due now for {self.address} in task {self.task_id}: {where}; next: {nxt.when(now)}"
        )

    def _do(self, nxt: Next) -> list[str]:
        """Takes ``nxt``. A revert saying it was done already (another client opened, drew or
        finalized first; an earlier run's transaction was mined meanwhile) is reported, not raised."""
        actions: dict[str, Callable[[RoundDriver], list[str]]] = {
            "open": self._open,
            "enroll": self._enroll,
            "reveal-seed": self._reveal_seed,
            "draw": self._draw,
            "publish": self._publish,
            "propose": self._propose,
            "reveal-proposal": self._reveal_proposal,
            "vote": self._vote,
            "reveal-vote": self._reveal_vote,
            "finalize": self._finalize,
            "settle": self._settle,
        }
        try:
            return actions[nxt.action](self.driver(nxt.round_id))
        except (StateError, ParticipantError):
            raise
        except ApeException as err:
            if nxt.action in DONE_ALREADY and _is_revert(err, DONE_ALREADY[nxt.action]):
                return [f"{nxt.what}: done already (by another client, or an earlier run's transaction)"]
            raise

    # ------------------------------------------------------------------ the actions

    def _open(self, d: RoundDriver) -> list[str]:
        receipt = d.open()
        return [f"opened round {d.round_id} of task {self.task_id}{_tx(receipt)}"]

    def _held(self, r: int, name: str, what: str, consequence: str) -> Any:
        """Round ``r``'s ``name`` from the state file; refused in words if it is not there."""
        held = getattr(self.state.round(r), name)
        if held is None:
            raise StateError(f"round {r}'s {what} is not in {self.state.path}: {consequence}")
        return held

    def _enroll(self, d: RoundDriver) -> list[str]:
        r = d.round_id
        secret = self.state.round(r).secret
        if secret is None:
            secret = self.new_secret()
            self.state.record(r, secret=secret)  # on disk before the commitment is sent
        d.enroll(self.account, secret)
        stake = self.entry(r).stake
        return [
            f"enrolled in round {r} with {format_token(stake)} gmFLOCK (secret kept in {self.state.path})"
        ]

    def _reveal_seed(self, d: RoundDriver) -> list[str]:
        r = d.round_id
        secret = self._held(
            r,
            "secret",
            "secret",
            "this account enrolled with a secret this state does not hold (another machine's state, or "
            "a lost file); without it the seed cannot be revealed and the account is slashed for "
            "withholding it",
        )
        receipt = d.reveal_seed(self.account, secret)
        return [f"revealed the seed of round {r}{_tx(receipt)}"]

    def _draw(self, d: RoundDriver) -> list[str]:
        proposers = d.draw()
        mine = self.address in proposers
        role = f"proposer (slot {proposers.index(self.address)})" if mine else "voter"
        return [
            f"drew the roles of round {d.round_id}: {len(proposers)} proposer(s); this account is a {role}"
        ]

    def _client(self) -> Client:
        if self.data is None:
            raise ParticipantError(
                "this step trains or judges: give the private data (--data FILE, or --dataset and --shard)"
            )
        return Client(
            self.address[:10], self.data.shard, self.data.classes, lr=self.data.lr, epochs=self.data.epochs
        )

    # ------------------------------------------------------------------ the exchange of local updates

    def _announcement(self, r: int, held: PublishedUpdate) -> exchange.Announcement:
        return exchange.Announcement(
            self.scope(r), self.address, held.update_hash, held.samples, held.signature
        )

    def _published(self, r: int) -> bool:
        """This account's local update of round ``r`` is recorded and announced in the store."""
        held = self.state.round(r).update
        return held is not None and exchange.is_published(self.store.root, self._announcement(r, held))

    def _publish(self, d: RoundDriver) -> list[str]:
        """Trains this round's local update from the lineage's head (once: the update, its sample
        count and the signature are recorded before the announcement is written, so a rerun
        announces the same one), puts the model in the store and announces it there."""
        r = d.round_id
        held = self.state.round(r).update
        lines = []
        if held is None:
            client = self._client()
            model, digest = self.global_model()
            if model is None:
                raise ParticipantError(
                    f"the global model {digest} (the head of task {self.task_id}'s lineage) is not in the "
                    f"store {self.store.root} or is not a model of this data's shape: a participant trains "
                    "from it; fetch it into the store and run again before the proposal deadline"
                )
            rounds_done = len(lineage_of(self.alliance, self.task_id))
            update = client.local_update(model, self.rng, rounds_done)
            update_digest = self.store.put(update.to_bytes())  # in the store before it is announced
            signed = exchange.sign(
                self.account, self.scope(r), bytes.fromhex(update_digest[2:]), client.samples
            )
            if signed is None:
                raise ParticipantError(f"{self.address} did not sign the announcement of its local update")
            held = PublishedUpdate(signed.update_hash, signed.samples, signed.signature)
            self.state.record(r, update=held)  # one update per round, whatever happens next
            accuracy = client.heldout_accuracy(update)
            lines.append(f"trained a local update from the global model: held-out accuracy {accuracy:.3f}")
        announcement = self._announcement(r, held)
        try:
            if self.store.get(announcement.digest) is None:
                self.warnings.append(
                    f"warning: update {announcement.digest} is not in the store {self.store.root}: "
                    "the proposers cannot use it"
                )
        except StoreError as err:
            self.warnings.append(f"warning: {err}: the proposers cannot use update {announcement.digest}")
        written = exchange.publish(self.store.root, announcement)
        again = "" if written else " (already there)"
        lines.append(
            f"published local update {announcement.digest} ({held.samples} samples) to round {r}'s "
            f"proposers{again}"
        )
        return lines

    def _own_update(self, r: int) -> tuple[SoftmaxModel, str]:
        held = self.state.round(r).update
        if held is None:
            raise ParticipantError(
                f"round {r}'s local update of {self.address} is not in {self.state.path}: publish it first "
                "(`step` does, in the proposal phase)"
            )
        digest = "0x" + held.update_hash.hex()
        try:
            return self._fetch(digest), digest
        except (StoreError, ModelFormatError) as err:
            raise ParticipantError(f"this account's own local update cannot be read: {err}") from None

    def _gather(self, r: int, shape: tuple[int, int]) -> tuple[exchange.Gathered, dict[str, EntryInfo]]:
        """The peers' usable local updates of round ``r`` and the entries of the accounts read."""
        entries: dict[str, EntryInfo] = {}

        def unusable(account: str) -> str | None:
            if account not in entries:
                entries[account] = self.entry(r, account)
            return None if entries[account].enrolled else f"{account} is not enrolled in round {r}"

        gathered = exchange.gather(self.store.root, self.scope(r), self.address, unusable, self._fetch, shape)
        return gathered, entries

    def _commit_from(self, r: int, info: RoundInfo, now: int) -> int:
        """When a proposer commits: at once when every participant of the round (every account
        whose seed is revealed) has announced a usable update, else once ``exchange.WAIT_SHARE`` of
        the proposal phase has passed (a proposal already recorded is committed at once)."""
        share_at = exchange.wait_until(info.drawAt, info.proposeEnd)
        if now >= share_at or self.state.round(r).proposal is not None or not self._published(r):
            return info.drawAt
        try:
            own, _ = self._own_update(r)
        except ParticipantError:
            return info.drawAt  # due: the step says why it cannot propose
        gathered, entries = self._gather(r, own.shape)
        revealed = 1 + sum(1 for a in gathered.accounts if entries[a].seedRevealed)
        return info.drawAt if revealed >= info.seeded else share_at

    def _propose(self, d: RoundDriver) -> list[str]:
        """Averages this account's local update with every usable one its peers published (FedAvg
        by sample count, as the federation's proposers do: flock.alliance.client.Client.aggregate)
        and commits to the candidate. What was averaged and the salt are recorded before the
        commitment is sent, so a rerun commits the same candidate."""
        r = d.round_id
        held = self.state.round(r).proposal
        lines = []
        if held is None:
            client = self._client()
            own, own_digest = self._own_update(r)
            gathered, _ = self._gather(r, own.shape)
            lines.extend(gathered.notices)
            peers = gathered.updates
            counts = exchange.weights(client.samples, [u.samples for u in peers])
            lines.extend(
                f"weighed the update {u.digest} of {u.account} as {n} samples (this proposer's own "
                f"count), not the {u.samples} it announced"
                for u, n in zip(peers, counts, strict=True)
                if n < u.samples
            )
            weighed = [(u.model, n) for u, n in zip(peers, counts, strict=True)]
            candidate, kept = client.aggregate(own, weighed)
            sources = [(self.address, own_digest), *((u.account, u.digest) for u in peers)]
            aggregated = tuple((sources[k][0], bytes.fromhex(sources[k][1][2:])) for k in kept)
            digest = self.store.put(candidate.to_bytes())  # in the store before it is committed to
            held = ProposalSecret(bytes.fromhex(digest[2:]), self.new_secret(), self._uri(digest), aggregated)
            self.state.record(r, proposal=held)  # on disk before the commitment is sent
            dropped = len(sources) - len(kept)
            lines.append(
                f"averaged {len(kept)} local update(s) ({len(peers)} from peers"
                + (f", {dropped} dropped as worse on the held-out split" if dropped else "")
                + f"): held-out accuracy {client.heldout_accuracy(candidate):.3f}"
            )
        _, receipt = d.commit_proposal(self.account, held.update_hash, held.salt)
        averaged = f" ({len(held.aggregated)} local update(s) averaged)" if held.aggregated else ""
        lines.append(f"committed to update 0x{held.update_hash.hex()}{averaged} in round {r}{_tx(receipt)}")
        return lines

    def _uri(self, digest: str) -> str:
        return f"{self.publish}{digest}" if self.publish else self.store.uri(digest)

    def _reveal_proposal(self, d: RoundDriver) -> list[str]:
        r = d.round_id
        held = self._held(
            r,
            "proposal",
            "proposal salt",
            "the committed proposal cannot be revealed, and the proposer is slashed for posting nothing",
        )
        digest = "0x" + held.update_hash.hex()
        if self.store.get(digest) is None:
            self.warnings.append(
                f"warning: update {digest} is not in the store {self.store.root}: voters cannot judge it"
            )
        receipt = d.reveal_proposal(self.account, held.update_hash, held.salt, held.uri)
        return [f"revealed update {digest} in round {r}{_tx(receipt)}"]

    def judge(self, r: int) -> tuple[int, list[str]]:
        """The votes on round ``r``'s posted proposals (bit i accepts slot i) and a line per slot: a
        candidate is fetched from the store by its hash and checked against it; one that cannot be
        fetched, does not match its hash or is not a model of this data's shape is rejected."""
        client = self._client()
        current, digest = self.global_model()
        if current is None:
            self.warnings.append(
                f"warning: the global model {digest} is not in the store: judging against an untrained model"
            )
            assert self.data is not None
            current = SoftmaxModel.zeros(self.data.features, self.data.classes)
        _, updates, _ = self.alliance.proposalsOf(self.task_id, r)
        slots, models, lines = [], [], []
        for slot, update in enumerate(updates):
            update = bytes(update)
            if not any(update):
                continue  # not posted
            candidate = "0x" + update.hex()
            try:
                models.append(self._fetch(candidate))
                slots.append(slot)
            except (StoreError, ModelFormatError) as err:
                lines.append(f"slot {slot}: rejected, cannot use {candidate}: {err}")
        votes = 0
        for slot, judgement in zip(slots, client.judge(current, models), strict=True):
            verdict = "accept" if judgement.accept else "reject"
            lines.append(f"slot {slot}: held-out accuracy {judgement.accuracy:.3f}: {verdict}")
            votes |= int(judgement.accept) << slot
        return votes, lines

    def _vote(self, d: RoundDriver) -> list[str]:
        r = d.round_id
        held = self.state.round(r).vote
        lines = []
        if held is None:
            votes, lines = self.judge(r)
            held = VoteSecret(votes, self.new_secret())
            self.state.record(r, vote=held)  # on disk before the commitment is sent
        d.commit(self.account, held.votes, held.salt)
        lines.append(f"committed votes {held.votes:#b} in round {r}")
        return lines

    def _reveal_vote(self, d: RoundDriver) -> list[str]:
        r = d.round_id
        held = self._held(
            r,
            "vote",
            "vote salt",
            "the committed votes cannot be revealed, and the voter is slashed for not voting",
        )
        receipt = d.reveal(self.account, held.votes, held.salt)
        return [f"revealed votes {held.votes:#b} in round {r}{_tx(receipt)}"]

    def _finalize(self, d: RoundDriver) -> list[str]:
        d.finalize(self.account)
        info = self.info(d.round_id)
        accepted = (
            f", accepted {info.acceptedMask:#b} of {info.postedMask:#b}"
            if info.outcome == Outcome.DECIDED
            else ""
        )
        return [f"finalized round {d.round_id}: {info.outcome.name.lower().replace('_', ' ')}{accepted}"]

    def _settle(self, d: RoundDriver) -> list[str]:
        """A keeper settles every enrolled account in one call (the contract takes every slash of
        the list before crediting anyone, so the honest shares are whole); a participant its own
        credit."""
        r = d.round_id
        info = self.info(r)
        accounts = self._enrolled(r, info) if self.keeper else self._own_credit(r)
        if not accounts or (self.keeper and not self._unsettled(r, info)):
            return [f"round {r} is settled already"]
        d.settle(accounts, self.account)
        return [f"settled round {r} for {len(accounts)} account(s)"]

    # ------------------------------------------------------------------ status

    def status(self, now: int) -> list[str]:
        """The task's latest round and phase with its deadlines (UTC), this account's entry and
        role, what is due next for it and by when, its credits and its state file."""
        lines = []
        r = self.latest_round()
        problem = self.membership_problem()
        lines.append(f"account {self.address}, task {self.task_id}" + (f": {problem}" if problem else ""))
        if r == 0:
            lines.append("no round opened yet")
        else:
            info = self.info(r)
            phase = phase_at(info, now)
            outcome = (
                f" ({info.outcome.name.lower().replace('_', ' ')})" if info.outcome != Outcome.PENDING else ""
            )
            lines.append(
                f"round {r}: phase {phase.name.lower()}{outcome}; {info.enrolled} enrolled, "
                f"{info.seeded} seeds revealed"
            )
            for name, at in (
                ("enrollment until", info.enrollEnd),
                ("seed reveal until", info.seedEnd),
                ("roles drawn from", info.drawAt),
                ("proposals until", info.proposeEnd),
                ("proposal reveals until", info.proposalRevealEnd),
                ("vote commits until", info.commitEnd),
                ("vote reveals until", info.revealEnd),
            ):
                lines.append(f"  {name} {utc(at)}")
            lines.append("this account: " + self._entry_words(r, info))
            if phase == Phase.PROPOSAL and info.proposers and self.entry(r).proposer:
                lines.append("local updates: " + self._exchange_words(r, info))
        lines.append("next: " + self._next_words(self.next(now), now))
        owed = owed_of(self.alliance, self.address)
        lines.append(
            f"owed: {format_token(owed.total)} FLOCK ({format_token(owed.liquid)} rewards, "
            f"{format_token(owed.relock)} slash shares to relock)"
        )
        held = self.state.round(r).names() if r else []
        lines.append(f"state: {self.state.path}" + (f" (round {r}: {', '.join(held)})" if held else ""))
        return lines

    def _exchange_words(self, r: int, info: RoundInfo) -> str:
        """What a proposer would average now: how many participants' updates it can use."""
        try:
            own, _ = self._own_update(r)
        except ParticipantError:
            return "this account's own is not published yet"
        gathered, entries = self._gather(r, own.shape)
        usable = 1 + sum(1 for a in gathered.accounts if entries[a].seedRevealed)
        share = exchange.wait_until(info.drawAt, info.proposeEnd)
        passed = f"; {len(gathered.notices)} announcement(s) passed over" if gathered.notices else ""
        return (
            f"{usable} of {info.seeded} participants' usable now (commits when all are, or from "
            f"{utc(share)}){passed}"
        )

    def _entry_words(self, r: int, info: RoundInfo) -> str:
        e = self.entry(r)
        if not e.enrolled:
            return "not enrolled"
        parts = [f"enrolled with {format_token(e.stake)} gmFLOCK"]
        parts.append("seed revealed" if e.seedRevealed else "seed not revealed")
        if info.proposers:
            if e.seedRevealed:
                parts.append("local update published" if self._published(r) else "no local update published")
            if e.proposer:
                parts.append(f"proposer (slot {e.slot})")
                parts.append("posted" if e.posted else ("committed" if e.committed else "no proposal yet"))
            elif e.seedRevealed:
                parts.append("voter")
                parts.append(
                    "votes revealed"
                    if e.voteRevealed
                    else ("votes committed" if e.committed else "no votes yet")
                )
        if info.outcome != Outcome.PENDING:
            parts.append(self._settlement_words(r))
        return ", ".join(parts)

    def _settlement_words(self, r: int) -> str:
        """What settling round ``r`` still does to this account (nothing once it is settled)."""
        s = self.alliance.settlementOf(self.task_id, r, self.address)
        due = []
        if int(s.reason):
            reason = SlashReason(int(s.reason)).name.lower()
            due.append(f"to be slashed {format_token(int(s.slashGm))} gmFLOCK ({reason})")
        if int(s.reward):
            due.append(f"reward {format_token(int(s.reward))} FLOCK to credit")
        if int(s.honestShare):
            due.append(f"slash share {format_token(int(s.honestShare))} FLOCK to credit")
        return "settlement: " + ("; ".join(due) if due else "nothing left to settle")


class WallClock:
    """A live network's clock: the next transaction is mined at about the wall clock's time (never
    before the head block's). It cannot be moved: ``move_to`` sleeps until then."""

    def now(self) -> int:
        from flock.chain.clock import head_time

        return max(int(time.time()), head_time())

    def move_to(self, timestamp: int) -> None:
        delay = timestamp - self.now()
        if delay > 0:
            time.sleep(delay)


def _block_at(timestamp: int) -> int:
    """The first block at or after ``timestamp`` (a binary search over the chain's blocks)."""
    from ape import chain

    low, high = 0, chain.blocks.height
    while low < high:
        mid = (low + high) // 2
        if chain.blocks[mid].timestamp < timestamp:
            low = mid + 1
        else:
            high = mid
    return low


def run(
    participant: Participant,
    rounds: int,
    wait_until: Callable[[int | None], None],
    report: Callable[[StepReport], None],
) -> int:
    """Steps until ``rounds`` rounds this account enrolled in are finalized (or no round fits in
    the task any more), calling ``wait_until(t)`` between steps: ``t`` is when the next action opens
    (None: when others have acted, such as a keeper finalizing). Returns the rounds taken part in."""
    enrolled: set[int] = set()
    finished: set[int] = set()
    while len(finished) < rounds:
        result = participant.step()
        report(result)
        latest = participant.latest_round()
        if latest and participant.entry(latest).enrolled:
            enrolled.add(latest)
        finished |= {r for r in enrolled if participant.info(r).outcome != Outcome.PENDING}
        if len(finished) >= rounds or not result.next.action:
            break  # done, or no round fits in the task any more
        nxt = result.next
        wait_until(nxt.opens if nxt.action and not nxt.due(participant.clock.now()) else None)
    return len(finished)
