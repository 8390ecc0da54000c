"""`ape run demo`: the FLock protocol end to end on a fresh local chain."""

from __future__ import annotations

from pathlib import Path

import click

from flock.chain.network import is_local
from flock.cli import ConnectedCommand, console, network_option
from flock.demo.runner import run_demo
from flock.paths import REPORTS_DIR


@click.command("demo", cls=ConnectedCommand)
@network_option(rule=is_local, why="the demo moves time and spends test accounts", where="a local chain")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPORTS_DIR,
    show_default=True,
    help="where the final report and its charts go",
)
def cli(reports_dir: Path) -> None:
    """Deploy the protocol locally and walk through it, printing what happens."""
    run_demo(console, reports_dir)
