"""AllianceRounds, round by phase: opening, enrollment, secrets, the role draw, proposals, vote
commits and reveals, each with the errors that refuse it out of turn."""

import ape
from alliance_helpers import STAKES, events

from flock.alliance.protocol import (
    Phase,
    draw_proposers,
    proposal_commitment,
    seed_commitment,
    vote_commitment,
    xor32,
)
from flock.chain.clock import advance, head_time, mine_at, next_block_at
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY, WAD

E = WAD
SECRET = b"\x5e" * 32


def _phase_lengths(alliance):
    return tuple(alliance.roundPhases())


# ----------------------------------------------------------------------------------------- open


def test_open_round_schedules_every_phase_and_pulls_the_budget(alliance, emissions, task, driver, token):
    pool_before = alliance.poolOf(task).pool
    receipt = driver.open()
    opened = head_time()
    info = driver.info()
    expected = []
    t = opened
    for length in _phase_lengths(alliance):
        t += length
        expected.append(t)
    deadlines = (
        info.enrollEnd,
        info.seedEnd,
        info.drawAt,
        info.proposeEnd,
        info.proposalRevealEnd,
        info.commitEnd,
    )
    assert (info.openedAt, *deadlines) == (opened, *expected[:6])
    assert info.revealEnd == expected[6] == opened + alliance.roundDuration()
    assert info.phase == Phase.ENROLLMENT and driver.round_id == 1
    (event,) = events(receipt, "RoundOpened", alliance)
    assert (event.taskId, event.round, event.revealEnd) == (task, 1, info.revealEnd)
    # The task's budget of the epochs opened since its creation joined the pool.
    # The pool starts at the task's creation epoch (an empty range), then pulls what has opened.
    start, pulled = events(receipt, "EmissionsPulled", alliance)
    assert start.fromEpoch == start.toEpoch == pulled.fromEpoch and start.amount == 0
    # It is everything the task accrued at the controller (decision 236): nothing is left undrawn.
    budget = emissions.accruedBudget(task)
    assert budget > 0 and pulled.amount == budget == emissions.drawnBudget(task)
    (drawn,) = events(receipt, "BudgetDrawn", emissions)
    assert (drawn.taskId, drawn.toEpoch, drawn.to, drawn.amount) == (
        task,
        pulled.toEpoch,
        alliance.address,
        budget,
    )
    assert alliance.poolOf(task) == (pool_before + budget, 1, emissions.nextEpoch())
    assert token.balanceOf(alliance) >= budget


def test_open_refuses_a_second_round_while_one_is_open(alliance, task, driver, stranger):
    driver.open()
    with ape.reverts(alliance.AllianceRoundInProgress, taskId=task, round=1):
        alliance.openRound(task, sender=stranger)


def test_open_refuses_arena_and_unknown_tasks(alliance, tasks, creator, stranger):
    tasks.createTask(TaskKind.ARENA, 5 * DAY, spec_hash("arena"), "ipfs://arena", 0, 0, sender=creator)
    arena = tasks.taskCount()
    for task_id in (arena, 10_000):
        with ape.reverts(alliance.AllianceNotAllianceTask, taskId=task_id):
            alliance.openRound(task_id, sender=stranger)


def test_open_refuses_a_round_that_ends_after_the_task(alliance, tasks, task, stranger):
    end = tasks.taskInfo(task).endTime
    start = end - alliance.roundDuration() + 1
    next_block_at(start)
    with ape.reverts(alliance.AllianceRoundDoesNotFit, taskId=task, roundEnd=end + 1, taskEnd=end):
        alliance.openRound(task, sender=stranger)


def test_open_refuses_a_cancelled_task(alliance, tasks, task, admin, stranger):
    tasks.cancelTask(task, sender=admin)
    info = tasks.taskInfo(task)
    with ape.reverts(alliance.AllianceTaskNotActive, taskId=task, state=info.state, endTime=info.endTime):
        alliance.openRound(task, sender=stranger)


# ----------------------------------------------------------------------------------------- enroll


def test_enroll_records_the_stake_and_commitment(alliance, task, driver, participants):
    driver.open()
    p = participants[2]
    commitment = seed_commitment(task, 1, p.address, SECRET)
    receipt = alliance.enroll(task, 1, commitment, sender=p)
    (event,) = events(receipt, "Enrolled", alliance)
    assert (event.account, event.stake, event.commitment) == (p.address, STAKES[2] * E, commitment)
    entry = driver.entry(p)
    assert entry.enrolled and not entry.seedRevealed and entry.stake == STAKES[2] * E
    assert driver.info().enrolled == 1


def test_enroll_refuses_outsiders_doubles_and_late_comers(
    alliance, tasks, task, driver, participants, stranger
):
    driver.open()
    with ape.reverts(alliance.AllianceNotParticipant, taskId=task, account=stranger):
        alliance.enroll(task, 1, b"\x01" * 32, sender=stranger)
    driver.enroll(participants[0])
    with ape.reverts(alliance.AllianceAlreadyEnrolled, taskId=task, round=1, account=participants[0]):
        alliance.enroll(task, 1, b"\x01" * 32, sender=participants[0])
    with ape.reverts(alliance.AllianceZeroValue):
        alliance.enroll(task, 1, bytes(32), sender=participants[1])
    with ape.reverts(alliance.AllianceUnknownRound, taskId=task, round=2):
        alliance.enroll(task, 2, b"\x01" * 32, sender=participants[1])
    info = driver.info()
    next_block_at(info.enrollEnd)
    with ape.reverts(
        alliance.AllianceOutsidePhase,
        taskId=task,
        round=1,
        phase=Phase.ENROLLMENT,
        opensAt=info.openedAt,
        closesAt=info.enrollEnd,
    ):
        alliance.enroll(task, 1, b"\x01" * 32, sender=participants[1])


def test_enroll_refuses_beyond_the_cap(alliance, task, driver, participants, admin):
    proposers, quorum, _ = alliance.roundRules()
    alliance.setRoundRules(proposers, quorum, 2, sender=admin)
    driver.open()
    driver.enroll(participants[0])
    driver.enroll(participants[1])
    with ape.reverts(alliance.AllianceRoundFull, taskId=task, round=1, maxParticipants=2):
        driver.enroll(participants[2])


# ----------------------------------------------------------------------------------------- secrets


def test_reveal_seed_joins_the_entropy(alliance, task, driver, participants):
    driver.open()
    secrets = [driver.enroll(p) for p in participants[:3]]
    driver.to_seed_reveal()
    for p, secret in zip(participants[:3], secrets, strict=True):
        receipt = driver.reveal_seed(p, secret)
        (event,) = events(receipt, "SeedRevealed", alliance)
        assert (event.account, event.secret) == (p.address, secret)
    info = driver.info()
    assert info.seeded == 3 and info.seededStake == sum(STAKES[:3]) * E
    assert info.seed == xor32(secrets)
    assert [alliance.seededAt(task, 1, i) for i in range(3)] == [p.address for p in participants[:3]]
    assert driver.entry(participants[0]).seedRevealed


def test_reveal_seed_refuses_mismatch_double_strangers_and_wrong_times(
    alliance, task, driver, participants, stranger
):
    driver.open()
    secret = driver.enroll(participants[0])
    driver.enroll(participants[1])
    info = driver.info()
    window = {
        "taskId": task,
        "round": 1,
        "phase": Phase.SEED_REVEAL,
        "opensAt": info.enrollEnd,
        "closesAt": info.seedEnd,
    }
    with ape.reverts(alliance.AllianceOutsidePhase, **window):
        driver.reveal_seed(participants[0], secret)  # still enrolling
    driver.to_seed_reveal()
    with ape.reverts(alliance.AllianceSeedMismatch, taskId=task, round=1, account=participants[0]):
        driver.reveal_seed(participants[0], b"\x01" * 32)
    with ape.reverts(alliance.AllianceNotEnrolled, taskId=task, round=1, account=stranger):
        driver.reveal_seed(stranger, secret)
    # Another participant cannot reveal someone else's secret: the commitment names its owner.
    with ape.reverts(alliance.AllianceSeedMismatch, taskId=task, round=1, account=participants[1]):
        driver.reveal_seed(participants[1], secret)
    driver.reveal_seed(participants[0], secret)
    with ape.reverts(alliance.AllianceSeedAlreadyRevealed, taskId=task, round=1, account=participants[0]):
        driver.reveal_seed(participants[0], secret)
    next_block_at(info.seedEnd)
    with ape.reverts(alliance.AllianceOutsidePhase, **window):
        driver.reveal_seed(participants[1], secret)


# ----------------------------------------------------------------------------------------- draw


def _seeded_round(driver, participants):
    driver.open()
    secrets = {p.address: driver.enroll(p) for p in participants}
    driver.to_seed_reveal()
    for p in participants:
        driver.reveal_seed(p, secrets[p.address])
    return secrets


def test_draw_picks_proposers_from_the_seed(alliance, task, driver, participants, chain):
    secrets = _seeded_round(driver, participants)
    info = driver.info()
    next_block_at(info.seedEnd)
    with ape.reverts(
        alliance.AllianceOutsidePhase,
        taskId=task,
        round=1,
        phase=Phase.PROPOSAL,
        opensAt=info.drawAt,
        closesAt=info.proposeEnd,
    ):
        alliance.drawRoles(task, 1, sender=participants[0])  # during the draw delay
    driver.to_draw()
    receipt = alliance.drawRoles(task, 1, sender=participants[0])
    (event,) = events(receipt, "RolesDrawn", alliance)
    seeded = [alliance.seededAt(task, 1, i) for i in range(5)]
    proposers = draw_proposers(event.seed, seeded, alliance.roundRules().proposers)
    assert list(event.proposers) == proposers == driver.proposers()
    assert len(proposers) == 2 and len(set(proposers)) == 2
    info = driver.info()
    assert info.seed == event.seed and info.proposers == 2
    stake = {p.address: s * E for p, s in zip(participants, STAKES, strict=True)}
    assert info.voterStake == sum(stake.values()) - sum(stake[a] for a in proposers)
    for slot, address in enumerate(proposers):
        entry = driver.entry(address)
        assert entry.proposer and entry.slot == slot
    assert xor32(list(secrets.values())) != event.seed  # prevrandao is mixed in
    with ape.reverts(alliance.AllianceAlreadyDrawn, taskId=task, round=1):
        alliance.drawRoles(task, 1, sender=participants[1])


def test_draw_needs_enough_revealed_secrets(alliance, task, driver, participants):
    driver.open()
    secret = driver.enroll(participants[0])
    driver.enroll(participants[1])
    driver.to_seed_reveal()
    driver.reveal_seed(participants[0], secret)
    driver.to_draw()
    with ape.reverts(alliance.AllianceTooFewParticipants, taskId=task, round=1, seeded=1, needed=2):
        driver.draw()


def test_draw_refuses_after_the_proposal_deadline(alliance, task, driver, participants):
    _seeded_round(driver, participants)
    next_block_at(driver.info().proposeEnd)
    with ape.reverts(alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.PROPOSAL):
        driver.draw()


# ----------------------------------------------------------------------------------------- proposals


def test_proposals_are_committed_then_revealed(alliance, task, driver, participants):
    _seeded_round(driver, participants)
    driver.to_draw()
    proposers = driver.draw()
    salt, receipt = driver.commit_proposal(proposers[1], b"\xab" * 32)
    (event,) = events(receipt, "ProposalCommitted", alliance)
    assert (event.proposer, event.slot) == (proposers[1], 1)
    assert event.commitment == proposal_commitment(task, 1, proposers[1], b"\xab" * 32, salt)
    entry = driver.entry(proposers[1])
    assert entry.committed and not entry.posted and entry.commitOrder == 1
    # Only the commitment is public until the proposal deadline: nothing to copy yet.
    assert alliance.proposalsOf(task, 1).updates == [bytes(32), bytes(32)] and driver.info().posted == 0
    mine_at(driver.info().proposeEnd)
    assert driver.info().phase == Phase.PROPOSAL_REVEAL
    receipt = driver.reveal_proposal(proposers[1], b"\xab" * 32, salt, "store://ab")
    (event,) = events(receipt, "UpdateProposed", alliance)
    assert (event.proposer, event.slot, event.updateHash, event.uri) == (
        proposers[1],
        1,
        b"\xab" * 32,
        "store://ab",
    )
    assert alliance.proposalsOf(task, 1).updates == [bytes(32), b"\xab" * 32]
    info = driver.info()
    assert (info.posted, info.postedMask) == (1, 0b10)
    assert driver.entry(proposers[1]).posted


def test_proposals_refuse_voters_doubles_mismatches_zero_and_wrong_times(
    alliance, task, driver, participants
):
    _seeded_round(driver, participants)
    driver.to_draw()
    by_address = {p.address: p for p in participants}
    with ape.reverts(alliance.AllianceNotDrawn, taskId=task, round=1):
        driver.commit_proposal(participants[0], b"\x01" * 32)
    proposers = driver.draw()
    voter = next(p for p in participants if p.address not in proposers)
    with ape.reverts(alliance.AllianceNotProposer, taskId=task, round=1, account=voter):
        driver.commit_proposal(voter, b"\x01" * 32)
    proposer, late = by_address[proposers[0]], by_address[proposers[1]]
    with ape.reverts(alliance.AllianceZeroValue):
        alliance.commitProposal(task, 1, bytes(32), sender=proposer)
    salt, _ = driver.commit_proposal(proposer, b"\x01" * 32)
    zero_salt, _ = driver.commit_proposal(late, bytes(32))
    with ape.reverts(alliance.AllianceAlreadyProposed, taskId=task, round=1, account=proposer):
        driver.commit_proposal(proposer, b"\x02" * 32)
    with ape.reverts(alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.PROPOSAL_REVEAL):
        driver.reveal_proposal(proposer, b"\x01" * 32, salt, "u")  # not before the proposal deadline
    driver.to_proposal_reveal()
    with ape.reverts(alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.PROPOSAL):
        driver.commit_proposal(late, b"\x01" * 32)
    with ape.reverts(alliance.AllianceNotCommitted, taskId=task, round=1, account=voter):
        driver.reveal_proposal(voter, b"\x01" * 32, salt, "u")
    with ape.reverts(alliance.AllianceProposalMismatch, taskId=task, round=1, account=proposer):
        driver.reveal_proposal(proposer, b"\x02" * 32, salt, "u")  # another update than committed
    with ape.reverts(alliance.AllianceZeroValue):
        driver.reveal_proposal(late, bytes(32), zero_salt, "u")
    driver.reveal_proposal(proposer, b"\x01" * 32, salt, "u")
    with ape.reverts(alliance.AllianceAlreadyProposed, taskId=task, round=1, account=proposer):
        driver.reveal_proposal(proposer, b"\x01" * 32, salt, "u")
    driver.to_commit()
    with ape.reverts(alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.PROPOSAL_REVEAL):
        driver.reveal_proposal(proposer, b"\x01" * 32, salt, "u")


# ----------------------------------------------------------------------------------------- votes


def _proposed_round(driver, participants):
    _seeded_round(driver, participants)
    driver.to_draw()
    proposers = driver.draw()
    by_address = {p.address: p for p in participants}
    driver.propose([(by_address[a], bytes([i + 1]) * 32, f"store://{i}") for i, a in enumerate(proposers)])
    voters = [p for p in participants if p.address not in proposers]
    return [by_address[a] for a in proposers], voters


def test_commit_records_the_commitment(alliance, task, driver, participants):
    _proposers, voters = _proposed_round(driver, participants)
    driver.to_commit()
    salt = b"\x33" * 32
    commitment = vote_commitment(task, 1, voters[0].address, 0b01, salt)
    receipt = alliance.commitVote(task, 1, commitment, sender=voters[0])
    (event,) = events(receipt, "VoteCommitted", alliance)
    assert (event.voter, event.commitment) == (voters[0].address, commitment)
    assert driver.entry(voters[0]).committed and driver.info().committed == 1
    driver.to_reveal()
    driver.reveal(voters[0], 0b01, salt)
    assert driver.entry(voters[0]).voteRevealed


def test_reveal_counts_stake_for_each_accepted_proposal(alliance, task, driver, participants):
    _proposers, voters = _proposed_round(driver, participants)
    driver.to_commit()
    plan = {voters[0].address: 0b01, voters[1].address: 0b11, voters[2].address: 0b1111}
    salts = {v.address: driver.commit(v, plan[v.address]) for v in voters}
    driver.to_reveal()
    stake = {p.address: s * E for p, s in zip(participants, STAKES, strict=True)}
    for v in voters:
        receipt = driver.reveal(v, plan[v.address], salts[v.address])
        (event,) = events(receipt, "VoteRevealed", alliance)
        # Bits beyond the posted proposals are dropped.
        assert (event.votes, event.stake) == (plan[v.address] & 0b11, stake[v.address])
    _, _, stake_for = alliance.proposalsOf(task, 1)
    assert stake_for[0] == sum(stake[v.address] for v in voters)
    assert stake_for[1] == stake[voters[1].address] + stake[voters[2].address]
    info = driver.info()
    assert (info.revealed, info.revealedStake) == (3, sum(stake[v.address] for v in voters))
    assert driver.entry(voters[0]).votes == 0b01 and driver.entry(voters[0]).voteRevealed


def test_commit_refuses_proposers_outsiders_doubles_and_wrong_times(
    alliance, task, driver, participants, stranger
):
    proposers, voters = _proposed_round(driver, participants)
    info = driver.info()
    with ape.reverts(alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.COMMIT):
        driver.commit(voters[0], 1)  # proposals still open
    driver.to_commit()
    with ape.reverts(alliance.AllianceNotVoter, taskId=task, round=1, account=proposers[0]):
        driver.commit(proposers[0], 1)
    with ape.reverts(alliance.AllianceNotVoter, taskId=task, round=1, account=stranger):
        driver.commit(stranger, 1)
    with ape.reverts(alliance.AllianceZeroValue):
        alliance.commitVote(task, 1, bytes(32), sender=voters[0])
    driver.commit(voters[0], 1)
    with ape.reverts(alliance.AllianceAlreadyCommitted, taskId=task, round=1, account=voters[0]):
        driver.commit(voters[0], 1)
    next_block_at(info.commitEnd)
    with ape.reverts(
        alliance.AllianceOutsidePhase,
        taskId=task,
        round=1,
        phase=Phase.COMMIT,
        opensAt=info.proposalRevealEnd,
        closesAt=info.commitEnd,
    ):
        driver.commit(voters[1], 1)


def test_commit_needs_the_roles_drawn(alliance, task, driver, participants):
    _seeded_round(driver, participants)
    driver.to_commit()  # nobody drew the roles before the proposal deadline
    with ape.reverts(alliance.AllianceNotDrawn, taskId=task, round=1):
        driver.commit(participants[0], 1)


def test_reveal_refuses_mismatch_uncommitted_doubles_and_late_reveals(alliance, task, driver, participants):
    _proposers, voters = _proposed_round(driver, participants)
    driver.to_commit()
    salt = driver.commit(voters[0], 0b01)
    driver.commit(voters[1], 0b11)
    info = driver.info()
    window = {
        "taskId": task,
        "round": 1,
        "phase": Phase.REVEAL,
        "opensAt": info.commitEnd,
        "closesAt": info.revealEnd,
    }
    with ape.reverts(alliance.AllianceOutsidePhase, **window):
        driver.reveal(voters[0], 0b01, salt)  # still committing
    driver.to_reveal()
    with ape.reverts(alliance.AllianceVoteMismatch, taskId=task, round=1, account=voters[0]):
        driver.reveal(voters[0], 0b11, salt)  # another vote than committed
    with ape.reverts(alliance.AllianceVoteMismatch, taskId=task, round=1, account=voters[0]):
        driver.reveal(voters[0], 0b01, b"\x00" * 31 + b"\x01")  # another salt
    with ape.reverts(alliance.AllianceNotCommitted, taskId=task, round=1, account=voters[2]):
        driver.reveal(voters[2], 0b01, salt)
    driver.reveal(voters[0], 0b01, salt)
    with ape.reverts(alliance.AllianceVoteAlreadyRevealed, taskId=task, round=1, account=voters[0]):
        driver.reveal(voters[0], 0b01, salt)
    next_block_at(info.revealEnd)
    with ape.reverts(alliance.AllianceOutsidePhase, **window):
        driver.reveal(voters[1], 0b11, salt)


# ----------------------------------------------------------------------------------------- phaseOf


def test_phase_follows_the_clock(alliance, task, driver, participants):
    assert alliance.phaseOf(task, 1) == Phase.NONE
    driver.open()
    info = driver.info()
    for moment, phase in (
        (info.enrollEnd - 1, Phase.ENROLLMENT),
        (info.enrollEnd, Phase.SEED_REVEAL),
        (info.seedEnd, Phase.DRAW_DELAY),
        (info.drawAt, Phase.PROPOSAL),
        (info.proposeEnd, Phase.PROPOSAL_REVEAL),
        (info.proposalRevealEnd, Phase.COMMIT),
        (info.commitEnd, Phase.REVEAL),
        (info.revealEnd, Phase.TALLY),
    ):
        next_block_at(moment)
        advance(0)
        assert alliance.phaseOf(task, 1) == phase, phase
    driver.finalize()
    assert alliance.phaseOf(task, 1) == Phase.FINALIZED
