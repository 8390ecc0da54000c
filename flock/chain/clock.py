"""The connected chain's clock (ape): read the head's time, mine at a time, move time on."""

from __future__ import annotations

from ape import chain
from ape.exceptions import APINotImplementedError


def _node_mine_at(timestamp: int) -> None:
    """Mines a block at ``timestamp`` through anvil's RPC, for providers that cannot move time
    themselves (ape's generic node provider on the Base rehearsal chain)."""
    chain.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    chain.provider.make_request("evm_mine", [])


def advance(seconds: int) -> None:
    """Mines a block ``seconds`` after the pending timestamp."""
    try:
        chain.mine(timestamp=chain.pending_timestamp + seconds)
    except APINotImplementedError:
        _node_mine_at(head_time() + seconds)


def head_time() -> int:
    """The timestamp of the latest block (what views see as ``block.timestamp``)."""
    return chain.blocks.head.timestamp


def next_block_at(timestamp: int) -> None:
    """The next transaction is mined at exactly ``timestamp``."""
    chain.pending_timestamp = timestamp


def mine_at(timestamp: int) -> None:
    """Mines a block at ``timestamp`` (later transactions follow it)."""
    try:
        chain.mine(timestamp=timestamp)
    except APINotImplementedError:
        _node_mine_at(timestamp)
