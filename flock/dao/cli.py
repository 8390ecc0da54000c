"""`ape run dao`: create, inspect, simulate, vote, queue and execute FLock DAO proposals.

The command line is thin: each command connects, loads the deployment from its manifest, and calls
``flock.dao``. Proposal templates come from ``flock.dao.templates`` (one subcommand each under
`propose` and `simulate`). docs/governance.md has the operator runbook.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from flock.chain.clock import mine_at
from flock.chain.network import clock_can_move, is_dev
from flock.cli import (
    ConnectedCommand,
    ConnectedGroup,
    Group,
    UsageError,
    connection_options,
    console,
    load_sender,
    quiet_ape,
)
from flock.dao.actions import Draft, human_duration, load_actions_file
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance, when
from flock.dao.render import (
    parameters_table,
    print_draft,
    print_proposal,
    print_simulation,
    proposals_table,
    status_panel,
)
from flock.dao.simulate import simulate
from flock.dao.templates import TEMPLATES, Template, build_draft
from flock.dao.upgrades import prepare_upgrade, record_executed_migration, record_executed_upgrades
from flock.emissions import EpochClock
from flock.units import format_token, parse_duration, utc


def proposal_options(send: bool) -> Callable[[Any], Any]:
    """--network, --manifest, --description, and --account for a command that sends."""

    def decorate(target: Any) -> Any:
        described = click.option(
            "--description", "-d", default=None, help="proposal description (first line: the title)"
        )(target)
        return connection_options(send)(described)

    return decorate


@click.group("dao", cls=Group)
def cli() -> None:
    """Operate the FLock DAO: propose from templates or files, decode, simulate, vote, queue,
    execute, status, list. Proposals are found by id (or a unique prefix of it)."""
    quiet_ape()


# ---------------------------------------------------------------------------------- propose


def _propose(deployment: Deployment, sender: Any, draft: Draft) -> None:
    governance = Governance(deployment)
    print_draft(console, deployment, draft)
    proposal = governance.propose(draft, sender)
    status = governance.status(proposal)
    console.print(f"[green]proposed[/] {proposal.id}")
    console.print(f"short id {proposal.short_id}; voting opens {when(status.snapshot + 1, status.now)}")


def _simulate(
    deployment: Deployment,
    draft: Draft,
    proposal: Any = None,
    failed: str = "the simulation reverted: this proposal would fail at execution",
) -> None:
    print_draft(console, deployment, draft)
    report = simulate(deployment, draft, proposal)
    print_simulation(console, deployment, report)
    if not report.ok:
        raise DaoError(failed)


def _template_command(tpl: Template, send: bool) -> click.Command:
    """`propose TEMPLATE ...` (``send``) or `simulate TEMPLATE ...`."""

    def propose_it(deployment: Deployment, sender: Any, description: str | None, **params: Any) -> None:
        _propose(deployment, sender, build_draft(deployment, tpl.name, params, description))

    def simulate_it(deployment: Deployment, description: str | None, **params: Any) -> None:
        _simulate(deployment, build_draft(deployment, tpl.name, params, description))

    command = ConnectedCommand(
        tpl.name,
        callback=propose_it if send else simulate_it,
        params=list(tpl.params),
        help=tpl.summary,
        short_help=tpl.summary,
    )
    return proposal_options(send)(command)


@cli.group(cls=ConnectedGroup, invoke_without_command=True)
@click.option(
    "--file", "actions_file", type=click.Path(path_type=Path), help="actions YAML (see docs/governance.md)"
)
@proposal_options(send=True)
@click.pass_context
def propose(
    ctx: click.Context, actions_file: Path | None, deployment: Any, sender: Any, description: str | None
) -> None:
    """Submit a proposal: `propose TEMPLATE ARGS...` or `propose --file actions.yaml`."""
    if ctx.invoked_subcommand is not None:
        if actions_file:
            raise UsageError("give either --file or a template, not both", ctx)
        return
    if actions_file is None:
        raise UsageError(f"give a template ({', '.join(sorted(TEMPLATES))}) or --file actions.yaml", ctx)
    _propose(deployment, sender, load_actions_file(deployment, actions_file, description))


for _tpl in TEMPLATES.values():
    propose.add_command(_template_command(_tpl, send=True))


def _upgrade_command(name: str, callback: Callable[..., None], help_text: str) -> click.Command:
    command = ConnectedCommand(name, callback=callback, help=help_text, short_help=help_text)
    command.params = [
        click.Argument(["contract"]),
        click.Argument(["call_args"], nargs=-1, metavar="[CALL_ARGS]..."),
        click.Option(
            ["--call"],
            default=None,
            help="a function of the new implementation run in the proxy's context right after the "
            "switch; its arguments follow CONTRACT",
        ),
        click.Option(
            ["--to", "new_contract"],
            default=None,
            help="the build's contract deployed as the new implementation (default: the proxy's own)",
        ),
        click.Option(
            ["--implementation"], default=None, help="an implementation already deployed (none is deployed)"
        ),
        click.Option(
            ["--reference"],
            default=None,
            help="compare storage with this contract of the build instead of the recorded build",
        ),
    ]
    return proposal_options(send=True)(command)


def _upgrade_draft(
    deployment: Deployment, sender: Any, description: str | None, params: dict[str, Any]
) -> Draft:
    draft, _ = prepare_upgrade(deployment, params.pop("contract"), sender, **params)
    if description:
        draft = Draft(description.strip(), draft.actions, draft.notes)
    return draft


def _propose_upgrade(deployment: Deployment, sender: Any, description: str | None, **params: Any) -> None:
    _propose(deployment, sender, _upgrade_draft(deployment, sender, description, params))


UPGRADE_HELP = (
    "Upgrade a proxy: upgrade CONTRACT [CALL_ARGS]... [--call FUNCTION] (deploys the build's "
    "implementation, checks its storage layout, proposes upgradeToAndCall through the timelock)"
)
propose.add_command(_upgrade_command("upgrade", _propose_upgrade, UPGRADE_HELP))


# ---------------------------------------------------------------------------------- simulate


@cli.group("simulate", cls=ConnectedGroup, invoke_without_command=True)
@click.option("--id", "proposal_id", help="simulate an existing proposal")
@click.option("--file", "actions_file", type=click.Path(path_type=Path), help="simulate an actions YAML")
@proposal_options(send=False)
@click.pass_context
def simulate_cmd(
    ctx: click.Context,
    proposal_id: str | None,
    actions_file: Path | None,
    deployment: Any,
    description: str | None,
) -> None:
    """Run a proposal or a draft on a snapshot, as the timelock, report events and changed
    parameters, and revert. Local or forked chains only. `simulate --id ID`, `simulate --file F`,
    or `simulate TEMPLATE ARGS...`."""
    given = [x for x in (proposal_id, actions_file, ctx.invoked_subcommand) if x]
    if len(given) != 1:
        raise UsageError("give exactly one of --id ID, --file actions.yaml or a template", ctx)
    if ctx.invoked_subcommand is not None:
        return
    if proposal_id:
        _, proposal = _found(deployment, proposal_id)
        _simulate(deployment, proposal.draft(), proposal)
    else:
        assert actions_file is not None
        _simulate(deployment, load_actions_file(deployment, actions_file, description))


for _tpl in TEMPLATES.values():
    simulate_cmd.add_command(_template_command(_tpl, send=False))


def _simulate_upgrade(
    deployment: Deployment, provider: Any, account: str | None, description: str | None, **params: Any
) -> None:
    """The implementation is deployed on the local or forked chain (it stays there), then the
    upgrade runs on a snapshot like any draft."""
    if not is_dev(provider.network.name):
        raise DaoError(
            f"simulate needs a chain it can snapshot and impersonate on; {provider.network.name} is "
            "live. Use a local anvil or a fork, e.g. --network base:sepolia-fork:foundry"
        )
    draft = _upgrade_draft(deployment, load_sender(account, provider), description, params)
    _simulate(
        deployment, draft, failed="the simulation failed: this upgrade would fail at execution or lose state"
    )


simulate_cmd.add_command(_upgrade_command("upgrade", _simulate_upgrade, UPGRADE_HELP))


# ---------------------------------------------------------------------------------- reading


def proposal_command(name: str, send: bool = False) -> Callable[[Any], click.Command]:
    """A command on one proposal: its ID, --network, --manifest, and --account if it sends."""

    def decorate(func: Any) -> click.Command:
        func = click.argument("proposal_id", metavar="ID")(connection_options(send)(func))
        return cli.command(name, cls=ConnectedCommand)(func)

    return decorate


def _found(deployment: Deployment, proposal_id: str) -> tuple[Governance, Any]:
    """The governor's view and the proposal with this id (or a unique prefix of it)."""
    governance = Governance(deployment)
    return governance, governance.find(proposal_id)


@proposal_command("decode")
def decode(proposal_id: str, deployment: Deployment) -> None:
    """Show a proposal's actions in words: contracts by name, signatures, arguments."""
    print_proposal(console, deployment, _found(deployment, proposal_id)[1])


@proposal_command("status")
def status(proposal_id: str, deployment: Deployment) -> None:
    """State, votes, quorum progress, deadline, eta and time left of a proposal."""
    governance, proposal = _found(deployment, proposal_id)
    console.print(status_panel(governance, governance.status(proposal)))


@cli.command("list", cls=ConnectedCommand)
@connection_options(send=False)
def list_cmd(deployment: Deployment) -> None:
    """Every proposal of the governor, with its state and what comes next."""
    governance = Governance(deployment)
    statuses = [governance.status(p) for p in governance.proposals]
    if not statuses:
        console.print("no proposals yet")
        return
    console.print(proposals_table(governance, statuses))


@cli.command("params", cls=ConnectedCommand)
@connection_options(send=False)
def params_cmd(deployment: Deployment) -> None:
    """Every governed parameter with its current value (what `propose set-param` changes)."""
    console.print(parameters_table(deployment))


# ---------------------------------------------------------------------------------- lifecycle


@proposal_command("vote", send=True)
@click.argument("support", type=click.Choice(["for", "against", "abstain"], case_sensitive=False))
@click.option("--reason", default="", help="a reason, recorded in the VoteCast event")
def vote(proposal_id: str, support: str, reason: str, deployment: Deployment, sender: Any) -> None:
    """Vote for, against or abstain on an Active proposal."""
    governance, proposal = _found(deployment, proposal_id)
    weight = governance.vote(proposal, support, sender, reason)
    console.print(f"[green]voted {support}[/] on {proposal.short_id} with {format_token(weight)} gmFLOCK")
    console.print(status_panel(governance, governance.status(proposal)))


@proposal_command("queue", send=True)
def queue(proposal_id: str, deployment: Deployment, sender: Any) -> None:
    """Queue a Succeeded proposal in the timelock."""
    governance, proposal = _found(deployment, proposal_id)
    eta = governance.queue(proposal, sender)
    console.print(f"[green]queued[/] {proposal.short_id}; executable {when(eta, governance.now())}")


@proposal_command("execute", send=True)
def execute(proposal_id: str, deployment: Deployment, sender: Any) -> None:
    """Execute a Queued proposal once its timelock delay has passed."""
    governance, proposal = _found(deployment, proposal_id)
    receipt = governance.execute(proposal, sender)
    console.print(
        f"[green]executed[/] {proposal.short_id} in tx {receipt.txn_hash} ({receipt.gas_used:,} gas)"
    )
    recorded = record_executed_upgrades(deployment, receipt) + record_executed_migration(deployment, receipt)
    for line in recorded:
        console.print(f"recorded in {deployment.manifest_file}: {line}", soft_wrap=True)


@proposal_command("cancel", send=True)
def cancel(proposal_id: str, deployment: Deployment, sender: Any) -> None:
    """Cancel your own proposal while it is Pending."""
    governance, proposal = _found(deployment, proposal_id)
    governance.cancel(proposal, sender)
    console.print(f"[green]canceled[/] {proposal.short_id}")


WARP_TARGETS = ("epoch", "model-reveal", "commit", "reveal", "closed")


def _warp_target(target: str, manifest_file: Path, now: int) -> int:
    """The timestamp of a named point: the next emission epoch's start, or the current epoch's
    model-reveal, commit, reveal or closed phase (a minute in, so the phase has surely begun)."""
    deployment = Deployment.load(manifest_file)
    if target == "epoch":
        clock = EpochClock.of(deployment.contract("emissions"))
        return clock.start(clock.epoch_at(now) + 1) + 60
    submissions = deployment.contract("submissions")
    epoch = int(submissions.currentPhase()[0])
    schedule = submissions.schedule(epoch)
    start = {
        "model-reveal": schedule.submitEnd,
        "commit": schedule.modelRevealEnd,
        "reveal": schedule.commitEnd,
        "closed": schedule.revealEnd,
    }[target]
    if int(start) + 60 <= now:
        raise DaoError(
            f"epoch {epoch} is past its {target} phase already; `warp epoch` moves to the next one"
        )
    return int(start) + 60


@cli.command("warp", cls=ConnectedCommand)
@click.argument("duration", metavar="DURATION|epoch|model-reveal|commit|reveal|closed")
@connection_options(send=False)
def warp(duration: str, provider: Any, manifest_file: Path) -> None:
    """Move the clock of a chain of our own (local, a fork, the Base rehearsal) forward, mining one
    block: by a DURATION (`warp 1d`), or to the next epoch's start (`warp epoch`) or the current
    epoch's `model-reveal`, `commit`, `reveal` or `closed` phase."""
    from ape import chain

    if not clock_can_move(provider.network.name):
        raise DaoError(f"{provider.network.name} is a live network: its clock is not ours to move")
    now = int(chain.pending_timestamp)
    if duration.lower() in WARP_TARGETS:
        target = _warp_target(duration.lower(), manifest_file, now)
    else:
        target = now + parse_duration(duration)
    mine_at(max(target, now))
    moved = human_duration(max(target - now, 0))
    console.print(f"moved {moved} forward; chain time {utc(chain.blocks.head.timestamp)}")
