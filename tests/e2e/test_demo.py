"""`make demo`'s command end to end: every chapter runs on a fresh anvil and the final report and its
charts are written."""

from flock.demo.report import ACCURACY_CHART, EMISSION_CHART, REWARD_CHART, SUMMARY
from flock.testing.commands import run_ape

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_demo_runs_end_to_end_and_writes_its_report(tmp_path):
    result = run_ape("demo", "--reports", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "withdrawal fee: 5.13% (burned) -> 3.00% (to the treasury)" in out  # governance executed
    assert "verify: match" in out  # the posted root recomputes
    assert "the lazy validator (carol) earns" in out
    assert "erin, a stranger to the task, slashes alice" in out  # issue 11: an Arena slash
    assert "a second slash of the same offence is refused" in out
    assert "lineage verified" in out
    assert "exact to the wei" in out  # the API platform: users' FLOCK = claims + protocol share + fees
    assert "demo complete" in out
    for chart in (REWARD_CHART, EMISSION_CHART, ACCURACY_CHART):
        assert (tmp_path / chart).read_bytes().startswith(PNG_MAGIC)
    summary = (tmp_path / SUMMARY).read_text()
    for section in ("the run", "what was deployed", "what the DAO changed", "tasks", "emission per epoch"):
        assert f". {section}" in summary
    assert "## 6. AI Arena: task 1, epoch" in summary and "who was slashed, and why" in summary
    assert "| Lower the gmFLOCK withdrawal fee" in summary and "| heidi | rejected |" in summary
    assert "Arena slash: a validator that did not reveal" in summary
    assert "Traceback" not in out + result.stderr
