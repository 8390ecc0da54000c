"""AllianceRounds: finalizing a round (every outcome), settling its participants (rewards by stake,
slashes routed 90% to the honest and 10% to the finalizer), withdrawals and the model lineage."""

import ape
import pytest
from alliance_helpers import STAKES, E, events
from ape.utils import ZERO_ADDRESS

from flock.alliance.chain import owed_of, run_round
from flock.alliance.protocol import BPS, Outcome, Owed, Phase, SlashReason, split_seized
from flock.chain.clock import head_time, next_block_at


def _stake(participants):
    return {p.address: s * E for p, s in zip(participants, STAKES, strict=True)}


def _slash_rules(alliance):
    return dict(zip(("proposer", "voter", "absent", "finalizer"), alliance.slashRules(), strict=True))


def _seized_events(receipt, alliance):
    return {e.account: e for e in events(receipt, "ParticipantSlashed", alliance)}


# ----------------------------------------------------------------------------------------- finalize


def test_finalize_refuses_before_the_reveal_deadline_and_twice(
    alliance, task, driver, participants, stranger
):
    driver.open()
    info = driver.info()
    with ape.reverts(
        alliance.AllianceOutsidePhase, taskId=task, round=1, phase=Phase.TALLY, opensAt=info.revealEnd
    ):
        driver.finalize()
    next_block_at(info.revealEnd)
    driver.finalize(sender=stranger)
    with ape.reverts(alliance.AllianceAlreadyFinalized, taskId=task, round=1):
        driver.finalize()
    with ape.reverts(alliance.AllianceUnknownRound, taskId=task, round=2):
        alliance.finalize(task, 2, sender=stranger)


def test_accepted_round_pays_proposers_by_stake_and_extends_the_lineage(
    alliance, task, driver, participants, stranger, token
):
    run = run_round(driver, participants)
    pool = alliance.poolOf(task).pool
    info = driver.info()
    left = alliance.roundsLeft(task, info.revealEnd)
    receipt = driver.finalize(sender=stranger)
    reward = pool // left
    (event,) = events(receipt, "RoundFinalized", alliance)
    assert (event.outcome, event.acceptedMask, event.reward, event.finalizer) == (
        Outcome.DECIDED,
        0b11,
        reward,
        stranger.address,
    )
    assert alliance.poolOf(task).pool == pool - reward
    # Both proposals had every voter's stake: the lowest slot becomes the lineage entry.
    (accepted,) = events(receipt, "ModelAccepted", alliance)
    first = run["proposers"][0]
    assert (accepted.index, accepted.proposer) == (0, first)
    assert alliance.lineageLength(task) == 1
    entry = alliance.lineageAt(task, 0)
    assert (entry.updateHash, entry.proposer, entry.round) == (accepted.updateHash, first, 1)

    stake = _stake(participants)
    accepted_stake = sum(stake[a] for a in run["proposers"])
    receipt = driver.settle(participants)
    credits = {e.account: e for e in events(receipt, "Credited", alliance)}
    assert set(credits) == set(run["proposers"])  # nobody was slashed: voters have nothing to share
    for address in run["proposers"]:
        assert credits[address].reward == reward * stake[address] // accepted_stake
        assert owed_of(alliance, address) == Owed(liquid=credits[address].reward)  # a reward: liquid
    paid = sum(c.reward for c in credits.values())
    remainder = events(receipt, "RewardRemainderReturned", alliance)
    assert sum(r.amount for r in remainder) == reward - paid
    assert driver.info().rewardCredited == driver.info().reward == paid

    # Credits are pulled.
    proposer = next(p for p in participants if p.address == first)
    before = token.balanceOf(stranger)
    receipt = alliance.withdraw(stranger, sender=proposer)
    (withdrawn,) = events(receipt, "Withdrawn", alliance)
    assert (withdrawn.account, withdrawn.to, withdrawn.amount) == (
        first,
        stranger.address,
        credits[first].reward,
    )
    assert not events(receipt, "Relocked", alliance)  # nothing from a slash: no lock opened
    assert token.balanceOf(stranger) == before + credits[first].reward
    with ape.reverts(alliance.AllianceNothingToWithdraw, account=first):
        alliance.withdraw(proposer, sender=proposer)


def test_rejected_proposal_slashes_its_proposer_and_pays_the_honest(
    alliance, tasks, gmflock, token, task, driver, participants, stranger
):
    # Every voter accepts slot 0 and rejects slot 1.
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants})
    driver.finalize(sender=stranger)
    info = driver.info()
    assert (info.outcome, info.acceptedMask) == (Outcome.DECIDED, 0b01)
    good, bad = run["proposers"]
    stake = _stake(participants)
    rules = _slash_rules(alliance)
    assert info.honestStake == stake[good] + sum(stake[v] for v in run["voters"])

    locked = gmflock.lockedOf(bad)
    finalizer_before = owed_of(alliance, stranger)
    contract_before = token.balanceOf(alliance)
    receipt = driver.settle(participants)
    (slash,) = _seized_events(receipt, alliance).values()
    due = stake[bad] * rules["proposer"] // BPS
    assert (slash.account, slash.reason, slash.gm) == (bad, SlashReason.REJECTED, due)
    # INV-07: seized = honest + finalizer (nothing burned), and each amount arrived.
    to_honest, to_finalizer = split_seized(slash.flockSeized, rules["finalizer"])
    assert (slash.toHonest, slash.toFinalizer) == (to_honest, to_finalizer)
    assert slash.flockSeized == locked - gmflock.lockedOf(bad) > 0
    # credited to relock (decision 195): withdrawn later as a gmFLOCK lock
    assert owed_of(alliance, stranger) == finalizer_before.credit(slash_share=to_finalizer)
    assert tasks.memberOf(task, bad).stake == stake[bad] - due
    assert driver.entry(bad).slashSettled

    credits = {e.account: e for e in events(receipt, "Credited", alliance)}
    honest = [good, *run["voters"]]
    assert set(credits) == set(honest)
    for address in honest:
        assert credits[address].honestShare == to_honest * stake[address] // info.honestStake
    assert credits[good].reward == driver.info().reward  # the only accepted proposer takes it all
    info = driver.info()
    assert info.honestPot == to_honest
    assert sum(driver.entry(a).honestCredited for a in honest) == sum(c.honestShare for c in credits.values())
    assert token.balanceOf(alliance) == contract_before + to_honest + to_finalizer
    for address in honest:  # the honest shares relock, the reward (emissions) stays liquid
        assert owed_of(alliance, address) == Owed(credits[address].reward, credits[address].honestShare)

    # The good proposer withdraws: its reward as FLOCK, its honest share as a max-duration lock.
    proposer = next(p for p in participants if p.address == good)
    share, reward = credits[good].honestShare, credits[good].reward
    liquid, locked, locks = token.balanceOf(proposer), gmflock.lockedOf(proposer), gmflock.lockCount(proposer)
    receipt = alliance.withdraw(proposer, sender=proposer)
    (withdrawn,) = events(receipt, "Withdrawn", alliance)
    (relocked,) = events(receipt, "Relocked", alliance)
    assert (withdrawn.amount, relocked.account, relocked.amount, relocked.lockId) == (
        reward,
        good,
        share,
        locks,
    )
    assert token.balanceOf(proposer) == liquid + reward and gmflock.lockedOf(proposer) == locked + share
    _, max_duration = gmflock.lockDurationBounds()
    lock = gmflock.lockInfo(proposer, relocked.lockId)
    assert (lock.amount, lock.end) == (share, head_time() + max_duration)
    assert owed_of(alliance, proposer) == Owed()


def test_losing_and_silent_voters_are_slashed(alliance, task, driver, participants, stranger):
    stake = _stake(participants)
    driver.open()
    secrets = {p.address: driver.enroll(p) for p in participants}
    driver.to_seed_reveal()
    for p in participants:
        driver.reveal_seed(p, secrets[p.address])
    driver.to_draw()
    proposers = driver.draw()
    by_address = {p.address: p for p in participants}
    driver.propose([(by_address[a], bytes([i + 1]) * 32, "u") for i, a in enumerate(proposers)])
    voters = sorted((p for p in participants if p.address not in proposers), key=lambda p: stake[p.address])
    silent, half, winner = voters  # by stake: the largest voter decides both proposals
    driver.to_commit()
    salts = {winner.address: driver.commit(winner, 0b11), half.address: driver.commit(half, 0b01)}
    driver.commit(silent, 0b11)  # commits, never reveals
    driver.to_reveal()
    driver.reveal(winner, 0b11, salts[winner.address])
    driver.reveal(half, 0b01, salts[half.address])
    driver.to_tally()
    driver.finalize(sender=stranger)
    info = driver.info()
    assert (info.outcome, info.acceptedMask) == (Outcome.DECIDED, 0b11)
    assert info.honestStake == stake[winner.address] + sum(stake[a] for a in proposers)
    rules = _slash_rules(alliance)
    receipt = driver.settle(participants)
    slashes = _seized_events(receipt, alliance)
    assert set(slashes) == {silent.address, half.address}
    assert slashes[silent.address].reason == SlashReason.NO_VOTE
    assert slashes[silent.address].gm == stake[silent.address] * rules["absent"] // BPS
    # Lost one proposal of two: half the voter slash.
    assert slashes[half.address].reason == SlashReason.LOSING_VOTE
    assert slashes[half.address].gm == stake[half.address] * rules["voter"] // (BPS * 2)


def test_quorum_missed_leaves_proposers_unjudged_and_slashes_the_silent(
    alliance, task, driver, participants, stranger
):
    stake = _stake(participants)
    driver.open()
    pool_before_round = alliance.poolOf(task).pool
    secrets = {p.address: driver.enroll(p) for p in participants}
    driver.to_seed_reveal()
    for p in participants:
        driver.reveal_seed(p, secrets[p.address])
    driver.to_draw()
    proposers = driver.draw()
    by_address = {p.address: p for p in participants}
    driver.propose([(by_address[a], bytes([i + 1]) * 32, "u") for i, a in enumerate(proposers)])
    voters = sorted((p for p in participants if p.address not in proposers), key=lambda p: stake[p.address])
    driver.to_commit()
    salt = driver.commit(voters[0], 0b11)  # the smallest voter alone: under half the voter stake
    driver.to_reveal()
    driver.reveal(voters[0], 0b11, salt)
    driver.to_tally()
    receipt = driver.finalize(sender=stranger)
    info = driver.info()
    assert info.outcome == Outcome.NO_QUORUM and info.reward == 0 and info.acceptedMask == 0
    assert alliance.poolOf(task).pool >= pool_before_round  # nothing paid out
    assert not events(receipt, "ModelAccepted", alliance)
    assert info.honestStake == stake[voters[0].address] + sum(stake[a] for a in proposers)
    receipt = driver.settle(participants)
    slashes = _seized_events(receipt, alliance)
    assert set(slashes) == {v.address for v in voters[1:]}
    assert all(s.reason == SlashReason.NO_VOTE for s in slashes.values())
    credited = {e.account for e in events(receipt, "Credited", alliance)}
    assert credited == {voters[0].address, *proposers}


def test_no_proposals_slashes_the_proposers_and_spares_the_voters(
    alliance, task, driver, participants, stranger
):
    stake = _stake(participants)
    driver.open()
    secrets = {p.address: driver.enroll(p) for p in participants}
    driver.to_seed_reveal()
    for p in participants:
        driver.reveal_seed(p, secrets[p.address])
    driver.to_draw()
    proposers = driver.draw()
    driver.to_tally()
    driver.finalize(sender=stranger)
    info = driver.info()
    assert info.outcome == Outcome.NO_PROPOSALS and info.honestStake == info.voterStake
    receipt = driver.settle(participants)
    slashes = _seized_events(receipt, alliance)
    assert set(slashes) == set(proposers)
    rules = _slash_rules(alliance)
    for address in proposers:
        assert slashes[address].reason == SlashReason.NO_PROPOSAL
        assert slashes[address].gm == stake[address] * rules["absent"] // BPS


def test_nobody_drawing_voids_the_round_and_withheld_secrets_are_slashed(
    alliance, task, driver, participants, stranger
):
    driver.open()
    secrets = {p.address: driver.enroll(p) for p in participants}
    driver.to_seed_reveal()
    for p in participants[1:]:
        driver.reveal_seed(p, secrets[p.address])
    driver.to_tally()
    driver.finalize(sender=stranger)
    info = driver.info()
    stake = _stake(participants)
    assert info.outcome == Outcome.NOT_DRAWN
    assert info.honestStake == info.seededStake == sum(stake.values()) - stake[participants[0].address]
    receipt = driver.settle(participants)
    (slash,) = _seized_events(receipt, alliance).values()
    assert (slash.account, slash.reason) == (participants[0].address, SlashReason.SEED_WITHHELD)
    credits = {e.account: e.honestShare for e in events(receipt, "Credited", alliance)}
    assert sum(credits.values()) <= slash.toHonest and set(credits) == {p.address for p in participants[1:]}


# ----------------------------------------------------------------------------------------- settle


def test_settle_refuses_open_rounds_and_strangers(alliance, task, driver, participants, stranger):
    driver.open()
    with ape.reverts(alliance.AllianceNotFinalized, taskId=task, round=1):
        driver.settle(participants)
    driver.to_tally()
    driver.finalize()
    with ape.reverts(alliance.AllianceNotEnrolled, taskId=task, round=1, account=stranger):
        driver.settle([stranger])


def test_settling_again_adds_only_later_shares(alliance, task, driver, participants, stranger):
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants})
    driver.finalize(sender=stranger)
    _, bad = run["proposers"]
    honest = [p for p in participants if p.address != bad]
    receipt = driver.settle(honest)  # before the slash: rewards only
    assert all(e.honestShare == 0 for e in events(receipt, "Credited", alliance))
    owed = {p.address: owed_of(alliance, p) for p in honest}
    preview = alliance.settlementOf(task, 1, bad)
    assert preview.reason == SlashReason.REJECTED and preview.slashGm > 0
    receipt = driver.settle([p for p in participants if p.address == bad])
    (slash,) = _seized_events(receipt, alliance).values()
    assert slash.gm == preview.slashGm
    expected = {p.address: alliance.settlementOf(task, 1, p).honestShare for p in honest}
    assert sum(expected.values()) > 0
    receipt = driver.settle(participants)
    assert not _seized_events(receipt, alliance)  # slashes happen once
    for p in honest:
        assert owed_of(alliance, p) == owed[p.address].credit(slash_share=expected[p.address])
    # Nothing left: a third settle changes nothing and emits nothing.
    receipt = driver.settle(participants)
    assert not events(receipt, "Credited", alliance) and not _seized_events(receipt, alliance)


def test_a_slashed_finalizer_gets_no_share_of_its_own_slash(alliance, task, driver, participants, token):
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants})
    _, bad = run["proposers"]
    bad_account = next(p for p in participants if p.address == bad)
    driver.finalize(sender=bad_account)
    before = token.balanceOf(bad)
    receipt = driver.settle(participants)
    slash = _seized_events(receipt, alliance)[bad]
    assert slash.toFinalizer == 0 and slash.toHonest == slash.flockSeized
    assert token.balanceOf(bad) == before


@pytest.mark.parametrize("left_of_due", [(1, 3), (0, 1)])
def test_a_slash_takes_at_most_the_stake_left(
    alliance, tasks, task, driver, participants, stranger, admin, deployer, left_of_due
):
    """A participant slashed elsewhere since it enrolled: the settlement's slash is capped at the
    stake left (the registry's `slashableStake`), or lapses when nothing is left."""
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants})
    driver.finalize(sender=stranger)
    _, bad = run["proposers"]
    due = alliance.settlementOf(task, 1, bad).slashGm
    stake = tasks.memberOf(task, bad).stake
    numerator, denominator = left_of_due
    left = due * numerator // denominator
    assert 0 <= left < due <= stake
    tasks.grantRole(tasks.SLASHER_ROLE(), deployer, sender=admin)  # another slasher takes the rest
    tasks.slash(task, bad, stake - left, head_time(), (ZERO_ADDRESS, ZERO_ADDRESS, 0, 0), sender=deployer)
    receipt = driver.settle(participants)
    assert driver.entry(bad).slashSettled
    assert tasks.memberOf(task, bad).stake == 0
    if left == 0:
        (lapsed,) = events(receipt, "SlashLapsed", alliance)
        assert (lapsed.account, lapsed.gmDue) == (bad, due)
        assert not _seized_events(receipt, alliance)
    else:
        slash = _seized_events(receipt, alliance)[bad]
        assert (slash.reason, slash.gm) == (SlashReason.REJECTED, left)
        assert slash.flockSeized == slash.toHonest + slash.toFinalizer > 0
        assert not events(receipt, "SlashLapsed", alliance)


def test_slashes_lapse_once_the_dispute_window_closed(alliance, tasks, task, driver, participants, stranger):
    run = run_round(driver, participants, votes_of={p.address: 0b01 for p in participants})
    driver.finalize(sender=stranger)
    _, bad = run["proposers"]
    info = tasks.taskInfo(task)
    next_block_at(info.endTime + info.disputeWindow)
    stake = tasks.memberOf(task, bad).stake
    receipt = driver.settle(participants)
    (lapsed,) = events(receipt, "SlashLapsed", alliance)
    assert (lapsed.account, lapsed.reason) == (bad, SlashReason.REJECTED) and lapsed.gmDue > 0
    assert not _seized_events(receipt, alliance)
    assert tasks.memberOf(task, bad).stake == stake
    assert driver.entry(bad).slashSettled
