"""`ape run verify_sources`: publish every contract of a deployment manifest on the network's block
explorer (Basescan for Base), with ape-etherscan. Install it first with `make etherscan`."""

from __future__ import annotations

from pathlib import Path

import click

from flock.chain.manifest import manifest_path
from flock.chain.protocol import LiveProtocol
from flock.clikit import UserError, clean_errors, connected, console, network_option


@click.command()
@network_option
@click.option("--manifest", "manifest_file", type=click.Path(path_type=Path), help="deployment manifest")
@clean_errors
def cli(network: str, manifest_file: Path | None) -> None:
    """Verify the deployed contracts' sources on the block explorer."""
    try:
        import ape_etherscan  # noqa: F401
    except ImportError as err:
        raise UserError("ape-etherscan is not installed: run `make etherscan`") from err
    with connected(network) as provider:
        protocol = LiveProtocol.load(manifest_file or manifest_path(network))  # this chain's, or refused
        explorer = provider.network.explorer
        if explorer is None:
            raise UserError(f"{network} has no block explorer configured")
        for key in protocol.keys:
            protocol.contract(key)  # known to ape by its build, so the explorer gets its sources
            console.print(f"publishing {key} ({protocol.contract_name(key)}) at {protocol.address(key)}")
            explorer.publish_contract(protocol.address(key))
    console.print("[green]all contracts submitted for verification[/]")
