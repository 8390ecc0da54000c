"""`ape run stake`, `ape run tasks`, `ape run checkpoint`, `ape run vesting`: the routine jobs of
stakers, task creators, operators, delegators, FL Alliance participants and keepers, on the same
pattern as `ape run dao` (--network, --manifest, --account; one-line errors; FLOCK_TRACEBACK=1 for
the trace)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import click
from rich.table import Table

from flock.chain.clock import head_time
from flock.cli import (
    ConnectedCommand,
    Group,
    UserError,
    connection_options,
    console,
    print_lines,
    quiet_ape,
    shown_account,
)
from flock.ops import credits, keeper, stake, tasks, unrevealed, vesting
from flock.tasks import TaskKind
from flock.units import format_token, parse_duration, to_wei


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


def percent_bps(text: str, what: str = "--sigma") -> int:
    """Basis points from ``30`` or ``30%`` or ``12.5%``."""
    try:
        bps = Decimal(text.strip().removesuffix("%")) * 100
    except InvalidOperation:
        raise UserError(f"{what} {text!r} is not a percentage (such as 30 or 12.5%)") from None
    if bps != bps.to_integral_value() or not 0 <= bps <= 10_000:
        raise UserError(f"{what} {text} must be a percentage from 0 to 100 in steps of 0.01")
    return int(bps)


# ---------------------------------------------------------------------------------------- stake


@click.group("stake", cls=Group)
def stake_cli() -> None:
    """Lock FLOCK for gmFLOCK (votes and stake), extend or unlock locks, kick an expired lock's
    boost (anyone), delegate votes.

    \b
    Examples:
      ape run stake lock 10_000 "180 days" --account alice
      ape run stake show --account alice
      ape run stake extend 0 "1 year" --account alice
      ape run stake unlock 0 --account alice
      ape run stake kick 0xabcd... 0 --account keeper
      ape run stake delegate 0xabcd... --account alice
    """
    quiet_ape()


@stake_cli.command("lock", cls=ConnectedCommand)
@click.argument("amount")
@click.argument("lock_duration", metavar="DURATION")
@connection_options()
def stake_lock(amount: str, lock_duration: str, deployment: Any, sender: Any) -> None:
    """Lock AMOUNT FLOCK for DURATION ("180 days", "1 year"); approves the FLOCK first if needed.

    \b
    Example:
      ape run stake lock 10_000 "180 days" --account alice
    """
    wei, seconds = flock_amount(amount), duration(lock_duration)
    done = stake.lock(deployment.contract("token"), deployment.contract("gmflock"), sender, wei, seconds)
    print_lines(done.lines(head_time()))


@stake_cli.command("extend", cls=ConnectedCommand)
@click.argument("lock_id", type=int)
@click.argument("lock_duration", metavar="DURATION")
@connection_options()
def stake_extend(lock_id: int, lock_duration: str, deployment: Any, sender: Any) -> None:
    """Move lock LOCK_ID's end to now + DURATION and re-boost it.

    \b
    Example:
      ape run stake extend 0 "1 year" --account alice
    """
    seconds = duration(lock_duration)
    print_lines(stake.extend(deployment.contract("gmflock"), sender, lock_id, seconds))


@stake_cli.command("unlock", cls=ConnectedCommand)
@click.argument("lock_id", type=int)
@connection_options()
def stake_unlock(lock_id: int, deployment: Any, sender: Any) -> None:
    """Unlock an expired lock: its gmFLOCK burns, its FLOCK returns less the withdrawal fee.

    \b
    Example:
      ape run stake unlock 0 --account alice
    """
    print_lines(stake.unlock(deployment.contract("token"), deployment.contract("gmflock"), sender, lock_id))


@stake_cli.command("kick", cls=ConnectedCommand)
@click.argument("owner", metavar="ADDRESS")
@click.argument("lock_id", type=int)
@connection_options()
def stake_kick(owner: str, lock_id: int, deployment: Any, sender: Any) -> None:
    """Burn the boost of ADDRESS's expired lock LOCK_ID, and its votes (anyone may): an expired lock
    keeps only 1x gmFLOCK per FLOCK; boost staked in tasks stays until they release it.

    \b
    Example:
      ape run stake kick 0xabcd... 0 --account keeper
    """
    print_lines(keeper.kick(deployment.contract("gmflock"), sender, deployment.resolve(owner), lock_id))


@stake_cli.command("delegate", cls=ConnectedCommand)
@click.argument("to", metavar="ADDRESS")
@connection_options()
def stake_delegate(to: str, deployment: Any, sender: Any) -> None:
    """Delegate your votes to ADDRESS (yourself to vote directly); stake in tasks is unaffected.

    \b
    Example:
      ape run stake delegate 0xabcd... --account alice
    """
    print_lines(stake.delegate_votes(deployment.contract("gmflock"), sender, deployment.resolve(to)))


@stake_cli.command("show", cls=ConnectedCommand)
@click.argument("owner", required=False, metavar="[ADDRESS]")
@connection_options()
def stake_show(owner: str | None, deployment: Any, viewer: str | None, network: str) -> None:
    """List the locks of ADDRESS (default: the --account).

    \b
    Example:
      ape run stake show --account alice
    """
    who = shown_account(owner, viewer, deployment.resolve, network)
    gmflock = deployment.contract("gmflock")
    table = Table(title=f"locks of {who}")
    for column in ("lock", "FLOCK", "gmFLOCK", "status", "unlockable"):
        table.add_column(column)
    for row in stake.lock_rows(gmflock, who):
        table.add_row(*row)
    console.print(table)
    allocated = gmflock.allocatedOf(who)
    print_lines(
        f"gmFLOCK {format_token(int(gmflock.balanceOf(who)))}, staked in tasks {format_token(int(allocated))}"
    )


# ---------------------------------------------------------------------------------------- tasks


@click.group("tasks", cls=Group)
def tasks_cli() -> None:
    """Create AI Arena and FL Alliance tasks, join them, add stake, set an operator's sigma,
    delegate and undelegate stake, release stake; slash unrevealed commitments, sync slashed
    delegations, route a slash pot and end a task that is over (anyone); FL Alliance: evict an
    absent participant, pull emissions into a pool, sweep a finished task's pool (anyone), show and
    withdraw credits.

    \b
    Examples:
      ape run tasks create --kind arena --duration "30 days" --spec ipfs://my-task --account bob
      ape run tasks join 1 node 5_000 --sigma 30% --account carol
      ape run tasks add-stake 1 1_000 --account carol
      ape run tasks sigma 1 25% --account carol
      ape run tasks delegate 1 0xcarol... 2_000 --account alice
      ape run tasks undelegate 1 --account alice
      ape run tasks release 1 --account carol
      ape run tasks slash-unrevealed 1 21 --account keeper
      ape run tasks sync 1 0xalice... --account keeper
      ape run tasks route-slash-pot 1 --account keeper
      ape run tasks end 1 --account keeper
      ape run tasks evict 2 0xsquatter... --account keeper
      ape run tasks pull-emissions 2 --account keeper
      ape run tasks sweep 2 --account keeper
      ape run tasks credits --account dave
      ape run tasks withdraw --to 0xcold... --account dave
    """
    quiet_ape()


@tasks_cli.command("create", cls=ConnectedCommand)
@click.option("--kind", type=click.Choice(sorted(tasks.KINDS)), default="arena", show_default=True)
@click.option("--duration", "task_duration", required=True, help='how long it runs, e.g. "30 days"')
@click.option("--spec", "spec_uri", required=True, help="the spec document's URI (its hash is recorded)")
@click.option("--participants", nargs=2, type=int, default=(0, 0), help="FL Alliance: MIN MAX participants")
@connection_options()
def tasks_create(
    kind: str,
    task_duration: str,
    spec_uri: str,
    participants: tuple[int, int],
    deployment: Any,
    sender: Any,
) -> None:
    """Create a task; its creator stake (per day of duration) is allocated from your gmFLOCK.

    \b
    Examples:
      ape run tasks create --duration "30 days" --spec ipfs://chat-model --account bob
      ape run tasks create --kind alliance --participants 3 8 --duration "14 days" \
          --spec ipfs://fl --account bob
    """
    seconds = duration(task_duration)
    lines = tasks.create(
        deployment.contract("tasks"),
        deployment.contract("gmflock"),
        sender,
        TaskKind(tasks.KINDS[kind]),
        seconds,
        spec_uri,
        participants,
    )
    print_lines(lines)


@tasks_cli.command("join", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("role", type=click.Choice(sorted(tasks.ROLES)))
@click.argument("amount")
@click.option("--sigma", default="30%", show_default=True, help="operators: share of delegation rewards kept")
@connection_options()
def tasks_join(
    task: int,
    role: str,
    amount: str,
    sigma: str,
    deployment: Any,
    sender: Any,
) -> None:
    """Join TASK as a node, validator (AI Arena) or participant (FL Alliance) with AMOUNT gmFLOCK.

    \b
    Example:
      ape run tasks join 1 validator 5_000 --sigma 25% --account erin
    """
    wei, bps = flock_amount(amount), percent_bps(sigma)
    print_lines(
        tasks.join(
            deployment.contract("tasks"),
            deployment.contract("gmflock"),
            sender,
            task,
            tasks.ROLES[role],
            wei,
            bps,
        )
    )


@tasks_cli.command("add-stake", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("amount")
@connection_options()
def tasks_add_stake(task: int, amount: str, deployment: Any, sender: Any) -> None:
    """Add AMOUNT gmFLOCK to your own stake in TASK (a node, validator or participant).

    \b
    Example:
      ape run tasks add-stake 1 1_000 --account carol
    """
    wei = flock_amount(amount)
    print_lines(
        tasks.add_stake(deployment.contract("tasks"), deployment.contract("gmflock"), sender, task, wei)
    )


@tasks_cli.command("sigma", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("sigma", metavar="PERCENT")
@connection_options()
def tasks_sigma(task: int, sigma: str, deployment: Any, sender: Any) -> None:
    """Set the share of delegation rewards you keep as a node or validator of TASK (at most once a
    day, never in the freeze before the task's end).

    \b
    Example:
      ape run tasks sigma 1 25% --account carol
    """
    bps = percent_bps(sigma, "sigma")
    print_lines(tasks.set_sigma(deployment.contract("tasks"), sender, task, bps))


@tasks_cli.command("delegate", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("operator")
@click.argument("amount")
@connection_options()
def tasks_delegate(task: int, operator: str, amount: str, deployment: Any, sender: Any) -> None:
    """Delegate AMOUNT gmFLOCK to OPERATOR, a node or validator of the AI Arena TASK.

    \b
    Example:
      ape run tasks delegate 1 0xcarol... 2_000 --account alice
    """
    wei = flock_amount(amount)
    print_lines(
        tasks.delegate(
            deployment.contract("tasks"),
            deployment.contract("gmflock"),
            sender,
            task,
            deployment.resolve(operator),
            wei,
        )
    )


@tasks_cli.command("undelegate", cls=ConnectedCommand)
@click.argument("task", type=int)
@connection_options()
def tasks_undelegate(task: int, deployment: Any, sender: Any) -> None:
    """Stop your delegation in TASK counting; `tasks release` returns it after the undelegation
    cooldown (and the task's dispute window).

    \b
    Example:
      ape run tasks undelegate 1 --account alice
    """
    print_lines(tasks.undelegate(deployment.contract("tasks"), sender, task))


@tasks_cli.command("release", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.option("--for", "whose", default=None, help="whose stake (default: the sending account)")
@connection_options()
def tasks_release(task: int, whose: str | None, deployment: Any, sender: Any) -> None:
    """Release your stake in TASK after its end and dispute window (anyone may release anyone's).

    \b
    Example:
      ape run tasks release 1 --account carol
    """
    who = deployment.resolve(whose) if whose else str(sender.address)
    print_lines(tasks.release(deployment.contract("tasks"), sender, task, who))


@tasks_cli.command("slash-unrevealed", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("epoch", type=int)
@connection_options()
def tasks_slash_unrevealed(task: int, epoch: int, deployment: Any, sender: Any) -> None:
    """Slash every model or score commitment of the AI Arena TASK's EPOCH that was not revealed by
    the end of its reveal phase (anyone may; you take the keeper's share of the FLOCK seized).

    \b
    Example:
      ape run tasks slash-unrevealed 1 21 --account keeper
      ape run tasks sync 1 0xalice... --account keeper
      ape run tasks route-slash-pot 1 --account keeper
      ape run tasks end 1 --account keeper
    """
    print_lines(
        unrevealed.slash_unrevealed(
            deployment.contract("tasks"),
            deployment.contract("submissions"),
            deployment.contract("slasher"),
            deployment.contract("token"),
            sender,
            task,
            epoch,
            deployment.manifest.contracts["submissions"].block,
        )
    )


@tasks_cli.command("sync", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("delegator", metavar="ADDRESS")
@connection_options()
def tasks_sync(task: int, delegator: str, deployment: Any, sender: Any) -> None:
    """Apply the slashes of its operator's pool to ADDRESS's delegation in TASK (anyone may; a
    caller other than the delegator takes the keeper's share of the FLOCK seized).

    \b
    Example:
      ape run tasks sync 1 0xalice... --account keeper
    """
    print_lines(keeper.sync(deployment.contract("tasks"), sender, task, deployment.resolve(delegator)))


@tasks_cli.command("route-slash-pot", cls=ConnectedCommand)
@click.argument("task", type=int)
@connection_options()
def tasks_route_slash_pot(task: int, deployment: Any, sender: Any) -> None:
    """Send the AI Arena TASK's slash pot (FLOCK seized from its delegators) to the slash recipient,
    or burn it if none is set (anyone may).

    \b
    Example:
      ape run tasks route-slash-pot 1 --account keeper
    """
    print_lines(
        keeper.route_slash_pot(deployment.contract("tasks"), deployment.contract("slasher"), sender, task)
    )


@tasks_cli.command("end", cls=ConnectedCommand)
@click.argument("task", type=int)
@connection_options()
def tasks_end(task: int, deployment: Any, sender: Any) -> None:
    """Record that TASK's end has passed (anyone may): it stops earning emissions.

    \b
    Example:
      ape run tasks end 1 --account keeper
    """
    print_lines(keeper.end_task(deployment.contract("tasks"), sender, task))


@tasks_cli.command("evict", cls=ConnectedCommand)
@click.argument("task", type=int)
@click.argument("participant", metavar="ADDRESS")
@connection_options()
def tasks_evict(task: int, participant: str, deployment: Any, sender: Any) -> None:
    """Evict ADDRESS from the FL Alliance TASK if it enrolled in none of its last rounds (anyone
    may): a share of its stake is slashed, and you are credited a share of the FLOCK seized.

    \b
    Example:
      ape run tasks evict 2 0xsquatter... --account keeper
    """
    alliance = deployment.contract("alliance")
    print_lines(
        keeper.evict(deployment.contract("tasks"), alliance, sender, task, deployment.resolve(participant))
    )


@tasks_cli.command("pull-emissions", cls=ConnectedCommand)
@click.argument("task", type=int)
@connection_options()
def tasks_pull_emissions(task: int, deployment: Any, sender: Any) -> None:
    """Move the FL Alliance TASK's emission budgets not yet drawn into its reward pool (anyone may;
    up to 64 epochs a call).

    \b
    Example:
      ape run tasks pull-emissions 2 --account keeper
    """
    alliance = deployment.contract("alliance")
    print_lines(keeper.pull_emissions(deployment.contract("tasks"), alliance, sender, task))


@tasks_cli.command("sweep", cls=ConnectedCommand)
@click.argument("task", type=int)
@connection_options()
def tasks_sweep(task: int, deployment: Any, sender: Any) -> None:
    """Send the pool of the FL Alliance TASK, once over and with no round in progress, to the
    treasury (anyone may), after pulling its last emission budgets.

    \b
    Example:
      ape run tasks sweep 2 --account keeper
    """
    print_lines(keeper.sweep(deployment.contract("tasks"), deployment.contract("alliance"), sender, task))


@tasks_cli.command("credits", cls=ConnectedCommand)
@click.argument("owner", required=False, metavar="[ADDRESS]")
@connection_options()
def tasks_credits(owner: str | None, deployment: Any, viewer: str | None, network: str) -> None:
    """What FL Alliance rounds owe ADDRESS (default: the --account): rewards, paid as FLOCK, and
    shares of slashes, relocked as a gmFLOCK lock of the maximum duration when withdrawn.

    \b
    Example:
      ape run tasks credits --account dave
    """
    who = shown_account(owner, viewer, deployment.resolve, network)
    owed = credits.credits(deployment.contract("alliance"), deployment.contract("gmflock"), who)
    print_lines(owed.lines(head_time()))


@tasks_cli.command("withdraw", cls=ConnectedCommand)
@click.option("--to", "to", default=None, help="who receives the rewards' FLOCK (default: the account)")
@connection_options()
def tasks_withdraw(to: str | None, deployment: Any, sender: Any) -> None:
    """Withdraw your FL Alliance credits: rewards as FLOCK to --to, shares of slashes as a new
    gmFLOCK lock of yours for the maximum duration.

    \b
    Example:
      ape run tasks withdraw --to 0xcold... --account dave
    """
    recipient = deployment.resolve(to) if to else str(sender.address)
    print_lines(
        credits.withdraw_credits(
            deployment.contract("alliance"), deployment.contract("gmflock"), sender, recipient
        )
    )


# ---------------------------------------------------------------------------------------- keeper


@click.command("checkpoint", cls=ConnectedCommand)
@connection_options()
def checkpoint_cli(deployment: Any, sender: Any) -> None:
    """Open the emission epochs that have started (anyone may; an unopened epoch pays nothing) and
    say what each minted.

    \b
    Example:
      ape run checkpoint --network base:sepolia:node --account keeper
    """
    quiet_ape()
    print_lines(keeper.checkpoint(deployment.contract("emissions"), sender).lines())


# ---------------------------------------------------------------------------------------- vesting


@click.group("vesting", cls=Group)
def vesting_cli() -> None:
    """Show and release the vesting share of claimed rewards.

    \b
    Examples:
      ape run vesting show --account carol
      ape run vesting release --account carol
    """
    quiet_ape()


@vesting_cli.command("show", cls=ConnectedCommand)
@click.option("--for", "whose", default=None, help="whose rewards (default: the --account)")
@connection_options()
def vesting_show(whose: str | None, deployment: Any, viewer: str | None, network: str) -> None:
    """Every task epoch in which an account has vesting rewards.

    \b
    Example:
      ape run vesting show --for 0xcarol...
    """
    who = shown_account(whose, viewer, deployment.resolve, network)
    rows = vesting.vestings(
        deployment.contract("rewards"), who, deployment.manifest.contracts["rewards"].block
    )
    if not rows:
        print_lines(f"{who} has no vesting rewards")
        return
    table = Table(title=f"vesting rewards of {who} (FLOCK)")
    for column in ("task", "epoch", "locked", "released", "releasable now", "fully vested"):
        table.add_column(column)
    now = head_time()
    for v in rows:
        table.add_row(*v.row(now))
    console.print(table)


@vesting_cli.command("release", cls=ConnectedCommand)
@click.option("--for", "whose", default=None, help="whose rewards (default: the sending account)")
@connection_options()
def vesting_release(whose: str | None, deployment: Any, sender: Any) -> None:
    """Release everything vested so far, across every task epoch, in one transaction.

    \b
    Example:
      ape run vesting release --account carol
    """
    who = deployment.resolve(whose) if whose else str(sender.address)
    print_lines(
        vesting.release(
            deployment.contract("rewards"), sender, who, deployment.manifest.contracts["rewards"].block
        )
    )


# ---------------------------------------------------------------------------------------- token


@click.group("token", cls=Group)
def token_cli() -> None:
    """Send FLOCK and read balances.

    \b
    Examples:
      ape run token transfer 0xabcd... 60_000 --account deployer
      ape run token balance 0xabcd...
    """
    quiet_ape()


@token_cli.command("transfer", cls=ConnectedCommand)
@click.argument("to")
@click.argument("amount")
@connection_options()
def token_transfer(to: str, amount: str, deployment: Any, sender: Any) -> None:
    """Send AMOUNT FLOCK (whole tokens) to TO.

    \b
    Example:
      ape run token transfer test:1 60_000 --account test:0
    """
    wei = flock_amount(amount)
    token, recipient = deployment.contract("token"), deployment.resolve(to)
    balance = int(token.balanceOf(sender))
    if balance < wei:
        raise UserError(
            f"{sender.address} holds {format_token(balance)} FLOCK, less than {format_token(wei)}"
        )
    token.transfer(recipient, wei, sender=sender)
    print_lines(f"sent {format_token(wei)} FLOCK to {recipient}")


@token_cli.command("balance", cls=ConnectedCommand)
@click.argument("owner", required=False, metavar="[ADDRESS]")
@connection_options()
def token_balance(owner: str | None, deployment: Any, viewer: str | None, network: str) -> None:
    """FLOCK, gmFLOCK and staked gmFLOCK of ADDRESS (default: the --account).

    \b
    Example:
      ape run token balance test:1
    """
    who = shown_account(owner, viewer, deployment.resolve, network)
    gm = deployment.contract("gmflock")
    print_lines(
        f"{who}: {format_token(int(deployment.contract('token').balanceOf(who)))} FLOCK, "
        f"{format_token(int(gm.balanceOf(who)))} gmFLOCK "
        f"({format_token(int(gm.allocatedOf(who)))} staked)"
    )
