"""`ape run rehearse`: a Base Sepolia deployment rehearsed on a local anvil (chain 84532, OP stack):
deploy with the Base Sepolia config and a keyfile account, `deploy verify`, then stop anvil."""

from __future__ import annotations

import click

from flock.clikit import clean_errors, console, fail
from flock.rehearsal import REHEARSAL_MANIFEST, anvil_node, deploy_args, ensure_rehearsal_account, run_ape


@click.command()
@clean_errors
def cli() -> None:
    """Rehearse the Base Sepolia deployment end to end on a throwaway anvil."""
    env = ensure_rehearsal_account()
    with anvil_node() as node:
        console.rule(f"[bold]rehearsal: anvil as Base Sepolia at {node.uri}")
        steps = [
            ("deploy", [*deploy_args(node), "--fresh"]),
            ("deploy verify", [*deploy_args(node), "verify"]),
        ]
        for name, args in steps:
            console.print(f"[bold]$ ape run {' '.join(args)}")
            if run_ape(args, env).returncode != 0:
                fail(f"rehearsal step '{name}' failed (manifest: {REHEARSAL_MANIFEST})")
    console.print(f"[green]rehearsal passed[/]; manifest at {REHEARSAL_MANIFEST}")
