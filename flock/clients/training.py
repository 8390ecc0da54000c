"""A training node: trains a character n-gram model on its own data shard and stores the artifact.

The node's data never leaves it; only the model (its counts) is published, content-addressed, and
its hash submitted on-chain. Nodes differ by shard and by model order, so their models differ in
quality, which is what validators measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.clients import ClientError
from flock.models import corpus
from flock.models.ngram import NGramModel
from flock.rewards import Phase
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


def submit(submissions: Any, task: int, model: TrainedModel, node: Any) -> Any:
    """Submits the model for the current epoch of ``task`` (ArenaSubmissions.submitModel), from the
    training node's account; refuses, before sending, outside the submit phase."""
    epoch, phase, _ = submissions.currentPhase()
    if phase != Phase.SUBMIT:
        raise ClientError(
            f"epoch {epoch} is in its {Phase(phase).name.lower()} phase: models are submitted in the "
            "submit phase, at the start of each epoch"
        )
    existing = submissions.submissionOf(task, epoch, node)
    if int.from_bytes(bytes(existing), "big"):
        raise ClientError(f"{node} already submitted 0x{bytes(existing).hex()} for task {task} epoch {epoch}")
    return submissions.submitModel(task, bytes.fromhex(model.digest[2:]), model.uri, sender=node)
