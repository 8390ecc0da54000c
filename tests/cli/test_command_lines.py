"""Every `ape run` command line, in process (click's CliRunner): each scripts/*.py only names a
command of the flock package; a misused command (an unknown option, an option without its value or
given another option as one, a missing argument or option, a value of the wrong kind, a negative
number, an unknown subcommand) is two lines and exit status 2, checked for every command and
subcommand that can be misused so; a mistyped or wrong network and a missing manifest are one line
and exit status 1, refused before anything is sent or written; never a traceback."""

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


Line = tuple[str, tuple[str, ...], click.Command]  # script, subcommand path, command


def _walk(script: str, path: tuple[str, ...], command: click.Command) -> list[Line]:
    found = [(script, path, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _walk(script, (*path, name), sub)
    return found


# every command line: each script's command and each subcommand under it, at any depth
COMMANDS = [line for name in SCRIPTS for line in _walk(name, (), _script(name))]


def _lines(kind):
    """``(script, args)`` for each command that can be misused so (``kind`` gives the arguments,
    or None), named ``script sub ...``."""
    return [
        pytest.param(script, [*path, *args], id=" ".join((script, *path)))
        for script, path, command in COMMANDS
        if (args := kind(command)) is not None
    ]


def _unknown_option(command: click.Command) -> list[str]:
    return ["--no-such-option"]


def _valued(command: click.Command) -> list[click.Option]:
    """The command's options that take a value (not flags, not counts)."""
    return [p for p in command.params if isinstance(p, click.Option) and not p.is_flag and not p.count]


def _option_without_value(command: click.Command) -> list[str] | None:
    """``--network`` (else the first option that takes a value) given last, with nothing after."""
    takes = [p.opts[0] for p in _valued(command)]
    if not takes:
        return None
    return ["--network" if "--network" in takes else takes[0]]


def _option_as_value(command: click.Command) -> list[str] | None:
    """An option that takes a value given the next option as it (``--account --network N``)."""
    takes = [p.opts[0] for p in _valued(command)]
    if not takes:
        return None
    return [takes[0], "--help"]


def _missing_argument(command: click.Command) -> list[str] | None:
    """Nothing, for a command with a required argument or option (not a group: a bare group shows
    its help)."""
    required = [p for p in command.params if p.required]
    return [] if required and not isinstance(command, click.Group) else None


NUMBERS = (click.INT, click.FLOAT)


def _wrong_type(command: click.Command) -> list[str] | None:
    """A word where the first numeric parameter wants a number: an option as ``--opt x``, an
    argument as the word in its place (the arguments before it given words too)."""
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    for param in [*_valued(command), *arguments]:
        numeric = param.type in NUMBERS or isinstance(param.type, click.types._NumberRangeBase)
        if not numeric:
            continue
        if isinstance(param, click.Option):
            return [param.opts[0], *["x"] * param.nargs]
        return ["x"] * (arguments.index(param) + 1)
    return None


def _unknown_subcommand(command: click.Command) -> list[str] | None:
    return ["no-such-command"] if isinstance(command, click.Group) else None


def _negative(command: click.Command) -> list[str] | None:
    """A negative number where the command takes its first argument, else as an option's value."""
    if any(isinstance(p, click.Argument) for p in command.params) and not isinstance(command, click.Group):
        return ["-5"]
    takes = [p.opts[0] for p in _valued(command)]
    return [takes[0], "-1"] if takes else None


def _usage_error(result: Result, command_path: list[str]) -> str:
    """Two lines, exit status 2: the error (returned) and the usage of the command misused."""
    assert result.exit_code == 2, result.stdout + result.stderr
    error, usage = result.stderr.strip().splitlines()
    assert error.startswith("error: ")
    assert usage.startswith("usage: ") and usage.endswith("(--help for more)"), usage
    assert " ".join(command_path) in usage, usage
    return error


def test_every_command_line_is_walked():
    assert len(SCRIPTS) == len([c for c in COMMANDS if not c[1]]) >= 18
    assert ("oracle", ("vetoable",)) in [(s, p) for s, p, _ in COMMANDS]
    assert ("dao", ("propose", "set-param")) in [(s, p) for s, p, _ in COMMANDS]
    assert all(isinstance(c, Command | Group) for _, _, c in COMMANDS)  # short errors everywhere


@pytest.mark.parametrize(("name", "args"), _lines(_unknown_option))
def test_an_unknown_option_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), args[:-1])
    assert error.startswith("error: No such option: --no-such-option"), error


@pytest.mark.parametrize(("name", "args"), _lines(_option_without_value))
def test_an_option_without_its_value_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), args[:-1])
    assert error == f"error: Option '{args[-1]}' requires an argument."


@pytest.mark.parametrize(("name", "args"), _lines(_option_as_value))
def test_an_option_given_as_another_options_value_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), args[:-2])
    assert error == f"error: Option '{args[-2]}' requires an argument."


@pytest.mark.parametrize(("name", "args"), _lines(_missing_argument))
def test_a_missing_argument_or_option_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), args)
    assert error.startswith(("error: Missing argument '", "error: Missing option '")), error


@pytest.mark.parametrize(("name", "args"), _lines(_wrong_type))
def test_a_value_of_the_wrong_type_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), [a for a in args if a != "x" and not a.startswith("-")])
    assert error.startswith("error: Invalid value for ") and "'x' is not a valid" in error, error


@pytest.mark.parametrize(("name", "args"), _lines(_negative))
def test_a_negative_number_is_two_lines_and_status_2(name, args):
    """click reads ``-5`` as an unknown option ("No such option: -5") and gives ``--epoch -1`` to a
    contract that takes no negative number: the kit says what it is."""
    option = args[-2] if args[-1] == "-1" else None
    error = _usage_error(_invoke(name, *args), args[:-2] if option else args[:-1])
    where = f"{option} " if option else ""
    assert error == f"error: {where}'{args[-1]}' is negative: amounts, durations, ids and epochs never are"


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("stake", ["lock", "10", "-30 days"], "'-30 days' is negative"),
        ("tasks", ["join", "1", "node", "-.5"], "'-.5' is negative"),
        ("oracle", ["veto", "rewards", "--task=-1", "--epoch", "1"], "--task '-1' is negative"),
        ("tasks", ["create", "--participants", "2", "-8"], "--participants '-8' is negative"),
        ("tasks", ["withdraw", "--account", "--network", "base:sepolia:node"], "Option '--account' requires"),
        ("dao", ["propose", "--account", "--file", "a.yaml"], "Option '--account' requires an argument."),
        ("oracle", ["veto"], "Missing argument '{rewards|slashes|usage}'. Choose from: rewards, slashes"),
    ],
)
def test_what_click_would_misread_is_a_usage_error(name, args, message):
    error = _usage_error(_invoke(name, *args), [])
    assert message in error, error


@pytest.mark.parametrize(("name", "args"), _lines(_unknown_subcommand))
def test_an_unknown_subcommand_is_two_lines_and_status_2(name, args):
    error = _usage_error(_invoke(name, *args), args[:-1])
    assert error == "error: No such command 'no-such-command'."


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("dao", ["vote", "1", "maybe"], "Invalid value for '{for|against|abstain}': 'maybe'"),
        ("gateway", ["--manifest", "m.json"], "Missing option '--store': serving a deployment needs"),
        ("gateway", ["--port", "99999"], "'--port': 99999 is not in the range 1<=x<=65535."),
        ("bench", ["--only", "nope"], "Invalid value for '--only': no benchmark named 'nope' (known: "),
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
