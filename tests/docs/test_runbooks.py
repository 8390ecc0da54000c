"""The runbooks run as written: every block fenced ```sh runbook``` in docs/ is executed, in order,
on one chain (the session's anvil stands in for the runbook's persistent one), each `ape run` line
through its real click command in process. Only the files the commands write (manifest, store,
journal) are pointed at a temporary folder. The manifest starts as a copy of the session's
deployment (same chain, config and deployer), so `ape run deploy --verify` resumes it, finding every
step done, and verifies it: a fresh deploy is tests/e2e/test_deploy_cli.py's, and 15 s here."""

from __future__ import annotations

import shutil

import pytest

from flock.paths import PROJECT_ROOT
from flock.runbook import Runner, blocks, commands

# in the order a reader follows them: governance sets up the chain the oracle runbook continues on
RUNBOOKS = ("docs/governance.md", "docs/oracle.md")
STORE_COMMANDS = {"train", "validate", "oracle"}


def _extra(tmp_path):
    manifest, store, journal = tmp_path / "deployment.json", tmp_path / "store", tmp_path / "journal"

    def extra(name: str, args: list[str]) -> list[str]:
        out = ["--manifest", str(manifest)]
        if name in STORE_COMMANDS and args[:1] != ["finalize"]:
            out += ["--store", str(store)]
        if name == "validate":
            out += ["--journal", str(journal)]
        return out

    return extra


def test_every_runbook_block_parses():
    found = {doc: blocks(PROJECT_ROOT / doc) for doc in RUNBOOKS}
    assert all(found.values()), found
    for block in (b for bs in found.values() for b in bs):
        for argv in commands(block):
            assert argv[:2] == ["ape", "run"], argv


def test_runbooks_run_as_written(tmp_path, chain, manifest, manifest_file):
    shutil.copy(manifest_file, tmp_path / "deployment.json")
    runner = Runner(extra=_extra(tmp_path))
    for doc in RUNBOOKS:
        for block in blocks(PROJECT_ROOT / doc):
            runner.run_block(block)
    log = "\n".join(runner.log)
    assert "all " in log and "checks passed" in log  # deploy --verify
    assert "executed" in log and "RoleGranted" in log
    assert "values unchanged" in log and "rewards now runs RewardDistributor" in log  # the upgrade
    assert "opened epoch" in log and "accepted" in log and "match" in log
    assert "claimed" in log and "released" in log and "vested FLOCK" in log


@pytest.mark.parametrize("doc", ["docs/audit.md", "docs/deploy.md"])
def test_runbooks_do_not_chain_a_new_local_chain(doc):
    """`ape run deploy && ape run deploy verify` verifies a second, empty chain: `--verify` instead."""
    assert "ape run deploy && ape run deploy verify" not in (PROJECT_ROOT / doc).read_text()
