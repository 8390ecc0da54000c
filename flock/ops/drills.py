"""`ape run epoch`, `ape run live_upgrade`, `ape run rehearse`: the operator's drills on a chain whose
clock can move (the local chain, or anvil posing as Base Sepolia in `make rehearse-base`): one
protocol epoch (flock.protocol_epoch), one upgrade through the DAO on live state
(flock.live_upgrade), and the whole Base Sepolia rehearsal (flock.rehearsal)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from flock.chain.network import clock_can_move
from flock.cli import (
    Command,
    ConnectedCommand,
    account_option,
    console,
    manifest_option,
    network_option,
)
from flock.live_upgrade import run_live_upgrade, write_claims
from flock.protocol_epoch import epoch_protocol, run_epoch
from flock.rehearsal import REHEARSAL_MANIFEST, rehearse


def drill_options(why: str, sender: str) -> Callable[[Any], Any]:
    """--network (where the clock can move), --account (``sender``: who sends) and --manifest."""

    def decorate(func: Any) -> Any:
        where = "a local chain, a fork, or the Base rehearsal (base:rehearsal:URI)"
        func = manifest_option()(func)
        func = account_option(help=f"{sender} (default on a local chain: test:0)")(func)
        return network_option(rule=clock_can_move, why=why, where=where)(func)

    return decorate


@click.command("epoch", cls=ConnectedCommand)
@drill_options("the epoch moves time and spends test accounts", "the funder, who hands out FLOCK")
@click.option(
    "--leave-unclaimed",
    "unclaimed_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="leave the root's last leaf unclaimed and write its claim (with proof) to this JSON file",
)
def epoch_cli(provider: Any, sender: Any, manifest_file: Path, unclaimed_file: Path | None) -> None:
    """Run one protocol epoch: stakes, a task approved by the DAO, training, validation, an oracle
    root, claims (on the local chain, the protocol is deployed fresh first)."""
    protocol = epoch_protocol(manifest_file, console)
    console.rule(f"[bold]one protocol epoch on {provider.network.name} (chain {provider.chain_id})")
    outcome = run_epoch(protocol, sender, console, hold_back=1 if unclaimed_file else 0)
    if unclaimed_file:
        write_claims(unclaimed_file, outcome.held)
        console.print(f"  the unclaimed leaf's claim: {unclaimed_file}")
    console.print(
        f"[green]epoch {outcome.epoch} of task {outcome.task} complete[/]: root {outcome.root[:14]}… paid "
        f"{outcome.paid / 10**18:,.2f} FLOCK now, {outcome.vesting / 10**18:,.2f} vesting"
    )


@click.command("live_upgrade", cls=ConnectedCommand)
@click.argument("contract", default="rewards")
@drill_options("the live upgrade moves time", "the proposer")
@click.option(
    "--unclaimed",
    "claims_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="the claim the epoch left unclaimed (`ape run epoch --leave-unclaimed FILE`)",
)
def live_upgrade_cli(contract: str, provider: Any, deployment: Any, sender: Any, claims_file: Path) -> None:
    """Upgrade CONTRACT (default: rewards) through a DAO proposal on a deployment with live state
    (the epoch's locks, task and unclaimed leaf) and check that nothing was lost."""
    console.rule(f"[bold]a live upgrade of {contract} through the DAO on {provider.network.name}")
    outcome = run_live_upgrade(deployment, contract, sender, claims_file, console)
    console.print(
        f"[green]upgraded {outcome.key}[/] from {outcome.before} to {outcome.after} by proposal "
        f"{outcome.proposal}: nothing lost"
    )


@click.command("rehearse", cls=Command)
@manifest_option(default=REHEARSAL_MANIFEST, help="where the rehearsal's deployment manifest goes")
def rehearse_cli(manifest_file: Path) -> None:
    """Rehearse the Base Sepolia deployment end to end on a throwaway anvil (chain 84532, OP stack):
    deploy with the Base Sepolia config and a keyfile account, `deploy verify`, one protocol epoch
    (a reward leaf left unclaimed), one upgrade of the reward distributor through a DAO proposal on
    that live state, then stop anvil."""
    rehearse(manifest_file, console)
    console.print(f"[green]rehearsal passed[/]; manifest at {manifest_file}")
