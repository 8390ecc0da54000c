"""`ape run participant`: one FL Alliance participant on a live network (flock.alliance.participant.cli)."""

from flock.alliance.participant.cli import cli

__all__ = ["cli"]
