"""Printing FL Alliance rounds: per round the roles, proposals, votes, outcome, slashes and credits;
at the end the accuracy curve and the lineage check."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from flock.alliance.federation import LineageRow, RoundReport
from flock.alliance.protocol import Outcome
from flock.units import format_token

OUTCOME_WORDS = {
    Outcome.DECIDED: "decided",
    Outcome.NO_QUORUM: "void: no quorum",
    Outcome.NO_PROPOSALS: "void: no proposal",
    Outcome.NOT_DRAWN: "void: roles not drawn",
}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _mark(name: str, malicious: bool) -> str:
    return f"[red]{name}*[/]" if malicious else name


def print_round(console: Console, report: RoundReport, malicious: set[str]) -> None:
    accepted = ", ".join(p.proposer for p in report.accepted) or "none"
    console.print(
        f"[bold]round {report.number}[/]: {OUTCOME_WORDS.get(report.outcome, report.outcome.name)}; "
        f"accepted: {accepted}; global accuracy {_pct(report.accuracy_before)} -> "
        f"[bold]{_pct(report.accuracy_after)}[/]"
        + (f" (lineage entry {report.lineage_index})" if report.lineage_index is not None else "")
    )
    table = Table(show_edge=False, pad_edge=False)
    for column in ("slot", "proposer", "update", "averaged", "test acc.", "stake for", "verdict"):
        table.add_column(column, justify="left" if column in ("proposer", "update", "verdict") else "right")
    for p in report.proposals:
        table.add_row(
            str(p.slot),
            _mark(p.proposer, p.malicious),
            p.digest[:12] + "…",
            str(p.averaged),
            _pct(p.test_accuracy),
            format_token(p.stake_for, places=0),
            "[green]accepted[/]" if p.accepted else "[red]rejected[/]",
        )
    console.print(table)
    votes = []
    for v in report.votes:
        marks = " ".join(f"{'✓' if v.votes >> i & 1 else '✗'}{_pct(acc)}" for i, acc in enumerate(v.heldout))
        votes.append(f"{_mark(v.voter, v.malicious)} [{marks}]")
    console.print("  votes (per slot, with the voter's held-out accuracy): " + "; ".join(votes))
    for s in report.slashes:
        reason = s.reason.name.lower().replace("_", " ")
        console.print(
            f"  [red]slashed[/] {_mark(s.account, s.account in malicious)}: {reason}, "
            f"{format_token(s.gm)} gmFLOCK -> {format_token(s.flock)} FLOCK seized: "
            f"{format_token(s.to_honest)} to the honest, {format_token(s.to_finalizer)} to the finalizer"
        )
    paid = [
        f"{name} {format_token(reward)} reward" + (f" + {format_token(share)} slash share" if share else "")
        if reward
        else f"{name} {format_token(share)} slash share"
        for name, (reward, share) in sorted(report.credits.items())
    ]
    if paid:
        console.print(f"  credited (round reward {format_token(report.reward)} FLOCK): " + "; ".join(paid))


def print_summary(console: Console, reports: list[RoundReport], rows: list[LineageRow]) -> None:
    curve = " -> ".join(_pct(x) for x in [reports[0].accuracy_before, *(r.accuracy_after for r in reports)])
    console.print(f"[bold]global model accuracy on the public test split[/]: {curve}")
    table = Table(title="model lineage on chain, checked against the store")
    for column in ("entry", "round", "proposer", "update hash (on chain = in the store)", "test acc."):
        table.add_column(column, justify="right" if column in ("entry", "round", "test acc.") else "left")
    for row in rows:
        table.add_row(str(row.index), str(row.round), row.proposer, row.digest, _pct(row.test_accuracy))
    console.print(table)
    console.print(
        f"[green]lineage verified[/]: {len(rows)} entries, each hash on chain is a model in the store"
    )
