"""A whole Arena epoch played on the test chain, for the oracle's on-chain and command-line tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from flock.chain.clock import head_time, mine_at, next_block_at
from flock.chain.protocol import LiveProtocol
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import Journal, commit, reveal
from flock.ops.scan import phase_bounds
from flock.oracle.chain import ChainView
from flock.rewards import Phase
from flock.store import ContentStore
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD

E = WAD


@dataclass
class Epoch:
    task: int
    epoch: int
    nodes: list[Any]
    validators: list[Any]
    delegator: Any
    store: ContentStore
    journal: Journal
    view: ChainView
    edge: str | None = None


def _times(submissions, epoch: int, phase: Phase, edge: str | None, count: int) -> list[int | None]:
    """When each of a phase's ``count`` transactions is mined: with ``edge`` "first" all in the
    phase's first second, with "last" the last one in its last second; else (``None``) wherever the
    chain is once a block a minute into the phase is mined. The clients check the phase at the head
    before sending, so a block inside the phase is mined first (anvil allows equal timestamps)."""
    start, end = phase_bounds(submissions.schedule(epoch), phase)
    if edge is None:
        if head_time() < start + 60:
            mine_at(start + 60)
        return [None] * count
    mine_at(start if edge == "first" else end - count - 1)
    return [start] * count if edge == "first" else list(range(end - count, end))


def _each(times: list[int | None], items: list[Any]) -> Iterator[Any]:
    for at, item in zip(times, items, strict=True):
        if at is not None:
            next_block_at(at)
        yield item


def play(accounts, token, gmflock, tasks, emissions, manifest, admin, treasury, folder, edge=None) -> Epoch:
    """One Arena epoch played out: three nodes, three validators (the third lazy), a delegator; each
    phase's transactions a minute in, or (``edge``) at its first or last seconds."""
    from ape import project

    submissions = project.ArenaSubmissions.at(manifest.address("submissions"))
    creator, nodes, validators, delegator = accounts[1], accounts[2:5], accounts[5:8], accounts[8]
    for account in (creator, *nodes, *validators, delegator):
        token.transfer(account, 200_000 * E, sender=treasury)
        token.approve(gmflock, 200_000 * E, sender=account)
        gmflock.lock(200_000 * E, 365 * DAY, sender=account)
    tasks.createTask(TaskKind.ARENA, 20 * DAY, spec_hash("chat"), "ipfs://chat", 0, 0, sender=creator)
    task = tasks.taskCount()
    for node, stake in zip(nodes, (10_000, 20_000, 5_000), strict=True):
        tasks.join(task, Role.NODE, stake * E, 4_000, sender=node)
    for validator in validators:
        tasks.join(task, Role.VALIDATOR, 10_000 * E, 3_000, sender=validator)
    tasks.delegateStake(task, nodes[0], 6_000 * E, sender=delegator)
    tasks.approveTask(task, sender=admin)
    epoch = emissions.currentEpoch() + 1
    if edge is None:
        mine_at(emissions.genesis() + epoch * emissions.epochLength() + 60)
        emissions.checkpoint(sender=creator)

    store, journal = ContentStore(folder / "store"), Journal(folder / "journal")
    trained = [train_and_store(store, i, 3, order) for i, order in enumerate((4, 3, 2))]
    times = _times(submissions, epoch, Phase.SUBMIT, edge, len(nodes))
    models = [
        commit_model(submissions, task, model, node)
        for node, model in _each(times, list(zip(nodes, trained, strict=True)))
    ]
    if edge is not None:
        emissions.checkpoint(sender=creator)  # after the epoch's first block, which holds a commitment
    times = _times(submissions, epoch, Phase.MODEL_REVEAL, edge, len(nodes))
    for node, model in _each(times, list(zip(nodes, models, strict=True))):
        reveal_model(submissions, model, node)
    times = _times(submissions, epoch, Phase.COMMIT, edge, len(validators))
    for i, validator in _each(times, list(enumerate(validators))):
        commit(submissions, journal, store, task, validator, lazy_seed=7 if i == 2 else None)
    times = _times(submissions, epoch, Phase.REVEAL, edge, len(validators))
    for validator in _each(times, validators):
        reveal(submissions, journal, task, validator)
    if edge is None:
        mine_at(max(head_time() + 1, submissions.schedule(epoch).revealEnd + 60))
    else:  # the task's next event is in the next epoch's first second
        (at,) = _times(submissions, epoch + 1, Phase.SUBMIT, "first", 1)
        next_block_at(at)
        commit_model(submissions, task, trained[0], nodes[0])
    view = ChainView(LiveProtocol(manifest))
    return Epoch(task, epoch, list(nodes), list(validators), delegator, store, journal, view, edge)


@pytest.fixture(scope="module")
def played(accounts, token, gmflock, tasks, emissions, manifest, admin, deployer, treasury, tmp_path_factory):
    """One Arena epoch played out: three nodes, three validators (the third lazy), a delegator."""
    folder = tmp_path_factory.mktemp("oracle")
    return play(accounts, token, gmflock, tasks, emissions, manifest, admin, treasury, folder)


@pytest.fixture(scope="module", params=["first", "last"])
def played_at_edge(
    request, accounts, token, gmflock, tasks, emissions, manifest, admin, treasury, tmp_path_factory
):
    """An epoch whose every phase has a transaction in its first (or last) second."""
    folder = tmp_path_factory.mktemp(f"edge-{request.param}")
    return play(accounts, token, gmflock, tasks, emissions, manifest, admin, treasury, folder, request.param)
