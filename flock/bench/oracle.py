"""The oracle's throughput: 1,000,000 validator x submission scores to a ~100,000-leaf reward tree and
its report, in a fresh process (so its peak memory is the oracle's own), and our Merkle tree against
@openzeppelin/merkle-tree's on the same leaves in the same run."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from flock.bench.registry import Results, benchmark
from flock.paths import PROJECT_ROOT

# Builds the npm package's tree from the worker's leaves; prints the build time (ms) and the root.
OZ_TIMED = """
const { StandardMerkleTree } = require(process.argv[1] + "/node_modules/@openzeppelin/merkle-tree");
const { values } = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const start = process.hrtime.bigint();
const tree = StandardMerkleTree.of(values, ["uint256", "address", "uint256"]);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, root: tree.root }));
"""


@benchmark("oracle", needs_chain=False)
def oracle_throughput() -> Results:
    with tempfile.TemporaryDirectory(prefix="flock-oracle-bench-") as folder:
        out = Path(folder) / "run.json"
        subprocess.run(
            [sys.executable, "-m", "flock.bench.oracle_worker", str(out)], check=True, cwd=PROJECT_ROOT
        )
        run = json.loads(out.read_text())
        node = subprocess.run(
            ["node", "-e", OZ_TIMED, str(PROJECT_ROOT), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
    oz = json.loads(node.stdout)
    if oz["root"] != run["root"]:
        raise AssertionError(f"@openzeppelin/merkle-tree gives root {oz['root']}, ours {run['root']}")
    return {
        "oracle.scores_1m_seconds": round(run["seconds"], 2),
        "oracle.peak_mb": round(run["peak_mb"], 1),
        "oracle.scores": run["scores"],
        "oracle.leaves": run["leaves"],
        "oracle.merkle_seconds": round(run["tree_seconds"], 3),
        "oracle.merkle_ozjs_seconds": round(oz["ms"] / 1000, 3),
        "oracle.merkle_vs_ozjs": round(run["tree_seconds"] / (oz["ms"] / 1000), 4),
    }
