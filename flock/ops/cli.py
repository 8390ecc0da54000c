"""`ape run stake`, `ape run tasks`, `ape run checkpoint`, `ape run vesting`: the routine jobs of
stakers, task creators, operators, delegators and keepers, on the same pattern as `ape run dao`
(--network, --manifest, --account; one-line errors; FLOCK_TRACEBACK=1 for the trace)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from flock.chain.manifest import manifest_path
from flock.clikit import (
    DEFAULT_NETWORK,
    UserError,
    clean_errors,
    connected,
    console,
    load_sender,
    quiet_ape,
    require_account_off_local,
)
from flock.dao.deployment import Deployment
from flock.ops import keeper, stake, tasks, vesting
from flock.tasks import TaskKind
from flock.units import format_token, parse_duration, to_wei


def _common(send: bool = True) -> Callable[[Any], Any]:
    """--network and --manifest (and --account for commands that send) on a command."""

    def decorate(func: Any) -> Any:
        options = [
            click.option("--network", default=DEFAULT_NETWORK, show_default=True, help="ape network choice"),
            click.option(
                "--manifest",
                "manifest_file",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
            ),
        ]
        if send:
            options.append(
                click.option("--account", default=None, help="ape account alias; test:N on a local chain")
            )
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@contextmanager
def _protocol(
    network: str, manifest_file: Path | None, account: str | None = None, send: bool = True
) -> Iterator[tuple[Deployment, Any]]:
    """Connected, with the deployment (checked against the chain) and the sending account."""
    if send:
        require_account_off_local(network, account)
    with connected(network) as provider:
        deployment = Deployment.load(manifest_file or manifest_path(network.replace("-fork", "")))
        yield deployment, load_sender(account, provider) if send else None


def flock_amount(text: str, what: str = "amount") -> int:
    """Whole FLOCK or gmFLOCK from ``1_000``, ``2.5`` (never wei)."""
    try:
        wei = to_wei(Decimal(text.replace("_", "").replace(",", "")))
    except (InvalidOperation, ValueError):
        raise UserError(
            f"{what} {text!r} is not an amount: give whole tokens, such as 1_000 or 2.5"
        ) from None
    if wei <= 0:
        raise UserError(f"{what} {text!r} must be positive")
    return wei


def duration(text: str) -> int:
    try:
        return parse_duration(text)
    except ValueError as err:
        raise UserError(str(err)) from None


def percent_bps(text: str) -> int:
    """Basis points from ``30`` or ``30%`` or ``12.5%``."""
    try:
        bps = Decimal(text.strip().removesuffix("%")) * 100
    except InvalidOperation:
        raise UserError(f"--sigma {text!r} is not a percentage (such as 30 or 12.5%)") from None
    if bps != bps.to_integral_value() or not 0 <= bps <= 10_000:
        raise UserError(f"--sigma {text} must be a percentage from 0 to 100 in steps of 0.01")
    return int(bps)


def _print(lines: list[str] | str) -> None:
    for line in [lines] if isinstance(lines, str) else lines:
        console.print(line, soft_wrap=True)


# ---------------------------------------------------------------------------------------- stake


@click.group("stake")
def stake_cli() -> None:
    """Lock FLOCK for gmFLOCK (votes and stake), extend or unlock locks, delegate votes.

    \b
    Examples:
      ape run stake lock 10_000 "180 days" --account alice
      ape run stake show --account alice
      ape run stake extend 0 "1 year" --account alice
      ape run stake unlock 0 --account alice
      ape run stake delegate 0xabcd... --account alice
    """
    quiet_ape()


@stake_cli.command("lock")
@click.argument("amount")
@click.argument("lock_duration", metavar="DURATION")
@_common()
@clean_errors
def stake_lock(
    amount: str, lock_duration: str, network: str, manifest_file: Path | None, account: str | None
) -> None:
    """Lock AMOUNT FLOCK for DURATION ("180 days", "1 year"); approves the FLOCK first if needed.

    \b
    Example:
      ape run stake lock 10_000 "180 days" --account alice
    """
    wei, seconds = flock_amount(amount), duration(lock_duration)
    with _protocol(network, manifest_file, account) as (d, sender):
        done = stake.lock(d.contract("token"), d.contract("gmflock"), sender, wei, seconds)
        _print(done.lines(stake._now()))


@stake_cli.command("extend")
@click.argument("lock_id", type=int)
@click.argument("lock_duration", metavar="DURATION")
@_common()
@clean_errors
def stake_extend(
    lock_id: int, lock_duration: str, network: str, manifest_file: Path | None, account: str | None
) -> None:
    """Move lock LOCK_ID's end to now + DURATION and re-boost it.

    \b
    Example:
      ape run stake extend 0 "1 year" --account alice
    """
    seconds = duration(lock_duration)
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(stake.extend(d.contract("gmflock"), sender, lock_id, seconds))


@stake_cli.command("unlock")
@click.argument("lock_id", type=int)
@_common()
@clean_errors
def stake_unlock(lock_id: int, network: str, manifest_file: Path | None, account: str | None) -> None:
    """Unlock an expired lock: its gmFLOCK burns, its FLOCK returns less the withdrawal fee.

    \b
    Example:
      ape run stake unlock 0 --account alice
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(stake.unlock(d.contract("token"), d.contract("gmflock"), sender, lock_id))


@stake_cli.command("delegate")
@click.argument("to", metavar="ADDRESS")
@_common()
@clean_errors
def stake_delegate(to: str, network: str, manifest_file: Path | None, account: str | None) -> None:
    """Delegate your votes to ADDRESS (yourself to vote directly); stake in tasks is unaffected.

    \b
    Example:
      ape run stake delegate 0xabcd... --account alice
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(stake.delegate_votes(d.contract("gmflock"), sender, d.resolve(to)))


@stake_cli.command("show")
@click.argument("owner", required=False, metavar="[ADDRESS]")
@_common()
@clean_errors
def stake_show(owner: str | None, network: str, manifest_file: Path | None, account: str | None) -> None:
    """List the locks of ADDRESS (default: the --account).

    \b
    Example:
      ape run stake show --account alice
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        who = d.resolve(owner) if owner else str(sender.address)
        gmflock = d.contract("gmflock")
        table = Table(title=f"locks of {who}")
        for column in ("lock", "FLOCK", "gmFLOCK", "status", "unlockable"):
            table.add_column(column)
        for row in stake.lock_rows(gmflock, who):
            table.add_row(*row)
        console.print(table)
        allocated = gmflock.allocatedOf(who)
        _print(
            f"gmFLOCK {format_token(int(gmflock.balanceOf(who)))}, "
            f"staked in tasks {format_token(int(allocated))}"
        )


# ---------------------------------------------------------------------------------------- tasks


@click.group("tasks")
def tasks_cli() -> None:
    """Create AI Arena and FL Alliance tasks, join them, delegate stake, release stake.

    \b
    Examples:
      ape run tasks create --kind arena --duration "30 days" --spec ipfs://my-task --account bob
      ape run tasks join 1 node 5_000 --sigma 30% --account carol
      ape run tasks delegate 1 0xcarol... 2_000 --account alice
      ape run tasks release 1 --account carol
    """
    quiet_ape()


@tasks_cli.command("create")
@click.option("--kind", type=click.Choice(sorted(tasks.KINDS)), default="arena", show_default=True)
@click.option("--duration", "task_duration", required=True, help='how long it runs, e.g. "30 days"')
@click.option("--spec", "spec_uri", required=True, help="the spec document's URI (its hash is recorded)")
@click.option("--participants", nargs=2, type=int, default=(0, 0), help="FL Alliance: MIN MAX participants")
@_common()
@clean_errors
def tasks_create(
    kind: str,
    task_duration: str,
    spec_uri: str,
    participants: tuple[int, int],
    network: str,
    manifest_file: Path | None,
    account: str | None,
) -> None:
    """Create a task; its creator stake (per day of duration) is allocated from your gmFLOCK.

    \b
    Examples:
      ape run tasks create --duration "30 days" --spec ipfs://chat-model --account bob
      ape run tasks create --kind alliance --participants 3 8 --duration "14 days" \
          --spec ipfs://fl --account bob
    """
    seconds = duration(task_duration)
    with _protocol(network, manifest_file, account) as (d, sender):
        lines = tasks.create(
            d.contract("tasks"),
            d.contract("gmflock"),
            sender,
            TaskKind(tasks.KINDS[kind]),
            seconds,
            spec_uri,
            participants,
        )
        _print(lines)


@tasks_cli.command("join")
@click.argument("task", type=int)
@click.argument("role", type=click.Choice(sorted(tasks.ROLES)))
@click.argument("amount")
@click.option("--sigma", default="30%", show_default=True, help="operators: share of delegation rewards kept")
@_common()
@clean_errors
def tasks_join(
    task: int,
    role: str,
    amount: str,
    sigma: str,
    network: str,
    manifest_file: Path | None,
    account: str | None,
) -> None:
    """Join TASK as a node, validator (AI Arena) or participant (FL Alliance) with AMOUNT gmFLOCK.

    \b
    Example:
      ape run tasks join 1 validator 5_000 --sigma 25% --account erin
    """
    wei, bps = flock_amount(amount), percent_bps(sigma)
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(
            tasks.join(d.contract("tasks"), d.contract("gmflock"), sender, task, tasks.ROLES[role], wei, bps)
        )


@tasks_cli.command("delegate")
@click.argument("task", type=int)
@click.argument("operator")
@click.argument("amount")
@_common()
@clean_errors
def tasks_delegate(
    task: int, operator: str, amount: str, network: str, manifest_file: Path | None, account: str | None
) -> None:
    """Delegate AMOUNT gmFLOCK to OPERATOR, a node or validator of the AI Arena TASK.

    \b
    Example:
      ape run tasks delegate 1 0xcarol... 2_000 --account alice
    """
    wei = flock_amount(amount)
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(
            tasks.delegate(d.contract("tasks"), d.contract("gmflock"), sender, task, d.resolve(operator), wei)
        )


@tasks_cli.command("release")
@click.argument("task", type=int)
@click.option("--for", "whose", default=None, help="whose stake (default: the sending account)")
@_common()
@clean_errors
def tasks_release(
    task: int, whose: str | None, network: str, manifest_file: Path | None, account: str | None
) -> None:
    """Release your stake in TASK after its end and dispute window (anyone may release anyone's).

    \b
    Example:
      ape run tasks release 1 --account carol
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        who = d.resolve(whose) if whose else str(sender.address)
        _print(tasks.release(d.contract("tasks"), sender, task, who))


# ---------------------------------------------------------------------------------------- keeper


@click.command("checkpoint")
@_common()
@clean_errors
def checkpoint_cli(network: str, manifest_file: Path | None, account: str | None) -> None:
    """Open the emission epochs that have started (anyone may; an unopened epoch pays nothing) and
    say what each minted.

    \b
    Example:
      ape run checkpoint --network base:sepolia:node --account keeper
    """
    quiet_ape()
    with _protocol(network, manifest_file, account) as (d, sender):
        _print(keeper.checkpoint(d.contract("emissions"), sender).lines())


# ---------------------------------------------------------------------------------------- vesting


@click.group("vesting")
def vesting_cli() -> None:
    """Show and release the vesting share of claimed rewards.

    \b
    Examples:
      ape run vesting show --account carol
      ape run vesting release --account carol
    """
    quiet_ape()


@vesting_cli.command("show")
@click.option("--for", "whose", default=None, help="whose rewards (default: the --account)")
@_common()
@clean_errors
def vesting_show(whose: str | None, network: str, manifest_file: Path | None, account: str | None) -> None:
    """Every task epoch in which an account has vesting rewards.

    \b
    Example:
      ape run vesting show --for 0xcarol...
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        who = d.resolve(whose) if whose else str(sender.address)
        rows = vesting.vestings(d.contract("rewards"), who, d.manifest.contracts["rewards"].block)
        if not rows:
            _print(f"{who} has no vesting rewards")
            return
        table = Table(title=f"vesting rewards of {who} (FLOCK)")
        for column in ("task", "epoch", "locked", "released", "releasable now", "fully vested"):
            table.add_column(column)
        now = stake._now()
        for v in rows:
            table.add_row(*v.row(now))
        console.print(table)


@vesting_cli.command("release")
@click.option("--for", "whose", default=None, help="whose rewards (default: the sending account)")
@_common()
@clean_errors
def vesting_release(whose: str | None, network: str, manifest_file: Path | None, account: str | None) -> None:
    """Release everything vested so far, across every task epoch, in one transaction.

    \b
    Example:
      ape run vesting release --account carol
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        who = d.resolve(whose) if whose else str(sender.address)
        _print(vesting.release(d.contract("rewards"), sender, who, d.manifest.contracts["rewards"].block))


# ---------------------------------------------------------------------------------------- token


@click.group("token")
def token_cli() -> None:
    """Send FLOCK and read balances.

    \b
    Examples:
      ape run token transfer 0xabcd... 60_000 --account deployer
      ape run token balance 0xabcd...
    """
    quiet_ape()


@token_cli.command("transfer")
@click.argument("to")
@click.argument("amount")
@_common()
@clean_errors
def token_transfer(
    to: str, amount: str, network: str, manifest_file: Path | None, account: str | None
) -> None:
    """Send AMOUNT FLOCK (whole tokens) to TO.

    \b
    Example:
      ape run token transfer test:1 60_000 --account test:0
    """
    wei = flock_amount(amount)
    with _protocol(network, manifest_file, account) as (d, sender):
        token, recipient = d.contract("token"), d.resolve(to)
        balance = int(token.balanceOf(sender))
        if balance < wei:
            raise UserError(
                f"{sender.address} holds {format_token(balance)} FLOCK, less than {format_token(wei)}"
            )
        token.transfer(recipient, wei, sender=sender)
        _print(f"sent {format_token(wei)} FLOCK to {recipient}")


@token_cli.command("balance")
@click.argument("owner", required=False, metavar="[ADDRESS]")
@_common()
@clean_errors
def token_balance(owner: str | None, network: str, manifest_file: Path | None, account: str | None) -> None:
    """FLOCK, gmFLOCK and staked gmFLOCK of ADDRESS (default: the --account).

    \b
    Example:
      ape run token balance test:1
    """
    with _protocol(network, manifest_file, account) as (d, sender):
        who = d.resolve(owner) if owner else str(sender.address)
        gm = d.contract("gmflock")
        _print(
            f"{who}: {format_token(int(d.contract('token').balanceOf(who)))} FLOCK, "
            f"{format_token(int(gm.balanceOf(who)))} gmFLOCK "
            f"({format_token(int(gm.allocatedOf(who)))} staked)"
        )
