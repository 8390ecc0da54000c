"""`ape run train`: a training node trains on its shard, stores the model and submits it."""

from flock.clients.cli import train_cli as cli

__all__ = ["cli"]
