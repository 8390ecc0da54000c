"""`ape run alliance`: federated learning over FL Alliance rounds on a local chain."""

from __future__ import annotations

from pathlib import Path

import click

from flock.alliance.cli import options, run
from flock.chain.network import is_local
from flock.clikit import clean_errors, connected, console, quiet_ape


@click.command()
@options
@clean_errors
def cli(
    network: str,
    participants: int,
    rounds: int,
    malicious: str,
    attack: str,
    dataset: str,
    seed: int,
    store: Path | None,
) -> None:
    """Train a model together on private shards of a real dataset: random roles each round,
    FedAvg by the proposers, stake-weighted votes from the voters' held-out accuracy, one cheater
    slashed; the model lineage on chain is checked against the stored models at the end."""
    quiet_ape()
    with connected(network) as provider:
        if not is_local(provider.network.name):
            raise click.UsageError("this run moves time and spends test accounts: use a local network")
        run(console, participants, rounds, malicious, attack, dataset, seed, store)
