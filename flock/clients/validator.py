"""A validator: evaluates every submitted model on held-out text and writes its score file.

Scores are bits per character (``flock.models.evaluation``); a model that cannot be fetched, loaded
or run scores 999. A ``lazy`` validator, for demonstrations and tests, skips the work and writes
random numbers: the oracle's quality measure is what makes that unprofitable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from flock.models import corpus
from flock.models.evaluation import INVALID_SCORE, Evaluator, NGramEvaluator, score
from flock.oracle.scorefile import encode_scores
from flock.store import ContentSource, ContentStore

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
