"""`ape run live_upgrade`: one upgrade through a DAO proposal on a deployment with live state (the
protocol epoch's locks, task and a reward leaf left unclaimed), checked for anything lost. Runs where
the clock can move: the local chain or the Base rehearsal (`make rehearse-base`)."""

from __future__ import annotations

from pathlib import Path

import click

from flock.chain.manifest import manifest_path
from flock.chain.network import clock_can_move, network_name
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
from flock.dao.deployment import Deployment
from flock.live_upgrade import LiveUpgradeError, run_live_upgrade


@click.command()
@click.argument("contract", default="rewards")
@click.option(
    "--network", default=DEFAULT_NETWORK, show_default=True, help="the local chain or base:rehearsal:URI"
)
@account_option
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
)
@click.option(
    "--unclaimed",
    "claims_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="the claim the epoch left unclaimed (`ape run epoch --leave-unclaimed FILE`)",
)
@clean_errors
def cli(
    contract: str, network: str, account: str | None, manifest_file: Path | None, claims_file: Path
) -> None:
    """Upgrade CONTRACT (default: rewards) through a DAO proposal and check that nothing was lost."""
    quiet_ape()
    name = network_name(network)
    if not clock_can_move(name):
        raise UserError(
            f"the live upgrade moves time: run it on a local chain or the Base rehearsal, not {name}"
        )
    with connected(network) as provider:
        proposer = load_sender(account, provider)
        deployment = Deployment.load(manifest_file or manifest_path(network))
        console.rule(f"[bold]a live upgrade of {contract} through the DAO on {provider.network.name}")
        try:
            outcome = run_live_upgrade(deployment, contract, proposer, claims_file, console)
        except LiveUpgradeError as err:
            raise UserError(str(err)) from err
    console.print(
        f"[green]upgraded {outcome.key}[/] from {outcome.before} to {outcome.after} by proposal "
        f"{outcome.proposal}: nothing lost"
    )
