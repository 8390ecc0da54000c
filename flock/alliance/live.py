"""Setting an Alliance federation up on a local chain through ape (for `ape run alliance` and the
demo): participants with gmFLOCK, joined to a task, each with a private shard and a behaviour."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flock.alliance.chain import ApeClock, RoundDriver
from flock.alliance.client import Client
from flock.alliance.data import DATASETS, split
from flock.alliance.federation import Federation, Member
from flock.chain.protocol import LiveProtocol
from flock.store import ContentStore
from flock.tasks import Role
from flock.units import WAD


@dataclass(frozen=True)
class Plan:
    """Who takes part and how: names, stakes (whole gmFLOCK), the malicious one and its attack."""

    names: tuple[str, ...]
    stakes: tuple[int, ...]
    malicious: str | None
    attack: str = "label-flip"
    dataset: str = "digits"
    seed: int = 7


def stake_and_join(p: LiveProtocol, task_id: int, account: Any, gm: int, lock_flock: int = 0) -> None:
    """Locks ``lock_flock`` FLOCK for a year (if given; from the deployer) and joins the task with
    ``gm`` gmFLOCK."""
    if lock_flock:
        p.token.transfer(account, lock_flock * WAD, sender=p.deployer)
        p.token.approve(p.gmflock, lock_flock * WAD, sender=account)
        p.gmflock.lock(lock_flock * WAD, 365 * 86400, sender=account)
    p.tasks.join(task_id, Role.PARTICIPANT, gm * WAD, 0, sender=account)


def federation(
    p: LiveProtocol, task_id: int, accounts: dict[str, Any], plan: Plan, keeper: Any, store: Path
) -> Federation:
    """The federation of ``plan`` over accounts already joined to ``task_id``."""
    data = split(plan.dataset, len(plan.names), seed=plan.seed)
    spec = DATASETS[plan.dataset]
    members = [
        Member(
            Client(
                name,
                shard,
                data.classes,
                behaviour=plan.attack if name == plan.malicious else "honest",
                lr=spec.lr,
                epochs=spec.epochs,
            ),
            accounts[name],
        )
        for name, shard in zip(plan.names, data.shards, strict=True)
    ]
    driver = RoundDriver(p.alliance, task_id, ApeClock(), keeper)
    return Federation(driver, members, data, ContentStore(store), np.random.default_rng(plan.seed))
