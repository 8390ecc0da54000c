"""`ape run stake`: see flock/ops/cli.py (and `ape run stake --help`)."""

from flock.ops.cli import stake_cli as cli

__all__ = ["cli"]
