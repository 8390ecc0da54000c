"""ERC-1967: where a proxy keeps its implementation. Pure Python (no ape), for the harness too."""

from __future__ import annotations

from eth_utils import to_checksum_address

# bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
IMPLEMENTATION_SLOT = 0x360894A13BA1A3210667C828492DB98DCA3E2076CC3735A920A3CA505D382BBC


def implementation_from_slot(word: bytes | int) -> str:
    """The implementation address held in an ERC-1967 slot's 32-byte value."""
    value = word if isinstance(word, int) else int.from_bytes(bytes(word), "big")
    return to_checksum_address(value.to_bytes(32, "big")[12:])
