"""A validator: evaluates every revealed model on held-out text and writes its score file.

Scores are bits per character (``flock.models.evaluation``); a model that cannot be fetched, loaded
or run scores 999. A ``lazy`` validator, for demonstrations and tests, skips the work and writes
random numbers: the oracle's quality measure is what makes that unprofitable.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ape.exceptions import ContractLogicError

from flock.clients import ClientError
from flock.files import atomic_write_text
from flock.models import corpus
from flock.models.evaluation import INVALID_SCORE, Evaluator, NGramEvaluator, score
from flock.oracle.scorefile import encode_scores
from flock.rewards import Phase, commitment, new_salt
from flock.store import ContentSource, ContentStore

if TYPE_CHECKING:  # reading the chain needs ape's chain manager: imported where it is read
    from flock.ops.scan import BlockRange

HELDOUT_CHARS = 20_000


def heldout_text() -> str:
    return corpus.shard(0, 1, heldout=True)[:HELDOUT_CHARS]


def evaluate_submissions(
    submissions: Mapping[str, str],
    source: ContentSource,
    evaluator: Evaluator | None = None,
    heldout: str | None = None,
) -> dict[str, float]:
    """Score per model hash, for ``submissions`` (node -> model hash)."""
    evaluator = evaluator or NGramEvaluator()
    text = heldout if heldout is not None else heldout_text()
    scores: dict[str, float] = {}
    for model in sorted({m.lower() for m in submissions.values()}):
        artifact = source.get(model)
        scores[model] = INVALID_SCORE if artifact is None else score(evaluator, artifact, text)
    return scores


def lazy_scores(submissions: Mapping[str, str], seed: int) -> dict[str, float]:
    """What a validator that does not evaluate anything might post: plausible-looking noise."""
    rnd = random.Random(seed)
    return {
        model: round(rnd.uniform(1.0, 8.0), 4) for model in sorted({m.lower() for m in submissions.values()})
    }


def write_score_file(
    store: ContentStore, task: int, epoch: int, validator: str, scores: dict[str, float]
) -> str:
    """Stores the canonical score file; returns its hash (the commitment)."""
    return store.put(encode_scores(task, epoch, validator, scores))


# ---------------------------------------------------------------------------------- on chain


@dataclass(frozen=True)
class Commitment:
    """What a validator must remember between its commit and its reveal."""

    task: int
    epoch: int
    validator: str
    file_hash: str
    salt: str


class Journal:
    """A validator's commitments (file hash and salt), one small JSON file each, written atomically:
    the reveal may run hours after the commit, in another process."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, validator: str, task: int, epoch: int) -> Path:
        return self.folder / f"validator-{validator.lower()}" / f"task{task}-epoch{epoch}.json"

    def save(self, c: Commitment) -> None:
        atomic_write_text(
            self.path(c.validator, c.task, c.epoch), json.dumps(asdict(c), sort_keys=True) + "\n"
        )

    def discard(self, c: Commitment) -> None:
        """Forgets a commitment whose transaction failed (so the next run commits again)."""
        self.path(c.validator, c.task, c.epoch).unlink(missing_ok=True)

    def load(self, validator: str, task: int, epoch: int) -> Commitment | None:
        path = self.path(validator, task, epoch)
        return Commitment(**json.loads(path.read_text())) if path.is_file() else None


def reveal_blocks(submissions: Any, epoch: int, deployed: int = 0) -> BlockRange:
    """The blocks of ``epoch``'s model reveal phase (not before ``deployed``): the only ones in
    which its ModelRevealed events can be."""
    from flock.ops.scan import epoch_phases

    return epoch_phases(submissions, epoch, Phase.MODEL_REVEAL, Phase.MODEL_REVEAL, deployed)


def epoch_submissions(
    submissions: Any, task: int, epoch: int, blocks: BlockRange | None = None
) -> dict[str, str]:
    """node -> model hash for the task epoch, from the ModelRevealed events of ``blocks`` (by
    default :func:`reveal_blocks`)."""
    blocks = reveal_blocks(submissions, epoch) if blocks is None else blocks
    if blocks.empty:
        return {}
    logs = submissions.ModelRevealed.range(
        blocks.first, blocks.last + 1, search_topics={"taskId": task, "epoch": epoch}
    )
    return {str(e.node).lower(): "0x" + bytes(e.modelHash).hex() for e in logs}


def commit(
    submissions: Any,
    journal: Journal,
    store: ContentStore,
    task: int,
    validator: Any,
    *,
    evaluator: Evaluator | None = None,
    lazy_seed: int | None = None,
    blocks: BlockRange | None = None,
) -> Commitment:
    """In the commit phase: evaluates every model submitted this epoch (revealed in ``blocks``, by
    default the epoch's model reveal phase; or, ``lazy_seed`` given, makes up noise), writes the
    score file to ``store``, commits to its hash and journals the salt."""
    epoch = _require_phase(submissions, Phase.COMMIT)
    address = str(validator.address if hasattr(validator, "address") else validator)
    done = journal.load(address, task, epoch)
    if done is not None:
        if int.from_bytes(bytes(submissions.scoresOf(task, epoch, address)[0]), "big"):
            raise ClientError(f"already committed for task {task} epoch {epoch} (file {done.file_hash})")
        journal.discard(done)  # journaled, but the chain has no commitment: that attempt failed
    submitted = epoch_submissions(submissions, task, epoch, blocks)
    if not submitted:
        raise ClientError(f"no model was submitted to task {task} in epoch {epoch}: nothing to score")
    scores = (
        lazy_scores(submitted, lazy_seed)
        if lazy_seed is not None
        else evaluate_submissions(submitted, store, evaluator)
    )
    file_hash = write_score_file(store, task, epoch, address, scores)
    salt = new_salt()
    committed = Commitment(task, epoch, address, file_hash, "0x" + salt.hex())
    journal.save(committed)  # before sending: a reveal must never lack its salt
    try:
        submissions.commitScores(
            task, commitment(bytes.fromhex(file_hash[2:]), salt, address, task, epoch), sender=validator
        )
    except ContractLogicError:
        journal.discard(committed)  # refused on chain: nothing to reveal, the next run commits again
        raise
    return committed


def reveal(submissions: Any, journal: Journal, task: int, validator: Any) -> Commitment:
    """In the reveal phase: reveals the journaled file hash and salt of this epoch's commitment."""
    epoch = _require_phase(submissions, Phase.REVEAL)
    address = str(validator.address if hasattr(validator, "address") else validator)
    committed = journal.load(address, task, epoch)
    if committed is None:
        raise ClientError(f"no journaled commitment for task {task} epoch {epoch} in {journal.folder}")
    submissions.revealScores(
        task, bytes.fromhex(committed.file_hash[2:]), bytes.fromhex(committed.salt[2:]), sender=validator
    )
    return committed


def _require_phase(submissions: Any, wanted: Phase) -> int:
    epoch, phase, ends = submissions.currentPhase()
    if phase != wanted:
        raise ClientError(
            f"epoch {epoch} is in its {Phase(phase).name.lower()} phase (until {ends}); this step belongs "
            f"to the {wanted.name.lower()} phase"
        )
    return epoch
