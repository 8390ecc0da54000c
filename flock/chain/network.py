"""Which networks are ours: the rules every command and room asks, stated once.

A network is named as ape names it (``provider.network.name``), or given as a ``--network`` choice
``ecosystem:network[:provider]`` (:func:`network_name` reads the name out of one).

- ``local``: the throwaway chain ape starts itself (anvil). A new chain every run: a deployment is
  made fresh, test account 0 sends by default, a manifest of an earlier run describes a dead chain.
- ``<network>-fork``: a fork of a live network in a local node. With ``local`` these are the
  *development* chains: snapshots, impersonation and ``test:N`` accounts work there.
- ``rehearsal``: the Base rehearsal (``make rehearse-base``), an anvil the project runs as Base
  Sepolia. Not a development chain to ape (its generic node provider), but its clock is ours.

The clock of a chain may move (warps, mined timestamps) on the development chains and on the
rehearsal; never on a live network.
"""

from __future__ import annotations

LOCAL = "local"
REHEARSAL = "rehearsal"
FORK_SUFFIX = "-fork"


def network_name(choice: str) -> str:
    """The network of a ``--network`` choice: ``ethereum:local:foundry`` -> ``local``,
    ``base:sepolia`` -> ``sepolia``; an ecosystem alone means its local network."""
    return [*choice.split(":"), LOCAL][1] or LOCAL


def is_local(name: str) -> bool:
    """ape's throwaway chain: new every run, with test accounts."""
    return name == LOCAL


def is_dev(name: str) -> bool:
    """A chain of our own (local, or a fork of a live one): snapshots, impersonation, test accounts."""
    return is_local(name) or name.endswith(FORK_SUFFIX)


def clock_can_move(name: str) -> bool:
    """Whether the chain's clock is ours to move: the development chains and the rehearsal."""
    return is_dev(name) or name == REHEARSAL
