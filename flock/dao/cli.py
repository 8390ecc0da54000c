"""`ape run dao`: create, inspect, simulate, vote, queue and execute FLock DAO proposals.

The command line is thin: each command connects, loads the deployment from its manifest, and calls
``flock.dao``. Proposal templates come from ``flock.dao.templates`` (one subcommand each under
`propose` and `simulate`). docs/governance.md has the operator runbook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from flock.chain.clock import mine_at
from flock.chain.manifest import manifest_path
from flock.chain.network import clock_can_move, is_dev
from flock.clikit import (
    DEFAULT_NETWORK,
    clean_errors,
    connected,
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
from flock.units import format_token, parse_duration, utc


def _network_opt() -> click.Option:
    return click.Option(["--network"], default=None, help=f"ape network choice (default {DEFAULT_NETWORK})")


def _manifest_opt() -> click.Option:
    return click.Option(
        ["--manifest", "manifest_file"],
        type=click.Path(path_type=Path),
        default=None,
        help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
    )


def _account_opt() -> click.Option:
    return click.Option(
        ["--account"], default=None, help="ape account alias to send from; test:N on a local chain"
    )


def _description_opt() -> click.Option:
    return click.Option(
        ["--description", "-d"], default=None, help="proposal description (first line: the title)"
    )


def with_params(*params: click.Parameter) -> Callable[[Any], Any]:
    """Adds ready-made click parameters to a command or to a function about to become one (click's
    own decorators build a new parameter each time; these are shared factories' products)."""

    def decorate(target: Any) -> Any:
        if isinstance(target, click.Command):
            target.params.extend(params)
        else:
            # click reverses the memo when it builds the command (decorators apply bottom-up)
            target.__dict__.setdefault("__click_params__", []).extend(reversed(params))
        return target

    return decorate


@dataclass(frozen=True)
class Options:
    network: str
    manifest_file: Path
    account: str | None
    description: str | None


def _options(ctx: click.Context, local: dict[str, Any]) -> Options:
    """Options given to this command, else to its group (``propose --account a set-param ...``)."""
    merged: dict[str, Any] = {}
    for context in (ctx.parent, ctx):
        if context is not None:
            merged.update({k: v for k, v in context.params.items() if v is not None})
    merged.update({k: v for k, v in local.items() if v is not None})
    network = merged.get("network") or DEFAULT_NETWORK
    return Options(
        network=network,
        # a fork runs on the forked network's deployment (base:sepolia-fork -> base-sepolia.json)
        manifest_file=merged.get("manifest_file") or manifest_path(network.replace("-fork", "")),
        account=merged.get("account"),
        description=merged.get("description"),
    )


@contextmanager
def session(options: Options) -> Iterator[tuple[Any, Deployment, Governance]]:
    """Connected to the network, with the deployment and its governor."""
    with connected(options.network) as provider:
        deployment = Deployment.load(options.manifest_file)
        yield provider, deployment, Governance(deployment)


@click.group()
def cli() -> None:
    """Operate the FLock DAO: propose from templates or files, decode, simulate, vote, queue,
    execute, status, list. Proposals are found by id (or a unique prefix of it)."""
    quiet_ape()


# ---------------------------------------------------------------------------------- propose


def _do_propose(options: Options, make: Callable[[Deployment], Draft]) -> None:
    with session(options) as (provider, deployment, governance):
        draft = make(deployment)
        sender = load_sender(options.account, provider)
        print_draft(console, deployment, draft)
        proposal = governance.propose(draft, sender)
        status = governance.status(proposal)
        console.print(f"[green]proposed[/] {proposal.id}")
        console.print(f"short id {proposal.short_id}; voting opens {when(status.snapshot + 1, status.now)}")


def _template_command(
    tpl: Template, run: Callable[[Options, Template, dict[str, Any]], None]
) -> click.Command:
    common = {"network", "manifest_file", "account", "description"}

    @clean_errors
    def callback(**kwargs: Any) -> None:
        ctx = click.get_current_context()
        options = _options(ctx, {k: kwargs.pop(k) for k in common if k in kwargs})
        run(options, tpl, kwargs)

    params = [*tpl.params, _network_opt(), _manifest_opt(), _account_opt(), _description_opt()]
    return click.Command(tpl.name, callback=callback, params=params, help=tpl.summary, short_help=tpl.summary)


def _propose_template(options: Options, tpl: Template, params: dict[str, Any]) -> None:
    _do_propose(options, lambda d: build_draft(d, tpl.name, params, options.description))


@cli.group(invoke_without_command=True)
@click.option(
    "--file", "actions_file", type=click.Path(path_type=Path), help="actions YAML (see docs/governance.md)"
)
@with_params(_network_opt(), _manifest_opt(), _account_opt(), _description_opt())
@click.pass_context
@clean_errors
def propose(ctx: click.Context, actions_file: Path | None, **_: Any) -> None:
    """Submit a proposal: `propose TEMPLATE ARGS...` or `propose --file actions.yaml`."""
    if ctx.invoked_subcommand is not None:
        if actions_file:
            raise click.UsageError("give either --file or a template, not both")
        return
    if actions_file is None:
        raise click.UsageError(f"give a template ({', '.join(sorted(TEMPLATES))}) or --file actions.yaml")
    options = _options(ctx, {})
    _do_propose(options, lambda d: load_actions_file(d, actions_file, options.description))


for _tpl in TEMPLATES.values():
    propose.add_command(_template_command(_tpl, _propose_template))


def _upgrade_params() -> list[click.Parameter]:
    return [
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


def _upgrade_draft(options: Options, deployment: Deployment, provider: Any, params: dict[str, Any]) -> Draft:
    sender = load_sender(options.account, provider)
    draft, _ = prepare_upgrade(deployment, params.pop("contract"), sender, **params)
    if options.description:
        draft = Draft(options.description.strip(), draft.actions, draft.notes)
    return draft


def _upgrade_command(
    name: str, run: Callable[[Options, dict[str, Any]], None], help_text: str
) -> click.Command:
    common = {"network", "manifest_file", "account", "description"}

    @clean_errors
    def callback(**kwargs: Any) -> None:
        options = _options(click.get_current_context(), {k: kwargs.pop(k) for k in common if k in kwargs})
        run(options, kwargs)

    params = [*_upgrade_params(), _network_opt(), _manifest_opt(), _account_opt(), _description_opt()]
    return click.Command(name, callback=callback, params=params, help=help_text, short_help=help_text)


def _propose_upgrade(options: Options, params: dict[str, Any]) -> None:
    with session(options) as (provider, deployment, governance):
        draft = _upgrade_draft(options, deployment, provider, params)
        sender = load_sender(options.account, provider)
        print_draft(console, deployment, draft)
        proposal = governance.propose(draft, sender)
        status = governance.status(proposal)
        console.print(f"[green]proposed[/] {proposal.id}")
        console.print(f"short id {proposal.short_id}; voting opens {when(status.snapshot + 1, status.now)}")


UPGRADE_HELP = (
    "Upgrade a proxy: upgrade CONTRACT [CALL_ARGS]... [--call FUNCTION] (deploys the build's "
    "implementation, checks its storage layout, proposes upgradeToAndCall through the timelock)"
)
propose.add_command(_upgrade_command("upgrade", _propose_upgrade, UPGRADE_HELP))


# ---------------------------------------------------------------------------------- simulate


def _do_simulate(options: Options, make: Callable[[Deployment, Governance], tuple[Draft, Any]]) -> None:
    with session(options) as (_, deployment, governance):
        draft, proposal = make(deployment, governance)
        print_draft(console, deployment, draft)
        report = simulate(deployment, draft, proposal)
        print_simulation(console, deployment, report)
        if not report.ok:
            raise DaoError("the simulation reverted: this proposal would fail at execution")


def _simulate_template(options: Options, tpl: Template, params: dict[str, Any]) -> None:
    _do_simulate(options, lambda d, _: (build_draft(d, tpl.name, params, options.description), None))


@cli.group("simulate", invoke_without_command=True)
@click.option("--id", "proposal_id", help="simulate an existing proposal")
@click.option("--file", "actions_file", type=click.Path(path_type=Path), help="simulate an actions YAML")
@with_params(_network_opt(), _manifest_opt(), _description_opt())
@click.pass_context
@clean_errors
def simulate_cmd(ctx: click.Context, proposal_id: str | None, actions_file: Path | None, **_: Any) -> None:
    """Run a proposal or a draft on a snapshot, as the timelock, report events and changed
    parameters, and revert. Local or forked chains only. `simulate --id ID`, `simulate --file F`,
    or `simulate TEMPLATE ARGS...`."""
    given = [x for x in (proposal_id, actions_file, ctx.invoked_subcommand) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --id ID, --file actions.yaml or a template")
    if ctx.invoked_subcommand is not None:
        return
    options = _options(ctx, {})
    if proposal_id:

        def from_id(_: Deployment, governance: Governance) -> tuple[Draft, Any]:
            proposal = governance.find(proposal_id)
            return proposal.draft(), proposal

        _do_simulate(options, from_id)
    else:
        assert actions_file is not None
        _do_simulate(options, lambda d, _: (load_actions_file(d, actions_file, options.description), None))


for _tpl in TEMPLATES.values():
    simulate_cmd.add_command(_template_command(_tpl, _simulate_template))


def _simulate_upgrade(options: Options, params: dict[str, Any]) -> None:
    """The implementation is deployed on the local or forked chain (it stays there), then the
    upgrade runs on a snapshot like any draft."""
    with session(options) as (provider, deployment, _governance):
        if not is_dev(provider.network.name):
            raise DaoError(
                f"simulate needs a chain it can snapshot and impersonate on; {provider.network.name} is "
                "live. Use a local anvil or a fork, e.g. --network base:sepolia-fork:foundry"
            )
        draft = _upgrade_draft(options, deployment, provider, params)
        print_draft(console, deployment, draft)
        report = simulate(deployment, draft)
        print_simulation(console, deployment, report)
        if not report.ok:
            raise DaoError("the simulation failed: this upgrade would fail at execution or lose state")


simulate_cmd.add_command(_upgrade_command("upgrade", _simulate_upgrade, UPGRADE_HELP))


# ---------------------------------------------------------------------------------- reading


def _read_command(name: str, help_text: str) -> Callable[[Any], click.Command]:
    """A command taking a proposal ID plus --network and --manifest."""

    def decorate(func: Any) -> click.Command:
        command = cli.command(name, help=help_text)(clean_errors(func))
        command.params[:0] = [click.Argument(["proposal_id"], metavar="ID")]
        command.params.extend([_network_opt(), _manifest_opt()])
        return command

    return decorate


@_read_command("decode", "Show a proposal's actions in words: contracts by name, signatures, arguments.")
def decode(proposal_id: str, network: str | None, manifest_file: Path | None) -> None:
    options = _options(click.get_current_context(), {"network": network, "manifest_file": manifest_file})
    with session(options) as (_, deployment, governance):
        print_proposal(console, deployment, governance.find(proposal_id))


@_read_command("status", "State, votes, quorum progress, deadline, eta and time left of a proposal.")
def status(proposal_id: str, network: str | None, manifest_file: Path | None) -> None:
    options = _options(click.get_current_context(), {"network": network, "manifest_file": manifest_file})
    with session(options) as (_, _deployment, governance):
        console.print(status_panel(governance, governance.status(governance.find(proposal_id))))


@cli.command("list")
@with_params(_network_opt(), _manifest_opt())
@clean_errors
def list_cmd(network: str | None, manifest_file: Path | None) -> None:
    """Every proposal of the governor, with its state and what comes next."""
    options = _options(click.get_current_context(), {"network": network, "manifest_file": manifest_file})
    with session(options) as (_, _deployment, governance):
        statuses = [governance.status(p) for p in governance.proposals]
        if not statuses:
            console.print("no proposals yet")
            return
        console.print(proposals_table(governance, statuses))


@cli.command("params")
@with_params(_network_opt(), _manifest_opt())
@clean_errors
def params_cmd(network: str | None, manifest_file: Path | None) -> None:
    """Every governed parameter with its current value (what `propose set-param` changes)."""
    options = _options(click.get_current_context(), {"network": network, "manifest_file": manifest_file})
    with session(options) as (_, deployment, _governance):
        console.print(parameters_table(deployment))


# ---------------------------------------------------------------------------------- lifecycle


def _send_command(name: str, help_text: str) -> Callable[[Any], click.Command]:
    """A command taking a proposal ID plus --network, --manifest and --account."""

    def decorate(func: Any) -> click.Command:
        command = cli.command(name, help=help_text)(clean_errors(func))
        command.params[:0] = [click.Argument(["proposal_id"], metavar="ID")]
        command.params.extend([_network_opt(), _manifest_opt(), _account_opt()])
        return command

    return decorate


@_send_command("vote", "Vote for, against or abstain on an Active proposal.")
@click.argument("support", type=click.Choice(["for", "against", "abstain"], case_sensitive=False))
@click.option("--reason", default="", help="a reason, recorded in the VoteCast event")
def vote(
    proposal_id: str,
    support: str,
    reason: str,
    network: str | None,
    manifest_file: Path | None,
    account: str | None,
) -> None:
    options = _options(
        click.get_current_context(), {"network": network, "manifest_file": manifest_file, "account": account}
    )
    with session(options) as (provider, _deployment, governance):
        proposal = governance.find(proposal_id)
        sender = load_sender(options.account, provider)
        weight = governance.vote(proposal, support, sender, reason)
        console.print(f"[green]voted {support}[/] on {proposal.short_id} with {format_token(weight)} gmFLOCK")
        console.print(status_panel(governance, governance.status(proposal)))


@_send_command("queue", "Queue a Succeeded proposal in the timelock.")
def queue(proposal_id: str, network: str | None, manifest_file: Path | None, account: str | None) -> None:
    options = _options(
        click.get_current_context(), {"network": network, "manifest_file": manifest_file, "account": account}
    )
    with session(options) as (provider, _deployment, governance):
        proposal = governance.find(proposal_id)
        eta = governance.queue(proposal, load_sender(options.account, provider))
        console.print(f"[green]queued[/] {proposal.short_id}; executable {when(eta, governance.now())}")


@_send_command("execute", "Execute a Queued proposal once its timelock delay has passed.")
def execute(proposal_id: str, network: str | None, manifest_file: Path | None, account: str | None) -> None:
    options = _options(
        click.get_current_context(), {"network": network, "manifest_file": manifest_file, "account": account}
    )
    with session(options) as (provider, deployment, governance):
        proposal = governance.find(proposal_id)
        receipt = governance.execute(proposal, load_sender(options.account, provider))
        console.print(
            f"[green]executed[/] {proposal.short_id} in tx {receipt.txn_hash} ({receipt.gas_used:,} gas)"
        )
        for line in record_executed_upgrades(deployment, receipt) + record_executed_migration(
            deployment, receipt
        ):
            console.print(f"recorded in {deployment.manifest_file}: {line}", soft_wrap=True)


@_send_command("cancel", "Cancel your own proposal while it is Pending.")
def cancel(proposal_id: str, network: str | None, manifest_file: Path | None, account: str | None) -> None:
    options = _options(
        click.get_current_context(), {"network": network, "manifest_file": manifest_file, "account": account}
    )
    with session(options) as (provider, _deployment, governance):
        proposal = governance.find(proposal_id)
        governance.cancel(proposal, load_sender(options.account, provider))
        console.print(f"[green]canceled[/] {proposal.short_id}")


WARP_TARGETS = ("epoch", "model-reveal", "commit", "reveal", "closed")


def _warp_target(target: str, options: Options, now: int) -> int:
    """The timestamp of a named point: the next emission epoch's start, or the current epoch's
    model-reveal, commit, reveal or closed phase (a minute in, so the phase has surely begun)."""
    with session(options) as (_, deployment, _governance):
        if target == "epoch":
            em = deployment.contract("emissions")
            current = (now - int(em.genesis())) // int(em.epochLength())
            return int(em.genesis()) + (current + 1) * int(em.epochLength()) + 60
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


@cli.command("warp")
@click.argument("duration", metavar="DURATION|epoch|model-reveal|commit|reveal|closed")
@with_params(_network_opt(), _manifest_opt())
@clean_errors
def warp(duration: str, network: str | None, manifest_file: Path | None) -> None:
    """Move the clock of a chain of our own (local, a fork, the Base rehearsal) forward, mining one
    block: by a DURATION (`warp 1d`), or to the next epoch's start (`warp epoch`) or the current
    epoch's `model-reveal`, `commit`, `reveal` or `closed` phase."""
    from ape import chain

    options = _options(click.get_current_context(), {"network": network, "manifest_file": manifest_file})
    with connected(options.network) as provider:
        if not clock_can_move(provider.network.name):
            raise DaoError(f"{provider.network.name} is a live network: its clock is not ours to move")
        now = int(chain.pending_timestamp)
        if duration.lower() in WARP_TARGETS:
            target = _warp_target(duration.lower(), options, now)
        else:
            target = now + parse_duration(duration)
        mine_at(max(target, now))
        moved = human_duration(max(target - now, 0))
        console.print(f"moved {moved} forward; chain time {utc(chain.blocks.head.timestamp)}")
