"""Tally (and other Governor front-ends) read the standard OpenZeppelin Governor surface: the
compiled ABI must carry these exact events and functions."""

from __future__ import annotations

import pytest
from eth_utils import function_abi_to_4byte_selector

from flock import artifacts
from flock.chain.codec import signature

EVENTS = {
    "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)": [],
    "ProposalQueued(uint256,uint256)": [],
    "ProposalExecuted(uint256)": [],
    "ProposalCanceled(uint256)": [],
    "VoteCast(address,uint256,uint8,uint256,string)": ["voter"],
    "VoteCastWithParams(address,uint256,uint8,uint256,string,bytes)": ["voter"],
}
FUNCTIONS = {
    "name()": ["string"],
    "votingDelay()": ["uint256"],
    "votingPeriod()": ["uint256"],
    "quorum(uint256)": ["uint256"],
    "proposalThreshold()": ["uint256"],
    "state(uint256)": ["uint8"],
    "getVotes(address,uint256)": ["uint256"],
    "propose(address[],uint256[],bytes[],string)": ["uint256"],
    "queue(address[],uint256[],bytes[],bytes32)": ["uint256"],
    "execute(address[],uint256[],bytes[],bytes32)": ["uint256"],
    "cancel(address[],uint256[],bytes[],bytes32)": ["uint256"],
    "castVote(uint256,uint8)": ["uint256"],
    "castVoteWithReason(uint256,uint8,string)": ["uint256"],
    "castVoteBySig(uint256,uint8,address,bytes)": ["uint256"],
    "castVoteWithReasonAndParams(uint256,uint8,string,bytes)": ["uint256"],
    "hasVoted(uint256,address)": ["bool"],
    "proposalVotes(uint256)": ["uint256", "uint256", "uint256"],
    "proposalSnapshot(uint256)": ["uint256"],
    "proposalDeadline(uint256)": ["uint256"],
    "proposalEta(uint256)": ["uint256"],
    "proposalProposer(uint256)": ["address"],
    "hashProposal(address[],uint256[],bytes[],bytes32)": ["uint256"],
    "clock()": ["uint48"],
    "CLOCK_MODE()": ["string"],
    "COUNTING_MODE()": ["string"],
    "quorumNumerator()": ["uint256"],
    "quorumDenominator()": ["uint256"],
    "timelock()": ["address"],
    "token()": ["address"],
    "supportsInterface(bytes4)": ["bool"],
}


@pytest.fixture(scope="module")
def abi() -> tuple:
    return artifacts.load()["FlockGovernor"].abi


@pytest.mark.parametrize("event", EVENTS)
def test_standard_event(abi, event):
    entries = {signature(e): e for e in abi if e.get("type") == "event"}
    assert event in entries, f"missing event {event}"
    indexed = [i["name"] for i in entries[event]["inputs"] if i.get("indexed")]
    assert indexed == EVENTS[event], f"{event}: indexed {indexed}, Tally expects {EVENTS[event]}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_standard_function(abi, function):
    entries = {signature(e): e for e in abi if e.get("type") == "function"}
    assert function in entries, f"missing function {function}"
    outputs = [o["type"] for o in entries[function]["outputs"]]
    assert outputs == FUNCTIONS[function]


def test_clock_and_counting_mode(governor, gmflock):
    assert governor.CLOCK_MODE() == gmflock.CLOCK_MODE() == "mode=timestamp"
    assert governor.clock() == gmflock.clock()
    assert governor.COUNTING_MODE() == "support=bravo&quorum=for,abstain"
    assert governor.name() == "FLock Governor"
    assert governor.token() == gmflock.address


# The functions OpenZeppelin's IGovernor declares: its ERC-165 id is the XOR of their selectors.
IGOVERNOR = (
    "name", "version", "COUNTING_MODE", "hashProposal", "getProposalId", "state", "proposalThreshold",
    "proposalSnapshot", "proposalDeadline", "proposalProposer", "proposalEta", "proposalNeedsQueuing",
    "votingDelay", "votingPeriod", "quorum", "getVotes", "getVotesWithParams", "hasVoted", "propose",
    "queue", "execute", "cancel", "castVote", "castVoteWithReason", "castVoteWithReasonAndParams",
    "castVoteBySig", "castVoteWithReasonAndParamsBySig",
)  # fmt: skip


def test_supports_the_governor_interface(governor, abi):
    selectors = {e["name"]: function_abi_to_4byte_selector(e) for e in abi if e.get("type") == "function"}
    interface_id = 0
    for name in IGOVERNOR:
        interface_id ^= int.from_bytes(selectors[name], "big")
    assert governor.supportsInterface(interface_id.to_bytes(4, "big"))
    assert not governor.supportsInterface(bytes.fromhex("deadbeef"))
