"""Issue 11, attack 7 end to end: one validator reveals a hostile score file and the oracle's
command line (compute, post, verify) stays up; the honest validators' scores still count.

The played epoch's second validator is made to have revealed the hostile file's hash (the chain
facts are read as usual, then its reveal is pointed at the hostile bytes placed in the store), which
is what committing and revealing that file on chain produces. Before the fix, `10**400` stopped
every computing command with OverflowError, and the 130 KB nest with RecursionError (a segmentation
fault inside the ape CLI).
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from click.testing import CliRunner

from flock.chain.protocol import LiveProtocol
from flock.oracle.chain import ChainView
from flock.oracle.cli import cli as oracle_cli
from flock.oracle.inputs import Reveal
from flock.oracle.run import compute_on_chain
from flock.oracle.scorefile import FORMAT
from flock.store import ContentStore

NETWORK = "ethereum:local:foundry"


def hostile_files(task: int, epoch: int, validator: str) -> dict[str, bytes]:
    head = f'{{"format":"{FORMAT}","task":{task},"epoch":{epoch},"validator":"{validator}","scores":'
    return {
        "huge integer": (head + '{"0x' + "01" * 32 + '": 1' + "0" * 400 + "}}").encode(),
        "deep nesting": b"[" * 65_000 + b"]" * 65_000,
        "task true": head.replace(f'"task":{task}', '"task":true').encode() + b"{}}",
    }


@pytest.fixture
def hostile(played, tmp_path, monkeypatch):
    """``use(name)``: the second validator's reveal now points at hostile file ``name``; returns
    the store holding it (a copy of the played epoch's store)."""
    store = tmp_path / "store"
    shutil.copytree(played.store.root, store)
    attacker = str(played.validators[1]).lower()
    read = ChainView.read

    def use(name: str):
        data = hostile_files(played.task, played.epoch, attacker)[name]
        digest = ContentStore(store).put(data)

        def patched(self, task, epoch, blocks=None):
            facts = read(self, task, epoch, blocks)
            reveals = tuple(
                Reveal(r.validator, digest) if r.validator.lower() == attacker else r for r in facts.reveals
            )
            return dataclasses.replace(facts, reveals=reveals)

        monkeypatch.setattr(ChainView, "read", patched)
        return store

    return use


def _args(played, store) -> list[str]:
    return ["--task", str(played.task), "--epoch", str(played.epoch), "--store", str(store)]


@pytest.mark.parametrize("name", ["huge integer", "deep nesting", "task true"])
def test_compute_stays_up_and_honest_scores_count(played, hostile, manifest, manifest_file, name):
    store = hostile(name)
    common = [*_args(played, store), "--network", NETWORK, "--manifest", str(manifest_file)]
    result = CliRunner().invoke(oracle_cli, ["compute", *common])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "report stored as 0x" in result.output
    run = compute_on_chain(ChainView(LiveProtocol(manifest)), ContentStore(store), played.task, played.epoch)
    honest, attacker = str(played.validators[0]).lower(), str(played.validators[1]).lower()
    assert run.result.quality[honest] > 0
    assert run.result.quality.get(attacker, 0) == 0
    assert run.result.total > 0  # nodes are paid from the honest validators' consensus


def test_post_and_verify_with_a_hostile_file_in_place(played, hostile, manifest_file):
    store = hostile("deep nesting")
    common = [*_args(played, store), "--network", NETWORK, "--manifest", str(manifest_file)]
    posted = CliRunner().invoke(oracle_cli, ["post", *common, "--account", "test:10"])
    assert posted.exit_code == 0, posted.output
    checked = CliRunner().invoke(oracle_cli, ["verify", *common])
    assert checked.exit_code == 0, checked.output
    assert "match" in checked.output and "MISMATCH" not in checked.output
