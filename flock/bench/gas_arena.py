"""Gas of AI Arena model submissions by commit-reveal and of a permissionless slash, measured on
anvil (issue 11).

One approved Arena task with two training nodes (one with a delegator) and a validator:

- ``gas.submit_commit``: a node's model commitment (``ArenaSubmissions.commitModel``), the first
  of its epoch;
- ``gas.submit_reveal``: its reveal after the submit phase (``revealModel``, a 59-character
  ``ipfs://`` URI in the event);
- ``gas.arena_slash``: a stranger slashing the other node, which committed and never revealed
  (``ArenaSlasher.slashUnrevealed``): its own stake and its delegator's pool, the seized FLOCK
  routed to the keeper and the treasury, the task's emission weight reported.
"""

from __future__ import annotations

from eth_utils import keccak

from flock.bench.registry import Results, benchmark
from flock.chain.clock import head_time, mine_at
from flock.chain.local import new_accounts
from flock.deploy.ape_backend import deploy_fresh
from flock.rewards import model_commitment
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
SALT = keccak(text="bench salt")


@benchmark("arena", needs_chain=True)
def arena_gas() -> Results:
    p = deploy_fresh()
    deployer, admin = p.deployer, p.admin
    creator, node, absent, validator, delegator, keeper = new_accounts(6, deployer)
    for account in (creator, node, absent, validator, delegator):
        p.token.transfer(account, 100_000 * WAD, sender=deployer)
        p.token.approve(p.gmflock, 100_000 * WAD, sender=account)
        p.gmflock.lock(100_000 * WAD, 365 * DAY, sender=account)
    p.tasks.createTask(
        TaskKind.ARENA, 30 * DAY, spec_hash("bench arena"), "ipfs://arena", 0, 0, sender=creator
    )
    task = p.tasks.taskCount()
    p.tasks.join(task, Role.NODE, 20_000 * WAD, 5_000, sender=node)
    p.tasks.join(task, Role.NODE, 20_000 * WAD, 5_000, sender=absent)
    p.tasks.join(task, Role.VALIDATOR, 20_000 * WAD, 5_000, sender=validator)
    p.tasks.delegateStake(task, absent, 10_000 * WAD, sender=delegator)
    p.tasks.approveTask(task, sender=admin)
    subs, em = p.submissions, p.emissions
    epoch = em.currentEpoch() + 1
    mine_at(max(head_time() + 1, subs.schedule(epoch).start + 60))
    em.checkpoint(sender=keeper)

    model = keccak(text="bench model")
    out: Results = {}
    committed = model_commitment(model, URI, SALT, str(node), task, epoch)
    out["gas.submit_commit"] = subs.commitModel(task, committed, sender=node).gas_used
    subs.commitModel(task, model_commitment(model, URI, SALT, str(absent), task, epoch), sender=absent)
    mine_at(max(head_time() + 1, subs.schedule(epoch).submitEnd + 60))
    out["gas.submit_reveal"] = subs.revealModel(task, model, URI, SALT, sender=node).gas_used
    mine_at(max(head_time() + 1, subs.schedule(epoch).modelRevealEnd + 60))
    receipt = p.slasher.slashUnrevealed(task, epoch, absent, sender=keeper)
    assert any(e.event_name == "ArenaSlashed" for e in receipt.events)
    out["gas.arena_slash"] = receipt.gas_used
    return out
