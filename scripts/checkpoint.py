"""`ape run checkpoint`: see flock/ops/cli.py (and `ape run checkpoint --help`)."""

from flock.ops.cli import checkpoint_cli as cli

__all__ = ["cli"]
