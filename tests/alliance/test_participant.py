"""The FL Alliance participant client (flock.alliance.participant.core) on anvil: five participants, each
driven only through its own client (its own account, shard, state file), the test moving time
between phases. A whole round reaches finalize with an accepted proposal whose model is the
lineage's new head; a participant that crashes between writing a secret and sending (or after
sending, before it knew) reveals correctly on the rerun and is not slashed; refusals are one clear
reason, nothing sent, nothing written."""

from __future__ import annotations

import json
import os
import re
import stat

import numpy as np
import pytest
from ape.exceptions import ApeException

from flock import files
from flock.alliance.chain import ApeClock, RoundDriver, lineage_of, owed_of, round_info
from flock.alliance.data import DataError
from flock.alliance.participant.core import Participant, ParticipantError
from flock.alliance.participant.data import load_file, load_shard
from flock.alliance.participant.state import Identity, StateError, StateFile, state_path
from flock.alliance.protocol import Outcome, SlashReason
from flock.store import ContentStore

SHARDS = 5
PUBLISH = "https://models.example/flock/"  # where the participants say their proposals are


class Crash(BaseException):
    """The process dies here (not an error any handler catches)."""


def _participant(alliance, tasks, task, account, index, tmp_path, store, keeper=False) -> Participant:
    from ape import chain

    identity = Identity(chain.chain_id, str(alliance.address), task, str(account.address))
    state = StateFile.open(state_path(tmp_path / f"state-{index}", identity), identity)
    data = load_shard("digits", f"{index + 1}/{SHARDS}")
    return Participant(
        alliance,
        tasks,
        task,
        account,
        state,
        store,
        ApeClock(),
        data,
        keeper,
        PUBLISH,
        np.random.default_rng(index),
    )


@pytest.fixture
def crowd(alliance, tasks, task, participants, tmp_path) -> list[Participant]:
    """The five participants, each with its own state folder and shard; one shared model store;
    p1 also keeps (finalizes and settles)."""
    store = ContentStore(tmp_path / "store")
    return [
        _participant(alliance, tasks, task, a, i, tmp_path, store, keeper=i == 0)
        for i, a in enumerate(participants)
    ]


def _all_step(crowd: list[Participant]) -> list[list[str]]:
    return [p.step().done for p in crowd]


def _move_to(timestamp: int) -> None:
    ApeClock().move_to(timestamp)


def _to_proposal_phase(crowd: list[Participant]) -> int:
    """Everyone enrolls and reveals; the roles are drawn. Returns the round."""
    assert crowd[0].step().done == ["open", "enroll"]
    for p in crowd[1:]:
        assert p.step().done == ["enroll"]
    r = crowd[0].latest_round()
    info = round_info(crowd[0].alliance, crowd[0].task_id, r)
    _move_to(info.enrollEnd)
    assert _all_step(crowd) == [["reveal-seed"]] * len(crowd)
    _move_to(info.drawAt)
    return r


def test_a_whole_round_through_the_clients_reaches_an_accepted_proposal_in_the_lineage(crowd, alliance, task):
    r = _to_proposal_phase(crowd)
    info = round_info(alliance, task, r)
    done = _all_step(crowd)
    assert done[0][0] == "draw" and all("draw" not in d for d in done[1:])  # drawn once, by the first
    proposers = [p for p in crowd if p.entry(r).proposer]
    voters = [p for p in crowd if not p.entry(r).proposer]
    assert len(proposers) == 2 and all(p.state.round(r).proposal for p in proposers)
    # Idempotent: a second step in the same phase sends nothing and says what is next.
    again = proposers[0].step()
    assert again.idle and "nothing due now" in again.lines[-2] and "reveal the proposal" in again.lines[-1]
    for p in proposers:  # the committed model is in the store, under its hash
        assert p.store.get("0x" + p.state.round(r).proposal.update_hash.hex()) is not None

    _move_to(info.proposeEnd)
    assert [p.step().done for p in proposers] == [["reveal-proposal"]] * 2
    from ape import chain

    posted = alliance.UpdateProposed.range(0, chain.blocks.height + 1, search_topics={"taskId": task})
    assert sorted(e.uri for e in posted) == sorted(
        PUBLISH + "0x" + p.state.round(r).proposal.update_hash.hex() for p in proposers
    )
    assert all(p.step().idle for p in voters)  # voting opens after the proposal reveals
    _move_to(info.proposalRevealEnd)
    assert [p.step().done for p in voters] == [["vote"]] * 3
    _move_to(info.commitEnd)
    assert [p.step().done for p in voters] == [["reveal-vote"]] * 3
    _move_to(info.revealEnd)
    waiting = voters[0].step() if not voters[0].keeper else voters[1].step()
    assert waiting.idle and "waiting for a keeper" in waiting.lines[-1]
    assert crowd[1].step("finalize").done == ["finalize"]  # forced: anyone may
    shown = " ".join(proposers[0].status(ApeClock().now()))
    assert f"round {r}: phase finalized (decided)" in shown and "proposer (slot " in shown
    assert "settlement: " in shown and "nothing left to settle" not in shown  # a reward or a slash
    kept = crowd[0].step()
    assert kept.done == ["settle", "open", "enroll"]  # one settle settles everyone

    done = round_info(alliance, task, r)
    assert done.outcome == Outcome.DECIDED and done.acceptedMask
    lineage = lineage_of(alliance, task)
    assert len(lineage) == 1
    head, proposer, round_id = lineage[0]
    author = next(p for p in proposers if p.address == proposer)
    assert round_id == r and head == author.state.round(r).proposal.update_hash
    model, digest = author.global_model()  # the next round trains from the accepted model
    assert digest == "0x" + head.hex() and model is not None
    for p in crowd:  # settled completely in that one call; the credits show in status
        assert not any(alliance.settlementOf(task, r, p.address))
    assert owed_of(alliance, author.address).liquid > 0
    # A proposer whose store lacks the global model refuses to train (and sends nothing).
    (author.store.root / digest).unlink()
    with pytest.raises(ParticipantError, match=f"the global model {digest} .* is not in the store"):
        author._propose(author.driver(r + 1))
    status = author.status(author.clock.now())
    assert any(line.startswith(f"round {r + 1}: phase enrollment") for line in status)
    assert any(line.startswith("owed: ") and not line.startswith("owed: 0.00") for line in status)


def _crashes(monkeypatch, p: Participant, target: object, name: str, send_first: bool = False) -> None:
    """``p``'s step dies in ``target.name``: before it runs (after it, with ``send_first``)."""
    real = getattr(target, name)

    def die(*args, **kwargs):
        if send_first:
            real(*args, **kwargs)
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(target, name, die)
        with pytest.raises(Crash):
            p.step()


def test_a_crash_at_any_point_is_repaired_by_the_rerun_and_nobody_is_slashed(
    crowd, alliance, task, monkeypatch, chain
):
    crowd[0].step()
    r = crowd[0].latest_round()
    victim = crowd[1]
    # p2 dies while writing its secret: no state file, no temporary file, nothing sent.
    _crashes(monkeypatch, victim, files.os, "replace")
    left = [f.name for f in victim.state.path.parent.iterdir()]
    assert not victim.entry(r).enrolled and left == [victim.state.path.name + ".lock"]
    # p2 dies after writing its secret, before sending its enrollment.
    _crashes(monkeypatch, victim, RoundDriver, "enroll")
    secret = StateFile.open(victim.state.path, victim.state.identity).round(r).secret
    assert secret is not None and not victim.entry(r).enrolled
    assert stat.S_IMODE(os.stat(victim.state.path).st_mode) == 0o600
    assert victim.step().done == ["enroll"]  # the rerun enrolls with the secret on disk
    assert victim.state.round(r).secret == secret
    for p in crowd[2:]:
        p.step()
    info = round_info(alliance, task, r)
    _move_to(info.enrollEnd)
    assert _all_step(crowd) == [["reveal-seed"]] * 5  # the secret matches its commitment
    _move_to(info.drawAt)
    stale = crowd[1].next(ApeClock().now())
    crowd[0].step()  # draws (and proposes if drawn)
    proposers = [p for p in crowd if p.entry(r).proposer]
    voters = [p for p in crowd if not p.entry(r).proposer]
    # A client that read the chain before the draw and draws second is told it was done.
    with monkeypatch.context() as patch:
        patch.setattr(crowd[1], "next", lambda now: stale)
        late = crowd[1].step()
    assert stale.action == "draw" and late.done == ["draw"] and "done already" in late.lines[0]

    # A proposer dies after storing its model and writing the salt, before committing.
    author = next(p for p in proposers if not p.entry(r).committed)
    _crashes(monkeypatch, author, RoundDriver, "commit_proposal")
    written = StateFile.open(author.state.path, author.state.identity).round(r).proposal
    assert written is not None and not author.entry(r).committed
    models = set(author.store.root.iterdir())
    assert author.step().done == ["propose"]  # commits what it wrote; no second training
    assert author.state.round(r).proposal == written and set(author.store.root.iterdir()) == models
    for p in proposers:
        p.step()
    _move_to(info.proposeEnd)
    for p in proposers:
        assert p.step().done == ["reveal-proposal"]
    _move_to(info.proposalRevealEnd)

    # A voter dies after its vote was sent, before it learnt so: the rerun sees it on chain.
    voter = voters[0]
    _crashes(monkeypatch, voter, RoundDriver, "commit", send_first=True)
    assert voter.entry(r).committed and voter.step().idle
    for p in voters[1:]:
        assert p.step().done == ["vote"]
    _move_to(info.commitEnd)
    assert [p.step().done for p in voters] == [["reveal-vote"]] * len(voters)
    _move_to(info.revealEnd)
    crowd[0].step()
    assert round_info(alliance, task, r).outcome == Outcome.DECIDED
    for p in crowd:
        entry = p.entry(r)
        assert entry.seedRevealed and (entry.posted if entry.proposer else entry.voteRevealed)
        assert not any(alliance.settlementOf(task, r, p.address))  # settled: nothing left
    # Nobody was slashed for a crash: no withheld seed, missing proposal or missing vote (a proposal
    # the voters judged worse may still be rejected: that is judgement, not absence).
    absent = (SlashReason.SEED_WITHHELD, SlashReason.NO_PROPOSAL, SlashReason.NO_VOTE)
    slashes = list(
        alliance.ParticipantSlashed.range(0, chain.blocks.height + 1, search_topics={"taskId": task})
    )
    assert not [e for e in slashes if int(e.round) == r and SlashReason(int(e.reason)) in absent]


def test_a_voter_rejects_a_candidate_missing_from_the_store_or_not_matching_its_hash(crowd, alliance, task):
    r = _to_proposal_phase(crowd)
    info = round_info(alliance, task, r)
    _all_step(crowd)
    proposers = [p for p in crowd if p.entry(r).proposer]
    voters = [p for p in crowd if not p.entry(r).proposer]
    _move_to(info.proposeEnd)
    for p in proposers:
        p.step()
    store = proposers[0].store
    missing, substituted = ("0x" + p.state.round(r).proposal.update_hash.hex() for p in proposers)
    (store.root / missing).unlink()  # gone from the store
    (store.root / substituted).write_bytes((store.root / substituted).read_bytes() + b"x")  # not its hash
    votes, lines = voters[0].judge(r)
    assert votes == 0
    assert len(lines) == 2
    assert any(
        f"rejected, cannot use {missing}: model {missing} is not in the store" in line for line in lines
    )
    assert any(
        f"rejected, cannot use {substituted}" in line and "does not hash to its name" in line
        for line in lines
    )
    _move_to(info.proposalRevealEnd)
    assert voters[0].step().done == ["vote"] and voters[0].state.round(r).vote.votes == 0


def test_refusals_are_one_reason_and_send_or_write_nothing(
    crowd, alliance, tasks, task, stranger, tmp_path, monkeypatch
):
    from ape import chain

    store = crowd[0].store
    outsider = _participant(alliance, tasks, task, stranger, 4, tmp_path / "outsider", store)
    height = chain.blocks.height
    with pytest.raises(ParticipantError, match=f"{stranger.address} is not a participant of task {task}"):
        outsider.step()
    assert chain.blocks.height == height and not outsider.state.path.exists()

    # A step that fails after doing something says both in its one line; the rerun goes on from there.
    def refused(*args, **kwargs):
        raise ApeException("the node refused the transaction")

    with monkeypatch.context() as patch:
        patch.setattr(RoundDriver, "enroll", refused)
        with pytest.raises(ParticipantError, match=r"^opened round 1 of task .*; then: the node refused"):
            crowd[0].step()
    assert crowd[0].step().done == ["enroll"]

    # Another account's state file, given as this one's, is refused and left as it was.
    r = crowd[0].latest_round()
    foreign = crowd[0].state.path
    before = foreign.read_bytes()
    me = crowd[1]
    with pytest.raises(StateError, match="holds the secrets of another participant: account"):
        StateFile.open(foreign, me.state.identity)
    with pytest.raises(StateError, match="chain_id"):
        StateFile.open(foreign, Identity(chain.chain_id + 1, str(alliance.address), task, crowd[0].address))
    assert foreign.read_bytes() == before

    # A corrupt state file is refused, never overwritten (it may hold secrets on chain).
    me.state.path.parent.mkdir(parents=True, exist_ok=True)
    me.state.path.write_text('{"version": 1, "rounds": ')
    with pytest.raises(StateError, match="not a readable participant state file"):
        me.step()
    assert me.state.path.read_text() == '{"version": 1, "rounds": ' and not me.entry(r).enrolled
    me.state.path.write_text(
        json.dumps({"version": 1, **me.state.identity.as_json(), "rounds": {"1": {"secret": "0x12"}}})
    )
    with pytest.raises(StateError, match="round 1 secret is not a 32-byte hex value"):
        me.step()

    # A forced action out of its phase says what phase it is and what is next.
    with pytest.raises(
        ParticipantError, match=f"reveal-seed is not due now .* round {r} is in phase enrollment"
    ):
        crowd[0].step("reveal-seed")
    # A secret that is not on disk cannot be revealed: said, not guessed.
    crowd[2].step()
    lost = crowd[2]
    lost.state.path.unlink()
    lost.state.rounds = {}
    _move_to(round_info(alliance, task, r).enrollEnd)
    with pytest.raises(StateError, match=f"round {r}'s secret is not in"):
        lost.step()


def test_private_data_from_npz_and_csv_files(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 3)), rng.integers(0, 4, 40)
    np.savez(tmp_path / "mine.npz", X=x, y=y)
    data = load_file(tmp_path / "mine.npz")
    assert (len(data.shard.train), len(data.shard.heldout), data.features) == (30, 10, 3)
    assert data.classes == int(y.max()) + 1 and load_file(tmp_path / "mine.npz", classes=7).classes == 7
    assert np.array_equal(load_file(tmp_path / "mine.npz").shard.heldout.y, data.shard.heldout.y)  # fixed
    np.savez(tmp_path / "split.npz", X=x, y=y, X_heldout=x[:5], y_heldout=y[:5])
    split = load_file(tmp_path / "split.npz")
    assert len(split.shard.train) == 40 and np.array_equal(split.shard.heldout.y, y[:5])
    rows = "\n".join(",".join(map(str, [*row, label])) for row, label in zip(x, y, strict=True))
    (tmp_path / "mine.csv").write_text("a,b,c,label\n" + rows + "\n")
    from_csv = load_file(tmp_path / "mine.csv")
    assert from_csv.features == 3 and len(from_csv.shard.train) + len(from_csv.shard.heldout) == 40

    (tmp_path / "bad.csv").write_text("a,b\n1,2\nx,y\n")
    np.savez(tmp_path / "no-y.npz", X=x)
    for path, message in (
        (tmp_path / "none.npz", "no data file at"),
        (tmp_path / "bad.csv", "line 3: not comma-separated numbers"),
        (tmp_path / "no-y.npz", "an .npz needs arrays X and y (has X)"),
        (tmp_path / "mine.csv", "label 3 is out of range for 2 classes"),
    ):
        with pytest.raises(DataError, match=re.escape(message)):
            load_file(path, classes=2 if path.name == "mine.csv" else None)
    with pytest.raises(DataError, match="expected i/N with 1 <= i <= N"):
        load_shard("digits", "6/5")
