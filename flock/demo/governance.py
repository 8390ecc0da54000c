"""Demo chapter: the DAO lowers the gmFLOCK withdrawal fee, through the same library the `ape run
dao` command line uses: a template draft, a simulation, propose, vote, queue, execute."""

from __future__ import annotations

from rich.table import Table

from flock.chain.clock import advance
from flock.dao.deployment import Deployment
from flock.dao.proposals import Governance
from flock.dao.render import print_draft, print_simulation, status_panel
from flock.dao.simulate import simulate
from flock.dao.templates import build_draft
from flock.demo.context import DemoContext
from flock.units import format_token

NEW_FEE_BPS = 300
VOTES = (("alice", "for"), ("bob", "for"), ("carol", "against"), ("dave", "abstain"))
DESCRIPTION = (
    "# Lower the gmFLOCK withdrawal fee to 3% and pay it to the treasury\n\n"
    "5.13% keeps lockers away; 3% to the treasury funds the DAO instead of burning."
)


def _fee(ctx: DemoContext) -> str:
    bps, recipient = ctx.protocol.gmflock.withdrawalFee()
    name = Deployment(ctx.protocol).name_of(recipient)
    to = "burned" if int(recipient, 16) == 0 else "to the treasury" if name == "timelock" else f"to {name}"
    return f"{bps / 100:.2f}% ({to})"


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    console.rule("[bold]DAO: a proposal lowers the withdrawal fee")
    deployment = Deployment(p)
    governance = Governance(deployment)
    gov = deployment.governor
    before = _fee(ctx)
    threshold = format_token(gov.proposalThreshold())
    console.print(
        f"withdrawal fee now: {before}. Governor: delay {gov.votingDelay() // 3600} h, period "
        f"{gov.votingPeriod() // 3600} h, quorum {gov.quorumNumerator()}% of gmFLOCK, threshold "
        f"{threshold} gmFLOCK; timelock delay {p.timelock.getMinDelay() // 3600} h"
    )

    draft = build_draft(
        deployment,
        "set-param",
        {"parameter": "gmflock.withdrawal_fee", "values": (str(NEW_FEE_BPS), "treasury")},
        DESCRIPTION,
    )
    print_draft(console, deployment, draft)
    console.print("[bold]simulate[/] first: the timelock, impersonated on a snapshot, runs the action")
    print_simulation(console, deployment, simulate(deployment, draft))

    alice = ctx.people["alice"]
    advance(1)  # votes count from the second after they were locked or delegated
    proposal = governance.propose(draft, alice)
    console.print(f"alice proposes (her votes include erin's delegation): {proposal.short_id}…")
    console.print(f"state: {governance.state(proposal)}")

    advance(int(gov.votingDelay()) + 1)
    votes = Table(title="votes")
    for column in ("voter", "support", "weight (gmFLOCK at the snapshot)"):
        votes.add_column(column)
    for who, support in VOTES:
        weight = governance.vote(proposal, support, ctx.people[who])
        votes.add_row(who, support, format_token(weight))
    console.print(votes)
    console.print(status_panel(governance, governance.status(proposal)))

    advance(int(gov.proposalDeadline(proposal.id)) - int(gov.clock()) + 1)
    console.print(f"voting closed: {governance.state(proposal)}")
    governance.queue(proposal, ctx.people["bob"])
    console.print(f"queued in the timelock: {governance.state(proposal)}; anyone may execute after the delay")
    advance(int(p.timelock.getMinDelay()) + 1)
    governance.execute(proposal, ctx.people["carol"])
    console.print(f"executed: {governance.state(proposal)}")
    after = _fee(ctx)
    console.print(f"[bold green]withdrawal fee: {before} -> {after}[/]")
    ctx.notes["governance_proposal"] = proposal.id
