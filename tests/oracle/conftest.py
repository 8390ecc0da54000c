"""A whole Arena epoch played on the test chain, for the oracle's on-chain and command-line tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from flock.chain.clock import head_time, mine_at
from flock.chain.protocol import LiveProtocol
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import Journal, commit, reveal
from flock.oracle.chain import ChainView
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


def _at(submissions, epoch: int, field: str) -> None:
    mine_at(max(head_time() + 1, getattr(submissions.schedule(epoch), field) + 60))


@pytest.fixture(scope="module")
def played(accounts, token, gmflock, tasks, emissions, manifest, admin, deployer, treasury, tmp_path_factory):
    """One Arena epoch played out: three nodes, three validators (the third lazy), a delegator."""
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
    mine_at(emissions.genesis() + epoch * emissions.epochLength() + 60)
    emissions.checkpoint(sender=creator)

    folder = tmp_path_factory.mktemp("oracle")
    store, journal = ContentStore(folder / "store"), Journal(folder / "journal")
    models = [
        commit_model(submissions, task, train_and_store(store, i, 3, order), node)
        for i, (node, order) in enumerate(zip(nodes, (4, 3, 2), strict=True))
    ]
    _at(submissions, epoch, "submitEnd")
    for node, model in zip(nodes, models, strict=True):
        reveal_model(submissions, model, node)
    _at(submissions, epoch, "modelRevealEnd")
    for i, validator in enumerate(validators):
        commit(submissions, journal, store, task, validator, lazy_seed=7 if i == 2 else None)
    _at(submissions, epoch, "commitEnd")
    for validator in validators:
        reveal(submissions, journal, task, validator)
    _at(submissions, epoch, "revealEnd")
    return Epoch(
        task,
        epoch,
        list(nodes),
        list(validators),
        delegator,
        store,
        journal,
        ChainView(LiveProtocol(manifest)),
    )
