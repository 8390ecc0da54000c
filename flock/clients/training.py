"""A training node: trains a character n-gram model on its own data shard and stores the artifact.

The node's data never leaves it; only the model (its counts) is published, content-addressed. On
chain the node first commits to the model's hash and URI with a salt (the submit phase), then
reveals them after the submit phase closes (the model-reveal phase), so nobody can copy a model of
the same epoch. Nodes differ by shard and by model order, so their models differ in
quality, which is what validators measure.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flock.clients import ClientError
from flock.files import atomic_write_text
from flock.models import corpus
from flock.models.ngram import NGramModel
from flock.rewards import Phase, model_commitment, new_salt
from flock.store import ContentStore


@dataclass(frozen=True)
class TrainedModel:
    digest: str  # keccak256 of the artifact: what goes on-chain
    uri: str  # where validators fetch it
    order: int
    training_chars: int


def train_and_store(store: ContentStore, shard_index: int, shard_count: int, order: int) -> TrainedModel:
    text = corpus.shard(shard_index, shard_count)
    artifact = NGramModel.train(text, order=order).to_bytes()
    digest = store.put(artifact)
    return TrainedModel(digest, store.uri(digest), order, len(text))


@dataclass(frozen=True)
class ModelCommitment:
    """What a training node must remember between its commit and its reveal."""

    task: int
    epoch: int
    node: str
    digest: str
    uri: str
    salt: str


class ModelJournal:
    """A training node's commitments (model hash, URI, salt), one small JSON file each, written
    atomically: the reveal runs after the submit phase closes, possibly in another process."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, node: str, task: int, epoch: int) -> Path:
        return self.folder / f"node-{node.lower()}" / f"task{task}-epoch{epoch}.json"

    def save(self, c: ModelCommitment) -> None:
        atomic_write_text(self.path(c.node, c.task, c.epoch), json.dumps(asdict(c), sort_keys=True) + "\n")

    def load(self, node: str, task: int, epoch: int) -> ModelCommitment | None:
        path = self.path(node, task, epoch)
        return ModelCommitment(**json.loads(path.read_text())) if path.is_file() else None


def _address(account: Any) -> str:
    return str(account.address if hasattr(account, "address") else account)


def _require_phase(submissions: Any, wanted: Phase, what: str) -> int:
    epoch, phase, ends = submissions.currentPhase()
    if phase != wanted:
        raise ClientError(
            f"epoch {epoch} is in its {Phase(phase).name.lower().replace('_', ' ')} phase (until {ends}): "
            f"{what} in the {wanted.name.lower().replace('_', ' ')} phase"
        )
    return epoch


def commit_model(
    submissions: Any, task: int, model: TrainedModel, node: Any, journal: ModelJournal | None = None
) -> ModelCommitment:
    """In the submit phase: commits to the model for the current epoch of ``task``
    (ArenaSubmissions.commitModel), bound to the node, the task epoch and a fresh salt; journals the
    salt first when a journal is given (a reveal must never lack it). Nothing of the model is public
    until ``reveal_model``, so nobody can submit a copy in the same epoch."""
    epoch = _require_phase(submissions, Phase.SUBMIT, "models are committed")
    address = _address(node)
    existing, _ = submissions.modelOf(task, epoch, address)
    if int.from_bytes(bytes(existing), "big"):
        raise ClientError(f"{address} already committed to a model for task {task} epoch {epoch}")
    salt = new_salt()
    committed = ModelCommitment(task, epoch, address, model.digest, model.uri, "0x" + salt.hex())
    if journal is not None:
        journal.save(committed)
    digest = bytes.fromhex(model.digest[2:])
    submissions.commitModel(
        task, model_commitment(digest, model.uri, salt, address, task, epoch), sender=node
    )
    return committed


def reveal_model(submissions: Any, committed: ModelCommitment, node: Any) -> Any:
    """In the model-reveal phase: reveals the committed model (hash, URI, salt)."""
    epoch = _require_phase(submissions, Phase.MODEL_REVEAL, "models are revealed")
    if epoch != committed.epoch:
        raise ClientError(f"the commitment is for epoch {committed.epoch}; this is epoch {epoch}")
    return submissions.revealModel(
        committed.task,
        bytes.fromhex(committed.digest[2:]),
        committed.uri,
        bytes.fromhex(committed.salt[2:]),
        sender=node,
    )


def reveal_journaled(submissions: Any, journal: ModelJournal, task: int, node: Any) -> ModelCommitment:
    """``reveal_model`` for the commitment journaled for this epoch."""
    epoch, _, _ = submissions.currentPhase()
    committed = journal.load(_address(node), task, epoch)
    if committed is None:
        raise ClientError(f"no journaled model commitment for task {task} epoch {epoch} in {journal.folder}")
    reveal_model(submissions, committed, node)
    return committed
