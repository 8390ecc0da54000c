"""`ape run alliance`: a real federated-learning run over FL Alliance rounds on a local chain.

It deploys the protocol, gives N participants gmFLOCK, creates an Alliance task they join (approved
by the timelock directly: a local-chain shortcut for the governance proposal the demo makes), and
runs rounds: local training on private shards, FedAvg by the proposers, votes from the voters'
held-out accuracy, slashes and rewards on chain. One participant may cheat. At the end the task's
model lineage on chain is checked against the models in the content store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from rich.console import Console

from flock.alliance.client import BEHAVIOURS
from flock.alliance.data import DATASETS
from flock.alliance.federation import Federation, LineageError, RoundReport
from flock.alliance.live import Plan, federation, stake_and_join
from flock.alliance.render import print_round, print_summary
from flock.clikit import UserError
from flock.tasks import TaskKind, spec_hash
from flock.units import DAY

TASK_DAYS = 30
STAKE_STEP = 1_000  # participant i of N stakes (N + 1 - i) x 1,000 gmFLOCK: p1 the most


def parse_malicious(value: str, participants: int) -> int | None:
    """``none``, ``last`` or a participant number 1..N; the 0-based index, or None."""
    text = value.strip().lower()
    if text == "none":
        return None
    if text == "last":
        return participants - 1
    if text.isdigit() and 1 <= int(text) <= participants:
        return int(text) - 1
    raise UserError(
        f"--malicious: expected none, last or a participant number 1..{participants}, not {value!r}"
    )


def make_plan(participants: int, malicious: str, attack: str, dataset: str, seed: int) -> Plan:
    names = tuple(f"p{i + 1}" for i in range(participants))
    index = parse_malicious(malicious, participants)
    stakes = tuple((participants + 1 - i) * STAKE_STEP for i in range(participants))
    return Plan(names, stakes, names[index] if index is not None else None, attack, dataset, seed)


def setup_local(console: Console, plan: Plan, store: Path) -> Federation:
    """Deploys the protocol on the connected local chain and sets the federation up."""
    from flock.chain.clock import advance
    from flock.chain.local import new_accounts
    from flock.deploy.ape_backend import deploy_fresh

    p = deploy_fresh()
    console.print(f"deployed the protocol; AllianceRounds at {p.alliance.address}")
    creator, keeper, *people = new_accounts(len(plan.names) + 2, p.deployer)
    p.token.transfer(creator, 10_000 * 10**18, sender=p.deployer)
    p.token.approve(p.gmflock, 10_000 * 10**18, sender=creator)
    p.gmflock.lock(10_000 * 10**18, 365 * DAY, sender=creator)
    spec = f"flock://alliance/{plan.dataset}/softmax"
    n = len(plan.names)
    p.tasks.createTask(TaskKind.ALLIANCE, TASK_DAYS * DAY, spec_hash(spec), spec, 2, n, sender=creator)
    task_id = p.tasks.taskCount()
    accounts = dict(zip(plan.names, people, strict=True))
    for name, stake in zip(plan.names, plan.stakes, strict=True):
        stake_and_join(p, task_id, accounts[name], stake, lock_flock=stake)
    p.tasks.approveTask(task_id, sender=p.admin)
    advance(DAY)  # the task earns from the epoch after its approval
    p.emissions.checkpoint(sender=keeper)
    console.print(
        f"Alliance task {task_id} ({plan.dataset}, {n} participants, stakes "
        + ", ".join(f"{a} {s:,}" for a, s in zip(plan.names, plan.stakes, strict=True))
        + " gmFLOCK)"
        + (f"; [red]{plan.malicious}[/] is malicious ({plan.attack})" if plan.malicious else "")
    )
    console.print(f"models are stored by hash in {store}")
    return federation(p, task_id, accounts, plan, keeper, store)


def run_rounds(console: Console, fed: Federation, rounds: int) -> list[RoundReport]:
    malicious = {m.name for m in fed.members if m.client.malicious}
    reports = []
    for _ in range(rounds):
        report = fed.run_round()
        print_round(console, report, malicious)
        reports.append(report)
    return reports


def run(
    console: Console,
    participants: int,
    rounds: int,
    malicious: str,
    attack: str,
    dataset: str,
    seed: int,
    store: Path | None,
) -> list[RoundReport]:
    plan = make_plan(participants, malicious, attack, dataset, seed)
    store = store or Path(tempfile.mkdtemp(prefix="flock-alliance-store-"))
    fed = setup_local(console, plan, store)
    reports = run_rounds(console, fed, rounds)
    try:
        rows = fed.verify_lineage()
    except LineageError as err:
        raise UserError(f"lineage check failed: {err}") from err
    print_summary(console, reports, rows)
    return reports


_NETWORK = click.option(
    "--network", default="ethereum:local:foundry", show_default=True, help="a local network"
)
_ATTACK_HELP = "what the malicious participant does to its updates (it also votes against its judgement)"


def options(func):  # type: ignore[no-untyped-def]
    """The command's options."""
    for option in reversed(
        (
            _NETWORK,
            click.option("--participants", type=click.IntRange(3, 8), default=5, show_default=True),
            click.option("--rounds", type=click.IntRange(1, 20), default=5, show_default=True),
            click.option(
                "--malicious",
                default="last",
                show_default=True,
                help="which participant cheats: a number 1..N, last, or none",
            ),
            click.option(
                "--attack",
                type=click.Choice([b for b in BEHAVIOURS if b != "honest"]),
                default="label-flip",
                show_default=True,
                help=_ATTACK_HELP,
            ),
            click.option(
                "--dataset", type=click.Choice(sorted(DATASETS)), default="digits", show_default=True
            ),
            click.option(
                "--seed", type=int, default=7, show_default=True, help="how the data is shuffled and dealt"
            ),
            click.option(
                "--store",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="content store folder for the models (default: a new temporary folder)",
            ),
        )
    ):
        func = option(func)
    return func
