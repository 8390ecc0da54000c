"""Where CREATE puts a contract: keccak256(rlp([creator, nonce]))[12:] (the yellow paper's eq. 86).
Pure Python (no ape), for the deploy plan, deploy verify and the harness's tests alike."""

from __future__ import annotations

import rlp
from eth_utils import keccak, to_bytes, to_checksum_address


def create_address(creator: str, nonce: int) -> str:
    """The address of the contract ``creator`` creates with CREATE at ``nonce`` (an account's
    transaction count, or a contract's creation count, which starts at 1: EIP-161)."""
    if nonce < 0:
        raise ValueError(f"nonce {nonce}: a nonce is not negative")
    return to_checksum_address(keccak(rlp.encode([to_bytes(hexstr=creator), nonce]))[12:])
