"""One protocol upgrade through a DAO proposal on a deployment with live state, and the checks that
nothing was lost (issue 12 item 4; `make rehearse-base` runs it after the protocol epoch).

The live state is the epoch's: locks, an approved task with stakes and a delegation, and a reward
root with one leaf left unclaimed (`ape run epoch --leave-unclaimed FILE`). Then, as an operator:

1. the proposer locks FLOCK to have votes (on the rehearsal it is the deployer's community share);
2. `prepare_upgrade` (what `ape run dao propose upgrade` runs): the build's implementation of the
   contract deployed, OpenZeppelin's storage-layout check against the layout recorded at deployment,
   the proposal calling `upgradeToAndCall` through the timelock;
3. propose, vote, queue and execute through the real governor and timelock, the clock moved past each
   wait; right before execution, the read-back baselines of gmFLOCK, the task registry and the reward
   distributor (``flock.dao.readback``);
4. checks: the proxy's ERC-1967 slot holds the new implementation; every value read back is what it
   was; the unclaimed leaf, claimed through the (upgraded) distributor, pays exactly its amount, now
   plus what vests; the manifest records the new implementation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from flock.chain.clock import advance, head_time, mine_at
from flock.chain.protocol import implementation_at
from flock.dao import readback
from flock.dao.deployment import Deployment
from flock.dao.proposals import Governance
from flock.dao.upgrades import prepare_upgrade, record_executed_upgrades
from flock.rewards import ClaimArgs
from flock.units import DAY, WAD, format_token

WATCHED = ("gmflock", "tasks", "rewards")
VOTING_LOCK = 1_000_000 * WAD


class LiveUpgradeError(RuntimeError):
    """The upgrade could not run, or lost something; the message says what."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise LiveUpgradeError(message)


def write_claims(path: Path, claims: tuple[ClaimArgs, ...]) -> None:
    """The claims of leaves left unclaimed, as JSON (proofs in hex), written atomically."""
    rows = [
        {
            "task": c.task,
            "epoch": c.epoch,
            "index": c.index,
            "account": c.account,
            "amount": str(c.amount),
            "proof": ["0x" + bytes(p).hex() for p in c.proof],
        }
        for c in claims
    ]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(rows, indent=2))
    tmp.replace(path)


def read_claims(path: Path) -> list[ClaimArgs]:
    try:
        rows = json.loads(path.read_text())
        return [
            ClaimArgs(
                int(r["task"]),
                int(r["epoch"]),
                int(r["index"]),
                str(r["account"]),
                int(r["amount"]),
                [bytes.fromhex(p[2:]) for p in r["proof"]],
            )
            for r in rows
        ]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise LiveUpgradeError(
            f"{path} holds no unclaimed leaves ({err}): run the epoch with --leave-unclaimed"
        ) from None


@dataclass(frozen=True)
class LiveUpgradeOutcome:
    key: str
    before: str
    after: str
    proposal: str
    compared: int  # values read back, clock-driven ones left out
    claimed: int  # FLOCK of the held-back leaves, paid now plus vesting


def _live_state(deployment: Deployment, claims: list[ClaimArgs]) -> None:
    view = deployment.protocol.view
    _require(int(view("gmflock", "totalSupply")) > 0, "no locks: run the protocol epoch first")
    _require(int(view("tasks", "taskCount")) > 0, "no task: run the protocol epoch first")
    _require(bool(claims), "no unclaimed reward leaf: run the epoch with --leave-unclaimed")


def _votes(deployment: Deployment, proposer: Any) -> None:
    """The proposer locks FLOCK for a year, if it has fewer votes than that would give."""
    gm, token = deployment.contract("gmflock"), deployment.contract("token")
    if int(gm.getVotes(proposer)) >= VOTING_LOCK:
        return
    _require(
        int(token.balanceOf(proposer)) >= VOTING_LOCK, f"{proposer.address} holds too little FLOCK to vote"
    )
    token.approve(gm, VOTING_LOCK, sender=proposer)
    gm.lock(VOTING_LOCK, 365 * DAY, sender=proposer)
    advance(1)


def _claim_after(deployment: Deployment, claims: list[ClaimArgs], sender: Any) -> int:
    """Claims the held-back leaves through the distributor; each must pay exactly its amount."""
    from flock.oracle.chain import ChainView

    token, rewards = deployment.contract("token"), deployment.contract("rewards")
    before = {c.account: int(token.balanceOf(c.account)) for c in claims}
    rewards.claimMany([c.args() for c in claims], sender=sender)
    total = 0
    for c in claims:
        pot = ChainView(deployment.protocol).pot(c.task, c.epoch)
        _require(pot is not None, f"task {c.task} epoch {c.epoch} has no pot")
        locked, released, _ = pot.vestingOf(c.account)
        paid = int(token.balanceOf(c.account)) - before[c.account]
        vesting = int(locked) - int(released)
        _require(paid + vesting == c.amount, f"leaf {c.index} paid {paid} + vesting {vesting} != {c.amount}")
        total += c.amount
    return total


def _verify_upgraded(deployment: Deployment, key: str, console: Console) -> None:
    """`deploy verify`'s code and upgrade rows of the upgraded proxy (its parameters are governance's
    by now: the epoch's proposal appointed oracles, so the whole verify reports those by design)."""
    from flock.deploy.config import load_config
    from flock.deploy.plan import Context
    from flock.deploy.upgrade_checks import check_upgrade_authority
    from flock.deploy.verify import check_code
    from flock.paths import PROJECT_ROOT

    manifest = deployment.manifest
    config = load_config(PROJECT_ROOT / manifest.config_file)
    ctx = Context(config, manifest.deployer, {k: r.address for k, r in manifest.contracts.items()})
    rows = [
        r
        for r in [*check_code(ctx, deployment.protocol), *check_upgrade_authority(ctx, deployment.protocol)]
        if r.subject.startswith(key)
    ]
    failed = [f"{r.subject}: {r.actual}" for r in rows if not r.ok]
    _require(bool(rows) and not failed, f"deploy verify after the upgrade: {'; '.join(failed)}")
    console.print(f"  deploy verify's {len(rows)} code and upgrade rows of {key}: ok")


def run_live_upgrade(
    deployment: Deployment, key: str, proposer: Any, claims_file: Path, console: Console
) -> LiveUpgradeOutcome:
    """Upgrades ``key`` through a DAO proposal on the connected chain and checks what it kept."""
    claims = read_claims(claims_file)
    _live_state(deployment, claims)
    _votes(deployment, proposer)
    draft, plan = prepare_upgrade(deployment, key, proposer)
    console.print(
        f"  new {plan.contract} implementation at {plan.implementation}; storage layout: compatible"
    )
    governance = Governance(deployment)
    gov = deployment.governor
    proposal = governance.propose(draft, proposer)
    advance(int(gov.votingDelay()) + 1)
    governance.vote(proposal, "for", proposer)
    advance(int(gov.proposalDeadline(proposal.id)) - int(gov.clock()) + 1)
    governance.queue(proposal, proposer)
    mine_at(max(head_time() + 1, int(gov.proposalEta(proposal.id)) + 1))
    baselines = readback.baselines(deployment, WATCHED, lambda: advance(1))
    receipt = governance.execute(proposal, proposer)
    _require(governance.state(proposal) == "Executed", f"proposal {proposal.short_id} was not executed")
    for line in record_executed_upgrades(deployment, receipt):
        console.print(f"  {line} (recorded in the manifest)")
    after = implementation_at(deployment.address(plan.key))
    _require(
        after == plan.implementation, f"{plan.key}'s ERC-1967 slot holds {after}, not {plan.implementation}"
    )
    for baseline in baselines:
        changed = baseline.compare(deployment)
        shown = "; ".join(f"{d.probe}: {d.before} -> {d.after}" for d in changed[:3])
        _require(not changed, f"{baseline.key}: {len(changed)} values changed across the upgrade: {shown}")
    _verify_upgraded(deployment, plan.key, console)
    compared = sum(b.compared for b in baselines)
    console.print(
        f"  proposal {proposal.short_id} executed; {compared} values of {', '.join(WATCHED)} unchanged"
    )
    claimed = _claim_after(deployment, claims, proposer)
    console.print(
        f"  the root's unclaimed leaf paid {format_token(claimed)} FLOCK through the upgraded {plan.key}"
    )
    return LiveUpgradeOutcome(plan.key, plan.current, after, proposal.short_id, compared, claimed)
