"""`ape run participant`: one FL Alliance participant on any network (Base Sepolia, a local chain):
its own account, its own private data, its own secrets on disk (flock.alliance.participant.core)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from flock.alliance.chain import ApeClock, Clock
from flock.alliance.data import DATASETS
from flock.alliance.participant.core import ACTIONS, Participant, StepReport, WallClock, run
from flock.alliance.participant.data import HELDOUT_FRACTION, LOCAL_EPOCHS, PrivateData, load_file, load_shard
from flock.alliance.participant.state import Identity, StateFile, state_path
from flock.chain.network import is_dev
from flock.cli import ConnectedCommand, Group, UsageError, connection_options, print_lines, quiet_ape
from flock.ops.credits import withdraw_credits
from flock.store import ContentStore
from flock.units import utc

POLL = 60  # seconds between looks at the chain while others must act (a keeper's finalize)
LONGEST_SLEEP = 600  # wake now and then in a long phase: the chain may have moved on
PAST_BOUNDARY = 4  # wake a couple of blocks after a phase opens: a block a second early reverts
sleep = time.sleep  # how `run` waits (a test moves a local chain's clock instead)


def task_option(func: Any) -> Any:
    return click.option(
        "--task", "task_id", type=click.IntRange(min=1), required=True, help="the Alliance task"
    )(func)


def state_option(func: Any) -> Any:
    return click.option(
        "--state",
        "state_where",
        type=click.Path(path_type=Path),
        default=None,
        help="the state folder (default ~/.flock/participant; one file per chain, contract, task and "
        "account) or a .json state file. It holds the secrets your commitments need: back it up",
    )(func)


def data_options(func: Any) -> Any:
    options = [
        click.option(
            "--data", "data_file", type=click.Path(path_type=Path), help="private data: .npz (X, y) or .csv"
        ),
        click.option(
            "--dataset", type=click.Choice(sorted(DATASETS)), help="a bundled dataset (demo), with --shard"
        ),
        click.option("--shard", help="i/N: the i-th of N shards of --dataset"),
        click.option(
            "--classes", type=click.IntRange(min=2), help="labels 0..K-1 (default: the largest + 1)"
        ),
        click.option(
            "--heldout",
            type=click.FloatRange(0.05, 0.9),
            default=HELDOUT_FRACTION,
            show_default=True,
            help="share of the rows held out to judge candidates with",
        ),
        click.option(
            "--epochs",
            type=click.IntRange(1, 1000),
            default=LOCAL_EPOCHS,
            show_default=True,
            help="local training epochs of a proposal",
        ),
        click.option(
            "--store",
            "store_dir",
            type=click.Path(path_type=Path, file_okay=False),
            required=True,
            help="content store folder the models are shared through, by hash",
        ),
        click.option(
            "--publish",
            metavar="PREFIX",
            help="the URI a proposal is revealed with: PREFIX + its hash, where the others fetch it "
            "(default: the store's file URI)",
        ),
        click.option("--keeper", is_flag=True, help="also finalize and settle rounds when due (anyone may)"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def private_data(
    data_file: Path | None,
    dataset: str | None,
    shard: str | None,
    classes: int | None,
    heldout: float,
    epochs: int = LOCAL_EPOCHS,
) -> PrivateData:
    if data_file is not None and (dataset or shard):
        raise UsageError("give either --data FILE or --dataset NAME --shard i/N, not both")
    if data_file is not None:
        return load_file(data_file, classes, heldout, epochs=epochs)
    if dataset and shard:
        return load_shard(dataset, shard, epochs=epochs)
    raise UsageError("give the private data: --data FILE, or --dataset NAME --shard i/N")


def participant(
    protocol: Any,
    provider: Any,
    sender: Any,
    task_id: int,
    state_where: Path | None,
    store_dir: Path | None = None,
    data: PrivateData | None = None,
    keeper: bool = False,
    publish: str | None = None,
) -> Participant:
    """The participant ``sender`` of ``task_id`` on the connected chain, its state opened (and
    checked to be this chain's, contract's, task's and account's)."""
    alliance, registry = protocol.contract("alliance"), protocol.contract("tasks")
    identity = Identity(int(provider.chain_id), str(alliance.address), task_id, str(sender.address))
    state = StateFile.open(state_path(state_where, identity), identity)
    clock: Clock = ApeClock() if is_dev(provider.network.name) else WallClock()
    return Participant(
        alliance,
        registry,
        task_id,
        sender,
        state,
        ContentStore(store_dir or Path(".")),
        clock,
        data,
        keeper,
        publish,
        np.random.default_rng(),
    )


@click.group("participant", cls=Group)
def cli() -> None:
    """Run one FL Alliance participant: your account, your private data, your secrets on disk.

    \b
    Examples:
      ape run participant status --task 2 --network base:sepolia:node --account me
      ape run participant step --task 2 --data mine.npz --store ~/models \\
          --network base:sepolia:node --account me
      ape run participant run --task 2 --rounds 5 --data mine.npz --store ~/models \\
          --network base:sepolia:node --account me
      ape run participant withdraw --network base:sepolia:node --account me
    """
    quiet_ape()


@cli.command("status", cls=ConnectedCommand)
@task_option
@state_option
@connection_options()
def status(task_id: int, state_where: Path | None, protocol: Any, provider: Any, sender: Any) -> None:
    """The task's round and phase with its deadlines (UTC), this account's entry and role, what is
    due next for it and by when, its credits and its state file."""
    p = participant(protocol, provider, sender, task_id, state_where)
    print_lines(p.status(p.clock.now()))


def _print(report: StepReport) -> None:
    print_lines(report.lines)


def _trainer(protocol: Any, provider: Any, sender: Any, options: dict[str, Any]) -> Participant:
    """The participant of the data options (``data_options``), with its private data loaded."""
    data = private_data(
        options["data_file"],
        options["dataset"],
        options["shard"],
        options["classes"],
        options["heldout"],
        options["epochs"],
    )
    return participant(
        protocol,
        provider,
        sender,
        options["task_id"],
        options["state_where"],
        options["store_dir"],
        data,
        options["keeper"],
        options["publish"],
    )


@cli.command("step", cls=ConnectedCommand)
@task_option
@state_option
@data_options
@click.option(
    "--only", type=click.Choice(ACTIONS), help="do this action alone (refused unless it is due now)"
)
@connection_options()
def step(only: str | None, protocol: Any, provider: Any, sender: Any, **options: Any) -> None:
    """Do whatever is due for this account now, then exit (safe to run from cron every few minutes:
    run again in the same phase, it does nothing and says when the next action is)."""
    _print(_trainer(protocol, provider, sender, options).step(only))


@cli.command("run", cls=ConnectedCommand)
@task_option
@state_option
@data_options
@click.option(
    "--rounds", type=click.IntRange(min=1), default=1, show_default=True, help="rounds to take part in"
)
@connection_options()
def run_rounds(rounds: int, protocol: Any, provider: Any, sender: Any, **options: Any) -> None:
    """Step, sleep until the next phase boundary, step again, until --rounds rounds this account
    enrolled in are finalized (or no round fits in the task any more)."""
    p = _trainer(protocol, provider, sender, options)

    def wait_until(at: int | None) -> None:
        now = p.clock.now()
        delay = POLL if at is None else max(1, at - now + PAST_BOUNDARY)
        delay = min(delay, LONGEST_SLEEP)
        print_lines(f"sleeping until {utc(now + delay)}")
        sleep(delay)

    taken = run(p, rounds, wait_until, _print)
    print_lines(f"took part in {taken} finalized round(s) of task {options['task_id']}")


@cli.command("withdraw", cls=ConnectedCommand)
@click.option("--to", default=None, help="where the rewards go (default: the account itself)")
@connection_options()
def withdraw(to: str | None, protocol: Any, sender: Any) -> None:
    """Withdraw this account's FL Alliance credits: rewards as FLOCK, shares of slashes as a new
    gmFLOCK lock of the maximum duration (the same as `ape run tasks withdraw`)."""
    recipient = to or str(sender.address)
    print_lines(
        withdraw_credits(protocol.contract("alliance"), protocol.contract("gmflock"), sender, recipient)
    )
