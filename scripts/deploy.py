"""`ape run deploy`: deploy the protocol from config/<ecosystem>-<network>.yaml and write the manifest."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from flock.clikit import (
    account_option,
    clean_errors,
    connected,
    console,
    load_sender,
    network_option,
    require_account_off_local,
)
from flock.deploy.ape_backend import deploy_protocol
from flock.deploy.config import config_path_for, load_config
from flock.deploy.manifest import manifest_path
from flock.deploy.plan import Deploy


@click.group(invoke_without_command=True)
@network_option
@account_option
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="deploy config (default: by network)"
)
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path),
    help="manifest path (default: deployments/<ecosystem>-<network>.json)",
)
@click.option("--fresh", is_flag=True, help="ignore an existing manifest and deploy everything anew")
@click.pass_context
@clean_errors
def cli(
    ctx: click.Context,
    network: str,
    account: str | None,
    config_file: Path | None,
    manifest_file: Path | None,
    fresh: bool,
) -> None:
    """Deploy the FLock protocol (resumes an interrupted deploy from its manifest)."""
    ctx.ensure_object(dict)
    ctx.obj.update(
        network=network,
        account=account,
        config_file=config_file or config_path_for(network),
        manifest_file=manifest_file,
    )
    if ctx.invoked_subcommand is not None:
        return
    load_config(ctx.obj["config_file"])  # fail on a bad config before touching any network
    require_account_off_local(network, account)
    with connected(network) as provider:
        sender = load_sender(account, provider)
        console.print(f"deploying to [bold]{network}[/] (chain {provider.chain_id}) from {sender.address}")

        def report(step, outcome: str) -> None:
            label = f"{step.contract} ({step.key})" if isinstance(step, Deploy) else step.key
            console.print(f"  {outcome:>8}  {label}")

        manifest = deploy_protocol(
            sender, ctx.obj["config_file"], fresh=fresh, on_step=report, manifest_file=manifest_file
        )
        table = Table(title=f"deployment manifest: {manifest_file or manifest_path(manifest.network)}")
        for column in ("key", "contract", "address", "block"):
            table.add_column(column)
        for key, record in manifest.contracts.items():
            table.add_row(key, record.contract, record.address, str(record.block))
        console.print(table)
