"""Writes benchmark results: a table on the terminal, reports/bench.json, and docs/gas.md."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flock.bench.budgets import BUDGETS
from flock.files import atomic_write_text, replace_between_markers
from flock.paths import DOCS_DIR, PROJECT_ROOT, REPORTS_DIR

BENCH_JSON = REPORTS_DIR / "bench.json"
GAS_DOC = DOCS_DIR / "gas.md"
_GAS_TABLE_START = "<!-- bench:table:start -->"
_GAS_TABLE_END = "<!-- bench:table:end -->"


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.3f}"


def _limit(key: str) -> str:
    budget = BUDGETS.get(key)
    if budget is None or budget.kind == "info":
        return ""
    return f"{'<=' if budget.kind == 'max' else '>='} {_fmt(budget.limit)}"


def _verdict(key: str, value: float) -> str:
    limit = _limit(key)
    return f"{'ok' if BUDGETS[key].met(value) else 'OVER'} ({limit})" if limit else ""


def previous_results(path: Path = GAS_DOC, ref: str | None = None) -> dict[str, float]:
    """The figures of the table docs/gas.md holds now (the anchors a new run is compared with), or
    held at git revision ``ref`` (a commit, a branch: say, main before a merge)."""
    text = _at_revision(path, ref) if ref else path.read_text() if path.is_file() else ""
    return _table_figures(text)


class AnchorError(Exception):
    """The anchors' revision cannot be read."""


def _at_revision(path: Path, ref: str) -> str:
    relative = path.resolve().relative_to(PROJECT_ROOT)
    shown = subprocess.run(
        ["git", "show", f"{ref}:{relative.as_posix()}"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise AnchorError(f"cannot read {relative} at {ref!r}: {shown.stderr.strip() or 'git show failed'}")
    return shown.stdout


def _table_figures(text: str) -> dict[str, float]:
    if _GAS_TABLE_START not in text or _GAS_TABLE_END not in text:
        return {}
    table = text.split(_GAS_TABLE_START, 1)[1].split(_GAS_TABLE_END, 1)[0]
    previous: dict[str, float] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith("`"):
            try:
                previous[cells[0].strip("`")] = float(cells[1].replace(",", ""))
            except ValueError:
                continue  # a removed key's row
    return previous


def change(key: str, results: dict[str, float], previous: dict[str, float]) -> str:
    """The previous figure beside a changed key, with the change: "680,800 (-78.5%)"; "new" for a
    key the previous table did not have; empty when unchanged."""
    if key not in previous:
        return "new" if previous else ""
    before, now = previous[key], results[key]
    if _fmt(before) == _fmt(now):
        return ""
    return f"{_fmt(before)} ({(now - before) / before:+.1%})" if before else _fmt(before)


def print_table(
    results: dict[str, float], console: Console, previous: dict[str, float] | None = None
) -> None:
    previous = previous or {}
    table = Table(title="benchmarks")
    for column, justify in (("key", "left"), ("value", "right"), ("previous", "right"), ("budget", "left")):
        table.add_column(column, justify=justify)
    for key in sorted(results):
        table.add_row(key, _fmt(results[key]), change(key, results, previous), _verdict(key, results[key]))
    for key in sorted(set(previous) - set(results)):
        table.add_row(key, "removed", _fmt(previous[key]), "")
    console.print(table)


def write_json(results: dict[str, float], path: Path = BENCH_JSON) -> None:
    atomic_write_text(path, json.dumps(dict(sorted(results.items())), indent=2) + "\n")


def gas_markdown(results: dict[str, float], previous: dict[str, float] | None = None) -> str:
    """The table: each key's latest figure, the previous one beside it where it changed (and keys
    that are gone), its budget and the anchor the budget was set against."""
    previous = previous or {}
    lines = ["| key | latest | previous | budget | anchor |", "|---|---:|---:|---|---|"]
    for key in sorted(results):
        budget = BUDGETS.get(key)
        cells = (f"`{key}`", _fmt(results[key]), change(key, results, previous), _limit(key))
        lines.append(f"| {' | '.join(cells)} | {budget.anchor if budget else ''} |")
    for key in sorted(set(previous) - set(results)):
        lines.append(f"| `{key}` | removed | {_fmt(previous[key])} | | |")
    return "\n".join(lines)


def update_gas_doc(
    results: dict[str, float], path: Path = GAS_DOC, previous: dict[str, float] | None = None
) -> None:
    """Replaces the generated table in docs/gas.md (between its markers) with the latest figures,
    beside each changed key the figure the table held before (``previous``, read from it by default)."""
    previous = previous_results(path) if previous is None else previous
    replace_between_markers(path, _GAS_TABLE_START, _GAS_TABLE_END, gas_markdown(results, previous))


def unmet_budgets(results: dict[str, float]) -> list[str]:
    return [key for key, value in results.items() if key in BUDGETS and not BUDGETS[key].met(value)]
