"""Runs the demo chapters in order on a fresh deployment."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ape import accounts
from rich.console import Console

from flock.demo import alliance, api, governance, report, rewards, slashing, staking, tasks
from flock.demo.context import CAST, DemoContext
from flock.deploy.ape_backend import deploy_fresh
from flock.paths import REPORTS_DIR

CHAPTERS = (staking.run, governance.run, tasks.run, alliance.run, rewards.run, slashing.run, api.run)


def run_demo(console: Console, reports_dir: Path = REPORTS_DIR) -> DemoContext:
    start = time.monotonic()
    protocol = deploy_fresh()
    console.print(
        "deployed: " + ", ".join(f"{k} {r.address}" for k, r in protocol.manifest.contracts.items())
    )
    people = {name: accounts.test_accounts[i + 1] for i, name in enumerate(CAST)}
    with tempfile.TemporaryDirectory(prefix="flock-demo-") as workdir:  # nothing left in /tmp after
        ctx = DemoContext(protocol=protocol, people=people, console=console, workdir=Path(workdir))
        ctx.notes.update(started_at=time.time(), started_monotonic=start)
        for chapter in CHAPTERS:
            chapter(ctx)
        report.run(ctx, reports_dir)
    console.print(f"[green]demo complete[/] in {time.monotonic() - start:.1f} s")
    return ctx
