"""The oracle benchmark's measured process: `python -m flock.bench.oracle_worker OUT.json`.

It builds the synthetic epoch, times the oracle end to end (score files parsed, consensus, quality,
rewards, Merkle tree and canonical report), writes the tree's leaves for the npm comparison, and
reports its own peak resident memory: run alone in a fresh process, that is the oracle's footprint.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from flock.bench.oracle_data import synthetic_epoch
from flock.files import atomic_write_text
from flock.oracle.merkle import reward_tree
from flock.oracle.run import compute


def main(out: Path) -> None:
    data, store = synthetic_epoch()
    start = time.perf_counter()
    run = compute(data, store)
    seconds = time.perf_counter() - start
    assert run.tree is not None
    start = time.perf_counter()
    tree = reward_tree(run.result.leaves)
    tree_seconds = time.perf_counter() - start
    assert tree.root == run.tree.root
    scores = sum(len(p.scores) for p in run.assembled.inputs.scores.values())
    result = {
        "seconds": seconds,
        "tree_seconds": tree_seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "scores": scores,
        "leaves": len(run.result.leaves),
        "root": "0x" + tree.root.hex(),
        "values": [[i, account, str(amount)] for i, (account, amount) in enumerate(run.result.leaves)],
    }
    atomic_write_text(out, json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
