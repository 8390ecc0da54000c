"""Set-up made once and handed out again and again, for the state machines and the harness tests.

A deployment and its set-up take far longer than an example or a test: :class:`Prepared` keeps what
was set up on a harness chain and puts the chain back to the state right after the set-up each time
it is asked for, so that every example or test starts from the same state. :func:`stake`,
:func:`arena_epoch_over` and :func:`skip_task_ids` are set-up steps several suites share.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from flock.harness.evm import Chain
from flock.harness.system import System
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

MAX_UINT = 2**256 - 1
FILLER_TASKS = 40  # task ids from 41 on: above every epoch and round number the suites reach
T = TypeVar("T")


class Prepared(Generic[T]):
    """``value`` (a deployment, a world of role holders, ...) set up on ``chain``; :meth:`fresh`
    returns it with the chain back at the state it was in when this was made."""

    def __init__(self, value: T, chain: Chain) -> None:
        self.value = value
        self.chain = chain
        self._snapshot = chain.snapshot()

    def fresh(self) -> T:
        self._snapshot = self.chain.restore(self._snapshot)  # a snapshot serves once: take the next
        return self.value


def stake(
    system: System,
    user: str,
    flock: int,
    locks: Iterable[tuple[int, int]] = (),
    spenders: Iterable[str] = (),
) -> None:
    """``user`` receives ``flock`` FLOCK from the treasury, lets gmFLOCK (and ``spenders``) take any
    amount of its FLOCK, and locks each ``(amount, duration)`` of ``locks``."""
    token, gm = system.token, system.gmflock
    token.transfer(user, flock, sender=system.treasury)
    for spender in (gm.address, *spenders):
        token.approve(spender, MAX_UINT, sender=user)
    for amount, duration in locks:
        gm.lock(amount, duration, sender=user)


def arena_epoch_over(system: System, window: int, locked_share_bps: int = 0, vesting_period: int = 0) -> str:
    """Task 1, an approved Arena task (``accounts[1]`` its node, with 10,000 gmFLOCK), past its
    first earning epoch (epoch 1, opened with a budget); one oracle (``accounts[2]``, quorum 1), a
    challenge window of ``window`` seconds and the vesting terms given. Returns the oracle."""
    chain, tasks, rewards, admin = system.chain, system.tasks, system.rewards, system.admin
    node, oracle = chain.accounts[1], chain.accounts[2]
    stake(system, node, 100_000 * WAD, locks=[(100_000 * WAD, 365 * DAY)])
    tasks.createTask(TaskKind.ARENA, 30 * DAY, b"\x11" * 32, "ipfs://spec", 0, 0, sender=node)
    task_id = tasks.taskCount()
    assert task_id == 1, "the Arena task must be the registry's first"
    tasks.join(task_id, Role.NODE, 10_000 * WAD, 5_000, sender=node)
    tasks.approveTask(task_id, sender=admin)
    rewards.setOracles([oracle], 1, sender=admin)
    rewards.setRewardParameters(window, locked_share_bps, vesting_period, sender=admin)
    chain.set_time(system.emissions.genesis() + 2 * DAY + 60)
    system.emissions.checkpoint(sender=node)
    return oracle


def skip_task_ids(tasks: Any, creator: Any, count: int = FILLER_TASKS) -> None:
    """Creates ``count`` pending one-day Arena tasks (``creator`` allocates their creator stake), so
    that the tasks created next have ids above every epoch and round number a suite reaches. With a
    task id equal to an epoch (both 1), a contract reading an (epoch, task) key for a (task, epoch)
    one passes every test (a sampled mutant of `fundEpoch` did, docs/audit.md). ``tasks`` is the
    registry through ape or through the harness: both take ``sender=``."""
    for _ in range(count):
        tasks.createTask(TaskKind.ARENA, DAY, spec_hash("filler"), "ipfs://filler", 0, 0, sender=creator)
