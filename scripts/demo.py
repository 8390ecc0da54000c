"""`ape run demo`: the FLock protocol end to end on a fresh local chain (flock.demo.cli)."""

from flock.demo.cli import cli

__all__ = ["cli"]
