"""Gas estimates that hold (issue 13): every transaction of a whole protocol epoch (lock, create and
join a task, delegate stake, propose, vote, queue, execute, open the epoch, submit, commit and reveal
scores, post and finalize the root, claim) and of the gmFLOCK actions around it is sent with exactly
the gas ``eth_estimateGas`` returns against the latest block, and mined one block (two seconds)
later. None may run out of gas.

Before the fix a vote checkpoint written at a new timestamp cost a fresh storage slot that an
estimate run in the block of the account's (or the supply's) previous checkpoint did not pay for:
``delegate`` used 1.96x its estimate.
"""

from __future__ import annotations

from rich.console import Console

from flock.alliance.cli import make_plan
from flock.alliance.live import federation, stake_and_join
from flock.chain.clock import advance
from flock.chain.protocol import LiveProtocol
from flock.protocol_epoch import run_epoch
from flock.tasks import TaskKind, spec_hash
from flock.testing.estimates import estimate_then_later
from flock.units import DAY, WAD

# The user and operator functions the sweep must have sent at least once.
EXERCISED = {
    "FlockToken.transfer",
    "FlockToken.approve",
    "GmFlock.lock",
    "GmFlock.delegate",
    "GmFlock.extend",
    "GmFlock.unlock",
    "TaskRegistry.createTask",
    "TaskRegistry.join",
    "TaskRegistry.delegateStake",
    "FlockGovernor.propose",
    "FlockGovernor.castVote",
    "FlockGovernor.queue",
    "FlockGovernor.execute",
    "EmissionController.checkpoint",
    "ArenaSubmissions.commitModel",
    "ArenaSubmissions.revealModel",
    "ArenaSubmissions.commitScores",
    "ArenaSubmissions.revealScores",
    "RewardDistributor.postRoot",
    "RewardDistributor.finalize",
    "RewardPot.claim",
}


def _addresses(manifest) -> dict[str, str]:
    return {record.address: record.contract for record in manifest.contracts.values()}


def test_every_estimate_at_latest_is_enough_one_block_later(
    chain, manifest, deployer, gmflock, token, accounts
):
    with estimate_then_later(chain.provider, _addresses(manifest)) as log:
        run_epoch(LiveProtocol(manifest, deployer), deployer, Console(quiet=True))
        # gmFLOCK actions after the epoch (alice, bob and carol locked in it), each estimated in the
        # block of the previous one: the checkpoints of both ends of a delegation, then of the supply.
        alice, bob, carol = accounts[1], accounts[2], accounts[3]
        gmflock.invoke_transaction("delegate", bob, sender=alice)
        gmflock.invoke_transaction("delegate", carol, sender=alice)
        gmflock.invoke_transaction("delegate", alice, sender=alice)
        token.approve(gmflock, 2_000 * WAD, sender=bob)
        gmflock.lock(1_000 * WAD, 30 * DAY, sender=bob)
        gmflock.lock(1_000 * WAD, 30 * DAY, sender=bob)
        lock_id = int(gmflock.lockCount(bob)) - 1
        gmflock.extend(lock_id, 60 * DAY, sender=bob)
        advance(61 * DAY)
        gmflock.unlock(lock_id, sender=bob)

    assert log.sent, "the sweep sent nothing"
    missing = EXERCISED - log.functions()
    assert not missing, f"the sweep did not exercise {sorted(missing)}"
    # Each transaction was sent with gas = its estimate at the latest block and mined in the next
    # block, two seconds later; ape raises on a revert or on running out of gas, and every receipt
    # is checked here as well.
    failed = [s for s in log.sent if s.status != 1 or s.gas_used > s.estimate]
    assert not failed, failed


ALLIANCE_EXERCISED = {
    "TaskRegistry.createTask",
    "TaskRegistry.join",
    "TaskRegistry.approveTask",
    "EmissionController.checkpoint",
}


def test_an_alliance_round_holds_its_estimates_too(chain, manifest, deployer, accounts, tmp_path):
    """An FL Alliance task on the session's deployment and one round with a malicious participant
    (enroll, seeds, draw, proposals, votes, finalize, slash), all with gas = estimate."""
    plan = make_plan(4, "last", "label-flip", "digits", 7)
    p = LiveProtocol(manifest, deployer)
    creator, keeper, *people = accounts[1:7]
    with estimate_then_later(chain.provider, _addresses(manifest)) as log:
        p.token.transfer(creator, 10_000 * WAD, sender=deployer)
        p.token.approve(p.gmflock, 10_000 * WAD, sender=creator)
        p.gmflock.lock(10_000 * WAD, 365 * DAY, sender=creator)
        spec = "flock://alliance/digits/softmax"
        p.tasks.createTask(TaskKind.ALLIANCE, 30 * DAY, spec_hash(spec), spec, 2, 4, sender=creator)
        task = p.tasks.taskCount()
        named = dict(zip(plan.names, people, strict=True))
        for name, stake in zip(plan.names, plan.stakes, strict=True):
            stake_and_join(p, task, named[name], stake, lock_flock=stake)
        p.tasks.approveTask(task, sender=p.admin)
        advance(DAY)  # the task earns from the epoch after its approval
        p.emissions.checkpoint(sender=keeper)
        federation(p, task, named, plan, keeper, tmp_path).run_round()
    assert log.functions() >= ALLIANCE_EXERCISED
    alliance_calls = {f for f in log.functions() if f.startswith("AllianceRounds.")}
    assert len(alliance_calls) >= 6, sorted(alliance_calls)
    failed = [s for s in log.sent if s.status != 1 or s.gas_used > s.estimate]
    assert not failed, failed
