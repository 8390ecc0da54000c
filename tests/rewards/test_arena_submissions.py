"""ArenaSubmissions: phases per epoch, who may commit and reveal models and scores, every refusal by
name, and a phase history that never changes (issue 11, attack 8)."""

import ape
import pytest
from reward_helpers import open_epoch

from flock.chain.clock import head_time, mine_at
from flock.rewards import Phase, commitment, model_commitment
from flock.tasks import Role, TaskKind, TaskState
from flock.units import DAY

MODEL = b"\x0a" * 32
FILE = b"\x0f" * 32
SALT = b"\x5a" * 32
HOUR = 3600


def at_phase(submissions, epoch: int, phase: Phase) -> None:
    """Mines a block a minute into ``phase`` of ``epoch``."""
    s = submissions.schedule(epoch)
    starts = {
        Phase.SUBMIT: s.start,
        Phase.MODEL_REVEAL: s.submitEnd,
        Phase.COMMIT: s.modelRevealEnd,
        Phase.REVEAL: s.commitEnd,
        Phase.CLOSED: s.revealEnd,
    }
    mine_at(max(head_time() + 1, starts[phase] + 60))


def test_phases_follow_the_epoch(submissions, emissions, earning):
    s = submissions.schedule(earning.epoch)
    assert s.start == emissions.genesis() + earning.epoch * DAY
    assert (
        s.submitEnd - s.start,
        s.modelRevealEnd - s.submitEnd,
        s.commitEnd - s.modelRevealEnd,
        s.revealEnd - s.commitEnd,
    ) == submissions.phases()
    assert submissions.currentPhase() == (earning.epoch, Phase.SUBMIT, s.submitEnd)
    at_phase(submissions, earning.epoch, Phase.REVEAL)
    assert submissions.currentPhase() == (earning.epoch, Phase.REVEAL, s.revealEnd)


def commit_model(submissions, node, task: int, epoch: int, model: bytes = MODEL, uri: str = "u") -> bytes:
    committed = model_commitment(model, uri, SALT, str(node), task, epoch)
    submissions.commitModel(task, committed, sender=node)
    return committed


def test_submit_commit_reveal(submissions, cast, earning):
    task, epoch = earning.task, earning.epoch
    committed = model_commitment(MODEL, "file:///models/a", SALT, str(cast.node), task, epoch)
    assert submissions.modelCommitmentOf(MODEL, "file:///models/a", SALT, cast.node, task, epoch) == committed
    receipt = submissions.commitModel(task, committed, sender=cast.node)
    (event,) = receipt.events
    assert (event.taskId, event.epoch, event.node, event.commitment) == (task, epoch, cast.node, committed)
    # Nothing of the model is on chain until the submit phase closes.
    assert submissions.submissionOf(task, epoch, cast.node) == bytes(32)
    assert submissions.modelOf(task, epoch, cast.node) == (committed, bytes(32))
    with ape.reverts(submissions.SubmissionsWrongPhase, current=Phase.SUBMIT, required=Phase.MODEL_REVEAL):
        submissions.revealModel(task, MODEL, "file:///models/a", SALT, sender=cast.node)
    at_phase(submissions, epoch, Phase.MODEL_REVEAL)
    receipt = submissions.revealModel(task, MODEL, "file:///models/a", SALT, sender=cast.node)
    (event,) = receipt.events
    assert (event.taskId, event.epoch, event.node, event.modelHash, event.uri) == (
        task,
        epoch,
        cast.node,
        MODEL,
        "file:///models/a",
    )
    assert submissions.submissionOf(task, epoch, cast.node) == MODEL
    with ape.reverts(submissions.SubmissionsAlreadyRevealed, revealed=MODEL):
        submissions.revealModel(task, MODEL, "file:///models/a", SALT, sender=cast.node)
    at_phase(submissions, epoch, Phase.COMMIT)
    committed = commitment(FILE, SALT, str(cast.validator), task, epoch)
    assert submissions.commitmentOf(FILE, SALT, cast.validator, task, epoch) == committed
    submissions.commitScores(task, committed, sender=cast.validator)
    at_phase(submissions, epoch, Phase.REVEAL)
    receipt = submissions.revealScores(task, FILE, SALT, sender=cast.validator)
    assert receipt.events[0].fileHash == FILE
    assert submissions.scoresOf(task, epoch, cast.validator) == (committed, FILE)


def test_phase_refusals(submissions, cast, earning):
    task, epoch = earning.task, earning.epoch
    with ape.reverts(
        submissions.SubmissionsWrongPhase, epoch=epoch, current=Phase.SUBMIT, required=Phase.COMMIT
    ):
        submissions.commitScores(task, FILE, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsWrongPhase, required=Phase.REVEAL):
        submissions.revealScores(task, FILE, SALT, sender=cast.validator)
    at_phase(submissions, epoch, Phase.COMMIT)
    with ape.reverts(submissions.SubmissionsWrongPhase, current=Phase.COMMIT, required=Phase.SUBMIT):
        submissions.commitModel(task, MODEL, sender=cast.node)
    with ape.reverts(submissions.SubmissionsWrongPhase, current=Phase.COMMIT, required=Phase.MODEL_REVEAL):
        submissions.revealModel(task, MODEL, "u", SALT, sender=cast.node)


def test_a_model_reveal_must_match_its_commitment(submissions, cast, earning):
    """A copier cannot take over another node's commitment, nor change model, URI or salt."""
    task, epoch = earning.task, earning.epoch
    committed = commit_model(submissions, cast.node, task, epoch)
    submissions.commitModel(task, committed, sender=cast.node2)  # a copied commitment
    at_phase(submissions, epoch, Phase.MODEL_REVEAL)
    copied = model_commitment(MODEL, "u", SALT, str(cast.node2), task, epoch)
    with ape.reverts(submissions.SubmissionsRevealMismatch, committed=committed, revealed=copied):
        submissions.revealModel(task, MODEL, "u", SALT, sender=cast.node2)
    for model, uri, salt in ((b"\x0b" * 32, "u", SALT), (MODEL, "v", SALT), (MODEL, "u", bytes(32))):
        with ape.reverts(submissions.SubmissionsRevealMismatch):
            submissions.revealModel(task, model, uri, salt, sender=cast.node)
    with ape.reverts(submissions.SubmissionsNotCommitted, account=cast.validator):
        submissions.revealModel(task, MODEL, "u", SALT, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsEmptyInput):
        submissions.revealModel(task, bytes(32), "u", SALT, sender=cast.node)
    with ape.reverts(submissions.SubmissionsEmptyInput):
        submissions.revealModel(task, MODEL, "", SALT, sender=cast.node)
    submissions.revealModel(task, MODEL, "u", SALT, sender=cast.node)


def test_only_members_in_the_right_role(submissions, cast, earning):
    task = earning.task
    with ape.reverts(
        submissions.SubmissionsWrongRole, account=cast.validator, role=Role.VALIDATOR, required=Role.NODE
    ):
        submissions.commitModel(task, MODEL, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsWrongRole, role=Role.DELEGATOR):
        submissions.commitModel(task, MODEL, sender=cast.delegator)
    with ape.reverts(submissions.SubmissionsWrongRole, role=Role.NONE):
        submissions.commitModel(task, MODEL, sender=cast.stranger)
    at_phase(submissions, earning.epoch, Phase.COMMIT)
    with ape.reverts(submissions.SubmissionsWrongRole, role=Role.NODE, required=Role.VALIDATOR):
        submissions.commitScores(task, FILE, sender=cast.node)


def test_only_open_arena_tasks(submissions, tasks, admin, cast, earning, emissions):
    tasks.createTask(TaskKind.ARENA, 10 * DAY, b"\x01" * 32, "ipfs://p", 0, 0, sender=cast.creator)
    pending = tasks.taskCount()
    tasks.join(pending, Role.NODE, 2_000 * 10**18, 5_000, sender=cast.node)
    with ape.reverts(submissions.SubmissionsTaskNotOpen, taskId=pending, state=TaskState.PENDING):
        submissions.commitModel(pending, MODEL, sender=cast.node)
    tasks.createTask(TaskKind.ALLIANCE, 10 * DAY, b"\x01" * 32, "ipfs://a", 2, 3, sender=cast.creator)
    alliance = tasks.taskCount()
    tasks.approveTask(alliance, sender=admin)
    with ape.reverts(submissions.SubmissionsTaskNotOpen, taskId=alliance, kind=TaskKind.ALLIANCE):
        submissions.commitModel(alliance, MODEL, sender=cast.node)
    tasks.cancelTask(earning.task, sender=admin)
    with ape.reverts(submissions.SubmissionsTaskNotOpen, state=TaskState.CANCELLED):
        submissions.commitModel(earning.task, MODEL, sender=cast.node)


def test_once_per_epoch_and_no_empty_inputs(submissions, emissions, cast, earning):
    task, epoch = earning.task, earning.epoch
    with ape.reverts(submissions.SubmissionsEmptyInput):
        submissions.commitModel(task, bytes(32), sender=cast.node)
    committed = commit_model(submissions, cast.node, task, epoch)
    with ape.reverts(submissions.SubmissionsAlreadyCommitted, account=cast.node, commitment=committed):
        submissions.commitModel(task, b"\x0b" * 32, sender=cast.node)
    at_phase(submissions, epoch, Phase.COMMIT)
    with ape.reverts(submissions.SubmissionsEmptyInput):
        submissions.commitScores(task, bytes(32), sender=cast.validator)
    committed = commitment(FILE, SALT, str(cast.validator), task, epoch)
    submissions.commitScores(task, committed, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsAlreadyCommitted, commitment=committed):
        submissions.commitScores(task, committed, sender=cast.validator)
    # The next epoch takes a new commitment from the same node.
    open_epoch(emissions, cast.stranger, epoch + 1)
    again = commit_model(submissions, cast.node, task, epoch + 1, b"\x0b" * 32)
    assert submissions.modelOf(task, epoch + 1, cast.node) == (again, bytes(32))


def test_reveal_must_match_the_commitment(submissions, cast, earning):
    task, epoch = earning.task, earning.epoch
    at_phase(submissions, epoch, Phase.COMMIT)
    committed = commitment(FILE, SALT, str(cast.validator), task, epoch)
    submissions.commitScores(task, committed, sender=cast.validator)
    # Another validator copying the commitment cannot reveal it: the commitment names its validator.
    submissions.commitScores(task, committed, sender=cast.validator2)
    at_phase(submissions, epoch, Phase.REVEAL)
    copied = commitment(FILE, SALT, str(cast.validator2), task, epoch)
    with ape.reverts(submissions.SubmissionsRevealMismatch, committed=committed, revealed=copied):
        submissions.revealScores(task, FILE, SALT, sender=cast.validator2)
    with ape.reverts(submissions.SubmissionsRevealMismatch):
        submissions.revealScores(task, FILE, b"\x00" * 32, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsNotCommitted, account=cast.node):
        submissions.revealScores(task, FILE, SALT, sender=cast.node)
    with ape.reverts(submissions.SubmissionsEmptyInput):
        submissions.revealScores(task, bytes(32), SALT, sender=cast.validator)
    submissions.revealScores(task, FILE, SALT, sender=cast.validator)
    with ape.reverts(submissions.SubmissionsAlreadyRevealed, revealed=FILE):
        submissions.revealScores(task, FILE, SALT, sender=cast.validator)


def test_phase_changes_apply_from_the_next_epoch(submissions, emissions, admin, outsider, cast, earning):
    before = submissions.schedule(earning.epoch)
    receipt = submissions.setPhases((6 * HOUR, HOUR, 2 * HOUR, 2 * HOUR), sender=admin)
    assert receipt.events[0].fromEpoch == earning.epoch + 1
    assert submissions.schedule(earning.epoch) == before  # the running epoch keeps its schedule
    nxt = submissions.schedule(earning.epoch + 1)
    assert (nxt.submitEnd - nxt.start, nxt.revealEnd - nxt.start) == (6 * HOUR, 11 * HOUR)
    assert submissions.phases() == (6 * HOUR, HOUR, 2 * HOUR, 2 * HOUR)
    assert submissions.phasesFrom() == earning.epoch + 1
    # A second change in the same epoch replaces the pending one; earlier epochs keep theirs.
    submissions.setPhases((8 * HOUR, HOUR, 2 * HOUR, 2 * HOUR), sender=admin)
    assert submissions.schedule(earning.epoch) == before
    assert submissions.phasesAt(earning.epoch + 1) == (8 * HOUR, HOUR, 2 * HOUR, 2 * HOUR)
    with ape.reverts(submissions.AccessControlUnauthorizedAccount):
        submissions.setPhases((8 * HOUR, HOUR, 2 * HOUR, 2 * HOUR), sender=outsider)
    # The new epoch has a quiet time after its reveal phase.
    open_epoch(emissions, cast.stranger, earning.epoch + 1)
    at_phase(submissions, earning.epoch + 1, Phase.CLOSED)
    assert submissions.currentPhase().phase == Phase.CLOSED
    with ape.reverts(submissions.SubmissionsWrongPhase, current=Phase.CLOSED, required=Phase.SUBMIT):
        submissions.commitModel(earning.task, MODEL, sender=cast.node)


def test_a_second_set_phases_never_rewrites_history(submissions, emissions, admin, cast, earning):
    """Issue 11, attack 8: with one "previous" slot, a change in a later epoch made the epochs
    before the first change report the first change's lengths. Every epoch keeps its own."""
    first = earning.epoch
    original = submissions.phasesAt(first)
    submissions.setPhases((6 * HOUR, HOUR, 2 * HOUR, 2 * HOUR), sender=admin)  # from first + 1
    open_epoch(emissions, cast.stranger, first + 2)
    changes = submissions.phaseChanges()
    submissions.setPhases((8 * HOUR, HOUR, 3 * HOUR, 3 * HOUR), sender=admin)  # from first + 3
    assert submissions.phaseChanges() == changes + 1
    assert submissions.phasesAt(first) == original
    assert submissions.phasesAt(0) == original
    assert (
        submissions.phasesAt(first + 1)
        == submissions.phasesAt(first + 2)
        == (6 * HOUR, HOUR, 2 * HOUR, 2 * HOUR)
    )
    assert submissions.phasesAt(first + 3) == (8 * HOUR, HOUR, 3 * HOUR, 3 * HOUR)
    assert submissions.schedule(first).submitEnd - submissions.schedule(first).start == original[0]


@pytest.mark.parametrize(
    "lengths",
    [
        (HOUR, HOUR, HOUR, 300),
        (18 * HOUR, HOUR, 3 * HOUR, 2 * HOUR + 1),
        (2**255, 2**255, HOUR, HOUR),
        (0, HOUR, HOUR, HOUR),
        (HOUR, 0, HOUR, HOUR),
    ],
)
def test_invalid_phases(submissions, admin, lengths):
    with ape.reverts(submissions.SubmissionsInvalidPhases, epochLength=DAY):
        submissions.setPhases(lengths, sender=admin)
