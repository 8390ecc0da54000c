"""The report is deterministic: the same inputs, in any order, give byte-identical bytes and root."""

import json
import random

from flock.oracle.example import example
from flock.oracle.merkle import REWARD_LEAF, verify
from flock.oracle.report import build_tree, encode_report, report_hash, report_payload
from flock.oracle.scoring import EpochInputs, OracleParams, compute_epoch


def make(inputs: EpochInputs) -> bytes:
    result = compute_epoch(inputs)
    hashes = {v: "0x" + f"{i:064x}" for i, v in enumerate(sorted(inputs.validators))}
    return encode_report(report_payload(inputs, OracleParams(), result, score_file_hashes=hashes))


def test_byte_identical_and_order_independent():
    inputs = example()
    first, second = make(inputs), make(example())
    assert first == second
    rnd = random.Random(7)
    for _ in range(5):
        items = {
            name: list(getattr(inputs, name).items())
            for name in ("nodes", "validators", "submissions", "scores")
        }
        for values in items.values():
            rnd.shuffle(values)
        shuffled = EpochInputs(
            inputs.task,
            inputs.epoch,
            inputs.node_budget,
            inputs.validator_budget,
            *(dict(items[n]) for n in items),
        )
        assert make(shuffled) == first
    assert len(report_hash(first)) == 32


def test_report_contents_match_the_tree():
    inputs = example()
    result = compute_epoch(inputs)
    payload = json.loads(make(inputs))
    tree = build_tree(result)
    assert payload["root"] == "0x" + tree.root.hex()
    assert sum(int(amount) for _, _, amount in payload["leaves"]) == int(payload["totals"]["total"])
    assert [i for i, _, _ in payload["leaves"]] == list(range(len(result.leaves)))
    for index, (account, amount) in enumerate(result.leaves):
        value = (index, account, amount)
        assert verify(tree.root, value, tree.proof_for(value), REWARD_LEAF)
    assert payload["quality"][("0x" + "b3" * 20)] == "0"
