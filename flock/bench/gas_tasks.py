"""Gas of task operations and of the emission checkpoint, whole-transaction, measured on anvil.

Each figure is taken in the common situation, not a warmed-up best case: a new member is an
account that never staked before (its gmFLOCK allocation slot goes from zero to non-zero), the
task is approved (so the join also reports the new weight to the emission controller) and the
epoch is already open. The checkpoint figures open one epoch with eligible stake, after an earlier
epoch has minted (so both runs write the same kinds of slots): once with 1 approved task and once
with 500.
"""

from __future__ import annotations

from typing import Any

from flock.bench.registry import Results, benchmark
from flock.chain.clock import head_time, mine_at
from flock.chain.local import new_accounts
from flock.chain.protocol import LiveProtocol
from flock.deploy.ape_backend import deploy_fresh
from flock.tasks import Role, TaskKind, slash_route, spec_hash
from flock.units import DAY, WAD

SPEC = spec_hash("bench spec")
URI = "ipfs://bafybeibench"


def _stake(p: LiveProtocol, accounts: list[Any], flock: int, days: int = 365) -> None:
    """Gives each account ``flock`` FLOCK and locks it all."""
    for account in accounts:
        p.token.transfer(account, flock * WAD, sender=p.deployer)
        p.token.approve(p.gmflock, flock * WAD, sender=account)
        p.gmflock.lock(flock * WAD, days * DAY, sender=account)


def _enter_next_epoch(p: LiveProtocol) -> None:
    """Moves a minute into the next epoch."""
    em = p.emissions
    mine_at(em.genesis() + (em.currentEpoch() + 1) * em.epochLength() + 60)


def _next_epoch(p: LiveProtocol, keeper: Any) -> None:
    """Moves into the next epoch and opens it."""
    _enter_next_epoch(p)
    p.emissions.checkpoint(sender=keeper)


@benchmark("tasks", needs_chain=True)
def task_gas() -> Results:
    p = deploy_fresh()
    tasks, admin, deployer = p.tasks, p.admin, p.deployer
    people = new_accounts(9, deployer)
    creator, node, validator, first, member, newcomer, second, delegator, later = people
    _stake(p, people, 100_000)
    out: Results = {}

    # A creator who created before, creating again.
    tasks.createTask(TaskKind.ARENA, 20 * DAY, SPEC, URI, 0, 0, sender=creator)
    out["gas.task_create"] = tasks.createTask(
        TaskKind.ARENA, 20 * DAY, SPEC, URI, 0, 0, sender=creator
    ).gas_used
    arena = tasks.taskCount()
    tasks.createTask(TaskKind.ALLIANCE, 20 * DAY, SPEC, URI, 2, 16, sender=creator)
    alliance = tasks.taskCount()
    out["gas.task_approve"] = tasks.approveTask(arena, sender=admin).gas_used
    tasks.approveTask(alliance, sender=admin)
    tasks.join(arena, Role.NODE, 10_000 * WAD, 5_000, sender=node)
    tasks.join(alliance, Role.PARTICIPANT, 10_000 * WAD, 0, sender=first)
    _next_epoch(p, deployer)

    # gas.task_join: a new participant, the task's first stake change in the epoch, measured in two
    # consecutive epochs; the key reports the dearer. Since decision 236 the controller keeps no
    # per-epoch weight history (a weight change rewrites the task's record, which exists), so both
    # cases and a further join in the same epoch cost about the same; the keys stay comparable with
    # the figures before it, when every other first join wrote a new history slot.
    first_in_epoch = []
    for account in (member, newcomer):
        first_in_epoch.append(tasks.join(alliance, Role.PARTICIPANT, 5_000 * WAD, 0, sender=account).gas_used)
        _next_epoch(p, deployer)
    out["gas.task_join"] = max(first_in_epoch)
    out["gas.task_join_cheaper_half"] = min(first_in_epoch)
    out["gas.task_join_same_epoch"] = tasks.join(
        alliance, Role.PARTICIPANT, 5_000 * WAD, 0, sender=second
    ).gas_used
    out["gas.task_join_validator"] = tasks.join(
        arena, Role.VALIDATOR, 20_000 * WAD, 5_000, sender=validator
    ).gas_used
    out["gas.task_delegate"] = tasks.delegateStake(arena, node, 2_000 * WAD, sender=delegator).gas_used
    out["gas.task_add_stake"] = tasks.addStake(arena, 1_000 * WAD, sender=node).gas_used

    # Slashing an operator with delegators is O(1); each delegator's share arrives at sync.
    tasks.grantRole(tasks.SLASHER_ROLE(), admin, sender=admin)
    route = slash_route(str(admin.address), str(deployer.address), 1_000, 0)
    offence_at = head_time()  # after the delegation: the delegator is at risk
    slashed = tasks.slash(arena, node, 1_000 * WAD, offence_at, route, sender=admin)
    out["gas.task_slash_operator"] = slashed.gas_used
    out["gas.task_sync_delegator"] = tasks.sync(arena, delegator, sender=later).gas_used
    out["gas.task_undelegate"] = tasks.undelegate(arena, sender=delegator).gas_used
    return out


@benchmark("emissions", needs_chain=True)
def checkpoint_gas() -> Results:
    out: Results = {}
    for n in (1, 500):
        p = deploy_fresh()
        creator, node = new_accounts(2, p.deployer)
        _stake(p, [creator, node], 1_000_000)
        for _ in range(n):
            p.tasks.createTask(TaskKind.ARENA, 30 * DAY, SPEC, URI, 0, 0, sender=creator)
            task_id = p.tasks.taskCount()
            p.tasks.join(task_id, Role.NODE, 1_000 * WAD, 5_000, sender=node)
            p.tasks.approveTask(task_id, sender=p.admin)
        _next_epoch(p, p.deployer)  # the first epoch with eligible stake: mints for the first time
        em = p.emissions
        _enter_next_epoch(p)
        receipt = em.checkpoint(sender=p.deployer)
        assert em.epochInfo(em.nextEpoch() - 1).units > 0
        out[f"gas.emission_checkpoint_{n}_task{'s' if n > 1 else ''}"] = receipt.gas_used
    out["gas.emission_checkpoint_500_vs_1"] = round(
        out["gas.emission_checkpoint_500_tasks"] / out["gas.emission_checkpoint_1_task"], 4
    )
    return out
