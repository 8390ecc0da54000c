"""Terminal output of the DAO command line: drafts, proposals, status, simulation reports."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from flock.dao.actions import DecodedCall, Draft, decode_action
from flock.dao.deployment import Deployment
from flock.dao.proposals import Governance, Proposal, Status, when
from flock.dao.simulate import SimulationReport
from flock.deploy.config import ZERO_ADDRESS
from flock.deploy.governed import PARAMETERS
from flock.deploy.verify import show_in_unit
from flock.units import format_token

_STATE_STYLE = {
    "Pending": "yellow",
    "Active": "cyan",
    "Succeeded": "green",
    "Queued": "magenta",
    "Executed": "bold green",
    "Defeated": "red",
    "Canceled": "dim",
    "Expired": "dim",
}


def state_text(state: str) -> Text:
    return Text(state, style=_STATE_STYLE.get(state, ""))


def _call_cells(call: DecodedCall) -> tuple[str, str, str]:
    target = f"{call.target_name} ({call.target})" if call.target_name else call.target
    if call.signature is None:
        return target, "(unknown function)", "0x" + call.calldata.hex()
    args = "\n".join(f"{a.name or '?'} ({a.kind}) = {a.shown}" for a in call.args) or "(none)"
    return target, call.signature, args


def actions_table(deployment: Deployment, draft: Draft, title: str = "actions") -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("#", "contract", "function", "arguments", "ETH"):
        table.add_column(column, overflow="fold")
    for number, action in enumerate(draft.actions, start=1):
        target, function, args = _call_cells(decode_action(deployment, action))
        table.add_row(str(number), target, function, args, format_token(action.value, places=4))
    return table


def print_draft(console: Console, deployment: Deployment, draft: Draft) -> None:
    console.print(Panel(draft.description, title="description", expand=False))
    console.print(actions_table(deployment, draft))
    for note in draft.notes:
        console.print(f"[yellow]note:[/] {note}")


def print_proposal(console: Console, deployment: Deployment, proposal: Proposal) -> None:
    head = Table.grid(padding=(0, 2))
    head.add_row("id", str(proposal.id))
    head.add_row("proposer", deployment.describe_address(proposal.proposer))
    head.add_row("created", f"block {proposal.block}, tx {proposal.tx_hash}")
    console.print(Panel(head, title=proposal.title, expand=False))
    print_draft(console, deployment, proposal.draft())


def status_panel(governance: Governance, status: Status) -> Panel:
    s, now = status, status.now
    grid = Table.grid(padding=(0, 2))
    grid.add_row("state", state_text(s.state))
    grid.add_row("", governance.explain(s))
    grid.add_row("votes for", f"{format_token(s.for_)} gmFLOCK")
    grid.add_row("votes against", f"{format_token(s.against)} gmFLOCK")
    grid.add_row("abstain", f"{format_token(s.abstain)} gmFLOCK")
    share = f"{100 * s.counted / s.quorum:.1f}%" if s.quorum else "n/a"
    estimate = " (estimated from today's supply: the snapshot is still ahead)" if s.quorum_is_estimate else ""
    counted, needed = format_token(s.counted), format_token(s.quorum)
    grid.add_row("quorum", f"{counted} counted of {needed} gmFLOCK needed ({share}){estimate}")
    grid.add_row("snapshot", f"{s.snapshot} ({when(s.snapshot, now)})")
    extended = " (extended: quorum was reached late)" if s.extended else ""
    grid.add_row("voting ends", f"{s.deadline} ({when(s.deadline, now)}){extended}")
    if s.eta:
        grid.add_row("executable from", f"{s.eta} ({when(s.eta, now)})")
    return Panel(grid, title=f"{s.proposal.title}  [dim]{s.proposal.id}[/]", expand=False)


def proposals_table(governance: Governance, statuses: list[Status]) -> Table:
    table = Table(title=f"proposals of governor {governance.governor.address}")
    for column in ("id", "state", "title", "for", "against", "abstain", "quorum", "next"):
        # an id is copied into the next command: never folded across lines, whatever the width
        table.add_column(
            column, overflow="fold", no_wrap=column == "id", min_width=10 if column == "id" else None
        )
    for s in statuses:
        quorum = f"{100 * s.counted / s.quorum:.0f}%" if s.quorum else "n/a"
        table.add_row(
            s.proposal.short_id,
            state_text(s.state),
            s.proposal.title,
            format_token(s.for_, places=0),
            format_token(s.against, places=0),
            format_token(s.abstain, places=0),
            quorum,
            governance.explain(s),
        )
    return table


def parameters_table(deployment: Deployment) -> Table:
    names = {deployment.address(k).lower(): k for k in deployment.keys}
    names[ZERO_ADDRESS] = "zero address"
    table = Table(title="governed parameters (set-param PARAMETER VALUE...)")
    for column in ("parameter", "value", "unit", "setter"):
        table.add_column(column, overflow="fold")
    for p in PARAMETERS:
        if p.key not in deployment.manifest.contracts:
            continue
        value = show_in_unit(deployment.protocol.view(p.key, p.getter), p.unit, names)
        setter = f"{p.key}.{p.setter}" if p.setter else "(fixed)"
        table.add_row(p.label, value, p.unit, setter)
    return table


def print_simulation(console: Console, deployment: Deployment, report: SimulationReport) -> None:
    calls = Table(title=f"simulation, {report.mode} (reverted afterwards)", show_lines=True)
    for column in ("#", "call", "outcome", "gas"):
        calls.add_column(column, overflow="fold")
    for number, sim in enumerate(report.calls, start=1):
        target, function, args = _call_cells(sim.call)
        outcome = "[green]ok[/]" if sim.ok else f"[bold red]reverted[/] {sim.error}"
        if sim.skipped:
            outcome = "[yellow]not run[/] (governor setting)"
        calls.add_row(
            str(number), f"{target}\n{function}\n{args}", outcome, f"{sim.gas:,}" if sim.gas else ""
        )
    parts: list[Table | str] = [calls]
    if report.events:
        events = Table(title="events")
        for column in ("emitter", "event", "arguments"):
            events.add_column(column, overflow="fold")
        for e in report.events:
            events.add_row(e.emitter, e.name, "\n".join(f"{k} = {v}" for k, v in e.args))
        parts.append(events)
    if report.changes:
        changes = Table(title="governed parameters that changed")
        for column in ("parameter", "before", "after"):
            changes.add_column(column, overflow="fold")
        for c in report.changes:
            changes.add_row(c.parameter, c.before, c.after)
        parts.append(changes)
    else:
        parts.append("no governed parameter changed")
    if report.upgrades:
        parts.append(_upgrades_table(report))
    console.print(Group(*parts))
    for note in report.notes:
        console.print(f"[yellow]note:[/] {note}")
    skipped = sum(1 for c in report.calls if c.skipped)
    verdict = "[green]every call succeeded[/]" if report.ok else "[bold red]a call reverted[/]"
    for u in report.upgrades:
        state = (
            f"{u.probes} values unchanged" if not u.differences else f"{len(u.differences)} values CHANGED"
        )
        console.print(f"upgrade of {u.key}: {'ok' if u.ok else 'FAILED'}; {state}", soft_wrap=True)
    if all(c.ok for c in report.calls) and not report.ok:
        verdict = "[bold red]an upgrade check failed[/] (see the upgrades table)"
    if report.ok and skipped:
        verdict = f"[green]every call run succeeded[/]; [yellow]{skipped} not run[/] (see the note)"
    console.print(verdict)


MAX_DIFFERENCES_SHOWN = 8


def _upgrades_table(report: SimulationReport) -> Table:
    table = Table(title="upgrades", show_lines=True)
    for column in ("proxy", "implementation", "storage layout", "state read back", ""):
        table.add_column(column, overflow="fold")
    for u in report.upgrades:
        slot = f"{u.before}\n-> {u.after}" + ("" if u.after == u.wanted else f"\n[red](wanted {u.wanted})[/]")
        if not u.differences:
            state = f"{u.probes} values unchanged"
        else:
            shown = [f"{d.probe}: {d.before} -> {d.after}" for d in u.differences[:MAX_DIFFERENCES_SHOWN]]
            more = len(u.differences) - len(shown)
            state = f"{len(u.differences)} of {u.probes} CHANGED" + (
                " (the call's doing)" if u.with_call else ""
            )
            state += "\n" + "\n".join(shown) + (f"\n... {more} more" if more > 0 else "")
        mark = "[green]ok[/]" if u.ok else "[bold red]FAILED[/]"
        table.add_row(u.key, slot, u.storage, state, mark)
    return table
