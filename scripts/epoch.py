"""`ape run epoch`: one protocol epoch on a chain whose clock can move (flock.ops.drills)."""

from flock.ops.drills import epoch_cli as cli

__all__ = ["cli"]
