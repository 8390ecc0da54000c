"""Demo chapter: the final report, told as the run happened. A list of sections (``SECTIONS``), each
built from the chain and the chapters' notes: the run itself, what was deployed, what the DAO
changed, each task, the emission of each epoch, the Arena epoch (who was paid and why), who was
slashed and why, the FL Alliance model, and the supply at the end. A section may carry a chart (a
PNG under reports/) and a caption that says what to see in it. The console gets the tables; the
Markdown report (reports/demo-report.md) gets the whole story.

Adding a section is one function returning a :class:`Section` (or None when the run has nothing
for it) and one line in ``SECTIONS``.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display here or in CI
import matplotlib.pyplot as plt
from matplotlib.ticker import StrMethodFormatter
from rich.table import Table

from flock.chain.budgets import budgets_of
from flock.demo import api
from flock.demo.context import DemoContext
from flock.files import atomic_write_bytes, atomic_write_text
from flock.paths import REPORTS_DIR
from flock.tasks import TaskKind, TaskState, staked_now
from flock.units import WAD, format_token

REWARD_CHART = "demo-reward-vs-quality.png"
EMISSION_CHART = "demo-emission-per-epoch.png"
ACCURACY_CHART = "demo-accuracy-per-round.png"
SUMMARY = "demo-report.md"


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""  # the story: what happened, what to read in the table or chart
    chart: str | None = None  # a chart file written beside the report


Builder = Callable[[DemoContext, Path], "Section | list[Section] | None"]


THOUSANDS = StrMethodFormatter("{x:,.0f}")


def _save(fig: Any, path: Path) -> None:
    """Writes a chart atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def _token(value: int) -> float:
    return value / WAD


# ------------------------------------------------------------------ the run


def run_section(ctx: DemoContext, _out: Path) -> Section:
    m = ctx.protocol.manifest
    started = ctx.notes.get("started_at", time.time())
    elapsed = time.monotonic() - ctx.notes.get("started_monotonic", time.monotonic())
    rows = [
        ["date", datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M UTC")],
        ["duration", f"{elapsed:.0f} s"],
        ["chain", f"{m.network} (chain id {m.chain_id}), a fresh anvil"],
        ["source", f"commit {m.git_commit[:12]}{' with local changes' if m.git_dirty else ''}"],
        ["compiler", f"solc {m.compiler.get('version', '?')}"],
        ["deploy config", m.config_file],
        ["deployer", m.deployer],
    ]
    return Section(
        "the run",
        ["", ""],
        rows,
        "Everything below happened on this chain, in this order: deploy, stake, a DAO vote, tasks, "
        "emission epochs, an FL Alliance task with a cheater, an AI Arena epoch with real training.",
    )


def deployed_section(ctx: DemoContext, _out: Path) -> Section:
    rows = [[k, r.contract, r.address] for k, r in ctx.protocol.manifest.contracts.items()]
    return Section(
        "what was deployed",
        ["key", "contract", "address"],
        rows,
        "Every admin role is the timelock's, and the timelock answers to the governor: the deployer "
        "kept nothing (`ape run deploy verify` checks it).",
    )


def dao_section(ctx: DemoContext, _out: Path) -> Section | None:
    from flock.dao.actions import decode_action
    from flock.dao.deployment import Deployment
    from flock.dao.proposals import Governance

    deployment = Deployment(ctx.protocol)
    governance = Governance(deployment)
    rows = []
    for proposal in governance.proposals:
        calls = []
        for action in proposal.actions:
            call = decode_action(deployment, action)
            args = ", ".join(a.shown for a in call.args)
            calls.append(f"{call.target_name}.{call.function}({args})")
        proposer = ctx.name_of(proposal.proposer)
        rows.append([proposal.title, proposer, governance.state(proposal), "; ".join(calls)])
    if not rows:
        return None
    return Section(
        "what the DAO changed",
        ["proposal", "proposer", "state", "what it does"],
        rows,
        "Each change went the whole way: proposed, voted with gmFLOCK, queued in the timelock, executed "
        "after its delay. Nothing else can change these settings.",
    )


def tasks_section(ctx: DemoContext, _out: Path) -> Section | None:
    p = ctx.protocol
    keys = {v: k for k, v in ctx.notes.get("task_ids", {}).items()}
    rows = []
    for task in range(1, int(p.tasks.taskCount()) + 1):
        info, stakes = p.tasks.taskInfo(task), p.tasks.taskStakes(task)
        rows.append(
            [
                str(task),
                keys.get(task, ""),
                "AI Arena" if int(info.kind) == TaskKind.ARENA else "FL Alliance",
                ctx.name_of(info.creator),
                TaskState(int(info.state)).name.lower(),
                str(int(info.members)),
                format_token(staked_now(stakes), places=0),
                format_token(int(p.emissions.accruedBudget(task)), places=0),
            ]
        )
    if not rows:
        return None
    return Section(
        "tasks",
        ["task", "name", "kind", "creator", "state", "members", "staked (gmFLOCK)", "budget earned (FLOCK)"],
        rows,
        "A task earns from the epoch after governance approved it, in proportion to the stake in it.",
    )


# ------------------------------------------------------------------ emission


def _emission_data(ctx: DemoContext) -> tuple[list[int], list[float], dict[str, list[float]]]:
    em = ctx.protocol.emissions
    task_ids: dict[str, int] = ctx.notes.get("task_ids", {})
    epochs = [e for e in range(em.nextEpoch()) if em.epochInfo(e).minted]
    minted = [_token(em.epochInfo(e).minted) for e in epochs]
    budgets = {}
    for key, task_id in task_ids.items():
        of_task = budgets_of(ctx.protocol, task_id, epochs)  # from the controller's events (decision 228)
        budgets[key] = [_token(of_task[e].total) for e in epochs]
    return epochs, minted, budgets


def emission_chart(
    epochs: list[int], minted: list[float], budgets: dict[str, list[float]], path: Path
) -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    bottom = [0.0] * len(epochs)
    for key, values in budgets.items():
        ax.bar(epochs, values, bottom=bottom, label=f"task {key}")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.scatter(epochs, minted, color="black", marker="_", s=400, zorder=3, label="minted in the epoch")
    ax.set(title="emission per epoch, split by task budget", xlabel="epoch", ylabel="FLOCK")
    ax.set_ylim(bottom=0, top=max(minted, default=1) * 1.1)
    ax.set_xticks(epochs)
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    _save(fig, path)


def emission_section(ctx: DemoContext, out: Path) -> Section | None:
    epochs, minted, budgets = _emission_data(ctx)
    if not epochs:
        return None
    emission_chart(epochs, minted, budgets, out / EMISSION_CHART)
    rows = [
        [str(e), f"{minted[i]:,.2f}", *(f"{budgets[k][i]:,.2f}" for k in budgets)]
        for i, e in enumerate(epochs)
    ]
    return Section(
        "emission per epoch (FLOCK)",
        ["epoch", "minted", *budgets],
        rows,
        "Each opened epoch mints its scheduled emission (the black marks) and splits it across the "
        "eligible tasks by stake (the bars); the rounding dust is the gap. An epoch nobody opened "
        "(`ape run checkpoint`) or without eligible stake mints nothing and is not shown.",
        EMISSION_CHART,
    )


# ------------------------------------------------------------------ the Arena epoch


def _reward_rows(ctx: DemoContext) -> list[dict[str, Any]]:
    note = ctx.notes.get("rewards")
    if not note:
        return []
    run = note["run"]
    result, names = run.result, note["names"]
    inputs = run.assembled.inputs
    consensus = dict(result.consensus)
    models = note.get("models", {})
    stakes = {a.lower(): s for a, s in {**inputs.nodes, **inputs.validators}.items()}
    rows = []
    for allocation in result.allocations:
        key = allocation.account.lower()
        name = names.get(key, allocation.account[:10])
        stake = stakes.get(key)
        row: dict[str, Any] = {
            "account": name,
            "role": allocation.role,
            "reward": _token(allocation.gross),
            "stake": _token(stake.own + stake.delegated) if stake is not None else None,
        }
        if allocation.role == "validator":
            row["quality"] = float(result.quality[allocation.account])
        elif allocation.role == "node":
            row["bpc"] = consensus.get(models.get(key, ""))
            row["rank"] = result.ranks.get(allocation.account)
        else:
            row["via"] = names.get(allocation.via.lower(), allocation.via[:10])
        rows.append(row)
    return rows


def reward_chart(rows: list[dict[str, Any]], path: Path) -> None:
    """Two panels, reward from zero: validators against quality, nodes against model score; each
    point's size is its stake (labelled), since rewards are quality- and stake-weighted."""
    validators = [r for r in rows if r["role"] == "validator"]
    nodes = [r for r in rows if r["role"] == "node" and r.get("bpc") is not None]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"wspace": 0.3})
    biggest = max((r["stake"] or 0 for r in rows), default=1) or 1

    def draw(ax: Any, points: list[dict[str, Any]], x: str, color: str) -> None:
        sizes = [60 + 500 * (r["stake"] or 0) / biggest for r in points]
        ax.scatter([r[x] for r in points], [r["reward"] for r in points], s=sizes, color=color, alpha=0.6)
        for r in points:
            label = f"{r['account']}\n{r['stake']:,.0f} staked"
            ax.annotate(label, (r[x], r["reward"]), textcoords="offset points", xytext=(9, -4), fontsize=8)
        top = max((r["reward"] for r in points), default=1)
        ax.set_ylim(0, top * 1.25)
        ax.yaxis.set_major_formatter(THOUSANDS)

    draw(left, validators, "quality", "tab:blue")
    left.set(
        title="validators: reward against quality F", xlabel="quality F (0 to 1)", ylabel="reward (FLOCK)"
    )
    left.set_xlim(-0.05, 1.15)
    draw(right, nodes, "bpc", "tab:green")
    right.set(
        title="training nodes: reward against model score",
        xlabel="consensus bits per character (lower is better)",
        ylabel="reward (FLOCK)",
    )
    if nodes:
        low, high = min(r["bpc"] for r in nodes), max(r["bpc"] for r in nodes)
        right.set_xlim(low - 0.1 * (high - low + 0.1), high + 0.35 * (high - low + 0.1))
    fig.text(
        0.5, -0.04, "point size: stake (own + delegated gmFLOCK). A node's reward is its rank's share "
        "of a geometric series, times its stake; a bigger stake can outearn a better model.",
        ha="center", fontsize=8,
    )  # fmt: skip
    _save(fig, path)


def arena_section(ctx: DemoContext, out: Path) -> Section | None:
    rows = _reward_rows(ctx)
    if not rows:
        return None
    note = ctx.notes["rewards"]
    run = note["run"]
    reward_chart(rows, out / REWARD_CHART)
    table = []
    for r in rows:
        why = ""
        if r["role"] == "node":
            why = f"rank {r['rank'] + 1}" if r.get("rank") is not None else "no valid model"
        elif r["role"] == "validator":
            why = f"quality {r['quality']:.3f}"
        else:
            why = f"delegated to {r['via']}"
        table.append(
            [
                r["account"],
                r["role"],
                f"{r['stake']:,.0f}" if r["stake"] is not None else "",
                f"{r['bpc']:.4f}" if r.get("bpc") is not None else "",
                why,
                f"{r['reward']:,.2f}",
            ]
        )
    budget = _token(run.assembled.inputs.node_budget + run.assembled.inputs.validator_budget)
    return Section(
        f"AI Arena: task {run.data.task}, epoch {run.data.epoch}",
        ["account", "role", "stake (gmFLOCK)", "consensus BPC", "why this reward", "reward (FLOCK)"],
        table,
        f"The epoch's budget of {budget:,.2f} FLOCK went to training nodes by the rank of their model "
        "(scored by the validators, stake-weighted median) and their stake, and to validators by how "
        "close their scores were to consensus (quality F) and their stake; delegators share their "
        "operator's delegated part. Two oracles computed the same root from the chain, it was "
        "accepted, finalized, and claimed.",
        REWARD_CHART,
    )


# ------------------------------------------------------------------ slashes and the Alliance


def slash_section(ctx: DemoContext, _out: Path) -> Section | None:
    reports = ctx.notes.get("alliance") or []
    rows = [
        [
            f"alliance round {report.number}",
            ctx.name_of(slash.account),
            slash.reason.name.lower().replace("_", " "),
            format_token(slash.gm),
            format_token(slash.to_honest),
            format_token(slash.to_finalizer),
        ]
        for report in reports
        for slash in report.slashes
    ]
    if not rows:
        return None
    return Section(
        "who was slashed, and why",
        ["where", "account", "reason", "gmFLOCK slashed", "FLOCK to the honest", "FLOCK to the finalizer"],
        rows,
        "A slash takes part of the offender's locked stake: most of it goes to the round's honest "
        "participants, a share to whoever finalized the round, the rest is burned.",
    )


def _accuracy_data(ctx: DemoContext) -> list[float]:
    reports = ctx.notes.get("alliance") or []
    if not reports:
        return []
    return [reports[0].accuracy_before, *(r.accuracy_after for r in reports)]


def accuracy_chart(curve: list[float], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(len(curve)), [100 * a for a in curve], marker="o", color="tab:purple")
    ax.set(
        title="FL Alliance: global model accuracy per round",
        xlabel="round (0 = initial model)",
        ylabel="test accuracy (%)",
    )
    ax.set_ylim(0, 100)
    ax.set_xticks(range(len(curve)))
    _save(fig, path)


def alliance_section(ctx: DemoContext, out: Path) -> Section | None:
    curve = _accuracy_data(ctx)
    if not curve:
        return None
    accuracy_chart(curve, out / ACCURACY_CHART)
    rows = [[str(i), f"{acc:.1%}"] for i, acc in enumerate(curve)]
    return Section(
        "FL Alliance: the global model after each round",
        ["round", "accuracy"],
        rows,
        "Participants trained on private shards; each round's proposals were voted on by stake, the "
        "poisoned one rejected, and the accepted update's hash recorded on chain (the model's lineage).",
        ACCURACY_CHART,
    )


def supply_section(ctx: DemoContext, _out: Path) -> Section:
    p = ctx.protocol
    genesis = sum(int(a) for a in p.manifest.contracts["token"].constructor_args[2])
    minted = p.emissions.totals()[0]
    supply = p.token.totalSupply()
    rows = [
        ["FLOCK genesis", format_token(genesis)],
        ["FLOCK minted by emissions", format_token(minted)],
        ["FLOCK burned (fees, slashes)", format_token(genesis + minted - supply)],
        ["FLOCK supply", format_token(supply)],
        ["FLOCK locked in gmFLOCK", format_token(p.token.balanceOf(p.gmflock))],
        ["gmFLOCK supply (voting power)", format_token(p.gmflock.totalSupply())],
        ["tasks created", str(p.tasks.taskCount())],
        ["epochs opened", str(p.emissions.nextEpoch())],
    ]
    return Section("the protocol at the end", ["", "value"], rows, "")


def api_sections(ctx: DemoContext, _out: Path) -> list[Section]:
    """The API platform's revenue split and its books (flock/demo/api.py)."""
    captions = (
        "A developer paid per use in FLOCK credits; the settled revenue went to the model's "
        "contributors through the next epoch's reward root.",
        "Every wei paid by the developer is accounted for.",
    )
    return [
        Section(*section, caption=caption)
        for section, caption in zip(api.report_sections(ctx), captions, strict=False)
    ]


def arena_slash_section(ctx: DemoContext, _out: Path) -> Section | None:
    """The Arena slash of the demo (flock/demo/slashing.py): who, for what, and where it went."""
    slash = ctx.notes.get("arena_slash")
    if slash is None:
        return None
    return Section(
        "Arena slash: a validator that did not reveal",
        ["account", "offence", "stake before", "slashed (gmFLOCK)", "FLOCK seized", "keeper", "treasury"],
        [
            [
                slash["account"],
                slash["offence"],
                format_token(slash["stake_before"]),
                format_token(slash["gm"]),
                format_token(slash["seized"]),
                f"{slash['keeper']} {format_token(slash['keeper_paid'])}",
                format_token(slash["treasury_paid"]),
            ]
        ],
        "A score commitment never revealed is a fault the chain proves by itself: after the reveal "
        "deadline anyone slashes it (ArenaSlasher.slashUnrevealed), takes the keeper's share, and "
        "the rest goes where governance routes it.",
    )


# The report, in reading order. A new section: a builder above and one line here.
SECTIONS: list[Builder] = [
    run_section,
    deployed_section,
    dao_section,
    tasks_section,
    emission_section,
    arena_section,
    slash_section,
    arena_slash_section,
    alliance_section,
    api_sections,
    supply_section,
]


# ------------------------------------------------------------------ output


def _rich(section: Section) -> Table:
    table = Table(title=section.title)
    for i, column in enumerate(section.columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in section.rows:
        table.add_row(*row)
    return table


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or " "


def markdown(sections: list[Section]) -> str:
    lines = ["# FLock protocol demo: what happened", ""]
    lines += [f"{i}. [{s.title}](#{i})" for i, s in enumerate(sections, 1)] + [""]
    for i, section in enumerate(sections, 1):
        lines += [f'<a id="{i}"></a>', f"## {i}. {section.title}", ""]
        if section.caption:
            lines += [section.caption, ""]
        if section.chart:
            lines += [f"![{section.title}]({section.chart})", ""]
        lines += ["| " + " | ".join(_cell(c) for c in section.columns) + " |"]
        lines.append("|" + "---|" * len(section.columns))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
        lines.append("")
    return "\n".join(lines)


def run(ctx: DemoContext, out_dir: Path = REPORTS_DIR, builders: list[Builder] | None = None) -> list[Path]:
    """Prints the sections and writes the charts and the Markdown report; returns the files written."""
    ctx.console.rule("[bold]Final report")
    sections: list[Section] = []
    for build in SECTIONS if builders is None else builders:
        built = build(ctx, out_dir)
        sections += built if isinstance(built, list) else [built] if built else []
    for section in sections:
        ctx.console.print(_rich(section))
    summary = out_dir / SUMMARY
    atomic_write_text(summary, markdown(sections))
    written = [out_dir / s.chart for s in sections if s.chart] + [summary]
    ctx.console.print("charts and report: " + ", ".join(str(p.relative_to(out_dir.parent)) for p in written))
    return written
