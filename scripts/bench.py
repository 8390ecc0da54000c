"""`ape run bench`: gas on anvil and harness throughput (flock.bench.cli)."""

from flock.bench.cli import cli

__all__ = ["cli"]
