"""The mutation runner's choices (flock/audit/mutate.py): which mutants a seeded sample runs and how
much of the plan it parse-checks for that, which mutants need the whole project compiled again, and
that every contract has an area (no mutant falls back to the whole suite); which test killed a
mutant, and that a stage ended early leaves no child (anvil) running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flock.audit import mutate
from flock.paths import PROJECT_ROOT

FILE = "contracts/utils/EpochClock.sol"


def _mutants(count: int) -> list[mutate.Mutant]:
    """Mutants of EpochClock's first line, each a different mutated text (their line is there)."""
    first = (PROJECT_ROOT / FILE).read_text().splitlines()[0]
    return [mutate.Mutant(f"m{i:03d}", FILE, 1, first, f"{first} // {i}") for i in range(count)]


class _Parser:
    """Stands in for the solc parse check: every third mutant does not parse; records the calls."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, mutants: list[mutate.Mutant]) -> list[mutate.Mutant]:
        self.calls.append(len(mutants))
        return [m for m in mutants if int(m.id[1:]) % 3 != 0]


def test_a_sample_parse_checks_only_the_chunks_it_needs():
    parser = _Parser()
    chosen = mutate.select(_mutants(400), FILE, 30, seed=18, parsable=parser)
    assert len(chosen) == 30
    assert all(int(m.id[1:]) % 3 != 0 for m in chosen)
    # 40 a chunk, a third of them unparsable: one chunk gives 26 or 27, two give the 30.
    assert parser.calls == [mutate._PARSE_CHUNK] * 2


def test_a_larger_sample_with_the_same_seed_extends_the_smaller_one():
    plan = _mutants(400)
    small = mutate.select(plan, FILE, 10, seed=18, parsable=_Parser())
    large = mutate.select(plan, FILE, 60, seed=18, parsable=_Parser())
    assert large[:10] == small
    assert mutate.select(plan, FILE, 10, seed=19, parsable=_Parser()) != small


def test_without_a_sample_everything_selected_is_parse_checked_once():
    parser = _Parser()
    chosen = mutate.select(_mutants(90), None, None, seed=18, parsable=parser)
    assert parser.calls == [90]
    assert len(chosen) == 60


@pytest.mark.parametrize(
    ("file", "used"),
    [
        ("contracts/utils/SlashScale.sol", True),  # a library GmFlock and DelegationPool import
        ("contracts/tasks/DelegationPool.sol", True),
        ("contracts/rewards/RewardPot.sol", True),  # RewardDistributor creates pots
        ("contracts/tasks/TaskRegistryStorage.sol", True),  # a base contract
        ("contracts/governance/FlockGovernor.sol", False),
        ("contracts/api/ApiCredits.sol", False),
    ],
)
def test_a_file_another_contract_imports_or_creates_is_compiled_with_everything(file, used):
    assert mutate._used_elsewhere(file) is used


def test_the_importer_check_matches_the_file_name_not_a_prefix(tmp_path: Path):
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Pool.sol").write_text("library Pool {}\n")
    (tmp_path / "contracts" / "User.sol").write_text('import {PoolExtra} from "./PoolExtra.sol";\n')
    assert not mutate._used_elsewhere("contracts/Pool.sol", root=tmp_path)
    (tmp_path / "contracts" / "User.sol").write_text('import {Pool} from "./Pool.sol";\n')
    assert mutate._used_elsewhere("contracts/Pool.sol", root=tmp_path)


def test_every_contract_has_an_area_whose_tests_exist():
    for path in sorted((PROJECT_ROOT / "contracts").rglob("*.sol")):
        properties, units = mutate.AREAS.get(path.stem, ([], []))
        assert units, f"{path.name} has no area: its mutants would run the whole suite"
        for test in properties + units:
            assert (PROJECT_ROOT / test).exists(), f"{path.name}'s area names a missing {test}"


def test_a_workers_copy_picks_up_tests_written_during_the_run(tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    (root / "tests" / "rewards").mkdir(parents=True)
    (root / "flock").mkdir()
    (root / "contracts").mkdir()
    (root / "contracts" / "A.sol").write_text("contract A {}\n")
    (root / "tests" / "rewards" / "test_a.py").write_text("# first\n")
    monkeypatch.setattr(mutate, "PROJECT_ROOT", root)
    monkeypatch.setattr(mutate, "STATE", tmp_path / "state")
    work = mutate._workspace(0)
    (root / "tests" / "rewards" / "test_b.py").write_text("# written to kill a survivor\n")
    assert mutate._workspace(0) == work
    assert (work / "tests" / "rewards" / "test_b.py").read_text() == "# written to kill a survivor\n"


def test_a_mutant_left_behind_by_a_stopped_worker_is_put_back(tmp_path: Path, monkeypatch):
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "flock").mkdir()
    (root / "contracts").mkdir()
    (root / "contracts" / "A.sol").write_text("contract A {}\n")
    (root / "contracts" / "B.sol").write_text("contract B {}\n")
    monkeypatch.setattr(mutate, "PROJECT_ROOT", root)
    monkeypatch.setattr(mutate, "STATE", tmp_path / "state")
    work = mutate._workspace(0)
    (work / "contracts" / "A.sol").write_text("contract A { mutated }\n")  # the worker was killed here
    untouched = (work / "contracts" / "B.sol").stat().st_mtime_ns
    (root / "interfaces").mkdir()
    (root / "interfaces" / "IA.sol").write_text("interface IA {}\n")  # merged under the worker
    mutate._workspace(0)  # the next mutant's turn
    assert (work / "contracts" / "A.sol").read_text() == "contract A {}\n"
    assert (work / "interfaces" / "IA.sol").read_text() == "interface IA {}\n"
    assert (work / "contracts" / "B.sol").stat().st_mtime_ns == untouched  # the build stays warm


def test_the_mutants_hypothesis_profile_stops_at_the_first_failure():
    from hypothesis import Phase, settings

    assert Phase.shrink not in settings.get_profile("fast").phases  # a mutant needs a failure only
    assert Phase.generate in settings.get_profile("fast").phases
    assert Phase.shrink in settings.get_profile("quick").phases  # the suite still shrinks
    assert mutate._env(PROJECT_ROOT)["HYPOTHESIS_PROFILE"] == "fast"


def test_the_test_that_killed_a_mutant_is_read_from_pytests_summary():
    output = (
        "....F\n=========================== short test summary info ===========================\n"
        "FAILED tests/alliance/test_x.py::test_votes - AssertionError: assert 1 == 2\n"
        "1 failed, 4 passed in 3.2s\n"
    )
    assert mutate.failing_test(output) == "tests/alliance/test_x.py::test_votes"
    assert mutate.failing_test("E\nERROR tests/a.py::test_b - RuntimeError\n") == "tests/a.py::test_b"
    assert mutate.failing_test("5 passed in 1.0s\n") == ""


def _gone(pid: int) -> bool:
    """No such process, or only its exit status left (a zombie nobody has reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_a_timed_out_stage_leaves_no_child_running(tmp_path: Path):
    """ape test starts anvil: a stage ended on its timeout (or an interrupt) ends its whole session,
    the grandchild too, not only the process it started."""
    pid_file = tmp_path / "grandchild"
    script = f"sleep 300 & echo $! > {pid_file}; wait"
    code, _ = mutate._group(["sh", "-c", script], tmp_path, dict(os.environ), timeout=2)
    assert code is None
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not _gone(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(grandchild)


def test_a_stage_that_finishes_gives_its_exit_code_and_output(tmp_path: Path):
    assert mutate._group(
        ["sh", "-c", "echo FAILED t.py::x - no; exit 1"], tmp_path, dict(os.environ), 30
    ) == (
        1,
        "FAILED t.py::x - no\n",
    )
