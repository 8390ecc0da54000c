"""`ape run demo`: the FLock protocol end to end on a fresh local chain."""

from __future__ import annotations

from pathlib import Path

import click

from flock.chain.network import is_local
from flock.clikit import clean_errors, connected, console, quiet_ape
from flock.demo.runner import run_demo
from flock.paths import REPORTS_DIR


@click.command()
@click.option("--network", default="ethereum:local:foundry", show_default=True, help="a local network")
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPORTS_DIR,
    show_default=True,
    help="where the final report and its charts go",
)
@clean_errors
def cli(network: str, reports_dir: Path) -> None:
    """Deploy the protocol locally and walk through it, printing what happens."""
    quiet_ape()
    with connected(network) as provider:
        if not is_local(provider.network.name):
            raise click.UsageError("the demo moves time and spends test accounts: run it on a local network")
        run_demo(console, reports_dir)
