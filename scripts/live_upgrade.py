"""`ape run live_upgrade`: one upgrade through the DAO on live state, checked for anything lost
(flock.ops.drills)."""

from flock.ops.drills import live_upgrade_cli as cli

__all__ = ["cli"]
