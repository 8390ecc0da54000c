"""`ape run dao`: operate the FLock DAO (propose, decode, simulate, vote, queue, execute, status, list).

The commands live in flock.dao.cli; docs/governance.md has the operator runbook."""

from flock.dao.cli import cli

__all__ = ["cli"]
