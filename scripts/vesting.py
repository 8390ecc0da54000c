"""`ape run vesting`: see flock/ops/cli.py (and `ape run vesting --help`)."""

from flock.ops.cli import vesting_cli as cli

__all__ = ["cli"]
