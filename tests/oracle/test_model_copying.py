"""Issue 11, attack 1: Arena model copying. A second node revealing the same model hash used to
share the trainer's rank and, with more stake, take most of the node budget (204,545 of 225,000
FLOCK to the copier in the reported run); three Sybil copies pushed the honest runner-up from rank
1 to rank 4. With commit-reveal nobody sees a model before the submit phase closes, and the oracle
pays a model hash only to its first committer, in the first epoch it is revealed in: here the
attacks are played on the oracle's inputs and come to nothing."""

from hypothesis import given
from hypothesis import strategies as st

from flock.bench.oracle_data import MemoryStore, offline_epoch
from flock.oracle.inputs import EpochChainData, MemberStake, Submission, first_committers
from flock.oracle.run import compute

WAD = 10**18
TASK, EPOCH = 3, 7
TRAINER, RUNNER_UP, COPIER = "0x" + "a1" * 20, "0x" + "b2" * 20, "0x" + "c3" * 20
SYBILS = tuple("0x" + f"{i:02x}" * 20 for i in (0xD1, 0xD2, 0xD3))
VALIDATORS = ("0x" + "e1" * 20, "0x" + "e2" * 20)
BEST, SECOND = "0x" + "11" * 32, "0x" + "22" * 32


def _epoch(
    submissions: list[Submission], stakes: dict[str, int], earlier: tuple[str, ...] = ()
) -> tuple[EpochChainData, MemoryStore]:
    """A task epoch whose two validators both score BEST 2.0 and SECOND 3.0 (bits per character)."""
    store = MemoryStore()
    scores = {BEST: 2.0, SECOND: 3.0}
    members = [MemberStake(n, 1, stake * WAD, 0) for n, stake in stakes.items()]
    members += [MemberStake(v, 2, 10_000 * WAD, 0) for v in VALIDATORS]
    data = offline_epoch(
        TASK,
        EPOCH,
        store,
        dict.fromkeys(VALIDATORS, scores),
        node_budget=225_000 * WAD,
        validator_budget=75_000 * WAD,
        submissions=tuple(submissions),
        members=tuple(members),
        earlier_models=earlier,
    )
    return data, store


def _paid(data: EpochChainData, store: MemoryStore) -> dict[str, int]:
    run = compute(data, store)
    return {a.account: a.gross for a in run.result.allocations if a.role == "node"}


def test_a_copier_with_ten_times_the_stake_gets_nothing():
    trainer = Submission(TRAINER, BEST, "ipfs://trainer", (100, 2))
    # The copier learns the hash at the reveal, too late to commit: at best it committed to it in
    # the same epoch through another channel, later than the trainer (a later block, or a later log).
    for committed_at in ((101, 0), (100, 3)):
        copy = Submission(COPIER, BEST, "ipfs://copy", committed_at)
        data, store = _epoch([copy, trainer], {TRAINER: 10_000, COPIER: 100_000})
        run = compute(data, store)
        paid = {a.account: a.gross for a in run.result.allocations if a.role == "node"}
        assert paid == {TRAINER.lower(): 225_000 * WAD}
        assert COPIER.lower() not in run.result.ranks
        assert any(r.validator == COPIER.lower() and "copy" in r.reason for r in run.assembled.notes)


def test_sybil_copies_do_not_push_the_runner_up_down():
    subs = [
        Submission(TRAINER, BEST, "ipfs://best", (50, 0)),
        Submission(RUNNER_UP, SECOND, "ipfs://second", (50, 1)),
        *(Submission(s, BEST, f"ipfs://sybil{i}", (60, i)) for i, s in enumerate(SYBILS)),
    ]
    data, store = _epoch(subs, {TRAINER: 10_000, RUNNER_UP: 10_000, **dict.fromkeys(SYBILS, 50_000)})
    run = compute(data, store)
    assert run.result.ranks == {TRAINER.lower(): 0, RUNNER_UP.lower(): 1}
    paid = _paid(data, store)
    assert set(paid) == {TRAINER.lower(), RUNNER_UP.lower()}
    # q = 0.8 over equal stakes: 1 : 0.8 of the node budget.
    assert paid[RUNNER_UP.lower()] * 10 // paid[TRAINER.lower()] == 8


def test_a_model_paid_in_an_earlier_epoch_earns_nothing_again():
    stale = Submission(COPIER, BEST, "ipfs://stale", (1, 0))
    fresh = Submission(RUNNER_UP, SECOND, "ipfs://fresh", (2, 0))
    data, store = _epoch([stale, fresh], {COPIER: 100_000, RUNNER_UP: 1_000}, earlier=(BEST,))
    assert _paid(data, store) == {RUNNER_UP.lower(): 225_000 * WAD}


@given(
    orders=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=6, unique=True),
    models=st.lists(st.sampled_from([BEST, SECOND]), min_size=6, max_size=6),
)
def test_inv_19_each_model_hash_earns_for_its_first_committer_only(orders, models):
    """INV-19: of the nodes revealing one hash, only the earliest committer (block, log index) is
    kept, whatever the order of the events; a hash revealed in an earlier epoch is kept for no one."""
    nodes = [f"0x{i + 1:040x}" for i in range(len(orders))]
    subs = [Submission(n, models[i], "u", orders[i]) for i, n in enumerate(nodes)]
    data, _ = _epoch(subs, dict.fromkeys(nodes, 1))
    kept, notes = first_committers(data)
    assert len(kept) == len(set(kept.values())) == len({s.model for s in subs})
    for node, model in kept.items():
        assert min(s.committed_at for s in subs if s.model == model) == orders[nodes.index(node)]
    assert len(kept) + len(notes) == len(subs)
    data, _ = _epoch(subs, dict.fromkeys(nodes, 1), earlier=(BEST,))
    kept, _ = first_committers(data)
    assert BEST not in kept.values()
