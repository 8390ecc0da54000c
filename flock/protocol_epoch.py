"""One protocol epoch against a deployed suite, as its users live it, on a chain whose clock can be
moved (the local chain, or anvil posing as Base Sepolia in `make rehearse-base`).

A funder (the deployer's FLOCK) pays a small cast of test accounts; they lock FLOCK for gmFLOCK; one
creates an AI Arena task, two join as training nodes and two as validators, one delegates; a single
DAO proposal approves the task and, where the deployment has none yet, appoints the reward oracles
(two of three); the next emission epoch opens; the nodes train and submit models, the validators
score them, commit and reveal; two oracles compute the same root from the chain and post it; the
challenge window passes and everyone claims. Every step is an ordinary transaction through the same
library the command lines use; :func:`run_epoch` checks the outcome and returns it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ape import accounts
from ape.exceptions import ApeException
from rich.console import Console
from rich.table import Table

from flock.chain.budgets import budget_of
from flock.chain.clock import advance, head_time, mine_at
from flock.chain.network import is_local
from flock.chain.protocol import LiveProtocol
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import Journal, commit, reveal
from flock.dao.actions import Draft
from flock.dao.deployment import Deployment
from flock.dao.proposals import Governance
from flock.dao.templates import build_draft
from flock.oracle.chain import ChainView
from flock.oracle.run import OracleRun, compute_on_chain, post, publish, verify
from flock.rewards import ClaimArgs, claim_args
from flock.store import ContentStore
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD, format_token

CAST = ("alice", "bob", "carol", "dave", "erin", "frank")  # test accounts 1 to 6
ORACLES = (10, 11, 12)  # test accounts; two of three must agree
FLOCK_EACH = 60_000
LOCK = {"alice": 50_000}  # gmFLOCK locked (default 40,000): alice proposes and carries the quorum
LOCK_DEFAULT = 40_000
LOCK_DAYS = 180
TASK_DAYS = 30
TASK_URI = "ipfs://flock/rehearsal-arena-chat"
CREATOR = "bob"
# (who, role, gmFLOCK, sigma bps); (node, shard of 2, n-gram order)
JOINS = (
    ("carol", Role.NODE, 5_000, 5_000),
    ("dave", Role.NODE, 3_000, 4_000),
    ("erin", Role.VALIDATOR, 4_000, 3_000),
    ("frank", Role.VALIDATOR, 6_000, 3_000),
)
DELEGATION = ("alice", "carol", 2_000)
TRAINING = (("carol", 0, 4), ("dave", 1, 2))
VALIDATORS = ("erin", "frank")
MIN_GAS_ETH = 10**18


class EpochError(ApeException):
    """The epoch could not run or its outcome is wrong; the message says which step."""


@dataclass(frozen=True)
class EpochOutcome:
    task: int
    epoch: int
    budget: int  # the task's emission budget for the epoch
    total: int  # the accepted root's total
    paid: int  # paid out now by the claims
    vesting: int  # still vesting in the pot (claims release what has vested since finalization)
    root: str
    proposal: str
    held: tuple[ClaimArgs, ...] = ()  # leaves left unclaimed on purpose (``hold_back``)

    @property
    def held_total(self) -> int:
        return sum(c.amount for c in self.held)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise EpochError(message)


def _fund(p: LiveProtocol, funder: Any, people: dict[str, Any], oracles: list[Any]) -> None:
    """Gas for everyone who sends, and FLOCK for the cast, from the funder."""
    needed = FLOCK_EACH * WAD * len(people)
    _require(
        p.token.balanceOf(funder) >= needed,
        f"the funder {funder.address} holds {format_token(p.token.balanceOf(funder))} FLOCK; "
        f"the epoch hands out {format_token(needed)}",
    )
    for account in [*people.values(), *oracles]:
        if account.balance < MIN_GAS_ETH:
            funder.transfer(account, MIN_GAS_ETH)
    for who, account in people.items():
        amount = LOCK.get(who, LOCK_DEFAULT) * WAD
        p.token.transfer(account, FLOCK_EACH * WAD, sender=funder)
        p.token.approve(p.gmflock, amount, sender=account)
        p.gmflock.lock(amount, LOCK_DAYS * DAY, sender=account)


def _create_and_join(p: LiveProtocol, people: dict[str, Any]) -> int:
    tasks = p.tasks
    tasks.createTask(
        TaskKind.ARENA, TASK_DAYS * DAY, spec_hash(TASK_URI), TASK_URI, 0, 0, sender=people[CREATOR]
    )
    task = int(tasks.taskCount())
    for who, role, amount, sigma in JOINS:
        tasks.join(task, role, amount * WAD, sigma, sender=people[who])
    delegator, operator, amount = DELEGATION
    tasks.delegateStake(task, people[operator], amount * WAD, sender=people[delegator])
    return task


def _draft(deployment: Deployment, task: int, oracles: list[Any]) -> Draft:
    """Approve the task; appoint the oracles too where the deployment's set differs (Base Sepolia
    deploys with none)."""
    draft = build_draft(deployment, "approve-task", {"task_ids": (str(task),)}, None)
    wanted = [str(o.address) for o in oracles]
    current, quorum = deployment.protocol.view("rewards", "oracleSet")
    if [str(a).lower() for a in current] == [a.lower() for a in wanted] and int(quorum) == 2:
        return draft
    appoint = build_draft(deployment, "oracle-set", {"quorum": "2", "oracles": tuple(wanted)}, None)
    description = f"# Approve task {task} and appoint the reward oracles (2 of 3)\n\n{appoint.description}"
    return Draft(description, draft.actions + appoint.actions, draft.notes + appoint.notes)


def _govern(p: LiveProtocol, people: dict[str, Any], draft: Draft) -> str:
    """Propose, every cast member votes for, queue and execute, moving time past each wait."""
    deployment = Deployment(p)
    governance = Governance(deployment)
    gov = deployment.governor
    advance(1)  # votes count from the second after the locks
    proposal = governance.propose(draft, people["alice"])
    advance(int(gov.votingDelay()) + 1)
    for account in people.values():
        governance.vote(proposal, "for", account)
    advance(int(gov.proposalDeadline(proposal.id)) - int(gov.clock()) + 1)
    governance.queue(proposal, people["bob"])
    advance(int(p.timelock.getMinDelay()) + 1)
    governance.execute(proposal, people["carol"])
    state = governance.state(proposal)
    _require(state == "Executed", f"proposal {proposal.short_id}… ended {state}, not Executed")
    return proposal.short_id


def _at(p: LiveProtocol, epoch: int, field: str, after: int = 60) -> None:
    schedule = p.submissions.schedule(epoch)
    mine_at(max(head_time() + 1, getattr(schedule, field) + after))


def _score_epoch(
    p: LiveProtocol, people: dict[str, Any], task: int, epoch: int, folder: Path
) -> ContentStore:
    """Nodes train and commit to their models, then reveal them; validators score, commit and reveal."""
    store, journal = ContentStore(folder / "store"), Journal(folder / "journal")
    _at(p, epoch, "start")
    p.emissions.checkpoint(sender=people["alice"])
    committed = [
        (
            who,
            commit_model(
                p.submissions, task, train_and_store(store, shard, len(TRAINING), order), people[who]
            ),
        )
        for who, shard, order in TRAINING
    ]
    _at(p, epoch, "submitEnd")
    for who, model in committed:
        reveal_model(p.submissions, model, people[who])
    _at(p, epoch, "modelRevealEnd")
    for who in VALIDATORS:
        commit(p.submissions, journal, store, task, people[who])
    _at(p, epoch, "commitEnd")
    for who in VALIDATORS:
        reveal(p.submissions, journal, task, people[who])
    _at(p, epoch, "revealEnd")
    return store


def _post_root(p: LiveProtocol, store: ContentStore, task: int, epoch: int, oracles: list[Any]) -> OracleRun:
    """Two oracles compute the epoch independently, agree to the byte, and post; verify matches."""
    view = ChainView(p)
    runs = [compute_on_chain(view, store, task, epoch) for _ in oracles[:2]]
    _require(runs[0].report == runs[1].report, "two oracles computing the same epoch disagree")
    oracle_run = runs[0]
    publish(oracle_run, store)
    for oracle in oracles[:2]:
        post(view, oracle_run, oracle)
    _require(all(check.match for check in verify(view, oracle_run)), "verify: the posted root does not match")
    return oracle_run


def _claim_all(
    p: LiveProtocol, oracle_run: OracleRun, sender: Any, hold_back: int = 0
) -> tuple[int, int, dict[str, tuple], tuple[ClaimArgs, ...]]:
    """Finalizes the root after the challenge window and claims every leaf but the last ``hold_back``:
    (paid, vesting, rows, the claims held back)."""
    task, epoch = oracle_run.data.task, oracle_run.data.epoch
    mine_at(max(head_time() + 1, p.rewards.epochRewards(task, epoch).finalizesAt))
    p.rewards.finalize(task, epoch, sender=sender)
    pot = ChainView(p).pot(task, epoch)
    _require(pot is not None, "the finalized root has no pot")
    paid_total = vesting_total = 0
    rows: dict[str, tuple] = {}
    leaves = list(enumerate(oracle_run.result.leaves))
    claimed = leaves[: len(leaves) - hold_back]
    held = tuple(claim_args(oracle_run.tree, task, epoch, index) for index, _ in leaves[len(claimed) :])
    for index, (account, amount) in claimed:
        before = p.token.balanceOf(account)
        pot.claim(*claim_args(oracle_run.tree, task, epoch, index).pot_args(), sender=sender)
        locked, released, _ = pot.vestingOf(account)
        paid, vesting = p.token.balanceOf(account) - before, int(locked) - int(released)
        _require(paid + vesting == amount, f"leaf {index}: paid {paid} + vesting {vesting} != {amount}")
        paid_total, vesting_total = paid_total + paid, vesting_total + vesting
        rows[account.lower()] = (amount, paid, vesting)
    return paid_total, vesting_total, rows, held


def run_epoch(
    p: LiveProtocol, funder: Any, console: Console, folder: Path | None = None, hold_back: int = 0
) -> EpochOutcome:
    """Runs one protocol epoch on the deployment ``p`` on the connected chain; see the module.
    ``folder`` keeps the content store (models, score files, the report) under ``folder/store``
    (a temporary folder by default). The last ``hold_back`` leaves are left unclaimed (the outcome
    carries their claims): live state for the rehearsal's upgrade."""
    people = {name: accounts.test_accounts[i + 1] for i, name in enumerate(CAST)}
    oracles = [accounts.test_accounts[i] for i in ORACLES]
    _fund(p, funder, people, oracles)
    console.print(f"  {len(people)} accounts lock FLOCK for gmFLOCK ({LOCK_DAYS} days)")
    task = _create_and_join(p, people)
    console.print(f"  {CREATOR} creates Arena task {task}; 2 nodes, 2 validators and a delegator join")
    draft = _draft(Deployment(p), task, oracles)
    proposal = _govern(p, people, draft)
    console.print(f"  proposal {proposal}… '{draft.title}' executed through the timelock")
    epoch = int(p.emissions.currentEpoch()) + 1
    store = _score_epoch(p, people, task, epoch, folder or Path(tempfile.mkdtemp(prefix="flock-epoch-")))
    budget = budget_of(p, task, epoch).total  # from the controller's events (decision 228)
    console.print(f"  epoch {epoch}: models trained, submitted, scored; task budget {format_token(budget)}")
    oracle_run = _post_root(p, store, task, epoch, oracles)
    root = "0x" + oracle_run.root.hex()
    console.print(f"  2 of 3 oracles post root {root[:14]}…; `verify` recomputes it: match")
    paid, vesting, rows, held = _claim_all(p, oracle_run, funder, hold_back)
    total = int(oracle_run.result.total)
    outcome = EpochOutcome(task, epoch, budget, total, paid, vesting, root, proposal, held)
    _check(p, outcome, oracle_run)
    console.print(_table(people, rows, outcome))
    if held:
        shown = ", ".join(f"{c.account[:10]}… {format_token(c.amount)}" for c in held)
        console.print(f"  left unclaimed on purpose: {shown} FLOCK")
    return outcome


def _check(p: LiveProtocol, outcome: EpochOutcome, oracle_run: OracleRun) -> None:
    _require(outcome.budget > 0, f"task {outcome.task} earned no emission budget in epoch {outcome.epoch}")
    burn = int(oracle_run.result.burn)
    _require(
        outcome.total > 0 and outcome.total + burn <= outcome.budget,
        "the root's total and burn must be positive and within the budget",
    )
    leaves = sum(amount for _, amount in oracle_run.result.leaves)
    _require(leaves == outcome.total, f"leaves sum to {leaves}, the root's total is {outcome.total}")
    _require(
        outcome.paid + outcome.vesting + outcome.held_total == outcome.total,
        "the claims did not pay out exactly the root (less the leaves held back)",
    )
    status = p.rewards.epochRewards(outcome.task, outcome.epoch)
    _require(int(status.total) == outcome.total, "the accepted total on chain differs from the computed one")


def _table(people: dict[str, Any], rows: dict[str, tuple], outcome: EpochOutcome) -> Table:
    names = {str(a.address).lower(): n for n, a in people.items()}
    table = Table(title=f"task {outcome.task}, epoch {outcome.epoch}: claims (FLOCK)")
    for column in ("account", "leaf", "paid now", "vesting"):
        table.add_column(column, justify="left" if column == "account" else "right")
    for account, (amount, paid, vesting) in rows.items():
        table.add_row(names.get(account, account[:10]), *(format_token(v) for v in (amount, paid, vesting)))
    table.add_row(
        "[bold]total[/]",
        format_token(outcome.total),
        format_token(outcome.paid),
        format_token(outcome.vesting),
        end_section=True,
    )
    return table


def epoch_protocol(manifest_file: Path, console: Console) -> LiveProtocol:
    """The deployment the epoch runs on: on the local chain (new every run) a fresh one; elsewhere the
    complete deployment at ``manifest_file``, checked to be the connected chain's (chain id and
    genesis hash)."""
    from ape import chain

    from flock.deploy.ape_backend import deploy_fresh

    if is_local(chain.provider.network.name):
        console.print("local chain: deploying the protocol first")
        return deploy_fresh()
    return LiveProtocol.load(manifest_file, complete=True)
