"""`ape run oracle`: compute, post, verify and report a task epoch's rewards; finalize; claim.

The commands live in flock.oracle.cli; docs/oracle.md has the runbook."""

from flock.oracle.cli import cli

__all__ = ["cli"]
