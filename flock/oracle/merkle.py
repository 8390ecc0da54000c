"""OpenZeppelin's StandardMerkleTree, byte for byte, for leaves of ``address`` and ``uint256`` fields.

The same tree as ``@openzeppelin/merkle-tree`` v1 (``StandardMerkleTree.of(values, encoding)``):
leaf = keccak256(keccak256(abi.encode(...value))), leaves sorted by hash, the tree laid out as a flat
array with the root at 0 and children of i at 2i+1 and 2i+2, pairs hashed in sorted order. So
OpenZeppelin's ``MerkleProof.verify`` (and ``verifyCalldata``) accepts our proofs, and ``dump()`` is
the JSON that the npm package's ``StandardMerkleTree.load`` reads.

The reward distributor's leaves are ``(uint256 index, address account, uint256 amount)``
(``REWARD_LEAF``): the index numbers the leaves 0..n-1 and is the leaf's bit in the contract's
claimed bitmap (docs/decisions.md explains why the leaf must carry it). ``reward_tree`` builds one.

Encoding is done by hand for these two static types (a 12-byte pad and the 20-byte address, or a
32-byte integer) because eth-abi's general encoder would dominate building a 100,000-leaf tree, and
keccak comes straight from pysha3 when it is installed (five times faster than the auto backend).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address

try:  # safe-pysha3 is in the pinned environment; fall back to eth-hash's backend without it
    from sha3 import keccak_256 as _keccak_256

    def keccak(data: bytes) -> bytes:
        return _keccak_256(data).digest()

except ImportError:  # pragma: no cover
    from eth_hash.auto import keccak

Encoding = tuple[str, ...]
ACCOUNT_AMOUNT: Encoding = ("address", "uint256")
REWARD_LEAF: Encoding = ("uint256", "address", "uint256")


class MerkleError(ValueError):
    """A leaf or proof request the tree cannot serve."""


def _word_address(account: Any) -> bytes:
    text = str(account)
    raw = bytes.fromhex(text[2:] if text.startswith(("0x", "0X")) else text)
    if len(raw) != 20:
        raise MerkleError(f"not an address: {account!r}")
    return bytes(12) + raw


def _word_uint(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**256:
        raise MerkleError(f"not a uint256: {value!r}")
    return value.to_bytes(32, "big")


_ENCODERS: dict[str, Callable[[Any], bytes]] = {"address": _word_address, "uint256": _word_uint}


def _reward_leaf(value: Sequence[Any]) -> bytes:
    """abi.encode(uint256 index, address account, uint256 amount): the hot path of a reward tree."""
    if len(value) != 3:
        raise MerkleError(f"a leaf of 3 fields {REWARD_LEAF}, got {value!r}")
    index, account, amount = value
    return _word_uint(index) + _word_address(account) + _word_uint(amount)


def _encoder(encoding: Encoding) -> Callable[[Sequence[Any]], bytes]:
    if encoding == REWARD_LEAF:
        return _reward_leaf
    try:
        parts = [_ENCODERS[t] for t in encoding]
    except KeyError as err:
        raise MerkleError(f"unsupported leaf type {err.args[0]!r}: address and uint256 only") from None

    def encode(value: Sequence[Any]) -> bytes:
        if len(value) != len(parts):
            raise MerkleError(f"a leaf of {len(parts)} fields {encoding}, got {value!r}")
        return b"".join(part(field) for part, field in zip(parts, value, strict=True))

    return encode


def leaf_hash(value: Sequence[Any], encoding: Encoding = ACCOUNT_AMOUNT) -> bytes:
    """keccak256(keccak256(abi.encode(...value))), as the standard tree hashes a leaf."""
    return keccak(keccak(_encoder(encoding)(value)))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a <= b else b + a)


@dataclass(frozen=True)
class Leaf:
    value: tuple[Any, ...]
    tree_index: int


class StandardMerkleTree:
    """A tree of values of ``encoding``; values keep their input order in ``leaves``."""

    def __init__(self, values: Sequence[Sequence[Any]], encoding: Encoding = ACCOUNT_AMOUNT) -> None:
        if not values:
            raise MerkleError("a Merkle tree needs at least one leaf")
        encode = _encoder(encoding)
        hashes = [keccak(keccak(encode(value))) for value in values]
        order = sorted(range(len(values)), key=hashes.__getitem__)
        n = len(values)
        tree: list[bytes] = [b""] * (2 * n - 1)
        for leaf_index, value_index in enumerate(order):
            tree[len(tree) - 1 - leaf_index] = hashes[value_index]
        for i in range(len(tree) - 1 - n, -1, -1):
            left, right = tree[2 * i + 1], tree[2 * i + 2]
            tree[i] = keccak(left + right if left <= right else right + left)
        tree_index = [0] * n
        for leaf_index, value_index in enumerate(order):
            tree_index[value_index] = len(tree) - 1 - leaf_index
        self.encoding = encoding
        self.tree = tree
        self.leaves = [Leaf(tuple(value), tree_index[i]) for i, value in enumerate(values)]
        self._index_of: dict[tuple[Any, ...], int] | None = None  # built on first look-up

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def proof(self, index: int) -> list[bytes]:
        """The proof for the value at input position ``index``."""
        if not 0 <= index < len(self.leaves):
            raise MerkleError(f"no leaf at position {index}")
        node, proof = self.leaves[index].tree_index, []
        while node > 0:
            proof.append(self.tree[node + 1 if node % 2 else node - 1])
            node = (node - 1) // 2
        return proof

    def _normal(self, value: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            str(v).lower() if kind == "address" else v for kind, v in zip(self.encoding, value, strict=True)
        )

    def proof_for(self, value: Sequence[Any]) -> list[bytes]:
        """The proof for ``value`` (addresses in any case)."""
        if self._index_of is None:
            self._index_of = {self._normal(leaf.value): i for i, leaf in enumerate(self.leaves)}
        key = self._normal(value)
        if key not in self._index_of:
            raise MerkleError(f"no leaf {tuple(value)} in this tree")
        return self.proof(self._index_of[key])

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` JSON of @openzeppelin/merkle-tree (integers as decimal strings)."""

        def shown(kind: str, v: Any) -> str:
            return to_checksum_address(v) if kind == "address" else str(v)

        return {
            "format": "standard-v1",
            "leafEncoding": list(self.encoding),
            "tree": ["0x" + node.hex() for node in self.tree],
            "values": [
                {
                    "value": [shown(k, v) for k, v in zip(self.encoding, leaf.value, strict=True)],
                    "treeIndex": leaf.tree_index,
                }
                for leaf in self.leaves
            ],
        }


def reward_tree(leaves: Sequence[tuple[str, int]]) -> StandardMerkleTree:
    """The reward distributor's tree of ``(account, amount)`` leaves, in order: leaf i is
    ``(i, account, amount)``."""
    return StandardMerkleTree(
        [(i, account, amount) for i, (account, amount) in enumerate(leaves)], REWARD_LEAF
    )


def slash_tree(entries: Sequence[tuple[str, int]]) -> StandardMerkleTree:
    """ArenaSlasher's tree of ``(account, offence)`` entries, in order: leaf i is
    ``(i, account, offence)``, abi-encoded as (uint256, address, uint8): the same words as a reward
    leaf (a uint8 fills a word like a uint256)."""
    return StandardMerkleTree(
        [(i, account, int(offence)) for i, (account, offence) in enumerate(entries)], REWARD_LEAF
    )


def verify(
    root: bytes, value: Sequence[Any], proof: Sequence[bytes], encoding: Encoding = ACCOUNT_AMOUNT
) -> bool:
    """OpenZeppelin's MerkleProof.verify, in Python."""
    node = leaf_hash(value, encoding)
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
