"""Demo chapter: FL Alliance rounds on the alliance task the DAO approved in the tasks chapter.

Five participants train a digit classifier together on private shards of scikit-learn's digits
dataset; each round the chain draws two proposers (who aggregate everyone's local updates with
FedAvg and post the candidate's hash) and the voters judge each candidate on their own held-out
data and vote with their stake. heidi is malicious: she trains on flipped labels, proposes her
poisoned model when drawn as a proposer and votes against her own judgement otherwise. The chapter
runs rounds until heidi's poisoned proposal has been rejected and slashed (at least four), then
checks the task's model lineage on chain against the stored models. The draw mixes anvil's random
`prevrandao`, so how many rounds that takes varies from run to run: heidi escapes the draw with
probability 3/5 a round, so the cap of 24 rounds is missed once in about 200,000 runs (eight rounds,
the cap before, was missed once in 60, and the run then had no rejection to report).
"""

from __future__ import annotations

from flock.alliance.chain import Withdrawal, owed_of, withdraw
from flock.alliance.federation import RoundReport
from flock.alliance.live import Plan, federation, stake_and_join
from flock.alliance.protocol import SlashReason
from flock.alliance.render import print_round, print_summary
from flock.demo.context import DemoContext
from flock.units import format_token

TASK = "alliance-med"
JOINING = (("erin", 3_000), ("heidi", 1_500))  # dave, alice and grace joined in the tasks chapter
PLAN = Plan(
    names=("dave", "alice", "grace", "erin", "heidi"),
    stakes=(5_000, 2_000, 3_000, 3_000, 1_500),
    malicious="heidi",
    attack="label-flip",
)
KEEPER = "bob"  # finalizes and settles the rounds: earns the finalizer's share of every slash
MIN_ROUNDS, MAX_ROUNDS = 4, 24


def _caught(report: RoundReport) -> bool:
    return any(s.account == PLAN.malicious and s.reason == SlashReason.REJECTED for s in report.slashes)


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    console.rule("[bold]FL Alliance: federated rounds, random roles, stake-weighted votes, slashing")
    task_id = ctx.notes["task_ids"][TASK]
    for who, gm in JOINING:
        stake_and_join(p, task_id, ctx.people[who], gm)
    heidi = ctx.people[PLAN.malicious]
    heidi_before = p.tasks.memberOf(task_id, heidi).stake
    keeper = ctx.people[KEEPER]
    store = ctx.folder("alliance")
    fed = federation(p, task_id, {n: ctx.people[n] for n in PLAN.names}, PLAN, keeper, store)
    names = ("enroll", "secrets", "draw delay", "propose", "reveal update", "commit", "reveal")
    phases = dict(zip(names, p.alliance.roundPhases(), strict=True))
    stakes = ", ".join(f"{n} {s:,}" for n, s in zip(PLAN.names, PLAN.stakes, strict=True))
    console.print(
        f"task {task_id} ({TASK}): {stakes} gmFLOCK; [red]{PLAN.malicious}[/] cheats ({PLAN.attack}); "
        "round phases " + ", ".join(f"{k} {v // 60} min" for k, v in phases.items())
    )
    reports: list[RoundReport] = []
    while len(reports) < MAX_ROUNDS and (len(reports) < MIN_ROUNDS or not any(map(_caught, reports))):
        report = fed.run_round()
        print_round(console, report, {PLAN.malicious})
        reports.append(report)
    print_summary(console, reports, fed.verify_lineage())

    heidi_after = p.tasks.memberOf(task_id, heidi).stake
    # The finalizer's shares are credited: a pull payment, like any credit. Shares of slashes are
    # paid as a gmFLOCK lock of the maximum duration (decision 195), rewards as FLOCK.
    earned = withdraw(p.alliance, keeper) if owed_of(p.alliance, keeper).total else None
    rejected = sum(_caught(r) for r in reports)
    console.print(
        f"{PLAN.malicious}: {rejected} poisoned proposal(s) rejected; stake {format_token(heidi_before)} -> "
        f"{format_token(heidi_after)} gmFLOCK; {KEEPER} earned {_paid(earned)} finalizing"
    )
    dave = ctx.people["dave"]
    if owed_of(p.alliance, dave).total:
        console.print(f"dave withdraws his credits: {_paid(withdraw(p.alliance, dave))} (pull payment)")
    assert rejected, f"{PLAN.malicious} was not drawn as a proposer in {len(reports)} rounds"
    assert heidi_after < heidi_before, "the malicious participant must have been slashed"
    assert reports[-1].accuracy_after > reports[0].accuracy_before + 0.5, "the global model must improve"
    ctx.notes["alliance"] = reports


def _paid(w: Withdrawal | None) -> str:
    """A withdrawal as one phrase: the FLOCK paid and the lock opened."""
    if w is None:
        return "nothing"
    lock = f"{format_token(w.relocked)} FLOCK relocked as gmFLOCK lock {w.lock_id}" if w.relocked else ""
    liquid = f"{format_token(w.liquid)} FLOCK" if w.liquid or not lock else ""
    return " and ".join(x for x in (liquid, lock) if x)
