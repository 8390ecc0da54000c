"""`ape run deploy`: deploy the protocol from config/<ecosystem>-<network>.yaml and write the manifest."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.table import Table

from flock.chain.manifest import manifest_path
from flock.clikit import (
    DEFAULT_NETWORK,
    account_option,
    check_network_choice,
    clean_errors,
    connected,
    console,
    fail,
    hide_revert_traces,
    load_sender,
    network_option,
    require_account_off_local,
)
from flock.deploy import genesis
from flock.deploy.ape_backend import deploy_protocol
from flock.deploy.config import config_path_for, load_config
from flock.deploy.plan import Deploy
from flock.deploy.verify import results_table, verify_on_chain


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
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
)
@click.option(
    "--fresh",
    count=True,
    help="start over: the existing record is kept, renamed; a complete deployment needs --fresh twice",
)
@click.option("--verify", "then_verify", is_flag=True, help="run `verify` right after deploying")
@click.pass_context
@clean_errors
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
    ctx.ensure_object(dict)
    ctx.obj.update(
        network=network,
        account=account,
        config_file=config_file or config_path_for(network),
        explicit_config=config_file,
        manifest_file=manifest_file,
    )
    if ctx.invoked_subcommand is not None:
        return
    check_network_choice(network)  # a mistyped network is named as such, not as a missing config
    config = load_config(ctx.obj["config_file"])  # fail on a bad config before touching any network
    concentrated = genesis.refusal(config, int(time.time()))
    if concentrated:
        fail(f"{ctx.obj['config_file']}: {concentrated}")
    require_account_off_local(network, account)
    with connected(network) as provider:
        sender = load_sender(account, provider)
        console.print(f"deploying to [bold]{network}[/] (chain {provider.chain_id}) from {sender.address}")

        def report(step, outcome: str) -> None:
            label = f"{step.contract} ({step.key})" if isinstance(step, Deploy) else step.key
            console.print(f"  {outcome:>8}  {label}")

        path = manifest_file or manifest_path(network)
        try:
            manifest = deploy_protocol(
                sender,
                ctx.obj["config_file"],
                fresh=fresh,
                on_step=report,
                manifest_file=manifest_file,
                on_note=_note,
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
        if then_verify:
            _verify(path, config_file)


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


@cli.command()
@network_option
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="deploy config (default: the manifest's)"
)
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path),
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
)
@click.pass_context
@clean_errors
def verify(ctx: click.Context, network: str, config_file: Path | None, manifest_file: Path | None) -> None:
    """Check a deployment on chain: no role left with the deployer, the timelock administers every
    contract, role holders as listed, every parameter as configured. Exits 1 on any mismatch."""
    if network == DEFAULT_NETWORK and ctx.obj.get("network"):
        network = ctx.obj["network"]
    config_file = config_file or ctx.obj.get("explicit_config")
    manifest_file = manifest_file or ctx.obj.get("manifest_file") or manifest_path(network)
    with connected(network):
        _verify(manifest_file, config_file)
