"""`ape run alliance`: federated learning over FL Alliance rounds on a local chain (flock.alliance.cli)."""

from flock.alliance.cli import cli

__all__ = ["cli"]
