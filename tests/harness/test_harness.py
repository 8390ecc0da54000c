"""The in-process harness itself: its fast ABI path agrees with eth-abi, and the chain features the
property tests rely on (reverts, events, snapshots, time) behave."""

import pytest
from eth_abi import decode, encode
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from flock.chain.codec import Function
from flock.harness import Chain, Reverted
from flock.units import WAD

addresses = st.binary(min_size=20, max_size=20).map(lambda b: to_checksum_address(b))
STATIC = {
    "uint256": st.integers(0, 2**256 - 1),
    "uint96": st.integers(0, 2**96 - 1),
    "uint8": st.integers(0, 255),
    "int256": st.integers(-(2**255), 2**255 - 1),
    "int24": st.integers(-(2**23), 2**23 - 1),
    "address": addresses,
    "bool": st.booleans(),
    "bytes32": st.binary(min_size=32, max_size=32),
}
signatures = st.lists(st.sampled_from(sorted(STATIC)), min_size=0, max_size=5)


def function_of(kinds: list[str], outputs: list[str]) -> Function:
    return Function(
        {
            "type": "function",
            "name": "f",
            "stateMutability": "view",
            "inputs": [{"name": f"a{i}", "type": k} for i, k in enumerate(kinds)],
            "outputs": [{"name": f"r{i}", "type": k} for i, k in enumerate(outputs)],
        }
    )


@given(data=st.data(), kinds=signatures)
def test_fast_encoding_equals_eth_abi(data, kinds):
    values = tuple(data.draw(STATIC[k]) for k in kinds)
    fn = function_of(kinds, [])
    assert fn.encode(values) == fn.selector + encode(kinds, list(values))


@given(data=st.data(), kinds=signatures.filter(bool))
def test_fast_decoding_equals_eth_abi(data, kinds):
    values = [data.draw(STATIC[k]) for k in kinds]
    raw = encode(kinds, values)
    fn = function_of([], kinds)
    expected = tuple(
        to_checksum_address(v) if k == "address" else v
        for k, v in zip(kinds, decode(kinds, raw), strict=True)
    )
    result = fn.decode_result(raw)
    assert (result if len(kinds) > 1 else (result,)) == expected


@given(data=st.data(), kinds=signatures.filter(lambda k: len(k) > 1))
def test_fast_struct_decoding_equals_eth_abi(data, kinds):
    """A view returning one struct of static words decodes on the fast path to eth-abi's tuple."""
    struct = f"({','.join(kinds)})"
    values = tuple(data.draw(STATIC[k]) for k in kinds)
    raw = encode([struct], [values])
    fn = Function(
        {
            "type": "function",
            "name": "s",
            "stateMutability": "view",
            "inputs": [],
            "outputs": [
                {
                    "name": "r",
                    "type": "tuple",
                    "components": [{"name": f"c{i}", "type": k} for i, k in enumerate(kinds)],
                }
            ],
        }
    )
    (expected,) = decode([struct], raw)
    expected = tuple(
        to_checksum_address(v) if k == "address" else v for k, v in zip(kinds, expected, strict=True)
    )
    assert fn._fast_struct and fn.decode_result(raw) == expected


def test_values_outside_the_fast_path_fall_back_to_eth_abi():
    fn = function_of(["uint8", "address"], [])
    with pytest.raises(Exception, match="8 bits"):
        fn.encode((256, "0x" + "11" * 20))
    dynamic = Function(
        {
            "type": "function",
            "name": "g",
            "stateMutability": "view",
            "inputs": [{"name": "s", "type": "string"}],
        }
    )
    assert dynamic.encode(("hi",)) == dynamic.selector + encode(["string"], ["hi"])


@pytest.fixture(scope="module")
def chain_and_token():
    chain = Chain(n_accounts=3)
    admin, alice, _ = chain.accounts
    token = chain.deploy("FlockToken", admin, [alice], [10 * WAD], sender=admin)
    return chain, token


def test_transactions_return_receipts_with_decoded_events(chain_and_token):
    chain, token = chain_and_token
    _, alice, bob = chain.accounts
    receipt = token.transfer(bob, WAD, sender=alice)
    assert receipt.return_value is True
    assert receipt.gas_used > 21_000
    (event,) = receipt.events_named("Transfer")
    assert (event["from"], event["to"], event["value"]) == (alice, bob, WAD)


def test_reverts_decode_custom_errors(chain_and_token):
    chain, token = chain_and_token
    _, alice, bob = chain.accounts
    too_much = token.balanceOf(bob) + 1
    with chain.reverts("ERC20InsufficientBalance", sender=bob, needed=too_much):
        token.transfer(alice, too_much, sender=bob)
    with pytest.raises(Reverted) as info:
        token.mint(bob, 1, sender=bob)
    assert info.value.name == "AccessControlUnauthorizedAccount"
    with pytest.raises(AssertionError, match="expected revert Nope"), chain.reverts("Nope"):
        token.mint(bob, 1, sender=bob)


def test_snapshot_restore_and_time(chain_and_token):
    chain, token = chain_and_token
    _, alice, bob = chain.accounts
    start = chain.now
    snap = chain.snapshot()
    before = token.balanceOf(bob)
    for _ in range(3):
        token.transfer(bob, 1, sender=alice)
        chain.warp(100)
        assert token.balanceOf(bob) == before + 1
        assert chain.now == start + 100
        snap = chain.restore(snap)
        assert token.balanceOf(bob) == before
        assert chain.now == start
    with pytest.raises(ValueError, match="backwards"):
        chain.set_time(start - 1)
