"""`ape run demo`: the FLock protocol end to end on a fresh local chain."""

from __future__ import annotations

import click

from flock.clikit import clean_errors, connected, console, quiet_ape
from flock.demo.runner import run_demo


@click.command()
@click.option("--network", default="ethereum:local:foundry", show_default=True, help="a local network")
@clean_errors
def cli(network: str) -> None:
    """Deploy the protocol locally and walk through it, printing what happens."""
    quiet_ape()
    with connected(network) as provider:
        if provider.network.name != "local":
            raise click.UsageError("the demo moves time and spends test accounts: run it on a local network")
        run_demo(console)
