"""`ape run tasks`: see flock/ops/cli.py (and `ape run tasks --help`)."""

from flock.ops.cli import tasks_cli as cli

__all__ = ["cli"]
