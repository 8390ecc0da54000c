"""`ape run verify_sources`: publish every contract of a deployment manifest on the network's block
explorer (Basescan for Base), with ape-etherscan; install it first with `make etherscan`."""

from flock.deploy.cli import verify_sources_cli as cli

__all__ = ["cli"]
