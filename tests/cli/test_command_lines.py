"""Every `ape run` command line, in process (click's CliRunner): each scripts/*.py only names a
command of the flock package; a misused command (an unknown option, a missing argument, a value of
the wrong kind) is two lines and exit status 2; a mistyped or wrong network and a missing manifest
are one line and exit status 1, refused before anything is sent or written; never a traceback."""

from __future__ import annotations

import ast
import importlib.util

import click
import pytest
from click.testing import CliRunner, Result

from flock.chain.clock import advance
from flock.cli import Command, Group
from flock.paths import PROJECT_ROOT

SCRIPTS = sorted(p.stem for p in (PROJECT_ROOT / "scripts").glob("*.py"))

# a command of each script that takes --network, with the arguments it needs to get that far
CONNECTED = [
    ("stake", ["lock", "1", "1 day"]),
    ("tasks", ["release", "1"]),
    ("checkpoint", []),
    ("vesting", ["show"]),
    ("token", ["balance"]),
    ("dao", ["list"]),
    ("dao", ["propose", "set-param", "gmflock.withdrawal_fee", "250", "burn"]),
    ("dao", ["simulate", "--id", "1"]),
    ("oracle", ["compute", "--task", "1"]),
    ("oracle", ["finalize", "--task", "1", "--epoch", "1"]),
    ("train", ["--task", "1", "--shard", "0", "--shards", "2"]),
    ("validate", ["--task", "1"]),
    ("live_upgrade", ["--unclaimed", "claims.json"]),
    ("deploy", ["verify"]),
    ("verify_sources", []),
]
LOCAL_ONLY = [
    ("demo", []),
    ("alliance", []),
    ("bench", []),
    ("epoch", []),
    ("live_upgrade", ["--unclaimed", "c.json"]),
]


def _script(name: str) -> click.Command:
    spec = importlib.util.spec_from_file_location(f"cli_test_{name}", PROJECT_ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


def _invoke(name: str, *args: str) -> Result:
    result = CliRunner(mix_stderr=False).invoke(_script(name), list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _one_line(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_script_only_names_a_command_of_the_package(name):
    tree = ast.parse((PROJECT_ROOT / "scripts" / f"{name}.py").read_text())
    docstring, *body = tree.body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    for node in body:
        if isinstance(node, ast.ImportFrom):
            assert node.module is not None and node.module.startswith("flock."), ast.dump(node)
        else:
            assert isinstance(node, ast.Assign) and node.targets[0].id == "__all__", ast.dump(node)
    assert isinstance(_script(name), Command | Group)  # short errors, never a traceback


@pytest.mark.parametrize("name", SCRIPTS)
def test_an_unknown_option_is_two_lines_and_status_2(name):
    result = _invoke(name, "--no-such-option")
    assert result.exit_code == 2
    error, usage = result.stderr.strip().splitlines()
    assert error == "error: No such option: --no-such-option"
    assert usage.startswith("usage: ") and usage.endswith("(--help for more)")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("oracle", ["compute"], "Missing option '--task'."),
        ("dao", ["vote", "1", "maybe"], "Invalid value for '{for|against|abstain}': 'maybe'"),
        (
            "stake",
            ["extend", "first", "1 day"],
            "Invalid value for 'LOCK_ID': 'first' is not a valid integer.",
        ),
        ("dao", ["no-such-command"], "No such command 'no-such-command'."),
        ("dao", ["propose", "set-param"], "Missing argument 'PARAMETER'."),
    ],
)
def test_a_misused_command_is_two_lines_and_status_2(name, args, message):
    result = _invoke(name, *args)
    assert result.exit_code == 2
    error, usage = result.stderr.strip().splitlines()
    assert error.startswith("error: ") and message in error, error
    assert usage.startswith("usage: ")


@pytest.mark.parametrize(("name", "args"), CONNECTED)
def test_a_mistyped_network_is_one_line_and_nothing_is_sent(name, args, chain, tmp_path):
    height = chain.blocks.height
    result = _invoke(name, *args, "--network", "base:sepolai:node", "--manifest", str(tmp_path / "m.json"))
    _one_line(result, "unknown network 'base:sepolai:node': base has no network 'sepolai'")
    assert chain.blocks.height == height and not list(tmp_path.iterdir())


@pytest.mark.parametrize(("name", "args"), LOCAL_ONLY)
def test_a_command_that_moves_time_refuses_a_live_network(name, args, chain):
    height = chain.blocks.height
    result = _invoke(name, *args, "--network", "base:sepolia:node")
    _one_line(result, "moves time")
    assert result.stderr.strip().endswith("not sepolia") and chain.blocks.height == height


@pytest.mark.parametrize(("name", "args"), [*CONNECTED, ("gateway", ["--store", "store"])])
def test_a_missing_manifest_is_one_line_and_nothing_is_written(name, args, chain, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths (the gateway's store, a claims file) land here
    missing, height = tmp_path / "none.json", chain.blocks.height
    result = _invoke(name, *args, "--manifest", str(missing))
    _one_line(result, f"no deployment manifest at {missing}")
    assert chain.blocks.height == height and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ["propose", "--manifest", "{m}", "set-param", "gmflock.withdrawal_fee", "250", "burn"],
        ["simulate", "--manifest", "{m}", "set-param", "gmflock.withdrawal_fee", "250", "burn"],
    ],
)
def test_a_subcommand_takes_the_options_given_to_its_group(args, tmp_path):
    missing = tmp_path / "none.json"
    result = _invoke("dao", *[a.format(m=missing) for a in args])
    _one_line(result, f"no deployment manifest at {missing}")


def test_deploy_verify_takes_the_manifest_given_to_deploy(tmp_path):
    missing = tmp_path / "none.json"
    _one_line(_invoke("deploy", "--manifest", str(missing), "verify"), f"no deployment manifest at {missing}")


ACTIONS = """description: |
  # Minimum lock one week
actions:
  - contract: gmflock
    function: setLockDurationBounds
    args: [1 week, 2 years]
"""


@pytest.fixture
def proposer(funded, token, gmflock):
    """test:1 with 100,000 gmFLOCK of votes (over the proposal threshold)."""
    token.approve(gmflock, 100_000 * 10**18, sender=funded[0])
    gmflock.lock(100_000 * 10**18, 7 * 86_400, sender=funded[0])
    advance(1)
    return funded[0]


def test_a_group_that_runs_alone_connects_like_a_command(manifest_file, proposer, tmp_path):
    """`dao simulate --file F` and `dao propose --file F --account A`: the group is the command."""
    actions = tmp_path / "actions.yaml"
    actions.write_text(ACTIONS)
    simulated = _invoke("dao", "simulate", "--file", str(actions), "--manifest", str(manifest_file))
    assert simulated.exit_code == 0, simulated.stderr
    assert "LockDurationBoundsSet" in simulated.stdout
    proposed = _invoke(
        "dao", "propose", "--file", str(actions), "--manifest", str(manifest_file), "--account", "test:1"
    )
    assert proposed.exit_code == 0, proposed.stderr
    assert "short id " in proposed.stdout
    both = _invoke(
        "dao", "propose", "--file", str(actions), "set-param", "gmflock.withdrawal_fee", "1", "burn"
    )
    assert both.exit_code == 2 and "give either --file or a template, not both" in both.stderr
