"""CREATE addresses (flock.chain.create) against known vectors and against the harness's EVM."""

from __future__ import annotations

import pytest
from eth_utils import keccak, to_checksum_address

from flock.chain.create import create_address

SENDER = "0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0"  # the classic worked example's sender


@pytest.mark.parametrize(
    ("nonce", "expected"),
    [
        (0, "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d"),
        (1, "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8"),
        (2, "0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91"),
        (3, "0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c"),
    ],
)
def test_known_vectors(nonce, expected):
    assert create_address(SENDER, nonce).lower() == expected


@pytest.mark.parametrize(("nonce", "encoded"), [(0x80, b"\x81\x80"), (0x1234, b"\x82\x12\x34")])
def test_nonces_past_one_rlp_byte_are_rlp_strings(nonce, encoded):
    # rlp([address, nonce]) written out by hand: a list prefix, the 20-byte string, the nonce string
    payload = b"\x94" + bytes.fromhex(SENDER[2:]) + encoded
    expected = keccak(bytes([0xC0 + len(payload)]) + payload)[12:]
    assert create_address(SENDER, nonce) == to_checksum_address(expected)


def test_a_negative_nonce_is_refused():
    with pytest.raises(ValueError, match="not negative"):
        create_address(SENDER, -1)
