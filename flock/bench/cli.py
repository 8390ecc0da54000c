"""`ape run bench`: gas on anvil and harness throughput -> table, reports/bench.json, docs/gas.md."""

from __future__ import annotations

import click

from flock.bench.registry import load_all
from flock.bench.report import (
    AnchorError,
    previous_results,
    print_table,
    unmet_budgets,
    update_gas_doc,
    write_json,
)
from flock.chain.network import is_local
from flock.cli import ConnectedCommand, console, fail, network_option


def _known(ctx: click.Context, param: click.Parameter, names: tuple[str, ...]) -> tuple[str, ...]:
    """Refuses a benchmark name that is not registered (it ran nothing and wrote an empty
    reports/bench.json), before anything connects."""
    unknown = [name for name in names if name not in {b.name for b in load_all()}]
    if unknown and not ctx.resilient_parsing:
        known = ", ".join(sorted(b.name for b in load_all()))
        raise click.BadParameter(f"no benchmark named {unknown[0]!r} (known: {known})", ctx, param)
    return names


@click.command("bench", cls=ConnectedCommand)
@network_option(
    rule=is_local,
    why="the benchmarks deploy, which moves time and spends test accounts",
    where="a local chain",
)
@click.option(
    "--only", multiple=True, callback=_known, help="run only the benchmarks of these names (one --only each)"
)
@click.option("--no-docs", is_flag=True, help="do not rewrite the table in docs/gas.md")
@click.option(
    "--anchors",
    metavar="REV",
    help="compare with docs/gas.md at this git revision (default: the file as it stands)",
)
def cli(only: tuple[str, ...], no_docs: bool, anchors: str | None) -> None:
    """Run every registered benchmark and report each key against its budget, beside each changed
    key the figure docs/gas.md held before."""
    try:
        previous = previous_results(ref=anchors)
    except AnchorError as err:
        fail(str(err))
    selected = [b for b in load_all() if not only or b.name in only]
    results: dict[str, float] = {}
    for bench in selected:
        console.print(f"[bold]bench[/] {bench.name} …")
        results.update(bench.run())
    if only:
        previous = {key: value for key, value in previous.items() if key in results}
    print_table(results, console, previous)
    write_json(results)
    if not no_docs and not only:
        update_gas_doc(results, previous=previous)
    if over := unmet_budgets(results):
        fail(f"over budget: {', '.join(sorted(over))}")
