"""`ape run participant` in process on the session's anvil deployment: status, step, run and
withdraw through their click commands (the other participants through the client's functions, with
the same state files), and every refusal one line on stderr with nothing sent and nothing written."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from flock.alliance.chain import ApeClock, lineage_of, round_info
from flock.alliance.participant import cli as participant_cli
from flock.alliance.participant.core import Participant
from flock.alliance.participant.data import load_shard
from flock.alliance.participant.state import Identity, StateFile, state_path
from flock.alliance.protocol import Outcome
from flock.store import ContentStore
from flock.units import utc


@pytest.fixture
def run_cli(manifest_file):
    def invoke(*args: str):
        result = CliRunner(mix_stderr=False).invoke(
            participant_cli.cli, [*map(str, args), "--manifest", str(manifest_file)]
        )
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return invoke


def _ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.split())


def _refused(result, message: str, status: int = 1) -> None:
    assert result.exit_code == status, result.stdout
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == (1 if status == 1 else 2), result.stderr


def _account(i: int) -> str:
    """Participant i (1..5) is the fixtures' participants[i - 1], test account i + 1."""
    return f"test:{i + 1}"


def _args(task: int, i: int, tmp_path) -> list[str]:
    return [
        "--task", str(task), "--dataset", "digits", "--shard", f"{i}/5", "--store", str(tmp_path / "store"),
        "--state", str(tmp_path / f"state-{i}"), "--account", _account(i),
    ]  # fmt: skip


def _client(alliance, tasks, task, account, i, tmp_path) -> Participant:
    """Participant i as its own process would be: the same state folder, shard and store."""
    from ape import chain

    identity = Identity(chain.chain_id, str(alliance.address), task, str(account.address))
    return Participant(
        alliance,
        tasks,
        task,
        account,
        StateFile.open(state_path(tmp_path / f"state-{i}", identity), identity),
        ContentStore(tmp_path / "store"),
        ApeClock(),
        load_shard("digits", f"{i}/5"),
        rng=np.random.default_rng(i),
    )


def test_status_step_run_and_withdraw_through_the_commands(
    run_cli, alliance, tasks, task, participants, tmp_path, monkeypatch
):
    shown = _ok(run_cli("status", "--task", task, "--state", tmp_path / "state-1", "--account", _account(1)))
    assert "no round opened yet" in shown and "next: open round 1 (anyone) and enroll: now" in shown
    assert "owed: 0.00 FLOCK" in shown

    for i in range(1, 6):
        out = _ok(run_cli("step", *_args(task, i, tmp_path)))
        assert "enrolled in round 1" in out and ("opened round 1" in out) == (i == 1)
    again = _ok(run_cli("step", *_args(task, 1, tmp_path)))
    assert "nothing due now" in again and "next: reveal the seed of round 1: in " in again

    # p1 runs `run --keeper` (a process sleeping between phases); the others are their own clients,
    # stepping at every phase boundary the test's clock passes (their cron jobs).
    others = [_client(alliance, tasks, task, participants[i - 1], i, tmp_path) for i in range(2, 6)]
    info = round_info(alliance, task, 1)
    boundaries = [info.enrollEnd, info.drawAt, info.proposeEnd, info.proposalRevealEnd, info.commitEnd]

    def sleep(seconds: int) -> None:
        target = ApeClock().now() + int(seconds)
        for boundary in [b for b in boundaries if ApeClock().now() < b <= target]:
            ApeClock().move_to(boundary)
            for p in others:
                p.step()
        ApeClock().move_to(target)

    monkeypatch.setattr(participant_cli, "sleep", sleep)
    ran = _ok(run_cli("run", *_args(task, 1, tmp_path), "--keeper", "--rounds", "1"))
    assert "revealed the seed of round 1" in ran and "sleeping until" in ran
    assert "finalized round 1: decided" in ran and "settled round 1" in ran
    assert "took part in 1 finalized round(s) of task 1" in ran.replace(f"task {task}", "task 1")
    assert round_info(alliance, task, 1).outcome == Outcome.DECIDED
    ((_, proposer, _),) = lineage_of(alliance, task)
    author = 1 + [str(a.address) for a in participants].index(proposer)

    shown = _ok(
        run_cli(
            "status", "--task", task, "--state", tmp_path / f"state-{author}", "--account", _account(author)
        )
    )
    assert "round 2: phase enrollment" in shown  # p1, the keeper, opened it and enrolled
    opened = round_info(alliance, task, 2)
    assert (
        f"enrollment until {utc(opened.enrollEnd)}" in shown
        and f"vote reveals until {utc(opened.revealEnd)}" in shown
    )
    assert ("this account: enrolled with" if author == 1 else "this account: not enrolled") in shown
    assert "owed: 0.00" not in shown
    paid = _ok(run_cli("withdraw", "--account", _account(author)))
    assert "FLOCK of rewards to" in paid
    _refused(run_cli("withdraw", "--account", _account(author)), "has no FL Alliance credits to withdraw")


def test_refusals_are_one_line_and_send_and_write_nothing(run_cli, task, tmp_path, chain):
    height = chain.blocks.height
    state = tmp_path / "state-1"
    stranger = [*_args(task, 1, tmp_path)[:-1], "test:7"]
    _refused(run_cli("step", *stranger), f"is not a participant of task {task}: join it first")
    assert not state.exists()
    missing = ["--task", task, "--data", tmp_path / "nope.npz", "--store", tmp_path / "s", "--state", state]
    _refused(run_cli("step", *missing, "--account", _account(1)), f"no data file at {tmp_path / 'nope.npz'}")
    _refused(
        run_cli("step", *_args(task, 1, tmp_path), "--data", tmp_path / "x.npz"),
        "give either --data FILE or --dataset NAME --shard i/N, not both",
        status=2,
    )
    _refused(
        run_cli("step", *_args(task, 1, tmp_path)[:4], "--store", tmp_path / "s"), "give the private data", 2
    )
    _refused(run_cli("step", *_args(task, 1, tmp_path), "--only", "vote"), "vote is not due now")
    assert chain.blocks.height == height and not list(state.glob("*.json"))  # the lock file only

    missing_manifest = CliRunner(mix_stderr=False).invoke(
        participant_cli.cli,
        ["status", "--task", "1", "--state", str(state), "--manifest", str(tmp_path / "m.json")],
    )
    _refused(missing_manifest, f"no deployment manifest at {tmp_path / 'm.json'}")
    typo = run_cli("step", *_args(task, 1, tmp_path), "--network", "base:sepolai:node")
    _refused(typo, "unknown network 'base:sepolai:node'")
    assert chain.blocks.height == height and not list(state.glob("*.json"))

    # A state file that is another account's, or corrupt, is refused and left as it is.
    _ok(run_cli("step", *_args(task, 2, tmp_path)))
    (theirs,) = (tmp_path / "state-2").glob("*.json")
    before = theirs.read_bytes()
    mine = [*_args(task, 1, tmp_path)]
    mine[mine.index("--state") + 1] = str(theirs)
    _refused(run_cli("step", *mine), "holds the secrets of another participant: account")
    theirs.write_text("{not json")
    _refused(run_cli("step", *_args(task, 2, tmp_path)), "is not a readable participant state file")
    assert theirs.read_text() == "{not json" and before
