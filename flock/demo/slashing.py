"""Demo chapter: an Arena slash. In the rewarded epoch of `arena-chat`, alice committed to a score
file and never revealed it: a fault the chain proves by itself. After the epoch's reveal phase a
stranger to the task (erin) calls `ArenaSlasher.slashUnrevealed` and takes the keeper's share of
the FLOCK seized; the rest goes where governance routes it (the treasury). A second call for the
same offence is refused."""

from __future__ import annotations

from typing import Any

from flock.demo.context import DemoContext
from flock.rewards import Offence
from flock.units import format_token

KEEPER = "erin"


def run(ctx: DemoContext) -> None:
    p, console = ctx.protocol, ctx.console
    console.rule("[bold]Arena slashing: a validator that did not reveal")
    rewarded = ctx.notes["rewards"]
    task, epoch = rewarded["run"].data.task, rewarded["run"].data.epoch
    absent, keeper = ctx.people[rewarded["absent"]], ctx.people[KEEPER]
    slasher, treasury = p.slasher, p.manifest.address("timelock")
    before = {
        "stake": int(p.tasks.memberOf(task, absent).stake),
        "keeper": int(p.token.balanceOf(keeper)),
        "treasury": int(p.token.balanceOf(treasury)),
    }
    receipt = slasher.slashUnrevealed(task, epoch, absent, sender=keeper)
    (event,) = [e for e in receipt.events if e.event_name == "ArenaSlashed"]
    after_stake = int(p.tasks.memberOf(task, absent).stake)
    outcome = {
        "account": rewarded["absent"],
        "offence": Offence(event.offence).name.lower().replace("_", " "),
        "stake_before": before["stake"],
        "stake_after": after_stake,
        "gm": int(event.gmAmount),
        "seized": int(event.flockSeized),
        "keeper": KEEPER,
        "keeper_paid": int(p.token.balanceOf(keeper)) - before["keeper"],
        "treasury_paid": int(p.token.balanceOf(treasury)) - before["treasury"],
    }
    assert outcome["keeper_paid"] + outcome["treasury_paid"] == outcome["seized"] > 0
    console.print(
        f"  {KEEPER}, a stranger to the task, slashes {outcome['account']} for epoch {epoch}: "
        f"{format_token(outcome['gm'])} gmFLOCK of her stake ({format_token(outcome['stake_before'])} -> "
        f"{format_token(after_stake)}); {KEEPER} gets {format_token(outcome['keeper_paid'])} FLOCK, "
        f"the treasury {format_token(outcome['treasury_paid'])}"
    )
    _refused_twice(slasher, task, epoch, absent, keeper)
    console.print("[bold green]a second slash of the same offence is refused[/]")
    ctx.notes["arena_slash"] = outcome


def _refused_twice(slasher: Any, task: int, epoch: int, absent: Any, keeper: Any) -> None:
    import ape

    with ape.reverts(slasher.SlasherAlreadySlashed):
        slasher.slashUnrevealed(task, epoch, absent, sender=keeper)
