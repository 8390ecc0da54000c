"""One task's emission budget per epoch, read off the connected chain (decision 228).

The emission controller keeps a task's budget only cumulatively (``accruedBudget``); the budget of
a single epoch is computed from the controller's events about the task (``TaskEnrolled``,
``TaskWeightChanged``, ``TaskRetired``, read topic-filtered by the indexed ``taskId``) and the
epoch's ``epochInfo`` (rate and gamma), with the arithmetic of ``flock.emissions``
(``epoch_budget``). An epoch is opened iff it is before ``nextEpoch()``; one not opened has no
budget.

Which blocks: the controller reports a change during epoch ``k - 1`` with ``fromEpoch = k`` (it opens
every started epoch first), so every event that sets a weight in force in epoch ``e`` is in a block
mined before ``e`` started. One epoch's budget reads the blocks from the controller's deployment to
the last one before the epoch's start; several epochs' budgets read to the head once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ape import chain

from flock.chain.clock import first_block_at
from flock.chain.protocol import LiveProtocol
from flock.emissions import (
    Budget,
    Enrolment,
    EpochClock,
    EpochSplit,
    TaskWeights,
    WeightChange,
    epoch_budget,
    task_weights,
)

NOT_OPENED = EpochSplit(0, 0, 0, 0)


def _logs(emissions: Any, event: str, task: int, first: int, last: int) -> list[Any]:
    if first > last:
        return []
    logs = getattr(emissions, event).range(first, last + 1, search_topics={"taskId": task})
    return sorted(logs, key=lambda log: (log.block_number, log.log_index))


def read_task_weights(emissions: Any, task: int, first: int, last: int) -> TaskWeights:
    """``task``'s weights from the controller's events in blocks ``first`` to ``last`` (both
    included)."""
    enrolled = _logs(emissions, "TaskEnrolled", task, first, last)
    enrolment = (
        Enrolment(bool(enrolled[-1].arena), int(enrolled[-1].fromEpoch), int(enrolled[-1].expiry))
        if enrolled
        else None
    )
    changes = [
        WeightChange(int(log.fromEpoch), int(log.nodeUnits), int(log.validatorUnits))
        for log in _logs(emissions, "TaskWeightChanged", task, first, last)
    ]
    retired = [int(log.fromEpoch) for log in _logs(emissions, "TaskRetired", task, first, last)]
    return task_weights(enrolment, changes, retired)


def opened_split(emissions: Any, epoch: int, next_epoch: int) -> tuple[EpochSplit, int]:
    """What opening ``epoch`` recorded (``epochInfo``): its split and gamma; zeros if it is not
    opened (``epoch >= next_epoch``)."""
    if epoch >= next_epoch:
        return NOT_OPENED, 0
    info = emissions.epochInfo(epoch)
    split = EpochSplit(int(info.minted), int(info.units), int(info.rate), int(info.dust))
    return split, int(info.gamma)


def budget_in(emissions: Any, weights: TaskWeights, epoch: int, next_epoch: int | None = None) -> Budget:
    """The budget for ``epoch`` of a task weighing ``weights``, at the rate and gamma the controller
    recorded when it opened the epoch (``next_epoch``: the controller's ``nextEpoch()``, read if not
    given)."""
    next_epoch = int(emissions.nextEpoch()) if next_epoch is None else next_epoch
    return epoch_budget(weights, epoch, *opened_split(emissions, epoch, next_epoch))


def last_block_before(emissions: Any, epoch: int, deployed: int = 0) -> int:
    """The last block mined before ``epoch`` started (the head if it has not started)."""
    return first_block_at(EpochClock.of(emissions).start(epoch), deployed) - 1


def _deployed(protocol: LiveProtocol) -> int:
    return max(protocol.manifest.contracts["emissions"].block, 0)


def weights_before(protocol: LiveProtocol, task: int, epoch: int, last: int | None = None) -> TaskWeights:
    """``task``'s weights as far as ``epoch``, from the controller's events in the blocks from its
    deployment to ``last``: by default the last one before ``epoch`` started (see the module)."""
    emissions, deployed = protocol.contract("emissions"), _deployed(protocol)
    last = last_block_before(emissions, epoch, deployed) if last is None else last
    return read_task_weights(emissions, task, deployed, last)


def weights_of(protocol: LiveProtocol, task: int) -> TaskWeights:
    """``task``'s weights in every epoch, from its events to the head."""
    return read_task_weights(protocol.contract("emissions"), task, _deployed(protocol), chain.blocks.height)


def budget_of(protocol: LiveProtocol, task: int, epoch: int, last: int | None = None) -> Budget:
    """``task``'s budget for ``epoch`` in the deployment ``protocol`` (``last`` as
    :func:`weights_before`'s)."""
    return budget_in(protocol.contract("emissions"), weights_before(protocol, task, epoch, last), epoch)


def budgets_of(protocol: LiveProtocol, task: int, epochs: Iterable[int]) -> dict[int, Budget]:
    """``task``'s budget for each of ``epochs``, from its events read once (to the head)."""
    emissions, weights = protocol.contract("emissions"), weights_of(protocol, task)
    next_epoch = int(emissions.nextEpoch())
    return {e: budget_in(emissions, weights, e, next_epoch) for e in epochs}
