"""The validator client reads an epoch's revealed models from the blocks of that epoch's model
reveal phase only (decision 232): on anvil, reveals in the phase's first or last seconds are found,
those of the epochs before and after are outside the blocks, and the result is the unbounded scan's."""

import pytest

from flock.chain.clock import head_time, mine_at, next_block_at
from flock.clients.training import commit_model, reveal_model, train_and_store
from flock.clients.validator import epoch_submissions, reveal_blocks
from flock.ops.scan import BlockRange, phase_bounds
from flock.rewards import Phase
from flock.store import ContentStore
from flock.tasks import Role, TaskKind, spec_hash
from flock.units import DAY, WAD


def _submit(submissions, task: int, nodes, model, epoch: int, edge: str) -> None:
    """Every node commits ``model`` a minute into ``epoch``, and reveals it in the first second of
    the model reveal phase (``edge`` "first") or one in each of its last seconds ("last"). The client
    checks the phase at the head before sending: a block inside the phase is mined first."""
    mine_at(max(head_time() + 1, submissions.schedule(epoch).start + 60))
    committed = [commit_model(submissions, task, model, node) for node in nodes]
    start, end = phase_bounds(submissions.schedule(epoch), Phase.MODEL_REVEAL)
    mine_at(start if edge == "first" else end - len(nodes) - 1)
    seconds = [start] * len(nodes) if edge == "first" else range(end - len(nodes), end)
    for node, commitment, at in zip(nodes, committed, seconds, strict=True):
        next_block_at(at)
        reveal_model(submissions, commitment, node)


@pytest.mark.parametrize("edge", ["first", "last"])
def test_the_validator_reads_the_models_revealed_in_the_model_reveal_phase(
    edge, stakers, tasks, submissions, emissions, admin, tmp_path, chain
):
    creator, nodes = stakers[0], stakers[1:4]
    tasks.createTask(TaskKind.ARENA, 20 * DAY, spec_hash("chat"), "ipfs://chat", 0, 0, sender=creator)
    task = tasks.taskCount()
    for node in nodes:
        tasks.join(task, Role.NODE, 10_000 * WAD, 4_000, sender=node)
    tasks.approveTask(task, sender=admin)
    model = train_and_store(ContentStore(tmp_path), 0, 3, 2)
    before, epoch, after = (emissions.currentEpoch() + i for i in (1, 2, 3))
    _submit(submissions, task, nodes, model, before, "last")
    _submit(submissions, task, nodes, model, epoch, edge)
    _submit(submissions, task, nodes, model, after, "first")

    blocks = reveal_blocks(submissions, epoch)
    start, end = phase_bounds(submissions.schedule(epoch), Phase.MODEL_REVEAL)
    time = [chain.blocks[n].timestamp for n in (blocks.first - 1, blocks.first, blocks.last, blocks.last + 1)]
    assert time[0] < start <= time[1] and time[2] < end <= time[3]
    reveals = submissions.ModelRevealed.range(blocks.first, blocks.last + 1, search_topics={"taskId": task})
    assert (start if edge == "first" else end - 1) in {
        chain.blocks[r.block_number].timestamp for r in reveals
    }
    whole = BlockRange(0, chain.blocks.height, "every block")
    found = epoch_submissions(submissions, task, epoch)
    assert found == epoch_submissions(submissions, task, epoch, whole)
    assert set(found) == {str(n).lower() for n in nodes}
    for other in (before, after):
        logs = list(
            submissions.ModelRevealed.range(0, whole.last + 1, search_topics={"taskId": task, "epoch": other})
        )
        assert len(logs) == 3 and not any(blocks.first <= log.block_number <= blocks.last for log in logs)
    assert (
        epoch_submissions(submissions, task, epoch, reveal_blocks(submissions, epoch, blocks.last + 1)) == {}
    )
