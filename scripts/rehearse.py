"""`ape run rehearse`: the Base Sepolia deployment rehearsed on a local anvil (flock.ops.drills)."""

from flock.ops.drills import rehearse_cli as cli

__all__ = ["cli"]
