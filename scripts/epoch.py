"""`ape run epoch`: one protocol epoch (stakes, a task approved by the DAO, training, validation, an
oracle root, claims) against a deployment on a chain whose clock can be moved: the local chain
(deployed fresh first) or the Base rehearsal anvil (`make rehearse-base`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from flock.chain.manifest import manifest_path
from flock.chain.network import clock_can_move, is_local, network_name
from flock.chain.protocol import LiveProtocol
from flock.clikit import (
    DEFAULT_NETWORK,
    UserError,
    account_option,
    clean_errors,
    connected,
    console,
    load_sender,
    quiet_ape,
)
from flock.live_upgrade import write_claims
from flock.protocol_epoch import EpochError, run_epoch


def _protocol(network: str, manifest_file: Path | None, provider: Any) -> LiveProtocol:
    """A fresh deployment on the local chain; elsewhere the manifest's, checked to be this chain's."""
    if is_local(provider.network.name):
        from flock.deploy.ape_backend import deploy_fresh

        console.print("local chain: deploying the protocol first")
        return deploy_fresh()
    return LiveProtocol.load(manifest_file or manifest_path(network), complete=True)


@click.command()
@click.option(
    "--network",
    default=DEFAULT_NETWORK,
    show_default=True,
    help="a chain whose clock can move: the local one, or the Base rehearsal (base:rehearsal:URI)",
)
@account_option
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
)
@click.option(
    "--leave-unclaimed",
    "unclaimed_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="leave the root's last leaf unclaimed and write its claim (with proof) to this JSON file",
)
@clean_errors
def cli(network: str, account: str | None, manifest_file: Path | None, unclaimed_file: Path | None) -> None:
    """Run one protocol epoch; the funder (--account) hands the test accounts their FLOCK."""
    quiet_ape()
    name = network_name(network)
    if not clock_can_move(name):
        raise UserError(
            f"the epoch moves time and spends test accounts: run it on a local chain or the Base "
            f"rehearsal, not {name}"
        )
    with connected(network) as provider:
        funder = load_sender(account, provider)
        protocol = _protocol(network, manifest_file, provider)
        console.rule(f"[bold]one protocol epoch on {provider.network.name} (chain {provider.chain_id})")
        try:
            outcome = run_epoch(protocol, funder, console, hold_back=1 if unclaimed_file else 0)
        except EpochError as err:
            raise UserError(str(err)) from err
        if unclaimed_file:
            write_claims(unclaimed_file, outcome.held)
            console.print(f"  the unclaimed leaf's claim: {unclaimed_file}")
    console.print(
        f"[green]epoch {outcome.epoch} of task {outcome.task} complete[/]: root {outcome.root[:14]}… paid "
        f"{outcome.paid / 10**18:,.2f} FLOCK now, {outcome.vesting / 10**18:,.2f} vesting"
    )
