"""`ape run participant`: one FL Alliance participant on a live network (flock.alliance.participant_cli)."""

from flock.alliance.participant_cli import cli

__all__ = ["cli"]
