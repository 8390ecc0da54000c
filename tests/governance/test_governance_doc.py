"""What docs/governance.md and the interfaces state about the chain, each checked on it (issue 13):
a lock mined in the block stamped at the snapshot counts; a vote of zero weight succeeds and marks
the account as having voted; executing a queued proposal before its delay fails with the timelock's
error. The errors decode with the interfaces a client has (interfaces/ compiled alone)."""

from __future__ import annotations

import ape
import pytest
from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector
from governance_helpers import FOR, QUEUED

from flock import abi
from flock.chain.clock import advance, next_block_at
from flock.units import DAY, WAD


@pytest.fixture(scope="module")
def interfaces():
    return abi.compile_interfaces()


def _error_selectors(entries) -> dict[bytes, dict]:
    return {
        function_signature_to_4byte_selector(abi.signature(e)): e for e in entries if e["type"] == "error"
    }


def test_a_lock_in_the_block_stamped_at_the_snapshot_counts(
    governor, token, gmflock, stakers, fee_proposal, accounts
):
    at_snapshot, just_after = accounts[5], accounts[6]
    for account in (at_snapshot, just_after):
        token.transfer(account, 10_000 * WAD, sender=accounts[0])
        token.approve(gmflock, 10_000 * WAD, sender=account)
    proposal = fee_proposal(210, "# snapshot rule")
    proposal.propose(stakers["alice"])
    snapshot = governor.proposalSnapshot(proposal.id)

    next_block_at(snapshot)
    receipt = gmflock.lock(1_000 * WAD, 7 * DAY, sender=at_snapshot)
    assert ape.chain.blocks[receipt.block_number].timestamp == snapshot
    next_block_at(snapshot + 1)
    gmflock.lock(1_000 * WAD, 7 * DAY, sender=just_after)
    advance(1)

    assert governor.getVotes(at_snapshot, snapshot) == 1_000 * WAD
    assert governor.getVotes(just_after, snapshot) == 0
    vote = governor.castVote(proposal.id, FOR, sender=at_snapshot)
    assert vote.decode_logs(governor.VoteCast)[0].weight == 1_000 * WAD


def test_a_zero_weight_vote_succeeds_and_marks_the_account_voted(governor, stakers, fee_proposal, outsider):
    proposal = fee_proposal(220, "# zero weight")
    proposal.propose(stakers["alice"])
    proposal.open_voting()
    snapshot = governor.proposalSnapshot(proposal.id)
    assert governor.getVotes(outsider, snapshot) == 0

    receipt = governor.castVote(proposal.id, FOR, sender=outsider)
    assert receipt.status == 1
    assert receipt.decode_logs(governor.VoteCast)[0].weight == 0
    assert governor.hasVoted(proposal.id, outsider)
    assert governor.proposalVotes(proposal.id) == (0, 0, 0)
    with ape.reverts(governor.GovernorAlreadyCastVote, voter=outsider):
        governor.castVote(proposal.id, FOR, sender=outsider)


def test_executing_before_the_delay_fails_with_the_timelocks_error(
    governor, timelock, stakers, fee_proposal, outsider, interfaces
):
    proposal = fee_proposal(230, "# too early")
    proposal.propose(stakers["alice"])
    proposal.open_voting()
    governor.castVote(proposal.id, FOR, sender=stakers["alice"])
    proposal.close_voting()
    governor.queue(*proposal.args, sender=outsider)
    assert proposal.state() == QUEUED

    data = _revert_data(governor, proposal, outsider)
    # The timelock's error, declared in the governor's interface, the timelock's and IFlockErrors.
    for name in ("IFlockGovernor", "IFlockTimelock", "IFlockErrors"):
        error = _error_selectors(interfaces[name]).get(data[:4])
        assert error is not None and error["name"] == "TimelockUnexpectedOperationState", name
    operation_id, expected_states = decode(["bytes32", "bytes32"], data[4:])
    governor_prefix = bytes.fromhex(governor.address[2:]).ljust(32, b"\0")
    salt = bytes(a ^ b for a, b in zip(governor_prefix, proposal.description_hash, strict=True))
    assert operation_id == bytes(timelock.hashOperationBatch(*proposal.args[:3], bytes(32), salt))
    assert int.from_bytes(expected_states, "big") == 1 << 2  # Ready
    with ape.reverts(timelock.TimelockUnexpectedOperationState):
        governor.execute(*proposal.args, sender=outsider)


def _revert_data(governor, proposal, sender) -> bytes:
    """The raw revert data of ``execute``, from an eth_call."""
    web3 = ape.chain.provider.web3
    calldata = governor.execute.encode_input(*proposal.args)
    try:
        web3.eth.call({"from": sender.address, "to": governor.address, "data": calldata})
    except Exception as err:  # web3 raises with the revert data attached
        payload = getattr(err, "data", None) or (err.args[1] if len(err.args) > 1 else None)
        if isinstance(payload, dict):
            payload = payload.get("data")
        return bytes.fromhex(str(payload).removeprefix("0x"))
    raise AssertionError("execute did not revert")
