"""Our StandardMerkleTree is @openzeppelin/merkle-tree's, byte for byte, and its proofs verify."""

import json
import subprocess

import pytest
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from flock.oracle.merkle import MerkleError, StandardMerkleTree, leaf_hash, verify
from flock.paths import PROJECT_ROOT

accounts = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
leaves = st.lists(st.tuples(accounts, st.integers(0, 2**256 - 1)), min_size=1, max_size=40)

OZ_DUMP = """
const { StandardMerkleTree } = require(process.argv[1] + "/node_modules/@openzeppelin/merkle-tree");
const values = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(StandardMerkleTree.of(values, ["address", "uint256"]).dump()));
"""


def openzeppelin_dump(values: list[tuple[str, int]]) -> dict:
    out = subprocess.run(
        ["node", "-e", OZ_DUMP, str(PROJECT_ROOT)],
        input=json.dumps([[a, str(v)] for a, v in values]),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


@settings(max_examples=15, deadline=None)
@given(values=leaves)
def test_tree_equals_openzeppelin_js(values):
    ours = StandardMerkleTree(values).dump()
    theirs = openzeppelin_dump(values)
    assert ours["tree"] == theirs["tree"]
    assert [v["treeIndex"] for v in ours["values"]] == [v["treeIndex"] for v in theirs["values"]]
    assert [v["value"] for v in ours["values"]] == [[to_checksum_address(a), str(v)] for a, v in values]


@given(values=leaves)
def test_every_leaf_proves(values):
    tree = StandardMerkleTree(values)
    for i, (account, amount) in enumerate(values):
        assert verify(tree.root, account, amount, tree.proof(i))
        assert tree.proof_for(account.upper().replace("0X", "0x"), amount) is not None
    account, amount = values[0]
    assert not verify(tree.root, account, amount ^ 1, tree.proof(0))


def test_single_leaf_tree_is_its_leaf():
    tree = StandardMerkleTree([("0x" + "11" * 20, 5)])
    assert tree.root == leaf_hash("0x" + "11" * 20, 5)
    assert tree.proof(0) == []


def test_errors():
    with pytest.raises(MerkleError, match="at least one leaf"):
        StandardMerkleTree([])
    with pytest.raises(MerkleError, match="not an address"):
        StandardMerkleTree([("0x1234", 1)])
    with pytest.raises(MerkleError, match="uint256"):
        StandardMerkleTree([("0x" + "11" * 20, -1)])
    tree = StandardMerkleTree([("0x" + "11" * 20, 5)])
    with pytest.raises(MerkleError, match="no leaf"):
        tree.proof_for("0x" + "22" * 20, 5)
    with pytest.raises(MerkleError, match="no leaf at position"):
        tree.proof(1)
