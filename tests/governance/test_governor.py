"""FlockGovernor on anvil: the lifecycle, flash stakes, late quorum, the proposal threshold, and
who may cancel what. Stakers and proposals come from tests/governance/conftest.py."""

from __future__ import annotations

import ape
import pytest
from ape.exceptions import VirtualMachineError
from governance_helpers import (
    ABSTAIN,
    ACTIVE,
    AGAINST,
    CANCELED,
    DEFEATED,
    EXECUTED,
    FOR,
    PENDING,
    QUEUED,
    STAKES,
    SUCCEEDED,
    Proposal,
)

from flock.chain.clock import advance
from flock.harness.system import deploy_system
from flock.units import DAY, WAD


def test_full_lifecycle(governor, timelock, gmflock, stakers, fee_proposal, outsider):
    alice, bob, carol, dave = stakers.values()
    proposal = fee_proposal(300)
    receipt = proposal.propose(alice)
    [created] = receipt.decode_logs(governor.ProposalCreated)
    assert created.proposalId == proposal.id
    assert created.proposer == alice.address
    assert created.voteStart == receipt.timestamp + governor.votingDelay()
    assert created.voteEnd == created.voteStart + governor.votingPeriod()
    assert proposal.state() == PENDING
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.castVote(proposal.id, FOR, sender=alice)

    proposal.open_voting()
    assert proposal.state() == ACTIVE
    governor.castVote(proposal.id, FOR, sender=alice)
    governor.castVote(proposal.id, AGAINST, sender=bob)
    governor.castVoteWithReason(proposal.id, ABSTAIN, "no opinion", sender=carol)
    assert governor.proposalVotes(proposal.id) == (50_000 * WAD, 100_000 * WAD, 20_000 * WAD)
    assert governor.hasVoted(proposal.id, alice) and not governor.hasVoted(proposal.id, dave)
    with ape.reverts(governor.GovernorAlreadyCastVote):
        governor.castVote(proposal.id, AGAINST, sender=alice)
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.queue(*proposal.args, sender=outsider)

    proposal.close_voting()
    assert proposal.state() == SUCCEEDED
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.execute(*proposal.args, sender=outsider)
    receipt = governor.queue(*proposal.args, sender=outsider)
    [queued] = receipt.decode_logs(governor.ProposalQueued)
    assert queued.etaSeconds == receipt.timestamp + timelock.getMinDelay()
    assert proposal.state() == QUEUED
    with ape.reverts(timelock.TimelockUnexpectedOperationState):
        governor.execute(*proposal.args, sender=outsider)

    advance(timelock.getMinDelay())
    assert gmflock.withdrawalFee() == (513, "0x0000000000000000000000000000000000000000")
    receipt = governor.execute(*proposal.args, sender=outsider)  # anyone executes
    assert receipt.decode_logs(governor.ProposalExecuted)
    assert receipt.decode_logs(gmflock.WithdrawalFeeSet)
    assert proposal.state() == EXECUTED
    assert gmflock.withdrawalFee() == (300, timelock.address)


def test_defeated_without_quorum(governor, stakers, fee_proposal, outsider):
    proposal = fee_proposal(100, "# dave alone")
    proposal.propose(stakers["carol"])
    proposal.open_voting()
    governor.castVote(proposal.id, FOR, sender=stakers["dave"])  # 5,000 < quorum 7,000
    assert governor.quorum(governor.proposalSnapshot(proposal.id)) == 7_000 * WAD
    proposal.close_voting()
    assert proposal.state() == DEFEATED
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.queue(*proposal.args, sender=outsider)


def test_defeated_by_majority(governor, stakers, fee_proposal):
    proposal = fee_proposal(100, "# against")
    proposal.propose(stakers["bob"])
    proposal.open_voting()
    governor.castVote(proposal.id, FOR, sender=stakers["bob"])
    governor.castVote(proposal.id, AGAINST, sender=stakers["alice"])
    proposal.close_voting()
    assert proposal.state() == DEFEATED


def test_flash_stake_after_the_snapshot_adds_no_votes(
    governor, token, gmflock, stakers, fee_proposal, accounts
):
    """Locking during the voting delay counts; locking once voting has opened does not, and
    does not move the quorum either."""
    early, whale = accounts[5], accounts[6]
    for account in (early, whale):
        token.transfer(account, 1_000_000 * WAD, sender=accounts[0])
        token.approve(gmflock, 1_000_000 * WAD, sender=account)
    proposal = fee_proposal(200, "# flash")
    proposal.propose(stakers["alice"])
    gmflock.lock(1_000 * WAD, 7 * DAY, sender=early)  # before the snapshot: counts
    proposal.open_voting()
    snapshot = governor.proposalSnapshot(proposal.id)
    quorum_before = governor.quorum(snapshot)

    gmflock.lock(1_000_000 * WAD, 365 * DAY, sender=whale)  # after the snapshot: 3M gmFLOCK, no votes
    advance(1)
    assert gmflock.getVotes(whale) > 3_000_000 * WAD
    assert governor.getVotes(whale, snapshot) == 0
    receipt = governor.castVote(proposal.id, AGAINST, sender=whale)
    assert receipt.decode_logs(governor.VoteCast)[0].weight == 0
    assert governor.getVotes(early, snapshot) == 1_000 * WAD
    governor.castVote(proposal.id, FOR, sender=stakers["bob"])
    governor.castVote(proposal.id, FOR, sender=early)
    assert governor.proposalVotes(proposal.id) == (0, 51_000 * WAD, 0)
    assert governor.quorum(snapshot) == quorum_before
    proposal.close_voting()
    assert proposal.state() == SUCCEEDED


def test_late_quorum_extends_the_deadline(governor, stakers, fee_proposal):
    proposal = fee_proposal(250, "# late quorum")
    proposal.propose(stakers["alice"])
    proposal.open_voting()
    deadline = governor.proposalDeadline(proposal.id)
    governor.castVote(proposal.id, FOR, sender=stakers["dave"])  # below quorum: nothing moves
    assert governor.proposalDeadline(proposal.id) == deadline

    advance(deadline - governor.clock() - 3600)  # one hour before the end
    receipt = governor.castVote(proposal.id, FOR, sender=stakers["carol"])  # reaches quorum
    extension = governor.lateQuorumVoteExtension()
    assert extension == 2 * DAY
    [extended] = receipt.decode_logs(governor.ProposalExtended)
    assert extended.extendedDeadline == receipt.timestamp + extension
    assert governor.proposalDeadline(proposal.id) == receipt.timestamp + extension

    advance(2 * 3600)  # past the original deadline: still open, the other side can answer
    assert proposal.state() == ACTIVE
    governor.castVote(proposal.id, AGAINST, sender=stakers["alice"])
    proposal.close_voting()
    assert proposal.state() == DEFEATED


def test_early_quorum_keeps_the_deadline(governor, stakers, fee_proposal):
    proposal = fee_proposal(250, "# early quorum")
    proposal.propose(stakers["alice"])
    proposal.open_voting()
    deadline = governor.proposalDeadline(proposal.id)
    receipt = governor.castVote(proposal.id, FOR, sender=stakers["alice"])
    assert not receipt.decode_logs(governor.ProposalExtended)  # now + 2 days is before the deadline
    assert governor.proposalDeadline(proposal.id) == deadline


def test_proposal_threshold(governor, gmflock, stakers, fee_proposal):
    dave, carol = stakers["dave"], stakers["carol"]
    threshold = governor.proposalThreshold()
    assert threshold == 10_000 * WAD
    proposal = fee_proposal(150, "# below threshold")
    with ape.reverts(
        governor.GovernorInsufficientProposerVotes,
        proposer=dave,
        votes=STAKES["dave"] * WAD,
        threshold=threshold,
    ):
        proposal.propose(dave)
    # carol delegates to dave: 25,000 votes, enough
    gmflock.invoke_transaction("delegate", dave, sender=carol)
    advance(1)
    assert governor.getVotes(dave, governor.clock() - 1) == 25_000 * WAD
    proposal.propose(dave)
    assert proposal.state() == PENDING


def test_cancellation_rules(governor, timelock, stakers, fee_proposal, outsider):
    alice, bob = stakers["alice"], stakers["bob"]
    pending = fee_proposal(111, "# cancel me")
    pending.propose(alice)
    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*pending.args, sender=bob)  # only the proposer
    receipt = governor.cancel(*pending.args, sender=alice)
    assert receipt.decode_logs(governor.ProposalCanceled)
    assert pending.state() == CANCELED
    pending.open_voting()
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        governor.castVote(pending.id, FOR, sender=bob)
    with ape.reverts(governor.GovernorUnexpectedProposalState):
        pending.propose(alice)  # a canceled proposal cannot come back under the same description

    active = fee_proposal(222, "# too late to cancel")
    active.propose(alice)
    active.open_voting()
    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*active.args, sender=alice)  # not once voting has opened

    governor.castVote(active.id, FOR, sender=alice)
    active.close_voting()
    governor.queue(*active.args, sender=outsider)
    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*active.args, sender=alice)
    operation = timelock.hashOperationBatch(
        active.targets, active.values, active.calldatas, bytes(32), _timelock_salt(governor, active)
    )
    assert timelock.isOperationPending(operation)
    for account in (alice, outsider):
        with ape.reverts(timelock.AccessControlUnauthorizedAccount):
            timelock.cancel(operation, sender=account)  # only the governor holds CANCELLER_ROLE
    assert active.state() == QUEUED


def _timelock_salt(governor, proposal) -> bytes:
    # GovernorTimelockControl: salt = bytes20(governor) ^ descriptionHash
    governor_word = bytes.fromhex(governor.address[2:]) + bytes(12)
    return bytes(a ^ b for a, b in zip(governor_word, proposal.description_hash, strict=True))


def test_governor_needs_a_timestamp_clock_token():
    """The constructor refuses a voting token without gmFLOCK's timestamp clock (here FLOCK, which
    has no ERC-6372 clock at all), with a named error."""
    system = deploy_system()
    args = (system.timelock.address, DAY, 5 * DAY, 0, 4, DAY)
    with system.chain.reverts("FlockGovernorClockMismatch", tokenClockMode=""):
        system.chain.deploy("FlockGovernor", system.token.address, *args, sender=system.deployer)
    governor = system.chain.deploy("FlockGovernor", system.gmflock.address, *args, sender=system.deployer)
    assert governor.CLOCK_MODE() == "mode=timestamp"
    no_period = (system.timelock.address, DAY, 0, 0, 4, DAY)  # the settings' own check, on the packed slot
    with system.chain.reverts("GovernorInvalidVotingPeriod", votingPeriod=0):
        system.chain.deploy("FlockGovernor", system.gmflock.address, *no_period, sender=system.deployer)


@pytest.mark.parametrize("setting", ["setVotingDelay", "setVotingPeriod", "setProposalThreshold"])
def test_settings_refuse_direct_calls(governor, admin, outsider, setting):
    with ape.reverts(governor.GovernorOnlyExecutor):
        getattr(governor, setting)(DAY, sender=outsider)
    # The timelock itself, outside governor.execute: no authorized call is queued, popping panics.
    with pytest.raises(VirtualMachineError, match="0x31"):
        getattr(governor, setting)(DAY, sender=admin)


def test_proposer_suffix_stops_a_front_run_copy(governor, stakers, fee_proposal):
    """Proposal ids hash the actions and the description, not the proposer: whoever submits a copy
    first becomes its proposer and may cancel it while Pending. A description ending in
    `#proposer=<address>` (OpenZeppelin's opt-in protection) admits only that proposer."""
    alice, bob = stakers["alice"], stakers["bob"]
    copied = fee_proposal(175, "# fee 1.75%")
    copied.propose(bob)  # bob saw alice's transaction and submitted the same proposal first
    with ape.reverts(governor.GovernorUnableToCancel):
        governor.cancel(*copied.args, sender=alice)
    governor.cancel(*copied.args, sender=bob)  # ... and can sink it
    assert copied.state() == CANCELED

    protected = fee_proposal(175, f"# fee 1.75%\n\n#proposer={alice.address}")
    with ape.reverts(governor.GovernorRestrictedProposer, proposer=bob):
        protected.propose(bob)
    protected.propose(alice)
    assert protected.state() == PENDING


def test_settings_change_by_proposal_in_one_slot(governor, timelock, stakers, outsider):
    """The governor keeps GovernorSettings' three values in one slot of its own (decision 170): a
    passed proposal changes all three through GovernorSettings' setters, with their events (old
    and new value), and `propose` reads them back; a threshold above 2^176 - 1 is refused."""
    alice = stakers["alice"]
    before = (governor.votingDelay(), governor.votingPeriod(), governor.proposalThreshold())
    after = (2 * DAY, 6 * DAY, 60_000 * WAD)  # bob (50,000) could propose before, not after
    calldatas = [
        governor.setVotingDelay.encode_input(after[0]),
        governor.setVotingPeriod.encode_input(after[1]),
        governor.setProposalThreshold.encode_input(after[2]),
    ]
    proposal = Proposal(governor, [governor.address] * 3, [0] * 3, calldatas, "# Slower, dearer proposals")
    _pass(proposal, alice, outsider, timelock)
    receipt = governor.execute(*proposal.args, sender=outsider)
    assert [(e.oldVotingDelay, e.newVotingDelay) for e in receipt.decode_logs(governor.VotingDelaySet)] == [
        (before[0], after[0])
    ]
    assert [
        (e.oldVotingPeriod, e.newVotingPeriod) for e in receipt.decode_logs(governor.VotingPeriodSet)
    ] == [(before[1], after[1])]
    assert [
        (e.oldProposalThreshold, e.newProposalThreshold)
        for e in receipt.decode_logs(governor.ProposalThresholdSet)
    ] == [(before[2], after[2])]
    assert (governor.votingDelay(), governor.votingPeriod(), governor.proposalThreshold()) == after

    advance(1)
    later = Proposal(governor, [governor.address], [0], [calldatas[0]], "# Read the new settings")
    receipt = later.propose(alice)
    [created] = receipt.decode_logs(governor.ProposalCreated)
    assert (created.voteStart, created.voteEnd) == (
        receipt.timestamp + after[0],
        receipt.timestamp + sum(after[:2]),
    )
    bob = stakers["bob"]
    with ape.reverts(
        governor.GovernorInsufficientProposerVotes, proposer=bob, votes=50_000 * WAD, threshold=after[2]
    ):
        Proposal(governor, [governor.address], [0], [calldatas[0]], "# bob").propose(bob)

    too_high = Proposal(
        governor,
        [governor.address],
        [0],
        [governor.setProposalThreshold.encode_input(2**176)],
        "# A threshold past the slot",
    )
    _pass(too_high, alice, outsider, timelock)
    with ape.reverts(governor.SafeCastOverflowedUintDowncast, bits=176, value=2**176):
        governor.execute(*too_high.args, sender=outsider)
    assert governor.proposalThreshold() == after[2]


def _pass(proposal, voter, keeper, timelock) -> None:
    """Proposes, votes For with ``voter`` alone (a majority over the quorum), queues and waits."""
    proposal.propose(voter)
    proposal.open_voting()
    proposal.governor.castVote(proposal.id, FOR, sender=voter)
    proposal.close_voting()
    proposal.governor.queue(*proposal.args, sender=keeper)
    advance(timelock.getMinDelay())


def test_governor_clock_is_the_tokens(governor, gmflock):
    """The governor reads `block.timestamp` itself (no call into gmFLOCK's proxy); that is gmFLOCK's
    clock, which the constructor checked (a token changing its clock needs a new governor)."""
    assert governor.CLOCK_MODE() == gmflock.CLOCK_MODE() == "mode=timestamp"
    assert governor.clock() == gmflock.clock()
