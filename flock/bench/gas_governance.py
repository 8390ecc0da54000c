"""Gas of the governance lifecycle on anvil, for a one-action proposal (docs/gas.md explains the
figures module by module).

Twenty voters of equal stake vote on one proposal with mixed support (For, Against, Abstain). A
non-voting lock sizes the gmFLOCK supply so that the tenth voter carries For + Abstain over the 4%
quorum: half the votes are cast before quorum (and pay the late-quorum module's check), one crosses
it, the rest come after. ``gas.gov_cast_vote`` is the median of the twenty, and
``gas.gov_cast_vote_first`` the first vote on the fresh proposal (it writes the first tally slot).
"""

from __future__ import annotations

import statistics

from eth_utils import keccak

from flock.bench.registry import Results, benchmark
from flock.chain.clock import advance
from flock.chain.local import new_accounts
from flock.deploy.ape_backend import deploy_fresh
from flock.units import DAY, WAD

N_VOTERS = 20
CROSSING_VOTER = 10  # 1-based: the vote that reaches quorum
SUPPORT = (1, 1, 0, 1, 2, 1, 0, 1, 1, 2) * 2  # 0 Against, 1 For, 2 Abstain
DESCRIPTION = "# Lower the gmFLOCK withdrawal fee to 3%"
STAKE = 20_000 * WAD


def _size_supply(p, voters) -> None:
    """Locks non-voting stake so that voter CROSSING_VOTER reaches quorum (For + Abstain)."""
    gm, token, deployer = p.gmflock, p.token, p.deployer
    weight = gm.balanceOf(voters[0])
    counted_before = sum(1 for s in SUPPORT[: CROSSING_VOTER - 1] if s != 0)
    quorum_percent = p.governor.quorumNumerator()
    # quorum falls halfway into the crossing voter's weight
    supply = (counted_before * weight + weight // 2) * 100 // quorum_percent
    rest = supply - gm.totalSupply()
    token.approve(gm, rest, sender=deployer)
    gm.lock(rest, 30 * DAY, sender=deployer)


@benchmark("governance", needs_chain=True)
def governance_gas() -> Results:
    p = deploy_fresh()
    token, gm, gov, deployer = p.token, p.gmflock, p.governor, p.deployer
    voters = new_accounts(N_VOTERS, deployer)
    for voter in voters:
        token.transfer(voter, STAKE, sender=deployer)
        token.approve(gm, STAKE, sender=voter)
        gm.lock(STAKE, 30 * DAY, sender=voter)
    _size_supply(p, voters)
    advance(60)

    targets, values = [gm.address], [0]
    calldatas = [gm.setWithdrawalFee.encode_input(300, deployer)]
    description_hash = keccak(text=DESCRIPTION)
    out: Results = {}
    out["gas.gov_propose"] = gov.propose(targets, values, calldatas, DESCRIPTION, sender=voters[0]).gas_used
    proposal_id = gov.hashProposal(targets, values, calldatas, description_hash)
    advance(gov.votingDelay() + 1)

    quorum = gov.quorum(gov.proposalSnapshot(proposal_id))
    gas, reached = [], []
    for voter, support in zip(voters, SUPPORT, strict=True):
        gas.append(gov.castVote(proposal_id, support, sender=voter).gas_used)
        _, votes_for, votes_abstain = gov.proposalVotes(proposal_id)
        reached.append(votes_for + votes_abstain >= quorum)
    if reached.index(True) != CROSSING_VOTER - 1:
        raise AssertionError(f"quorum was reached by voter {reached.index(True) + 1}, not {CROSSING_VOTER}")
    out["gas.gov_cast_vote_first"] = gas[0]
    out["gas.gov_cast_vote"] = statistics.median(gas)
    out["gas.gov_cast_vote_before_quorum"] = statistics.median(gas[1 : CROSSING_VOTER - 1])
    out["gas.gov_cast_vote_crossing_quorum"] = gas[CROSSING_VOTER - 1]
    out["gas.gov_cast_vote_after_quorum"] = statistics.median(gas[CROSSING_VOTER:])

    advance(gov.proposalDeadline(proposal_id) - gov.clock() + 1)
    out["gas.gov_queue"] = gov.queue(targets, values, calldatas, description_hash, sender=voters[1]).gas_used
    advance(p.timelock.getMinDelay() + 1)
    out["gas.gov_execute"] = gov.execute(
        targets, values, calldatas, description_hash, sender=voters[2]
    ).gas_used
    if gm.withdrawalFee()[0] != 300:
        raise AssertionError("the proposal did not change the withdrawal fee")
    return out
