"""An independent client (issue 13): web3.py with only abi/ and the deployment manifest stakes, locks
with a permit, delegates by signature, creates and joins a task, proposes, votes by signature,
queues and executes, computes the task epoch's emission budget from the controller's events, posts
and finalizes a reward root as oracles, claims (directly and through claimMany), and decodes every
revert it meets. Every transaction is sent with gas = eth_estimateGas at the latest block and mined
two seconds later."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_utils import keccak
from independent_client import Client, Reverted, reward_tree

from flock.emissions import Budget, Enrolment, EpochSplit, WeightChange, epoch_budget, task_weights
from flock.paths import PROJECT_ROOT

E = 10**18
DAY = 86_400
FOR = 1


@pytest.fixture
def client(chain, manifest, manifest_file):
    c = Client(chain.provider.uri, manifest_file, PROJECT_ROOT)

    def two_seconds_later(latest) -> None:
        c.w3.provider.make_request("evm_setNextBlockTimestamp", [latest["timestamp"] + 2])

    c.before_send = two_seconds_later
    return c


def _mine_at(c: Client, timestamp: int) -> None:
    latest = c.w3.eth.get_block("latest")["timestamp"]
    c.w3.provider.make_request("evm_setNextBlockTimestamp", [max(timestamp, latest + 1)])
    c.w3.provider.make_request("evm_mine", [])


def epoch_budget_of(c: Client, emissions, task: int, epoch: int) -> Budget:
    """The task's budget for the epoch as any client computes it (decision 228): its weight from the
    controller's events (topic-filtered by the indexed taskId), the epoch's rate and gamma from
    ``epochInfo``, with the controller's arithmetic (``flock.emissions``)."""

    def logs(name: str) -> list:
        found = getattr(emissions.events, name).get_logs(from_block=0, argument_filters={"taskId": task})
        return [log.args for log in sorted(found, key=lambda log: (log.blockNumber, log.logIndex))]

    (enrolled,) = logs("TaskEnrolled")
    weights = task_weights(
        Enrolment(enrolled.arena, enrolled.fromEpoch, enrolled.expiry),
        [WeightChange(a.fromEpoch, a.nodeUnits, a.validatorUnits) for a in logs("TaskWeightChanged")],
        [a.fromEpoch for a in logs("TaskRetired")],
    )
    if epoch >= c.call(emissions.functions.nextEpoch()):
        return epoch_budget(weights, epoch, EpochSplit(0, 0, 0, 0), 0)
    info = c.call(emissions.functions.epochInfo(epoch))
    return epoch_budget(weights, epoch, EpochSplit(info.minted, info.units, info.rate, info.dust), info.gamma)


class Expect:
    """Runs calls that must revert and records the decoded errors."""

    def __init__(self) -> None:
        self.met: list[str] = []

    def revert(self, name: str, action) -> tuple:
        with pytest.raises(Reverted) as raised:
            action()
        error = raised.value.error
        assert error is not None, f"undecodable revert 0x{raised.value.data.hex()}"
        assert error.name == name, str(error)
        self.met.append(name)
        return error.args


def test_independent_client_drives_the_suite(client, accounts):
    c, expect = client, Expect()
    keys = {name: accounts[i].private_key for i, name in enumerate(("deployer", "alice", "bob", "carol"))}
    keys |= {"oracle1": accounts[10].private_key, "oracle2": accounts[11].private_key}
    addr = {name: Account.from_key(key).address for name, key in keys.items()}
    token, gm, gov, tasks = (c.contract(k) for k in ("token", "gmflock", "governor", "tasks"))
    emissions, rewards = c.contract("emissions"), c.contract("rewards")
    now = lambda: c.w3.eth.get_block("latest")["timestamp"]  # noqa: E731

    # Stake: alice approves and locks; bob locks with a permit; carol delegates to alice by signature,
    # bob relaying it.
    for who in ("alice", "bob", "carol"):
        c.send(keys["deployer"], token.functions.transfer(addr[who], 200_000 * E))
    c.send(keys["alice"], token.functions.approve(gm.address, 120_000 * E))
    c.send(keys["alice"], gm.functions.lock(120_000 * E, 365 * DAY))
    c.send(keys["carol"], token.functions.approve(gm.address, 20_000 * E))
    c.send(keys["carol"], gm.functions.lock(20_000 * E, 30 * DAY))
    deadline = now() + DAY
    v, r, s = c.permit(keys["bob"], gm.address, 50_000 * E, deadline)
    c.send(keys["bob"], gm.functions.lockWithPermit(50_000 * E, 30 * DAY, deadline, v, r, s))
    assert c.call(gm.functions.lockedOf(addr["bob"])) == 50_000 * E
    nonce = c.call(gm.functions.nonces(addr["carol"]))
    expiry = now() + DAY
    v, r, s = c.delegation(keys["carol"], addr["alice"], nonce, expiry)
    c.send(keys["bob"], gm.functions.delegateBySig(addr["alice"], nonce, expiry, v, r, s))
    assert c.call(gm.functions.delegates(addr["carol"])) == addr["alice"]

    # Reverts a wallet meets, decoded with the published ABIs alone.
    args = expect.revert(
        "InvalidAccountNonce",
        lambda: c.send(keys["bob"], gm.functions.delegateBySig(addr["alice"], nonce, expiry, v, r, s)),
    )
    assert args == (addr["carol"], nonce + 1)
    pv, pr, ps = c.permit(keys["bob"], gm.address, 1, now() - 1)
    expect.revert(
        "ERC2612ExpiredSignature",
        lambda: c.send(
            keys["bob"], token.functions.permit(addr["bob"], gm.address, 1, now() - 1, pv, pr, ps)
        ),
    )
    expect.revert(
        "ERC20InsufficientAllowance",
        lambda: c.send(keys["bob"], token.functions.transferFrom(addr["alice"], addr["bob"], 1)),
    )
    expect.revert(
        "AccessControlUnauthorizedAccount",
        lambda: c.send(keys["alice"], token.functions.mint(addr["alice"], 1)),
    )
    expect.revert("GmFlockLockNotExpired", lambda: c.send(keys["alice"], gm.functions.unlock(0)))
    expect.revert("GmFlockFutureLookup", lambda: c.call(gov.functions.getVotes(addr["alice"], now() + DAY)))

    # A task: carol creates it, alice joins as a training node, bob as a validator.
    spec = b"independent client task"
    c.send(keys["carol"], tasks.functions.createTask(0, 30 * DAY, keccak(spec), "ipfs://independent", 0, 0))
    task = c.call(tasks.functions.taskCount())
    c.send(keys["alice"], tasks.functions.join(task, 1, 10_000 * E, 5_000))
    c.send(keys["bob"], tasks.functions.join(task, 2, 5_000 * E, 3_000))

    # Governance approves it: alice proposes, votes by signature (bob relays), bob queues and executes.
    calldata = tasks.encode_abi("approveTask", [task])
    description = f"# Approve task {task}"
    proposal = ([tasks.address], [0], [calldata], description)
    c.send(keys["alice"], gov.functions.propose(*proposal))
    hashed = (*proposal[:3], keccak(text=description))
    proposal_id = c.call(gov.functions.hashProposal(*hashed))
    _mine_at(c, c.call(gov.functions.proposalSnapshot(proposal_id)) + 1)
    ballot = c.ballot(keys["alice"], proposal_id, FOR)
    c.send(keys["bob"], gov.functions.castVoteBySig(proposal_id, FOR, addr["alice"], ballot))
    assert c.call(gov.functions.hasVoted(proposal_id, addr["alice"]))
    against, for_votes, _ = c.call(gov.functions.proposalVotes(proposal_id))
    assert against == 0 and for_votes > 140_000 * E  # alice's own lock and carol's delegation
    expect.revert(
        "GovernorInvalidSignature",
        lambda: c.send(keys["bob"], gov.functions.castVoteBySig(proposal_id, FOR, addr["alice"], ballot)),
    )
    _mine_at(c, c.call(gov.functions.proposalDeadline(proposal_id)) + 1)
    c.send(keys["bob"], gov.functions.queue(*hashed))
    expect.revert(
        "TimelockUnexpectedOperationState", lambda: c.send(keys["bob"], gov.functions.execute(*hashed))
    )
    _mine_at(c, c.call(gov.functions.proposalEta(proposal_id)))
    c.send(keys["bob"], gov.functions.execute(*hashed))
    assert c.call(tasks.functions.taskInfo(task)).state == 2  # Approved

    # An epoch earns; two oracles post the same root; after the challenge window it is final.
    genesis, length = c.call(emissions.functions.genesis()), c.call(emissions.functions.epochLength())
    epoch = c.call(emissions.functions.currentEpoch()) + 1
    _mine_at(c, genesis + epoch * length + 60)
    c.send(keys["bob"], emissions.functions.checkpoint())
    _mine_at(c, genesis + (epoch + 1) * length + 60)
    c.send(keys["bob"], emissions.functions.checkpoint())
    budget = epoch_budget_of(c, emissions, task, epoch).total
    assert budget > 0
    leaves = [(0, addr["alice"], budget // 2), (1, addr["bob"], budget // 4)]
    root, proofs = reward_tree(leaves)
    total = sum(amount for _, _, amount in leaves)
    for oracle in ("oracle1", "oracle2"):
        c.send(keys[oracle], rewards.functions.postRoot(task, epoch, root, total, 0, keccak(b"report")))
    _mine_at(c, c.call(rewards.functions.epochRewards(task, epoch)).finalizesAt)
    c.send(keys["bob"], rewards.functions.finalize(task, epoch))

    # Claims: bob claims alice's leaf from the pot (anyone may), then his own through claimMany.
    pot = c.at("RewardPot", c.call(rewards.functions.potOf(task, epoch)))
    before = c.call(token.functions.balanceOf(addr["alice"]))
    c.send(keys["bob"], pot.functions.claim(0, addr["alice"], budget // 2, proofs[0]))
    assert c.call(token.functions.balanceOf(addr["alice"])) > before
    claim = (task, epoch, 1, addr["bob"], budget // 4, proofs[1])
    expect.revert(
        "RewardPotInvalidProof",
        lambda: c.send(keys["bob"], rewards.functions.claimMany([(*claim[:4], budget, proofs[1])])),
    )
    c.send(keys["bob"], rewards.functions.claimMany([claim]))
    assert c.call(pot.functions.isClaimed(1))
    expect.revert(
        "RewardPotAlreadyClaimed",
        lambda: c.send(keys["bob"], pot.functions.claim(0, addr["alice"], budget // 2, proofs[0])),
    )

    assert set(expect.met) == {
        "InvalidAccountNonce",
        "ERC2612ExpiredSignature",
        "ERC20InsufficientAllowance",
        "AccessControlUnauthorizedAccount",
        "GmFlockLockNotExpired",
        "GmFlockFutureLookup",
        "GovernorInvalidSignature",
        "TimelockUnexpectedOperationState",
        "RewardPotInvalidProof",
        "RewardPotAlreadyClaimed",
    }
