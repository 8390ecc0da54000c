"""Demo chapter: people lock FLOCK for different durations and get boosted gmFLOCK voting power."""

from __future__ import annotations

from rich.table import Table

from flock.demo.context import DemoContext
from flock.units import DAY, WAD, format_token

# (who, FLOCK, lock days, delegate to)
LOCKS = (
    ("alice", 10_000, 7, None),
    ("bob", 10_000, 90, None),
    ("carol", 10_000, 180, None),
    ("dave", 10_000, 365, None),
    ("erin", 5_000, 365, "alice"),
)


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    token, gm = p.token, p.gmflock
    console.rule("[bold]gmFLOCK: lock FLOCK, get boosted voting power")
    for who, amount, days, delegate_to in LOCKS:
        account = ctx.people[who]
        token.transfer(account, amount * WAD, sender=p.deployer)
        token.approve(gm, amount * WAD, sender=account)
        gm.lock(amount * WAD, days * DAY, sender=account)
        if delegate_to:
            # ape's address objects have an EIP-7702 `delegate` property; call the function by name.
            gm.invoke_transaction("delegate", ctx.people[delegate_to], sender=account)

    table = Table(title="locks and voting power")
    for column in ("account", "FLOCK locked", "lock", "boost", "gmFLOCK", "votes", "delegates to"):
        table.add_column(column, justify="left" if column in ("account", "delegates to") else "right")
    for who, _, days, _ in LOCKS:
        account = ctx.people[who]
        table.add_row(
            who,
            format_token(gm.lockedOf(account)),
            f"{days} days",
            f"{gm.boost(days * DAY) / WAD:.4f}x",
            format_token(gm.balanceOf(account)),
            format_token(gm.getVotes(account)),
            ctx.name_of(gm.delegates(account)),
        )
    console.print(table)
    console.print(f"total gmFLOCK {format_token(gm.totalSupply())}")
    t0, t1, eps = gm.boostParameters()
    console.print(
        f"boost(t) = 1 for t <= {t0 // DAY} days, else 1 + {eps / WAD} x "
        f"(min(t, {t1 // DAY}) - {t0 // DAY}) / {t1 // DAY} days"
    )
