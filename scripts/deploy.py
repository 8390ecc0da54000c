"""`ape run deploy`: deploy the protocol from config/<ecosystem>-<network>.yaml and write the
manifest; `ape run deploy verify` checks it on chain (flock.deploy.cli, docs/deploy.md)."""

from flock.deploy.cli import cli

__all__ = ["cli"]
