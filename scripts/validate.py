"""`ape run validate`: a validator scores the submitted models, commits, then reveals."""

from flock.clients.cli import validate_cli as cli

__all__ = ["cli"]
