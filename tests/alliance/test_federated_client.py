"""The federated client: model artifacts, private shards, honest and malicious participants, and
whole rounds on the in-process harness (accuracy rises, the cheater is slashed and never accepted,
the lineage on chain matches the stored models)."""

from __future__ import annotations

import numpy as np
import pytest

from flock.alliance.chain import HarnessClock, RoundDriver
from flock.alliance.client import Client, votes_bits
from flock.alliance.data import DATASETS, DataError, split
from flock.alliance.federation import Federation, LineageError, Member
from flock.alliance.model import ModelFormatError, SoftmaxModel, fedavg
from flock.alliance.protocol import SlashReason
from flock.harness.system import deploy_system
from flock.store import ContentStore, digest_of
from flock.tasks import Role, TaskKind
from flock.units import DAY, WAD


@pytest.fixture(scope="module")
def data():
    return split("digits", 5)


def _clients(data, malicious: int | None = 4, attack: str = "label-flip") -> list[Client]:
    spec = DATASETS["digits"]
    return [
        Client(f"p{i + 1}", shard, data.classes, attack if i == malicious else "honest", spec.epochs, spec.lr)
        for i, shard in enumerate(data.shards)
    ]


# ----------------------------------------------------------------------------------------- model


def test_a_model_artifact_is_deterministic_and_round_trips(data):
    model = SoftmaxModel.zeros(data.features, data.classes).train(
        data.shards[0].train.x, data.shards[0].train.y, np.random.default_rng(1)
    )
    blob = model.to_bytes()
    assert blob == SoftmaxModel.from_bytes(blob).to_bytes()
    assert digest_of(blob) == digest_of(model.to_bytes())
    back = SoftmaxModel.from_bytes(blob)
    assert np.array_equal(back.weights, model.weights) and np.array_equal(back.bias, model.bias)
    for bad in (b"not a model", blob[:-8], blob.replace(b'"classes": 10', b'"classes": 11')):
        with pytest.raises(ModelFormatError):
            SoftmaxModel.from_bytes(bad)


def test_fedavg_weights_by_samples():
    a = SoftmaxModel(np.ones((2, 2)), np.zeros(2))
    b = SoftmaxModel(np.zeros((2, 2)), np.ones(2))
    avg = fedavg([a, b], [3, 1])
    assert np.allclose(avg.weights, 0.75) and np.allclose(avg.bias, 0.25)
    with pytest.raises(ValueError):
        fedavg([], [])


# ----------------------------------------------------------------------------------------- data


def test_shards_are_private_and_disjoint(data):
    seen = set()
    rows = [data.test.x, *(s.train.x for s in data.shards), *(s.heldout.x for s in data.shards)]
    for x in rows:
        for row in map(bytes, x):
            seen.add(row)
    assert sum(len(x) for x in rows) <= 1_797
    assert all(len(s.heldout) >= 2 and len(s.train) > len(s.heldout) for s in data.shards)
    assert data.features == 64 and data.classes == 10
    assert float(data.test.x.min()) >= 0.0 and float(data.test.x.max()) <= 1.0


def test_unknown_datasets_and_tiny_shards_are_refused():
    with pytest.raises(DataError, match="unknown dataset"):
        split("mnist", 3)
    with pytest.raises(DataError, match="too few"):
        split("breast_cancer", 100)


# ----------------------------------------------------------------------------------------- participants


def test_honest_proposer_leaves_the_poisoned_update_out(data):
    clients = _clients(data)
    rng = np.random.default_rng(2)
    start = SoftmaxModel.zeros(data.features, data.classes)
    updates = [(c.local_update(start, rng), c.samples) for c in clients]
    candidate, kept = clients[0].aggregate(updates[0][0], updates[1:])
    assert 0 in kept and 4 not in kept  # its own update, never the label-flipped one of p5
    poisoned, own = clients[4].aggregate(updates[4][0], updates[:4])
    assert own == [0]
    assert candidate.accuracy(data.test.x, data.test.y) > 0.5 > poisoned.accuracy(data.test.x, data.test.y)


def test_voters_judge_on_their_held_out_split_and_the_cheater_inverts(data):
    clients = _clients(data)
    rng = np.random.default_rng(3)
    start = SoftmaxModel.zeros(data.features, data.classes)
    updates = [(c.local_update(start, rng), c.samples) for c in clients]
    good = clients[0].aggregate(updates[0][0], updates[1:])[0]
    bad = clients[4].aggregate(updates[4][0], updates[:4])[0]
    honest = clients[1].judge(start, [good, bad])
    assert [j.accept for j in honest] == [True, False] and votes_bits(honest) == 0b01
    cheater = clients[4].judge(start, [good, bad])
    assert votes_bits(cheater) == 0b10
    with pytest.raises(ValueError, match="unknown behaviour"):
        Client("x", data.shards[0], data.classes, "sloppy")


# ----------------------------------------------------------------------------------------- rounds


@pytest.fixture(scope="module")
def chain_world():
    system = deploy_system()
    chain = system.chain
    people = chain.accounts[1:8]
    for user in people:
        system.token.transfer(user, 100_000 * WAD, sender=system.treasury)
        system.token.approve(system.gmflock.address, 2**256 - 1, sender=user)
        system.gmflock.lock(50_000 * WAD, 365 * DAY, sender=user)
    task = system.tasks.createTask(
        TaskKind.ALLIANCE, 20 * DAY, b"\x33" * 32, "flock://alliance/digits", 2, 8, sender=people[-1]
    ).return_value
    system.tasks.approveTask(task, sender=system.admin)
    # The cheater holds the least stake: an honest majority of stake, as the protocol assumes.
    for i, user in enumerate(people[:5]):
        system.tasks.join(task, Role.PARTICIPANT, (6_000 - 1_000 * i) * WAD, 0, sender=user)
    chain.warp(DAY)
    system.emissions.checkpoint(sender=people[-1])
    return system, task, people


SECRET_SEED = 7


def test_rounds_raise_accuracy_and_slash_the_cheater(chain_world, data, tmp_path):
    system, task, people = chain_world
    members = [Member(c, a) for c, a in zip(_clients(data), people[:5], strict=True)]
    store = ContentStore(tmp_path / "store")
    driver = RoundDriver(system.alliance, task, HarnessClock(system.chain), people[5])
    secrets = np.random.default_rng(SECRET_SEED)  # the role draws replay exactly
    fed = Federation(
        driver, members, data, store, np.random.default_rng(5), new_secret=lambda: secrets.bytes(32)
    )
    reports = [fed.run_round() for _ in range(5)]
    curve = [reports[0].accuracy_before, *(r.accuracy_after for r in reports)]
    assert curve[0] < 0.15 and curve[-1] > 0.8 and curve[-1] > curve[1]
    slashed = {s.account for r in reports for s in r.slashes}
    assert slashed == {"p5"}
    reasons = {s.reason for r in reports for s in r.slashes}
    assert reasons <= {SlashReason.REJECTED, SlashReason.LOSING_VOTE}
    accepted = [p for r in reports for p in r.accepted]
    assert accepted and not any(p.malicious for p in accepted)
    assert all(not p.accepted for r in reports for p in r.proposals if p.malicious)
    rows = fed.verify_lineage()
    assert [row.round for row in rows] == [r.number for r in reports if r.lineage_index is not None]
    # The chain names models by hash: a store whose file does not match is caught...
    fed.held[0] = "0x" + "00" * 32
    with pytest.raises(LineageError, match="entry 0"):
        fed.verify_lineage()
