"""Tables for people: an epoch's result per account, and a verification."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from rich.table import Table

from flock.oracle.run import OracleRun, Verification
from flock.units import format_token

Namer = Callable[[str], str]


def _same(address: str) -> str:
    return address


def accounts_table(run: OracleRun, name: Namer = _same, title: str | None = None) -> Table:
    """One row per account: its role(s), its model's consensus score and rank (nodes), its quality
    (validators), and its reward before and after the claim fee."""
    inputs, result = run.assembled.inputs, run.result
    gross: dict[str, int] = defaultdict(int)
    fees: dict[str, int] = defaultdict(int)
    roles: dict[str, set[str]] = defaultdict(set)
    for a in result.allocations:
        gross[a.account] += a.gross
        fees[a.account] += a.fee
        roles[a.account].add(a.role if a.role != "delegator" else f"delegator of {name(a.via)}")
    for node in inputs.nodes:
        roles[node].add("node")
    for validator in inputs.validators:
        roles[validator].add("validator")
    table = Table(title=title or f"task {run.data.task}, epoch {run.data.epoch}: scores and rewards (FLOCK)")
    for column in ("account", "role", "consensus BPC", "rank", "quality", "reward", "fee", "claimable"):
        table.add_column(column, justify="left" if column in ("account", "role") else "right")
    order = {"node": 0, "validator": 1}
    for account in sorted(roles, key=lambda a: (min(order.get(r, 2) for r in roles[a]), name(a))):
        model = inputs.submissions.get(account)
        consensus = result.consensus.get(model) if model else None
        rank = result.ranks.get(account)
        quality = result.quality.get(account)
        table.add_row(
            name(account),
            ", ".join(sorted(roles[account])),
            "" if consensus is None else f"{consensus:.4f}",
            "" if rank is None else str(rank + 1),
            "" if quality is None else f"{float(quality):.3f}",
            format_token(gross[account]),
            format_token(fees[account]),
            format_token(gross[account] - fees[account]),
        )
    return table


def summary_lines(run: OracleRun) -> list[str]:
    r = run.result
    lines = [
        f"root 0x{run.root.hex()}  report hash 0x{run.report_hash.hex()}",
        f"total {format_token(r.total)} FLOCK in {len(r.leaves)} leaves, claim fees burned "
        f"{format_token(r.burn)}, unallocated {format_token(r.unallocated)}",
        f"budget {format_token(run.data.node_budget)} for nodes and "
        f"{format_token(run.data.validator_budget)} for validators",
        f"stakes at block {run.data.stake_block}; {len(run.assembled.inputs.submissions)} submissions, "
        f"{len(run.assembled.score_file_hashes)} score files revealed",
    ]
    for note in [*r.rejections, *run.assembled.notes]:
        what = f" model {note.model}" if note.model else ""
        lines.append(f"  set aside: {note.validator}{what}: {note.reason}")
    return lines


def verification_table(v: Verification) -> Table:
    table = Table(title=f"task {v.task}, epoch {v.epoch} ({v.status.name.lower()}): recomputed vs {v.what}")
    for column in ("field", "recomputed", "on chain", ""):
        table.add_column(column)
    for c in v.comparisons:
        verdict = f"[green]{c.verdict}[/]" if c.ok else f"[bold red]{c.verdict}[/]"
        table.add_row(c.field, c.ours, c.posted, verdict)
    return table
