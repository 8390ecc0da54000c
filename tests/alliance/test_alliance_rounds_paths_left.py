"""AllianceRounds paths no other anvil test took (docs/audit.md, "Coverage"): a decided round in
which the voters reject every proposal (no reward drawn, nothing appended to the lineage), and
`settlementOf` for a round still pending, for a non-member, and for an accepted proposer whose
reward is not credited yet."""

from alliance_helpers import STAKES, E, events

from flock.alliance.chain import run_round
from flock.alliance.protocol import Outcome, SlashReason


def test_a_round_whose_voters_reject_every_proposal_pays_no_reward(
    alliance, task, driver, participants, stranger
):
    run = run_round(driver, participants, votes_of={p.address: 0 for p in participants})
    pool = alliance.poolOf(task).pool
    receipt = driver.finalize(sender=stranger)
    (event,) = events(receipt, "RoundFinalized", alliance)
    stake = {p.address: s * E for p, s in zip(participants, STAKES, strict=True)}
    voters_stake = sum(stake[a] for a in run["voters"])
    assert (event.outcome, event.acceptedMask, event.reward, event.honestStake) == (
        Outcome.DECIDED,
        0,
        0,
        voters_stake,  # no accepted proposer: the honest are the voters who rejected everything
    )
    assert alliance.poolOf(task).pool == pool  # nothing drawn from the pool
    assert alliance.lineageLength(task) == 0 and events(receipt, "ModelAccepted", alliance) == []
    for proposer in run["proposers"]:
        settlement = alliance.settlementOf(task, 1, proposer)
        assert settlement.reason == SlashReason.REJECTED and settlement.reward == 0


def test_settlement_views_of_a_pending_round_a_stranger_and_an_unpaid_accepted_proposer(
    alliance, task, driver, participants, stranger
):
    run = run_round(driver, participants)
    first = run["proposers"][0]
    assert tuple(alliance.settlementOf(task, 1, first)) == (0, 0, 0, 0)  # pending: nothing decided yet
    driver.finalize(sender=stranger)
    assert tuple(alliance.settlementOf(task, 1, stranger)) == (0, 0, 0, 0)  # never enrolled
    reward = driver.info().reward
    stake = {p.address: s * E for p, s in zip(participants, STAKES, strict=True)}
    accepted_stake = sum(stake[a] for a in run["proposers"])
    due = alliance.settlementOf(task, 1, first)
    assert (due.reason, due.slashGm, due.reward) == (
        SlashReason.NONE,
        0,
        reward * stake[first] // accepted_stake,
    )
    driver.settle(participants)
    assert alliance.settlementOf(task, 1, first).reward == 0  # credited: nothing left to credit
