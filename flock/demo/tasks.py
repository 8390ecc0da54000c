"""Demo chapter: two AI Arena tasks and one FL Alliance task are created and joined by training
nodes, validators, participants and delegators; one DAO proposal (the `approve-task` template of
`ape run dao`) approves all three through the governor; epochs pass and the emission is split.

The table shows, for each task and epoch, its budget and how it divides between training nodes
and validators (gamma split) or goes to the alliance participants, and checks that the budgets of
an epoch plus its rounding dust are exactly what was minted.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table

from flock.chain.budgets import budget_in, weights_of
from flock.chain.clock import advance, mine_at
from flock.dao.deployment import Deployment
from flock.dao.proposals import Governance
from flock.dao.render import print_draft
from flock.dao.templates import build_draft
from flock.demo.context import DemoContext
from flock.emissions import EpochClock
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD, format_token

# (key, kind, creator, days, spec URI, participant bounds)
TASKS = (
    ("arena-chat", TaskKind.ARENA, "bob", 30, "ipfs://flock/arena-chat-finetune", (0, 0)),
    ("arena-code", TaskKind.ARENA, "carol", 30, "ipfs://flock/arena-code-assistant", (0, 0)),
    ("alliance-med", TaskKind.ALLIANCE, "dave", 30, "ipfs://flock/alliance-medical-notes", (2, 5)),
)
NEWCOMERS = ("frank", "grace", "heidi")  # lock FLOCK here; alice..erin locked in the staking chapter
# (task, who, role, gmFLOCK, sigma in bps)
JOINS = (
    ("arena-chat", "frank", Role.NODE, 6_000, 5_000),
    ("arena-chat", "grace", Role.NODE, 3_000, 4_000),
    ("arena-chat", "heidi", Role.VALIDATOR, 4_000, 3_000),
    ("arena-code", "bob", Role.NODE, 3_000, 6_000),
    ("arena-code", "carol", Role.VALIDATOR, 9_000, 2_000),
    ("alliance-med", "dave", Role.PARTICIPANT, 5_000, 0),
    ("alliance-med", "alice", Role.PARTICIPANT, 2_000, 0),
    ("alliance-med", "grace", Role.PARTICIPANT, 3_000, 0),
)
# (task, delegator, operator, gmFLOCK, epochs after the approval's epoch at which it happens)
DELEGATIONS = (
    ("arena-chat", "erin", "frank", 4_000, 0),
    ("arena-code", "alice", "carol", 1_500, 1),
    ("arena-code", "heidi", "bob", 6_000, 2),
)
EPOCHS = 4
VOTES = (("alice", "for"), ("bob", "for"), ("frank", "for"), ("carol", "abstain"))


def _approve_by_proposal(ctx: DemoContext, ids: dict[str, int]) -> None:
    """One proposal approves every task: a draft from the `approve-task` template, then propose,
    vote, queue and execute, as `ape run dao` does."""
    p, console = ctx.protocol, ctx.console
    deployment = Deployment(p)
    governance = Governance(deployment)
    gov = deployment.governor
    draft = build_draft(deployment, "approve-task", {"task_ids": tuple(str(i) for i in ids.values())}, None)
    print_draft(console, deployment, draft)
    advance(1)  # votes count from the second after they were locked
    proposal = governance.propose(draft, ctx.people["alice"])
    advance(int(gov.votingDelay()) + 1)
    for who, support in VOTES:
        governance.vote(proposal, support, ctx.people[who])
    advance(int(gov.proposalDeadline(proposal.id)) - int(gov.clock()) + 1)
    governance.queue(proposal, ctx.people["bob"])
    advance(int(p.timelock.getMinDelay()) + 1)
    governance.execute(proposal, ctx.people["carol"])
    console.print(
        f"proposal {proposal.short_id}… {governance.state(proposal)}: the timelock approved "
        + ", ".join(f"{key} (task {i})" for key, i in ids.items())
        + f" in epoch {p.emissions.currentEpoch()}; they earn from the next epoch"
    )


def _enter_epoch(ctx: DemoContext, epoch: int) -> None:
    em = ctx.protocol.emissions
    mine_at(EpochClock.of(em).start(epoch) + 3600)
    em.checkpoint(sender=ctx.protocol.deployer)


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    tasks, em, gm, token = p.tasks, p.emissions, p.gmflock, p.token
    console.rule("[bold]Tasks: AI Arena and FL Alliance, role stakes, delegation, emissions")
    for who in NEWCOMERS:
        account = ctx.people[who]
        token.transfer(account, 20_000 * WAD, sender=p.deployer)
        token.approve(gm, 20_000 * WAD, sender=account)
        gm.lock(20_000 * WAD, 180 * DAY, sender=account)

    ids: dict[str, int] = {}
    for key, kind, creator, days, uri, (lo, hi) in TASKS:
        tasks.createTask(kind, days * DAY, spec_hash(uri), uri, lo, hi, sender=ctx.people[creator])
        ids[key] = tasks.taskCount()
        console.print(
            f"  {creator} created [bold]{key}[/] (task {ids[key]}, {kind.name.lower()}, {days} days), "
            f"creator stake {format_token(tasks.taskInfo(ids[key]).creatorStake)} gmFLOCK"
        )
    for key, who, role, amount, sigma in JOINS:
        tasks.join(ids[key], role, amount * WAD, sigma, sender=ctx.people[who])
    console.print("  nodes, validators and participants join (a task takes members before its approval)")
    ctx.notes["task_ids"] = ids

    _approve_by_proposal(ctx, ids)
    approved_in = em.currentEpoch()
    for step in range(EPOCHS + 1):
        if step:
            _enter_epoch(ctx, em.currentEpoch() + 1)
        for key, delegator, operator, amount, when in DELEGATIONS:
            if when == step:
                tasks.delegateStake(
                    ids[key], ctx.people[operator], amount * WAD, sender=ctx.people[delegator]
                )
                console.print(
                    f"  epoch {em.currentEpoch()}: {delegator} delegates {amount:,} gmFLOCK to {operator} "
                    f"in {key} (counts from the next epoch)"
                )
    _print_stakes(ctx, ids)
    _print_budgets(ctx, ids, range(approved_in, em.nextEpoch()))


def _print_stakes(ctx: DemoContext, ids: dict[str, int]) -> None:
    tasks = ctx.protocol.tasks
    table = Table(title="stakes now (gmFLOCK): own + delegated")
    for column in ("task", "account", "role", "own", "delegated", "sigma"):
        table.add_column(column, justify="left" if column in ("task", "account", "role") else "right")
    for key, who, role, _, _ in JOINS:
        own, delegated, _ = tasks.effectiveStake(ids[key], ctx.people[who])
        sigma = tasks.memberOf(ids[key], ctx.people[who]).sigmaBps
        table.add_row(
            key,
            who,
            role.name.lower(),
            format_token(own, places=0),
            format_token(delegated, places=0),
            f"{sigma / 100:.0f}%" if role != Role.PARTICIPANT else "",
        )
    ctx.console.print(table)


def _share(part: int, total: int) -> str:
    return f"{100 * part / total:.1f}%" if total else "-"


def _print_budgets(ctx: DemoContext, ids: dict[str, int], epochs: Any) -> None:
    em = ctx.protocol.emissions
    table = Table(title="emission budgets per task and epoch (FLOCK)")
    for column in ("epoch", "task", "weight", "budget", "nodes", "validators", "nodes %", "validators %"):
        table.add_column(column, justify="left" if column == "task" else "right")
    # One epoch's budget is computed from the controller's events about the task (decision 228).
    weights = {key: weights_of(ctx.protocol, task_id) for key, task_id in ids.items()}
    next_epoch = int(em.nextEpoch())
    for epoch in epochs:
        info = em.epochInfo(epoch)
        total = 0
        for key in ids:
            budget = budget_in(em, weights[key], epoch, next_epoch)
            total += budget.total
            nodes_units, validator_units = weights[key].units(epoch)
            alliance = key.startswith("alliance")
            table.add_row(
                str(epoch),
                key,
                f"{(nodes_units + validator_units) / 1000:,.0f}",
                format_token(budget.total),
                format_token(budget.nodes) + (" (participants)" if alliance else ""),
                "" if alliance else format_token(budget.validators),
                "" if alliance else _share(budget.nodes, budget.total),
                "" if alliance else _share(budget.validators, budget.total),
            )
        assert total + info.dust == info.minted, "budgets + dust must equal the epoch's mint"
        table.add_row(
            str(epoch),
            "[dim]minted / dust[/]",
            f"{info.units / 1000:,.0f}",
            format_token(info.minted),
            f"dust {info.dust:,} wei",
            "",
            "",
            "",
            end_section=True,
        )
    ctx.console.print(table)
    e0, decay, period = em.schedule()
    ctx.console.print(
        f"E_k = {format_token(e0, places=0)} x {decay / WAD} ^ floor(k / {period}) FLOCK per epoch, "
        f"capped at {format_token(em.epochCap(), places=0)}; split by stake, inside Arena tasks "
        f"R_nodes = R (g + (1 - 2g) T / (T + V)) with g = {em.gamma() / WAD}"
    )
