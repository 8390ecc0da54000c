"""`ape run oracle`: compute, post, verify and report a task epoch's rewards; finalize and claim;
the guardian's veto of an accepted root or usage report (`vetoable`, `veto`).

Thin: each command connects, loads the deployment, reads the epoch from the chain and the score
files from the content store, and calls ``flock.oracle.run``. docs/oracle.md has the runbook.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flock.chain.clock import head_time
from flock.chain.protocol import LiveProtocol
from flock.cli import (
    ConnectedCommand,
    Group,
    UsageError,
    UserError,
    account_option,
    connection_options,
    console,
    load_sender,
    print_lines,
    quiet_ape,
)
from flock.files import atomic_write_bytes, atomic_write_text
from flock.ops import guardian
from flock.oracle.chain import ChainView
from flock.oracle.render import accounts_table, summary_lines, verification_table
from flock.oracle.run import OracleRun, claim_for, compute_on_chain, post, publish, verify
from flock.paths import PROJECT_ROOT
from flock.prechecks import before_oracle
from flock.store import ContentStore
from flock.units import format_token, relative_time

DEFAULT_STORE = PROJECT_ROOT / "data" / "store"


def epoch_options(func: Any) -> Any:
    """--store, --task and --epoch: which task epoch, and where its score files are."""
    options = [
        click.option(
            "--store",
            type=click.Path(path_type=Path),
            default=DEFAULT_STORE,
            show_default=True,
            help="content-addressed folder of score files, models and reports",
        ),
        click.option("--task", type=int, required=True, help="an AI Arena task id"),
        click.option(
            "--epoch", type=int, default=None, help="the epoch (default: the latest one that is over)"
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run(view: ChainView, store: Path, task: int, epoch: int | None) -> OracleRun:
    if epoch is None:
        view.check_arena_task(task)  # before naming an epoch for it
        epoch = view.latest_ended_epoch()
        console.print(f"epoch {epoch} (the latest that is over)")
    before_oracle(view, task, epoch)  # a task epoch without a budget pays nothing: say why, stop
    blocks = view.epoch_blocks(epoch)
    run = compute_on_chain(view, ContentStore(store), task, epoch, blocks)
    console.print(f"the epoch's events: {blocks.line()}")
    return run


def _show(run: OracleRun) -> None:
    console.print(accounts_table(run))
    for line in summary_lines(run):
        console.print(line)


@click.group("oracle", cls=Group)
def cli() -> None:
    """The validator scoring oracle: compute a task epoch's rewards from the chain and the score
    files, post the root (oracles), verify a posted root (anyone), write the report; list what a
    guardian may veto and veto it (guardians)."""
    quiet_ape()


@cli.command(cls=ConnectedCommand)
@connection_options(send=False)
@epoch_options
def compute(protocol: LiveProtocol, store: Path, task: int, epoch: int | None) -> None:
    """Compute the epoch's rewards, root and report; store the report under its hash."""
    run = _run(ChainView(protocol), store, task, epoch)
    _show(run)
    console.print(f"report stored as {publish(run, ContentStore(store))}")


@cli.command("post", cls=ConnectedCommand)
@connection_options(send=False)
@epoch_options
@account_option(help="the oracle's ape account alias (test:N on a local chain)")
def post_command(
    protocol: LiveProtocol, provider: Any, sender: Any, store: Path, task: int, epoch: int | None
) -> None:
    """Compute, store the report, and post (root, total, burn, report hash) as an oracle."""
    view = ChainView(protocol)
    run = _run(view, store, task, epoch)
    _show(run)
    publish(run, ContentStore(store))
    receipt = post(view, run, sender)
    (posted,) = [e for e in receipt.events if e.event_name == "RootPosted"]
    accepted = [e for e in receipt.events if e.event_name == "RootAccepted"]
    console.print(f"posted by {sender.address}: {posted.votes} oracle(s) agree on this tuple")
    if accepted:
        opens = relative_time(int(accepted[0].finalizesAt), int(provider.chain_manager.blocks.head.timestamp))
        console.print(f"[green]accepted[/]: claims open {opens} unless vetoed")


@cli.command("verify", cls=ConnectedCommand)
@connection_options(send=False)
@epoch_options
def verify_command(protocol: LiveProtocol, store: Path, task: int, epoch: int | None) -> None:
    """Recompute the epoch from the chain and the score files and compare with what was posted; hold
    what was posted to the epoch's budget (from the emission controller's events) plus its revenue."""
    view = ChainView(protocol)
    run = _run(view, store, task, epoch)
    results = verify(view, run)
    if not results:
        raise UserError(f"nothing posted for task {task} epoch {run.data.epoch} yet")
    for result in results:
        console.print(verification_table(result))
    if any(r.over_budget for r in results):
        raise UserError(
            f"OVER BUDGET: a posted root pays more than epoch {run.data.epoch}'s emission budget plus its "
            f"funded revenue; a guardian vetoes it before its challenge window ends "
            f"({guardian.REWARDS.command(task, run.data.epoch)})"
        )
    if not all(r.match for r in results):
        raise UserError("MISMATCH: the posted values are not what the chain and the score files give")
    console.print("[bold green]match[/]: the posted root is what the chain and the score files give")


@cli.command(cls=ConnectedCommand)
@connection_options(send=False)
@epoch_options
@click.option(
    "--out", type=click.Path(path_type=Path), default=None, help="folder for report.json and tree.json"
)
def report(protocol: LiveProtocol, store: Path, task: int, epoch: int | None, out: Path | None) -> None:
    """Write the canonical report and the OpenZeppelin tree dump (for claimers' proofs)."""
    run = _run(ChainView(protocol), store, task, epoch)
    _show(run)
    folder = out or PROJECT_ROOT / "data" / "reports" / f"task{task}-epoch{run.data.epoch}"
    # Exactly the bytes whose keccak256 is the report hash (no trailing newline).
    atomic_write_bytes(folder / "report.json", run.report)
    if run.tree is not None:
        atomic_write_text(folder / "tree.json", json.dumps(run.tree.dump(), indent=1) + "\n")
    console.print(f"wrote {folder}/report.json (keccak256 0x{run.report_hash.hex()}) and tree.json")


@cli.command(cls=ConnectedCommand)
@connection_options()
@click.option("--task", type=int, required=True, help="an AI Arena task id")
@click.option("--epoch", type=int, required=True, help="the epoch whose accepted root to finalize")
def finalize(protocol: LiveProtocol, sender: Any, task: int, epoch: int) -> None:
    """Finalize an accepted root after its challenge window (anyone): burns the fees, opens claims."""
    view = ChainView(protocol)
    view.check_arena_task(task)
    view.rewards.finalize(task, epoch, sender=sender)
    console.print(f"task {task} epoch {epoch}: final, claims open")


@cli.command(cls=ConnectedCommand)
@connection_options()
@epoch_options
@click.option("--for", "beneficiary", default=None, help="whose leaf (default: the sending account)")
def claim(
    protocol: LiveProtocol, sender: Any, store: Path, task: int, epoch: int | None, beneficiary: str | None
) -> None:
    """Claim a leaf of the accepted root, with its proof rebuilt from the report in the store."""
    if epoch is None:
        raise UsageError("--epoch is required to claim")
    whom, view = beneficiary or str(sender.address), ChainView(protocol)
    view.check_arena_task(task)
    receipt = claim_for(view, ContentStore(store), task, epoch, whom, sender)
    (claimed,) = [e for e in receipt.events if e.event_name == "Claimed"]
    locked = sum(e.locked for e in receipt.events if e.event_name == "VestingStarted")
    vesting = f"; {format_token(locked)} of it vests (`ape run vesting release`)" if locked else ""
    console.print(f"claimed {format_token(claimed.amount)} FLOCK for {whom}{vesting}")


@cli.command(cls=ConnectedCommand)
@connection_options()
@epoch_options
@click.option("--post", "do_post", is_flag=True, help="post the slash root as an oracle")
@click.option("--execute", "do_execute", is_flag=True, help="execute the accepted root's leaves (anyone)")
def slashes(
    protocol: LiveProtocol,
    provider: Any,
    account: str | None,
    store: Path,
    task: int,
    epoch: int | None,
    do_post: bool,
    do_execute: bool,
) -> None:
    """The faults only the evaluation shows (deviation streaks, unreadable score files, invalid
    models): list them; with --post, post their slash root as an oracle; with --execute, execute
    the accepted root after its challenge window (docs/oracle.md "Slashing")."""
    from flock.oracle.slashing import compute_slashes_on_chain, execute_slashes, post_slashes

    view = ChainView(protocol)
    if epoch is None:
        view.check_arena_task(task)  # before naming an epoch for it
        epoch = view.latest_ended_epoch()
        console.print(f"epoch {epoch} (the latest that is over)")
    report = compute_slashes_on_chain(view, ContentStore(store), task, epoch)
    ContentStore(store).put(report.report)
    if not report.faults:
        console.print(f"task {task} epoch {epoch}: no fault to report")
    for index, fault in enumerate(report.faults):
        console.print(f"{index}: {fault.account} {fault.offence.name.lower()}: {fault.reason}")
    if not report.faults or not (do_post or do_execute):
        return
    sender = load_sender(account, provider)
    if do_post:
        receipt = post_slashes(view, report, sender)
        accepted = [e for e in receipt.events if e.event_name == "SlashRootAccepted"]
        console.print(
            "posted" + (f"; accepted, executable from {accepted[0].executableAt}" if accepted else "")
        )
    if do_execute:
        done = execute_slashes(view, report, sender)
        console.print(f"executed {len(done)} slash(es)")


# ---------------------------------------------------------------------------------------- guardian

GUARDED = ("tasks", "rewards", "slasher", "api")


def _guarded(deployment: Any) -> dict[str, Any]:
    """The contracts a guardian watches, as far as the deployment has them (an older one may lack
    the API credits)."""
    return {key: deployment.contract(key) for key in GUARDED if key in deployment.manifest.contracts}


@cli.command("vetoable", cls=ConnectedCommand)
@click.option(
    "--from-block",
    type=click.IntRange(min=0),
    default=None,
    help="scan the acceptance events from this block (default: the first block of the challenge window)",
)
@connection_options(send=False)
def vetoable_command(from_block: int | None, deployment: Any) -> None:
    """Every reward root, slash root and usage report accepted and still in its challenge window
    (a guardian may veto it until then), the one closing first first. Only the blocks of the
    window are scanned (the first one found by block time), and the command says which.

    \b
    Examples:
      ape run oracle vetoable --network base:sepolia:node
      ape run oracle vetoable --from-block 18000000 --network base:sepolia:node
    """
    contracts = _guarded(deployment)
    deployed = {key: deployment.manifest.contracts[key].block for key in contracts}
    blocks = guardian.scan_range(contracts, deployed, from_block)
    found, now = guardian.vetoable(contracts, deployed, blocks), head_time()
    print_lines(blocks.line())
    if not found:
        print_lines("nothing to veto: no reward root, slash root or usage report is in its challenge window")
    print_lines([a.line(now) for a in found])


@cli.command("veto", cls=ConnectedCommand)
@click.argument("kind", type=click.Choice(sorted(guardian.KINDS)))
@click.option("--task", type=int, default=None, help="the AI Arena task (rewards, slashes)")
@click.option("--epoch", type=int, required=True, help="the epoch whose accepted root or report to veto")
@connection_options()
def veto_command(kind: str, task: int | None, epoch: int, deployment: Any, sender: Any) -> None:
    """Veto the accepted reward root (rewards) or slash root (slashes) of a task epoch, or the usage
    report of an epoch (usage), during its challenge window (GUARDIAN_ROLE holders only): it pays,
    slashes or charges nothing and a new round of posts begins.

    \b
    Examples:
      ape run oracle veto rewards --task 1 --epoch 21 --account guardian
      ape run oracle veto usage --epoch 21 --account guardian
    """
    print_lines(guardian.veto(_guarded(deployment), guardian.KINDS[kind], sender, task, epoch))
