"""OpenZeppelin's StandardMerkleTree for ``(address, uint256)`` leaves, byte for byte.

The same tree as ``@openzeppelin/merkle-tree`` v1 (``StandardMerkleTree.of(values, ["address",
"uint256"])``): leaf = keccak256(keccak256(abi.encode(account, amount))), leaves sorted by hash, the
tree laid out as a flat array with the root at 0 and children of i at 2i+1 and 2i+2, pairs hashed in
sorted order. So OpenZeppelin's ``MerkleProof.verify`` (and ``verifyCalldata``) accepts our proofs,
and ``dump()`` is the JSON that the npm package's ``StandardMerkleTree.load`` reads.

Encoding is done by hand for this one leaf type (a 12-byte pad, the 20-byte address, a 32-byte
amount) because eth-abi's general encoder would dominate building a 100,000-leaf tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_hash.auto import keccak
from eth_utils import to_checksum_address

LEAF_ENCODING = ("address", "uint256")


class MerkleError(ValueError):
    """A leaf or proof request the tree cannot serve."""


def _word_address(account: str) -> bytes:
    raw = bytes.fromhex(account[2:] if account.startswith(("0x", "0X")) else account)
    if len(raw) != 20:
        raise MerkleError(f"not an address: {account!r}")
    return bytes(12) + raw


def leaf_hash(account: str, amount: int) -> bytes:
    """keccak256(keccak256(abi.encode(address, uint256))), as the standard tree hashes a leaf."""
    if not 0 <= amount < 2**256:
        raise MerkleError(f"amount out of uint256 range: {amount}")
    return keccak(keccak(_word_address(account) + amount.to_bytes(32, "big")))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a <= b else b + a)


@dataclass(frozen=True)
class Leaf:
    account: str
    amount: int
    tree_index: int


class StandardMerkleTree:
    """A tree of ``(account, amount)`` values; values keep their input order in ``leaves``."""

    def __init__(self, values: Sequence[tuple[str, int]]) -> None:
        if not values:
            raise MerkleError("a Merkle tree needs at least one leaf")
        hashes = [leaf_hash(account, amount) for account, amount in values]
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
        self.tree = tree
        self.leaves = [Leaf(account, amount, tree_index[i]) for i, (account, amount) in enumerate(values)]
        self._index_of: dict[tuple[str, int], int] | None = None  # built on first look-up

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

    def proof_for(self, account: str, amount: int) -> list[bytes]:
        if self._index_of is None:
            self._index_of = {(leaf.account.lower(), leaf.amount): i for i, leaf in enumerate(self.leaves)}
        key = (account.lower(), amount)
        if key not in self._index_of:
            raise MerkleError(f"no leaf ({account}, {amount}) in this tree")
        return self.proof(self._index_of[key])

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` JSON of @openzeppelin/merkle-tree (amounts as decimal strings)."""
        return {
            "format": "standard-v1",
            "leafEncoding": list(LEAF_ENCODING),
            "tree": ["0x" + node.hex() for node in self.tree],
            "values": [
                {"value": [to_checksum_address(leaf.account), str(leaf.amount)], "treeIndex": leaf.tree_index}
                for leaf in self.leaves
            ],
        }


def verify(root: bytes, account: str, amount: int, proof: Sequence[bytes]) -> bool:
    """OpenZeppelin's MerkleProof.verify, in Python."""
    node = leaf_hash(account, amount)
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
