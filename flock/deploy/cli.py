"""`ape run deploy` (deploy the protocol from config/<ecosystem>-<network>.yaml, write the manifest;
`deploy verify` checks a deployment on chain) and `ape run verify_sources` (publish the sources on
the network's block explorer)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from flock.chain.manifest import manifest_path
from flock.chain.protocol import LiveProtocol
from flock.cli import (
    ConnectedCommand,
    Group,
    UserError,
    account_option,
    connected,
    connection_options,
    console,
    fail,
    hide_revert_traces,
    load_sender,
    manifest_option,
    network_option,
    require_account_off_local,
)
from flock.deploy import genesis
from flock.deploy.ape_backend import deploy_protocol
from flock.deploy.config import config_path_for, load_config
from flock.deploy.plan import Deploy
from flock.deploy.verify import results_table, verify_on_chain


def config_option(help: str) -> Any:
    return click.option("--config", "config_file", type=click.Path(path_type=Path), help=help)


@click.group("deploy", cls=Group, invoke_without_command=True)
@network_option()
@account_option()
@config_option("deploy config (default: by network)")
@manifest_option()
@click.option(
    "--fresh",
    count=True,
    help="start over: the existing record is kept, renamed; a complete deployment needs --fresh twice",
)
@click.option("--verify", "then_verify", is_flag=True, help="run `verify` right after deploying")
@click.pass_context
def cli(
    ctx: click.Context,
    network: str,
    account: str | None,
    config_file: Path | None,
    manifest_file: Path | None,
    fresh: int,
    then_verify: bool,
) -> None:
    """Deploy the FLock protocol (resumes an interrupted deploy from its manifest)."""
    hide_revert_traces()
    if ctx.invoked_subcommand is not None:
        return
    config_path = config_file or config_path_for(network)
    config = load_config(config_path)  # fail on a bad config before touching any network
    concentrated = genesis.refusal(config, int(time.time()))
    if concentrated:
        fail(f"{config_path}: {concentrated}")
    require_account_off_local(network, account)
    with connected(network) as provider:
        sender = load_sender(account, provider)
        console.print(f"deploying to [bold]{network}[/] (chain {provider.chain_id}) from {sender.address}")
        path = _deploy(sender, config_path, fresh, manifest_file or manifest_path(network), manifest_file)
        if then_verify:
            _verify(path, config_file)


def _deploy(sender: Any, config_path: Path, fresh: int, path: Path, manifest_file: Path | None) -> Path:
    """Runs the plan step by step, printing each; the manifest's table at the end. Returns its path."""

    def report(step: Any, outcome: str) -> None:
        label = f"{step.contract} ({step.key})" if isinstance(step, Deploy) else step.key
        console.print(f"  {outcome:>8}  {label}")

    try:
        manifest = deploy_protocol(
            sender, config_path, fresh=fresh, on_step=report, manifest_file=manifest_file, on_note=_note
        )
    except KeyboardInterrupt:
        fail(f"interrupted: {path} records every step done so far; rerun the same command to resume")
    path = manifest_file or manifest_path(manifest.network)
    table = Table(title=f"deployment manifest: {path}")
    for column in ("key", "contract", "address", "block"):
        table.add_column(column)
    for key, record in manifest.contracts.items():
        table.add_row(key, record.contract, record.address, str(record.block))
    console.print(table)
    return path


def _note(note: str) -> None:
    text = note.replace("warning:", "[yellow]warning:[/]", 1) if note.startswith("warning:") else note
    console.print(text, soft_wrap=True)


def _verify(manifest_file: Path, config_file: Path | None) -> None:
    results = verify_on_chain(manifest_file, config_file)
    console.print(results_table(results, f"deployment check: {manifest_file}"))
    failed = [r for r in results if not r.ok]
    if failed:
        subjects = ", ".join(dict.fromkeys(r.subject for r in failed))
        fail(f"{len(failed)} of {len(results)} checks failed: {subjects}")
    console.print(f"[green]all {len(results)} checks passed[/]")


@cli.command("verify", cls=ConnectedCommand)
@network_option()
@config_option("deploy config (default: the manifest's)")
@manifest_option()
def verify(manifest_file: Path, config_file: Path | None) -> None:
    """Check a deployment on chain: no role left with the deployer, the timelock administers every
    contract, role holders as listed, every parameter as configured. Exits 1 on any mismatch."""
    _verify(manifest_file, config_file)


@click.command("verify_sources", cls=ConnectedCommand)
@connection_options(send=False)
def verify_sources_cli(protocol: LiveProtocol, provider: Any, network: str) -> None:
    """Verify the deployed contracts' sources on the block explorer (Basescan for Base), with
    ape-etherscan: install it first with `make etherscan`."""
    try:
        import ape_etherscan  # noqa: F401
    except ImportError as err:
        raise UserError("ape-etherscan is not installed: run `make etherscan`") from err
    explorer = provider.network.explorer
    if explorer is None:
        raise UserError(f"{network} has no block explorer configured")
    for key in protocol.keys:
        protocol.contract(key)  # known to ape by its build, so the explorer gets its sources
        console.print(f"publishing {key} ({protocol.contract_name(key)}) at {protocol.address(key)}")
        explorer.publish_contract(protocol.address(key))
    console.print("[green]all contracts submitted for verification[/]")
