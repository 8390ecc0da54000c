"""`ape run verify_sources`: publish every contract of a deployment manifest on the network's block
explorer (Basescan for Base), with ape-etherscan. Install it first with `make etherscan`."""

from __future__ import annotations

from pathlib import Path

import click

from flock.chain.manifest import Manifest, manifest_path
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
    path = manifest_file or manifest_path(network)
    manifest = Manifest.load(path)
    if manifest is None:
        raise UserError(f"no deployment manifest at {path}")
    from ape import chain, project

    with connected(network) as provider:
        explorer = provider.network.explorer
        if explorer is None:
            raise UserError(f"{network} has no block explorer configured")
        for key, record in manifest.contracts.items():
            contract_type = project.get_contract(record.contract).contract_type
            chain.contracts.instance_at(
                record.address, contract_type=contract_type, fetch_from_explorer=False
            )
            console.print(f"publishing {key} ({record.contract}) at {record.address}")
            explorer.publish_contract(record.address)
    console.print("[green]all contracts submitted for verification[/]")
