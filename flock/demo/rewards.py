"""Demo chapter: a full AI Arena epoch of the `arena-chat` task, rewarded by the oracle.

Training nodes train character n-gram models on different shards of the text that ships with
Python (and with different context lengths) and submit them; validators score every model in bits
per character on held-out text, commit to their score files, then reveal them; one validator is
lazy and commits noise. After the epoch, two of the three oracles compute the rewards from the
chain and the score files and post the same root; the challenge window passes; the root's pot is
created and everyone claims. The tables show each account's consensus score, quality and reward
(the lazy validator earns less), and `verify` recomputes the posted root and finds it matches.
"""

from __future__ import annotations

from typing import Any

from ape import accounts
from rich.table import Table

from flock.chain.clock import head_time, mine_at
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import Journal, commit, reveal
from flock.demo.context import DemoContext
from flock.oracle.chain import ChainView
from flock.oracle.render import accounts_table, summary_lines, verification_table
from flock.oracle.run import compute_on_chain, post, publish, verify
from flock.rewards import claim_args
from flock.store import ContentStore
from flock.tasks import Role
from flock.units import WAD, format_token

TASK = "arena-chat"
# Newcomers to the task: (who, role, gmFLOCK, sigma bps). frank and grace (nodes), heidi (validator)
# and erin (frank's delegator) joined in the tasks chapter.
JOINS = (
    ("dave", Role.NODE, 4_000, 3_000),
    ("bob", Role.VALIDATOR, 3_000, 4_000),
    ("carol", Role.VALIDATOR, 5_000, 4_000),
    ("alice", Role.VALIDATOR, 3_000, 4_000),
)
# (node, shard of 3, n-gram order): more data and a longer context give a better model.
TRAINING = (("frank", 0, 5), ("grace", 1, 3), ("dave", 2, 2))
VALIDATORS = ("heidi", "bob", "carol")
LAZY = "carol"
ABSENT = "alice"  # commits to a score file and never reveals it: slashed in the next chapter
ORACLES = (10, 11)  # test accounts 10 and 11 of the configured 2-of-3 oracle set


def _at(ctx: DemoContext, epoch: int, field: str, after: int = 60) -> None:
    """Mines a block ``after`` seconds past ``field`` ("start", "submitEnd", ...) of ``epoch``."""
    schedule = ctx.protocol.submissions.schedule(epoch)
    mine_at(max(head_time() + 1, getattr(schedule, field) + after))


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    console.rule("[bold]Rewards: an Arena epoch scored by validators, paid by oracles' Merkle root")
    task = ctx.notes["task_ids"][TASK]
    for who, role, amount, sigma in JOINS:
        p.tasks.join(task, role, amount * WAD, sigma, sender=ctx.people[who])
    epoch = p.emissions.currentEpoch() + 1  # stake counts from the next epoch
    console.print(
        f"  dave joins {TASK} as a node, bob, carol and alice as validators; "
        f"epoch {epoch} is the one rewarded"
    )
    folder = ctx.folder("rewards")
    store, journal = ContentStore(folder / "store"), Journal(folder / "journal")

    _at(ctx, epoch, "start")
    p.emissions.checkpoint(sender=p.deployer)
    committed = []
    for who, shard, order in TRAINING:
        model = train_and_store(store, shard, len(TRAINING), order)
        committed.append((who, commit_model(p.submissions, task, model, ctx.people[who])))
        console.print(
            f"  {who} trains an order-{order} model on shard {shard} ({model.training_chars:,} chars), "
            f"commits to {model.digest[:12]}…"
        )
    _at(ctx, epoch, "submitEnd")
    for who, model in committed:
        reveal_model(p.submissions, model, ctx.people[who])
    console.print("  the submit phase closes; the nodes reveal their models (hash and URI)")
    _at(ctx, epoch, "modelRevealEnd")
    for who in VALIDATORS:
        lazy = who == LAZY
        done = commit(p.submissions, journal, store, task, ctx.people[who], lazy_seed=7 if lazy else None)
        what = "makes up scores (lazy)" if lazy else "scores every model in bits per character"
        console.print(f"  {who} {what}, commits to score file {done.file_hash[:12]}…")
    commit(p.submissions, journal, store, task, ctx.people[ABSENT], lazy_seed=11)
    console.print(f"  {ABSENT} commits to a score file too")
    _at(ctx, epoch, "commitEnd")
    for who in VALIDATORS:
        reveal(p.submissions, journal, task, ctx.people[who])
    console.print(f"  the validators reveal their score files' hashes; {ABSENT} never reveals hers")

    _at(ctx, epoch, "revealEnd")
    view = ChainView(p)
    runs = [compute_on_chain(view, store, task, epoch) for _ in ORACLES]
    assert runs[0].report == runs[1].report, "two oracles computing the same epoch agree to the byte"
    oracle_run = runs[0]
    names = {str(a.address).lower(): n for n, a in ctx.people.items()}
    console.print(
        accounts_table(oracle_run, lambda a: names.get(a.lower(), a[:10]), f"{TASK}, epoch {epoch}")
    )
    for line in summary_lines(oracle_run):
        console.print(f"  {line}")
    publish(oracle_run, store)
    for index in ORACLES:
        receipt = post(view, oracle_run, accounts.test_accounts[index])
        accepted = [e for e in receipt.events if e.event_name == "RootAccepted"]
        console.print(
            f"  oracle {index - 9} posts" + (": 2 of 3 agree, the root is accepted" if accepted else "")
        )
    for check in verify(view, oracle_run):
        console.print(verification_table(check))
        console.print("[bold green]verify: match[/]" if check.match else "[bold red]verify: MISMATCH[/]")

    rewards = p.rewards
    mine_at(rewards.epochRewards(task, epoch).finalizesAt)
    rewards.finalize(task, epoch, sender=p.deployer)
    pot = view.pot(task, epoch)
    console.print(
        f"  the challenge window passes; the root is final and its pot {pot.address} holds its total"
    )
    _claims(ctx, oracle_run, pot, names)
    _lazy_earned_less(ctx, oracle_run, names)
    submissions = oracle_run.assembled.inputs.submissions
    ctx.notes["rewards"] = {
        "run": oracle_run,
        "names": names,
        "models": {node.lower(): model.lower() for node, model in submissions.items()},
        "absent": ABSENT,
        "store": store,  # the content store: models and reports, by hash (the API chapter serves from it)
    }


def _claims(ctx: DemoContext, oracle_run: Any, pot: Any, names: dict[str, str]) -> None:
    token = ctx.protocol.token
    table = Table(title="everyone claims (FLOCK)")
    for column in ("account", "leaf", "paid now", "vesting (30 days)"):
        table.add_column(column, justify="left" if column == "account" else "right")
    task, epoch = oracle_run.data.task, oracle_run.data.epoch
    for index, (account, amount) in enumerate(oracle_run.result.leaves):
        before = token.balanceOf(account)
        pot.claim(*claim_args(oracle_run.tree, task, epoch, index).pot_args(), sender=ctx.protocol.deployer)
        paid = token.balanceOf(account) - before
        locked = pot.vestingOf(account)[0]
        table.add_row(
            names.get(account.lower(), account[:10]),
            format_token(amount),
            format_token(paid),
            format_token(locked),
        )
    ctx.console.print(table)


def _lazy_earned_less(ctx: DemoContext, oracle_run: Any, names: dict[str, str]) -> None:
    earned = {
        names.get(a.account.lower()): a.gross for a in oracle_run.result.allocations if a.role == "validator"
    }
    quality = {names.get(v.lower()): q for v, q in oracle_run.result.quality.items()}
    lazy, honest = earned.get(LAZY, 0), [earned.get(v, 0) for v in VALIDATORS if v != LAZY]
    assert all(lazy < h for h in honest), "the lazy validator must earn less than the honest ones"
    ctx.console.print(
        f"[bold green]the lazy validator ({LAZY}) earns {format_token(lazy)} FLOCK at quality "
        f"{float(quality[LAZY]):.3f}; the honest ones {', '.join(format_token(h) for h in honest)}[/]"
    )
