"""The faults only the evaluation shows (issue 11, attack 4b): a validator far from consensus for
N epochs in a row, a revealed score file that cannot be read, a model scored invalid; each listed
once in the oracles' slash report, deterministically."""

from fractions import Fraction

from flock.bench.oracle_data import MemoryStore, offline_epoch
from flock.oracle.inputs import MemberStake, Submission
from flock.oracle.run import OracleRun, compute
from flock.oracle.slashing import SlashRules, reported_faults, slash_report
from flock.rewards import Offence

WAD = 10**18
TASK = 4
NODES = ("0x" + "a1" * 20, "0x" + "a2" * 20)
HONEST, FAR, BROKEN = "0x" + "b1" * 20, "0x" + "b2" * 20, "0x" + "b3" * 20
GOOD, BAD = "0x" + "11" * 32, "0x" + "22" * 32
RULES = SlashRules(Fraction(1, 2), 3)


def _run(epoch: int, far: bool = True, bad_model: bool = False) -> OracleRun:
    """Two models; HONEST and a second honest voice score them right, FAR (if ``far``) scores them
    twice too high, BROKEN reveals bytes that are no score file."""
    store = MemoryStore()
    truth = {GOOD: 2.0, BAD: 999.0 if bad_model else 3.0}
    wrong = {m: min(999.0, 3 * s) for m, s in truth.items()} if far else truth
    members = [MemberStake(n, 1, 1_000 * WAD, 0) for n in NODES]
    members += [MemberStake(HONEST, 2, 5_000 * WAD, 0), MemberStake(FAR, 2, 1_000 * WAD, 0)]
    members += [MemberStake(BROKEN, 2, 1_000 * WAD, 0)]
    data = offline_epoch(
        TASK,
        epoch,
        store,
        {HONEST: truth, FAR: wrong, BROKEN: b"{not json"},
        chain_id=1,
        stake_block=epoch * 10,
        node_budget=1_000 * WAD,
        validator_budget=1_000 * WAD,
        submissions=(Submission(NODES[0], GOOD, "u", (1, 0)), Submission(NODES[1], BAD, "v", (1, 1))),
        members=tuple(members),
    )
    return compute(data, store)


def _faults(epoch: int, history: dict[int, OracleRun], current: OracleRun) -> set[tuple[str, Offence]]:
    return {(f.account, f.offence) for f in reported_faults(current, history.get, RULES)}


def test_a_deviation_is_an_offence_every_n_epochs_in_a_row_never_twice_for_the_same_epochs():
    history: dict[int, OracleRun] = {}
    offences = {}
    for epoch in range(1, 8):
        run = _run(epoch, far=epoch != 1)  # FAR deviates from epoch 2 on
        offences[epoch] = {a for a, o in _faults(epoch, history, run) if o == Offence.DEVIATION}
        history[epoch] = run
    # Epochs 2, 3, 4 are the first three in a row; 5, 6, 7 the next three.
    assert offences == {1: set(), 2: set(), 3: set(), 4: {FAR}, 5: set(), 6: set(), 7: {FAR}}


def test_unreadable_score_files_and_invalid_models_are_reported_once_each():
    run = _run(1, far=False, bad_model=True)
    faults = reported_faults(run, lambda e: None, RULES)
    assert {(f.account, f.offence) for f in faults} == {
        (BROKEN, Offence.UNREADABLE_SCORES),
        (NODES[1], Offence.INVALID_MODEL),
    }
    report = slash_report(run, faults, RULES)
    again = slash_report(_run(1, far=False, bad_model=True), faults, RULES)
    assert report.report == again.report and report.posted_tuple[1] == 2
    assert report.tree is not None and report.tree.leaves[0].value[2] in (Offence.UNREADABLE_SCORES, 5)


def test_nothing_to_report_for_an_honest_epoch():
    run = _run(1, far=False)
    faults = reported_faults(run, lambda e: None, RULES)
    assert [(f.account, f.offence) for f in faults] == [(BROKEN, Offence.UNREADABLE_SCORES)]
