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


def block_time(number: int) -> int:
    """The timestamp of block ``number``."""
    return chain.blocks[number].timestamp


def first_block_at(timestamp: int, low: int = 0, high: int | None = None) -> int:
    """The first block in ``[low, high]`` (``high``: the head) whose timestamp is at or after
    ``timestamp``, by binary search on block timestamps (they never decrease): about 22 block reads
    for 4 million blocks. ``high + 1`` when every block of the range is older."""
    low = max(low, 0)
    high = chain.blocks.height if high is None else high
    if low > high or block_time(high) < timestamp:
        return high + 1
    while low < high:  # invariant: block ``high`` is at or after ``timestamp``
        middle = (low + high) // 2
        if block_time(middle) < timestamp:
            low = middle + 1
        else:
            high = middle
    return low
