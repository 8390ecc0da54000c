"""`make demo`'s command end to end: every chapter runs on a fresh anvil and the final report and its
charts are written."""

import os
import subprocess
import sys
from pathlib import Path

from flock.demo.report import ACCURACY_CHART, EMISSION_CHART, REWARD_CHART, SUMMARY
from flock.paths import PROJECT_ROOT

APE = str(Path(sys.executable).with_name("ape"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_demo_runs_end_to_end_and_writes_its_report(tmp_path):
    result = subprocess.run(
        [APE, "run", "demo", "--reports", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "withdrawal fee: 5.13% (burned) -> 3.00% (to the treasury)" in out  # governance executed
    assert "verify: match" in out  # the posted root recomputes
    assert "the lazy validator (carol) earns" in out
    assert "lineage verified" in out
    assert "exact to the wei" in out  # the API platform: users' FLOCK = claims + protocol share + fees
    assert "demo complete" in out
    for chart in (REWARD_CHART, EMISSION_CHART, ACCURACY_CHART):
        assert (tmp_path / chart).read_bytes().startswith(PNG_MAGIC)
    summary = (tmp_path / SUMMARY).read_text()
    assert "emission per epoch" in summary and "Arena epoch rewards" in summary
    assert "Traceback" not in out + result.stderr
