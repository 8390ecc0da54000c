"""`ape run rehearse`: a Base Sepolia deployment rehearsed on a local anvil (chain 84532, OP stack):
deploy with the Base Sepolia config and a keyfile account, `deploy verify`, one protocol epoch
(`ape run epoch`, a reward leaf left unclaimed), one upgrade of the reward distributor through a DAO
proposal on that live state (`ape run live_upgrade`: nothing lost, the proxy verified), then stop
anvil."""

from __future__ import annotations

from pathlib import Path

import click

from flock.clikit import clean_errors, console, fail
from flock.rehearsal import (
    REHEARSAL_MANIFEST,
    anvil_node,
    deploy_args,
    ensure_rehearsal_account,
    epoch_args,
    live_upgrade_args,
    run_ape,
    unclaimed_file,
)


@click.command()
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=REHEARSAL_MANIFEST,
    show_default=True,
    help="where the rehearsal's deployment manifest goes",
)
@clean_errors
def cli(manifest_file: Path) -> None:
    """Rehearse the Base Sepolia deployment end to end on a throwaway anvil."""
    env = ensure_rehearsal_account()
    with anvil_node() as node:
        console.rule(f"[bold]rehearsal: anvil as Base Sepolia at {node.uri}")
        steps = [
            # every rehearsal is a new chain: an earlier record is set aside (asked twice: it may be complete)
            ("deploy", [*deploy_args(node, manifest_file), "--fresh", "--fresh"]),
            ("deploy verify", [*deploy_args(node, manifest_file), "verify"]),
            ("epoch", epoch_args(node, manifest_file, unclaimed_file(manifest_file))),
            ("live upgrade", live_upgrade_args(node, manifest_file)),
        ]
        for name, args in steps:
            console.print(f"[bold]$ ape run {' '.join(args)}")
            if run_ape(args, env).returncode != 0:
                fail(f"rehearsal step '{name}' failed (manifest: {manifest_file})")
    console.print(f"[green]rehearsal passed[/]; manifest at {manifest_file}")
