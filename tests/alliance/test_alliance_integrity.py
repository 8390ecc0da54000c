"""Issue 11's Alliance attacks, performed and refused (docs/audit.md, threat model):

- proposal copying: a drawn proposer posts another proposer's update as its own. Proposals are
  committed (bound to the proposer, task, round and a salt) before any update is public, and one
  update counts once per round, for its earliest committer: the copier gets nothing and the
  lineage names the author;
- slot squatting: minimum-stake accounts fill a task and never enroll. A participant that skipped
  the task's last ``evictionRounds`` rounds is evicted by anyone, pays the absent share, and its
  slot goes to the honest joiner; honest members cannot be evicted.

On the in-process harness (each test a few hundred transactions)."""

from __future__ import annotations

import os

import pytest

from flock.alliance.chain import HarnessClock, RoundDriver, owed_of, run_round
from flock.alliance.protocol import Owed, proposal_commitment
from flock.harness.system import deploy_system
from flock.tasks import Role, TaskKind
from flock.units import DAY, WAD

BPS = 10_000


@pytest.fixture(scope="module")
def base():
    system = deploy_system()
    people = system.chain.accounts[1:12]
    for user in people:
        system.token.transfer(user, 100_000 * WAD, sender=system.treasury)
        system.token.approve(system.gmflock.address, 2**256 - 1, sender=user)
        system.gmflock.lock(50_000 * WAD, 365 * DAY, sender=user)
    return [system, people, system.chain.snapshot()]


@pytest.fixture
def world(base):
    system, people, snap = base
    yield system, people
    base[2] = system.chain.restore(snap)


def _task(system, creator, members, stakes, cap=8):
    task = system.tasks.createTask(
        TaskKind.ALLIANCE, 10 * DAY, os.urandom(32), "ipfs://integrity", 2, cap, sender=creator
    ).return_value
    system.tasks.approveTask(task, sender=system.admin)
    for user, stake in zip(members, stakes, strict=True):
        system.tasks.join(task, Role.PARTICIPANT, stake * WAD, 0, sender=user)
    system.chain.warp(DAY)
    system.emissions.checkpoint(sender=system.deployer)
    return task


# ------------------------------------------------------------------------------ proposal copying


def _drawn(system, people):
    """A round with five participants whose roles are drawn: (driver, proposers, voters)."""
    task = _task(system, people[0], people[1:6], [1_000, 2_000, 3_000, 4_000, 5_000])
    d = RoundDriver(system.alliance, task, HarnessClock(system.chain), people[10])
    d.open()
    secrets = {u: d.enroll(u) for u in people[1:6]}
    d.to_seed_reveal()
    for u, secret in secrets.items():
        d.reveal_seed(u, secret)
    d.to_draw()
    proposers = d.draw()
    return d, proposers, [u for u in people[1:6] if u not in proposers]


def _vote_and_settle(d, voters, everyone, votes=0b11):
    d.to_commit()
    salts = {v: d.commit(v, votes) for v in voters}
    d.to_reveal()
    for v in voters:
        d.reveal(v, votes, salts[v])
    d.to_tally()
    d.finalize()
    return d.settle(everyone)


def test_a_copier_that_front_runs_the_reveal_gets_nothing_and_is_not_the_author(world):
    system, people = world
    alliance = system.alliance
    d, (author, copier), voters = _drawn(system, people)
    update = b"\xaa" * 32
    # The author commits first; the copier (the update leaked to it off chain) commits the same
    # update later: nothing on chain told it the update, only the author's commitment is public.
    salt, _ = d.commit_proposal(author, update)
    copy_salt, _ = d.commit_proposal(copier, update)
    d.to_proposal_reveal()
    # The copier reveals first (it front-runs the author's reveal): it holds the update for now...
    d.reveal_proposal(copier, update, copy_salt, "store://copy")
    # ...until the earlier committer reveals it: the proposal is the author's, the copy nothing.
    receipt = d.reveal_proposal(author, update, salt, "store://aa")
    (dup,) = receipt.events_named("DuplicateUpdate")
    assert (dup["duplicate"], dup["holder"]) == (copier, author)
    info = d.info()
    assert (info.posted, info.postedMask) == (1, 0b01)  # one update counts once: slot 0, the author's
    assert d.entry(copier).duplicate and not d.entry(author).duplicate
    receipt = _vote_and_settle(d, voters, people[1:6])
    head = alliance.lineageAt(d.task_id, 0)
    assert (bytes(head[0]), head[1]) == (update, author)  # the lineage names the author
    info = d.info()
    credited = {e["account"]: e for e in receipt.events_named("Credited")}
    assert credited[author]["reward"] == info.reward > 0  # the whole round reward
    assert copier not in credited  # no reward, no share of the slashes
    slashed = {e["account"] for e in receipt.events_named("ParticipantSlashed")}
    assert copier not in slashed  # it did post what it committed: no slash either
    assert owed_of(alliance, copier) == Owed()


def test_a_later_duplicate_reveal_is_refused_its_slot(world):
    system, people = world
    d, (author, copier), voters = _drawn(system, people)
    update = b"\xbb" * 32
    salt, _ = d.commit_proposal(author, update)
    copy_salt, _ = d.commit_proposal(copier, update)
    d.to_proposal_reveal()
    d.reveal_proposal(author, update, salt, "store://bb")
    receipt = d.reveal_proposal(copier, update, copy_salt, "store://copy")
    (dup,) = receipt.events_named("DuplicateUpdate")
    assert (dup["duplicate"], dup["holder"]) == (copier, author)
    assert not receipt.events_named("UpdateProposed")
    assert d.info().postedMask == 0b01
    _vote_and_settle(d, voters, people[1:6])
    assert system.alliance.lineageAt(d.task_id, 0).proposer == author
    assert owed_of(system.alliance, copier) == Owed()


def test_a_copied_commitment_cannot_be_revealed(world):
    system, people = world
    alliance = system.alliance
    d, (author, copier), _ = _drawn(system, people)
    salt, receipt = d.commit_proposal(author, b"\xcc" * 32)
    (committed,) = receipt.events_named("ProposalCommitted")
    alliance.commitProposal(
        d.task_id, d.round_id, committed["commitment"], sender=copier
    )  # the bytes, copied
    d.to_proposal_reveal()
    with system.chain.reverts("AllianceProposalMismatch"):
        d.reveal_proposal(copier, b"\xcc" * 32, salt, "u")  # the commitment names the author
    assert committed["commitment"] == proposal_commitment(d.task_id, d.round_id, author, b"\xcc" * 32, salt)


def test_the_lineage_head_cannot_be_proposed_again(world):
    system, people = world
    task = _task(system, people[0], people[1:6], [1_000, 2_000, 3_000, 4_000, 5_000])
    d = RoundDriver(system.alliance, task, HarnessClock(system.chain), people[10])
    run_round(d, people[1:6])
    d.finalize()
    head = bytes(system.alliance.lineageAt(task, 0).updateHash)
    d.open()
    secrets = {u: d.enroll(u) for u in people[1:6]}
    d.to_seed_reveal()
    for u, secret in secrets.items():
        d.reveal_seed(u, secret)
    d.to_draw()
    lazy = d.draw()[0]
    salt, _ = d.commit_proposal(lazy, head)  # no training: the current model, re-proposed
    d.to_proposal_reveal()
    with system.chain.reverts("AllianceUpdateInLineage"):
        d.reveal_proposal(lazy, head, salt, "u")


# ------------------------------------------------------------------------------ slot squatting


def _rounds(d, honest, count):
    """``count`` rounds played by ``honest`` only (finalized and settled)."""
    for _ in range(count):
        run_round(d, honest)
        d.finalize()
        d.settle(honest)


def test_squatters_are_evicted_pay_and_free_their_slots(world):
    system, people = world
    tasks, alliance = system.tasks, system.alliance
    honest, squatters, joiner = people[1:3], people[3:5], people[5]
    minimum = tasks.stakeMinimums()[2] // WAD
    task = _task(system, people[0], [*honest, *squatters], [5_000, 5_000, minimum, minimum], cap=4)
    with system.chain.reverts("TaskRegistryTaskFull"):
        tasks.join(task, Role.PARTICIPANT, 5_000 * WAD, 0, sender=joiner)
    d = RoundDriver(alliance, task, HarnessClock(system.chain), people[10])
    window = alliance.evictionRounds()
    _rounds(d, honest, window - 1)
    with system.chain.reverts("AllianceNotEvictable"):
        alliance.evict(task, squatters[0], sender=joiner)  # one round too early
    _rounds(d, honest, 1)
    for member in honest:  # they enrolled: never evictable
        with system.chain.reverts("AllianceNotEvictable"):
            alliance.evict(task, member, sender=joiner)
    squatter = squatters[0]
    stake = tasks.memberOf(task, squatter).stake
    pool, before = alliance.poolOf(task).pool, owed_of(alliance, joiner)
    treasury = alliance.treasury()
    treasury_before = system.token.balanceOf(treasury)
    receipt = alliance.evict(task, squatter, sender=joiner)
    (event,) = receipt.events_named("ParticipantEvicted")
    finalizer_bps = alliance.slashRules()[3]
    assert event["gm"] == stake * alliance.slashRules()[2] // BPS > 0  # it pays the absent share
    assert event["toEvictor"] == event["flockSeized"] * finalizer_bps // BPS
    # credited to the evictor, to relock; the rest to the treasury, never the pool (decision 195)
    assert owed_of(alliance, joiner) == before.credit(slash_share=event["toEvictor"])
    assert alliance.poolOf(task).pool == pool
    assert system.token.balanceOf(treasury) == treasury_before + event["flockSeized"] - event["toEvictor"]
    assert tasks.participantCount(task) == 3  # its slot is free...
    tasks.join(task, Role.PARTICIPANT, 5_000 * WAD, 0, sender=joiner)  # ...and the honest joiner takes it
    # The squatter cannot come back to reset its clock, nor act, nor take its stake early.
    with system.chain.reverts("TaskRegistryAlreadyMember"):
        tasks.join(task, Role.PARTICIPANT, minimum * WAD, 0, sender=squatter)
    with system.chain.reverts("AllianceNotParticipant"):
        alliance.evict(task, squatter, sender=joiner)
    with system.chain.reverts("TaskRegistryVacated"):
        tasks.addStake(task, WAD, sender=squatter)
    with system.chain.reverts("TaskRegistryStakeLocked"):
        tasks.release(task, squatter, sender=squatter)
    d.open()
    with system.chain.reverts("AllianceNotParticipant"):
        d.enroll(squatter)
    d.enroll(honest[0])
    with system.chain.reverts("AllianceNotEvictable", account=honest[0]):
        alliance.evict(task, honest[0], sender=joiner)  # enrolled in the round open now
    member = tasks.memberOf(task, squatter)
    assert member[1] == stake - event["gm"] and member[4] != 0  # still at risk, marked evicted
    # With no absent slash (governance may set 0), an eviction frees the slot and seizes nothing.
    proposer_bps, _, _, finalizer_bps = alliance.slashRules()
    alliance.setSlashRules(proposer_bps, 0, 0, finalizer_bps, sender=system.admin)
    other, owed, held = squatters[1], owed_of(alliance, joiner), system.token.balanceOf(treasury)
    (free,) = alliance.evict(task, other, sender=joiner).events_named("ParticipantEvicted")
    assert (free["gm"], free["flockSeized"], free["toEvictor"]) == (0, 0, 0)
    assert owed_of(alliance, joiner) == owed and system.token.balanceOf(treasury) == held
    assert tasks.participantCount(task) == 3 and tasks.memberOf(task, other)[1] == minimum * WAD


def test_a_newcomer_and_members_locked_out_of_full_rounds_are_not_evictable(world):
    system, people = world
    tasks, alliance = system.tasks, system.alliance
    members = people[1:5]
    task = _task(system, people[0], members[:3], [3_000, 3_000, 3_000])
    d = RoundDriver(alliance, task, HarnessClock(system.chain), people[10])
    window = alliance.evictionRounds()
    _rounds(d, members[:2], 1)
    tasks.join(task, Role.PARTICIPANT, 3_000 * WAD, 0, sender=members[3])  # joins after round 1 opened
    _rounds(d, members[:2], window - 1)
    with system.chain.reverts("AllianceNotEvictable"):
        alliance.evict(task, members[3], sender=people[10])  # round 1 opened before it joined
    # Rounds capped at two enrollments: the two that enrolled fill them; the others could not enroll.
    alliance.setRoundRules(1, 5_000, 2, sender=system.admin)
    _rounds(d, members[:2], window)
    for locked_out in members[2:]:
        with system.chain.reverts("AllianceNotEvictable"):
            alliance.evict(task, locked_out, sender=people[10])
    assert d.info().enrolled == 2  # each round was full


def test_release_frees_the_slot(world):
    system, people = world
    tasks = system.tasks
    task = _task(system, people[0], people[1:3], [3_000, 3_000])
    assert tasks.participantCount(task) == 2
    info = tasks.taskInfo(task)
    system.chain.set_time(info[4] + info[5])  # the end plus the dispute window
    tasks.release(task, people[1], sender=people[1])
    assert tasks.participantCount(task) == 1
