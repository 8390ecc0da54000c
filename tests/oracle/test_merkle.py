"""Our StandardMerkleTree is @openzeppelin/merkle-tree's, byte for byte, and its proofs verify."""

import json
import subprocess

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from flock.oracle.merkle import (
    ACCOUNT_AMOUNT,
    REWARD_LEAF,
    MerkleError,
    StandardMerkleTree,
    leaf_hash,
    reward_tree,
    verify,
)
from flock.paths import PROJECT_ROOT

accounts = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
uint = st.integers(0, 2**256 - 1)
pairs = st.lists(st.tuples(accounts, uint), min_size=1, max_size=40)
triples = st.lists(st.tuples(uint, accounts, uint), min_size=1, max_size=40)

OZ_DUMP = """
const { StandardMerkleTree } = require(process.argv[1] + "/node_modules/@openzeppelin/merkle-tree");
const { values, encoding } = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(StandardMerkleTree.of(values, encoding).dump()));
"""


def openzeppelin_dump(values: list[tuple], encoding: tuple[str, ...]) -> dict:
    out = subprocess.run(
        ["node", "-e", OZ_DUMP, str(PROJECT_ROOT)],
        input=json.dumps({"values": [[str(v) for v in value] for value in values], "encoding": encoding}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def shown(encoding: tuple[str, ...], value: tuple) -> list[str]:
    return [
        to_checksum_address(v) if t == "address" else str(v) for t, v in zip(encoding, value, strict=True)
    ]


@settings(max_examples=10, deadline=None)
@given(values=pairs)
def test_tree_equals_openzeppelin_js(values):
    ours = StandardMerkleTree(values).dump()
    theirs = openzeppelin_dump(values, ACCOUNT_AMOUNT)
    assert ours["tree"] == theirs["tree"]
    assert [v["treeIndex"] for v in ours["values"]] == [v["treeIndex"] for v in theirs["values"]]
    assert [v["value"] for v in ours["values"]] == [shown(ACCOUNT_AMOUNT, v) for v in values]


@settings(max_examples=10, deadline=None)
@given(values=triples)
def test_reward_leaves_equal_openzeppelin_js(values):
    """The distributor's (uint256 index, address account, uint256 amount) leaves."""
    ours = StandardMerkleTree(values, REWARD_LEAF).dump()
    theirs = openzeppelin_dump(values, REWARD_LEAF)
    assert ours["tree"] == theirs["tree"]
    assert ours["leafEncoding"] == theirs["leafEncoding"] == list(REWARD_LEAF)
    assert [v["treeIndex"] for v in ours["values"]] == [v["treeIndex"] for v in theirs["values"]]


@given(values=pairs)
def test_every_leaf_proves(values):
    tree = StandardMerkleTree(values)
    for i, (account, amount) in enumerate(values):
        assert verify(tree.root, (account, amount), tree.proof(i))
        assert tree.proof_for((account.upper().replace("0X", "0x"), amount)) is not None
    account, amount = values[0]
    assert not verify(tree.root, (account, amount ^ 1), tree.proof(0))


@given(values=st.lists(st.tuples(accounts, st.integers(0, 2**96)), min_size=1, max_size=30))
def test_reward_tree_numbers_its_leaves(values):
    tree = reward_tree(values)
    for i, (account, amount) in enumerate(values):
        assert tree.leaves[i].value == (i, account, amount)
        assert verify(tree.root, (i, account, amount), tree.proof(i), REWARD_LEAF)
        # The index is part of the leaf: the same proof does not hold for another index.
        assert not verify(tree.root, (i + 1, account, amount), tree.proof(i), REWARD_LEAF)


def test_single_leaf_tree_is_its_leaf():
    tree = StandardMerkleTree([("0x" + "11" * 20, 5)])
    assert tree.root == leaf_hash(("0x" + "11" * 20, 5))
    assert tree.proof(0) == []


def test_errors():
    with pytest.raises(MerkleError, match="at least one leaf"):
        StandardMerkleTree([])
    with pytest.raises(MerkleError, match="not an address"):
        StandardMerkleTree([("0x1234", 1)])
    with pytest.raises(MerkleError, match="uint256"):
        StandardMerkleTree([("0x" + "11" * 20, -1)])
    with pytest.raises(MerkleError, match="fields"):
        StandardMerkleTree([(1, "0x" + "11" * 20, 5)])
    with pytest.raises(MerkleError, match="unsupported"):
        StandardMerkleTree([(b"x",)], ("bytes",))
    tree = StandardMerkleTree([("0x" + "11" * 20, 5)])
    with pytest.raises(MerkleError, match="no leaf"):
        tree.proof_for(("0x" + "22" * 20, 5))
    with pytest.raises(MerkleError, match="no leaf at position"):
        tree.proof(1)
