"""Demo chapter: the API platform. A developer buys credits, calls the Arena task's winning model
through the official `openai` package (a chat completion and a streamed one), the epoch's usage
settles on chain (2 of 3 gateway operators, the challenge window, each charge applied, the revenue
flushed), the oracles pay the revenue to the model's trainer, its delegators and the validators who
scored it in the next epoch's root, everyone claims, and the FLOCK paid by the developer is
accounted for to the wei (docs/api.md)."""

from __future__ import annotations

from typing import Any

import openai
from ape import accounts
from rich.table import Table

from flock.chain.clock import head_time, mine_at
from flock.demo.context import DemoContext
from flock.emissions import EpochClock
from flock.gateway.chain import ApeLedger
from flock.gateway.local import OPERATORS, open_account
from flock.gateway.server import start_background
from flock.gateway.service import Gateway
from flock.gateway.settle import finalize_and_charge, flush_models, post_report, report_epoch
from flock.gateway.store import MeteringStore
from flock.oracle.chain import ChainView
from flock.oracle.revenue import revenue_shares
from flock.oracle.run import compute_on_chain, post, publish, verify
from flock.rewards import claim_args
from flock.units import WAD, format_token

DEVELOPER = 9  # test account: not in the cast (1 to 8), not an oracle (10 to 12)
CREDIT, CAP = 100 * WAD, 40 * WAD
PRICE = 50 * WAD  # FLOCK per 1,000 tokens: a premium model, so the split reads in whole FLOCK
PROMPT = "Federated learning lets"


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    console.rule("[bold]API platform: the winning model served OpenAI-style, paid per use")
    rewards_note = ctx.notes.get("rewards")
    if not rewards_note:
        console.print("  no rewarded Arena epoch in this run: nothing to serve")
        return
    task = rewards_note["run"].data.task
    store = rewards_note["store"]
    p.api.setPrice(task, PRICE, sender=p.admin)
    console.print(
        f"  governance prices task {task}'s model at {format_token(PRICE)} FLOCK per 1,000 tokens "
        "(the timelock, impersonated on the local chain)"
    )
    dev = accounts.test_accounts[DEVELOPER]
    key = open_account(p, dev, CREDIT, cap=CAP)
    console.print(
        f"  a developer deposits {format_token(CREDIT)} FLOCK of credit, authorises {format_token(CAP)}, "
        "and registers an API key (only its hash goes on chain)"
    )

    folder = ctx.folder("api")
    gateway = Gateway(ApeLedger(p, store), MeteringStore(f"sqlite:///{folder / 'metering.db'}"), store)
    running = start_background(gateway)
    try:
        _calls(ctx, running.base_url, key.text)
    finally:
        running.stop()
    _settle(ctx, gateway, store, task)


def _calls(ctx: DemoContext, base_url: str, key: str) -> None:
    console = ctx.console
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
    (model,) = [m.id for m in client.models.list().data]
    console.print(f"  openai.OpenAI(base_url={base_url!r}).models.list(): {model}")
    reply = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": PROMPT}], max_tokens=48, seed=1
    )
    console.print(
        f"  chat completion: {reply.choices[0].message.content!r} ({reply.usage.total_tokens} tokens)"
    )
    pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": PROMPT}], max_tokens=48, seed=2, stream=True
        )
        if chunk.choices
    ]
    console.print(f"  streamed in {len(pieces)} chunks: {''.join(pieces)!r}")
    try:
        client.chat.completions.create(model="flock-task-404", messages=[{"role": "user", "content": "x"}])
    except openai.NotFoundError as err:
        console.print(f"  an unknown model: {err.status_code} {err.code}")


def _settle(ctx: DemoContext, gateway: Gateway, store: Any, task: int) -> None:
    p, console = ctx.protocol, ctx.console
    api, token, em = p.api, p.token, p.emissions
    dev = accounts.test_accounts[DEVELOPER]
    operators = [accounts.test_accounts[i] for i in OPERATORS]
    credit_before = int(api.accountOf(dev).balance)
    treasury = p.manifest.address("timelock")
    treasury_before = int(token.balanceOf(treasury))

    epoch = int(em.currentEpoch())
    mine_at(max(head_time() + 1, EpochClock.of(em).start(epoch + 1) + 60))
    report = report_epoch(gateway.store, store, epoch, {"chain_id": int(p.manifest.chain_id)})
    post_report(api, report, operators)
    console.print(
        f"  epoch {epoch} ends; 2 of 3 gateway operators post its usage report: {len(report.rows)} leaf, "
        f"{format_token(report.total)} FLOCK, root {report.root.hex()[:12]}…"
    )
    mine_at(int(api.settlementOf(epoch).finalizesAt) + 1)
    charged = finalize_and_charge(api, gateway.store, report, operators[0])
    paid = credit_before - int(api.accountOf(dev).balance)
    (flushed,) = flush_models(api, report, operators[0])
    protocol_share = int(token.balanceOf(treasury)) - treasury_before
    console.print(
        f"  the challenge window passes; the charge is applied ({format_token(charged)} FLOCK) and the "
        f"revenue flushed: {format_token(protocol_share)} to the treasury, "
        f"{format_token(flushed.contributors)} into task {task}'s epoch {flushed.target_epoch} reward budget"
    )

    target = flushed.target_epoch
    view = ChainView(p)
    mine_at(max(head_time() + 1, int(p.submissions.schedule(target).revealEnd) + 60))
    run = compute_on_chain(view, store, task, target)
    publish(run, store)
    for index in OPERATORS[:2]:  # the local oracles
        post(view, run, accounts.test_accounts[index])
    matched = all(check.match for check in verify(view, run))
    verdict = "match" if matched else "MISMATCH"
    console.print(f"  the oracles split the revenue in epoch {target}'s root; verify: {verdict}")
    mine_at(int(p.rewards.epochRewards(task, target).finalizesAt) + 1)
    p.rewards.finalize(task, target, sender=operators[0])
    pot = view.pot(task, target)
    names = ctx.notes["rewards"]["names"]
    table = Table(title=f"API revenue of task {task}'s model, claimed from epoch {target}'s root (FLOCK)")
    for column in ("account", "role", "gross", "fee (burned)", "claimed"):
        table.add_column(column, justify="left" if column in ("account", "role") else "right")
    allocations = [
        a for s in revenue_shares(run.data.revenue, store, run.assembled.params) for a in s.allocations
    ]
    roles: dict[str, str] = {}
    for a in allocations:
        roles.setdefault(a.account.lower(), a.role)
    claimed = 0
    rows = []
    for index, (account, _) in enumerate(run.result.leaves):
        before = int(token.balanceOf(account))
        pot.claim(*claim_args(run.tree, task, target, index).pot_args(), sender=operators[0])
        locked, released, _ = pot.vestingOf(account)
        got = int(token.balanceOf(account)) - before + int(locked) - int(released)
        claimed += got
        gross = sum(a.gross for a in allocations if a.account.lower() == account.lower())
        fee = sum(a.fee for a in allocations if a.account.lower() == account.lower())
        name = names.get(account.lower(), account[:10])
        rows.append(
            [name, roles.get(account.lower(), ""), format_token(gross), format_token(fee), format_token(got)]
        )
        table.add_row(*rows[-1])
    console.print(table)
    fees = int(run.result.burn)
    ok = paid == claimed + protocol_share + fees
    books = [
        ("FLOCK paid by users", paid),
        ("contributors' claims", claimed),
        ("protocol share (treasury)", protocol_share),
        ("claim fees (burned)", fees),
    ]
    verdict = "exact to the wei" if ok else "MISMATCH"
    line = (
        f"FLOCK paid by users {paid:,} wei = contributors' claims {claimed:,} + protocol share "
        f"{protocol_share:,} + fees {fees:,}: {verdict}"
    )
    console.print(f"[bold {'green' if ok else 'red'}]{line}[/]")
    ctx.notes["api"] = {"rows": rows, "books": books, "conservation": line, "exact": ok}


def report_sections(ctx: DemoContext) -> list[tuple[str, list[str], list[list[str]]]]:
    """The final report's sections: the revenue split, and the conservation of the FLOCK paid."""
    note = ctx.notes.get("api")
    if not note:
        return []
    books = [[name, f"{value:,}"] for name, value in note["books"]]
    books.append(["paid = claims + protocol share + fees", "exact" if note["exact"] else "MISMATCH"])
    return [
        (
            "API platform: revenue to the model's contributors",
            ["account", "role", "gross", "fee", "claimed"],
            note["rows"],
        ),
        ("API platform: conservation (FLOCK wei)", ["", "wei"], books),
    ]
