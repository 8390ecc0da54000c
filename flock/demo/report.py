"""Demo chapter: the final report. Tables of where the protocol ended up, read from the chain, and
three charts as PNG files under reports/: reward against measured quality (the Arena epoch), the
emission minted per epoch with each task's budget, and the federated model's accuracy per round.
A Markdown summary (reports/demo-report.md) links the charts and repeats the tables."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display here or in CI
import matplotlib.pyplot as plt
from rich.table import Table

from flock.demo import api
from flock.demo.context import DemoContext
from flock.files import atomic_write_bytes, atomic_write_text
from flock.paths import REPORTS_DIR
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


def _save(fig: Any, path: Path) -> None:
    """Writes a chart atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def _token(value: int) -> float:
    return value / WAD


# ------------------------------------------------------------------ data from the chain and chapters


def _supply_section(ctx: DemoContext) -> Section:
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
    return Section("protocol at the end of the demo", ["", "value"], rows)


def _emission_data(ctx: DemoContext) -> tuple[list[int], list[float], dict[str, list[float]]]:
    em = ctx.protocol.emissions
    task_ids: dict[str, int] = ctx.notes.get("task_ids", {})
    opened = range(em.nextEpoch())
    first = next((e for e in opened if em.epochInfo(e).minted), em.nextEpoch())
    epochs = list(range(max(first - 1, 0), em.nextEpoch()))  # from the epoch before the first mint
    minted = [_token(em.epochInfo(e).minted) for e in epochs]
    budgets = {
        key: [_token(em.budgetOf(task_id, e).total) for e in epochs] for key, task_id in task_ids.items()
    }
    return epochs, minted, budgets


def _emission_section(epochs: list[int], minted: list[float], budgets: dict[str, list[float]]) -> Section:
    rows = [
        [str(e), f"{minted[i]:,.2f}", *(f"{budgets[k][i]:,.2f}" for k in budgets)]
        for i, e in enumerate(epochs)
        if minted[i] > 0
    ]
    return Section("emission per epoch (FLOCK)", ["epoch", "minted", *budgets], rows)


def _reward_rows(ctx: DemoContext) -> list[dict[str, Any]]:
    note = ctx.notes.get("rewards")
    if not note:
        return []
    result, names = note["run"].result, note["names"]
    consensus = dict(result.consensus)
    models = note.get("models", {})
    rows = []
    for allocation in result.allocations:
        name = names.get(allocation.account.lower(), allocation.account[:10])
        row = {"account": name, "role": allocation.role, "reward": _token(allocation.gross)}
        if allocation.role == "validator":
            row["quality"] = float(result.quality[allocation.account])
        elif allocation.role == "node":
            row["bpc"] = consensus.get(models.get(allocation.account.lower(), ""))
        rows.append(row)
    return rows


def _reward_section(rows: list[dict[str, Any]]) -> Section:
    table = [
        [
            r["account"],
            r["role"],
            f"{r['bpc']:.4f}" if r.get("bpc") is not None else "",
            f"{r['quality']:.3f}" if "quality" in r else "",
            f"{r['reward']:,.2f}",
        ]
        for r in rows
    ]
    return Section(
        "Arena epoch rewards", ["account", "role", "consensus BPC", "quality", "reward (FLOCK)"], table
    )


def _accuracy_data(ctx: DemoContext) -> list[float]:
    reports = ctx.notes.get("alliance") or []
    if not reports:
        return []
    return [reports[0].accuracy_before, *(r.accuracy_after for r in reports)]


def _accuracy_section(curve: list[float]) -> Section:
    rows = [[str(i), f"{acc:.1%}"] for i, acc in enumerate(curve)]
    return Section("FL Alliance: global model accuracy after each round", ["round", "accuracy"], rows)


# ------------------------------------------------------------------ charts


def reward_chart(rows: list[dict[str, Any]], path: Path) -> None:
    validators = [r for r in rows if r["role"] == "validator"]
    nodes = [r for r in rows if r["role"] == "node" and r.get("bpc") is not None]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"wspace": 0.35})
    left.scatter([r["quality"] for r in validators], [r["reward"] for r in validators], color="tab:blue")
    for r in validators:
        left.annotate(r["account"], (r["quality"], r["reward"]), textcoords="offset points", xytext=(5, 5))
    left.set(title="validators: reward against quality", xlabel="quality F (0..1)", ylabel="reward (FLOCK)")
    left.set_xlim(-0.05, 1.1)
    right.scatter([r["bpc"] for r in nodes], [r["reward"] for r in nodes], color="tab:green")
    for r in nodes:
        right.annotate(r["account"], (r["bpc"], r["reward"]), textcoords="offset points", xytext=(5, 5))
    right.set(
        title="training nodes: reward against model score\n(ranked by score, weighted by stake)",
        xlabel="consensus bits per character (lower is better)",
        ylabel="reward (FLOCK)",
    )
    _save(fig, path)


def emission_chart(
    epochs: list[int], minted: list[float], budgets: dict[str, list[float]], path: Path
) -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    bottom = [0.0] * len(epochs)
    for key, values in budgets.items():
        ax.bar(epochs, values, bottom=bottom, label=key)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.plot(epochs, minted, color="black", marker="o", linewidth=1, label="minted")
    ax.set(title="emission per epoch, split by task budget", xlabel="epoch", ylabel="FLOCK")
    ax.legend(loc="upper left", fontsize="small")
    _save(fig, path)


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


# ------------------------------------------------------------------ output


def _rich(section: Section) -> Table:
    table = Table(title=section.title)
    for i, column in enumerate(section.columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in section.rows:
        table.add_row(*row)
    return table


def _markdown(sections: list[Section], charts: list[str]) -> str:
    lines = ["# FLock protocol demo: final report", ""]
    for chart in charts:
        lines += [f"![{chart}]({chart})", ""]
    for section in sections:
        lines += [f"## {section.title}", "", "| " + " | ".join(c or " " for c in section.columns) + " |"]
        lines.append("|" + "---|" * len(section.columns))
        lines += ["| " + " | ".join(row) + " |" for row in section.rows]
        lines.append("")
    return "\n".join(lines)


def run(ctx: DemoContext, out_dir: Path = REPORTS_DIR) -> list[Path]:
    """Prints the final tables and writes the charts and summary; returns the files written."""
    ctx.console.rule("[bold]Final report")
    epochs, minted, budgets = _emission_data(ctx)
    rewards = _reward_rows(ctx)
    curve = _accuracy_data(ctx)
    sections = [_supply_section(ctx), _emission_section(epochs, minted, budgets)]
    charts = [EMISSION_CHART]
    emission_chart(epochs, minted, budgets, out_dir / EMISSION_CHART)
    if rewards:
        sections.append(_reward_section(rewards))
        reward_chart(rewards, out_dir / REWARD_CHART)
        charts.insert(0, REWARD_CHART)
    if curve:
        sections.append(_accuracy_section(curve))
        accuracy_chart(curve, out_dir / ACCURACY_CHART)
        charts.append(ACCURACY_CHART)
    sections += [Section(*section) for section in api.report_sections(ctx)]  # flock/demo/api.py
    for section in sections:
        ctx.console.print(_rich(section))
    summary = out_dir / SUMMARY
    atomic_write_text(summary, _markdown(sections, charts))
    written = [out_dir / c for c in charts] + [summary]
    ctx.console.print("charts and report: " + ", ".join(str(p.relative_to(out_dir.parent)) for p in written))
    return written
