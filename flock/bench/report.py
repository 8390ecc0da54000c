"""Writes benchmark results: a table on the terminal, reports/bench.json, and docs/gas.md."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flock.bench.budgets import BUDGETS
from flock.files import atomic_write_text
from flock.paths import DOCS_DIR, REPORTS_DIR

BENCH_JSON = REPORTS_DIR / "bench.json"
GAS_DOC = DOCS_DIR / "gas.md"
_GAS_TABLE_START = "<!-- bench:table:start -->"
_GAS_TABLE_END = "<!-- bench:table:end -->"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.3f}"


def _verdict(key: str, value: float) -> str:
    budget = BUDGETS.get(key)
    if budget is None:
        return ""
    sign = "<=" if budget.kind == "max" else ">="
    return f"{'ok' if budget.met(value) else 'OVER'} ({sign} {_fmt(budget.limit)})"


def print_table(results: dict[str, float], console: Console) -> None:
    table = Table(title="benchmarks")
    for column, justify in (("key", "left"), ("value", "right"), ("budget", "left")):
        table.add_column(column, justify=justify)
    for key in sorted(results):
        table.add_row(key, _fmt(results[key]), _verdict(key, results[key]))
    console.print(table)


def write_json(results: dict[str, float], path: Path = BENCH_JSON) -> None:
    atomic_write_text(path, json.dumps(dict(sorted(results.items())), indent=2) + "\n")


def gas_markdown(results: dict[str, float]) -> str:
    lines = ["| key | latest | budget | anchor |", "|---|---:|---|---|"]
    for key in sorted(results):
        budget = BUDGETS.get(key)
        limit = f"{'<=' if budget.kind == 'max' else '>='} {_fmt(budget.limit)}" if budget else ""
        lines.append(f"| `{key}` | {_fmt(results[key])} | {limit} | {budget.anchor if budget else ''} |")
    return "\n".join(lines)


def update_gas_doc(results: dict[str, float], path: Path = GAS_DOC) -> None:
    """Replaces the generated table in docs/gas.md (between its markers) with the latest figures."""
    text = path.read_text() if path.is_file() else ""
    if _GAS_TABLE_START not in text:
        text += f"\n{_GAS_TABLE_START}\n{_GAS_TABLE_END}\n"
    head, rest = text.split(_GAS_TABLE_START, 1)
    _, tail = rest.split(_GAS_TABLE_END, 1)
    atomic_write_text(path, f"{head}{_GAS_TABLE_START}\n{gas_markdown(results)}\n{_GAS_TABLE_END}{tail}")


def unmet_budgets(results: dict[str, float]) -> list[str]:
    return [key for key, value in results.items() if key in BUDGETS and not BUDGETS[key].met(value)]
