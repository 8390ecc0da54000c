"""`ape run gateway`: the OpenAI-compatible API gateway; see flock.gateway.cli and docs/api.md."""

from flock.gateway.cli import cli

__all__ = ["cli"]
