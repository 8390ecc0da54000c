"""`ape run token`: see flock/ops/cli.py (and `ape run token --help`)."""

from flock.ops.cli import token_cli as cli

__all__ = ["cli"]
