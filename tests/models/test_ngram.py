"""The character n-gram model and bits-per-character scoring."""

import math

import pytest

from flock.models import corpus
from flock.models.evaluation import INVALID_SCORE, NGramEvaluator, bits_per_character, score
from flock.models.ngram import ModelError, NGramModel


def test_bpc_formula_by_hand():
    # 2 tokens at ln(2) nats each = 2 bits, over 4 bytes: 0.5 bits per byte.
    assert bits_per_character(math.log(2), 2, 4) == pytest.approx(0.5)
    # Multi-byte text: 3 characters, 6 UTF-8 bytes, 1 nat each.
    assert bits_per_character(1.0, 3, 6) == pytest.approx(3 / (math.log(2) * 6))
    with pytest.raises(ValueError):
        bits_per_character(float("nan"), 1, 1)


def test_probabilities_sum_to_one():
    model = NGramModel.train("abracadabra", order=3)
    for context in ("", "a", "ab", "zz"):
        total = sum(model._prob(context, c) for c in model.vocab) + model._prob(context, "\x00")
        # The unseen-character slot covers every character outside the vocabulary at once.
        assert total <= 1.0 + 1e-9
        assert total > 0.9


def test_artifact_is_canonical_and_round_trips():
    text = corpus.shard(0, 4)
    a, b = NGramModel.train(text, 3).to_bytes(), NGramModel.train(text, 3).to_bytes()
    assert a == b
    held = corpus.shard(0, 1, heldout=True)[:3000]
    assert NGramModel.from_bytes(a).cross_entropy(held) == NGramModel.train(text, 3).cross_entropy(held)


def test_more_context_and_more_data_score_better():
    held = corpus.shard(0, 1, heldout=True)[:5000]
    evaluator = NGramEvaluator()
    bigram = score(evaluator, NGramModel.train(corpus.shard(0, 4), 2).to_bytes(), held)
    fourgram = score(evaluator, NGramModel.train(corpus.shard(0, 4), 4).to_bytes(), held)
    fourgram_all = score(evaluator, NGramModel.train(corpus.shard(0, 1), 4).to_bytes(), held)
    assert fourgram_all < fourgram < bigram < INVALID_SCORE


@pytest.mark.parametrize(
    "artifact", [b"", b"not json", b'{"format": "other"}', b'{"format": "flock-char-ngram-v1"}']
)
def test_invalid_models_score_999(artifact):
    assert score(NGramEvaluator(), artifact, "held out text") == INVALID_SCORE
    if artifact:
        with pytest.raises(ModelError):
            NGramModel.from_bytes(artifact)


def test_corpus_is_deterministic_and_shards_partition_training_text():
    assert corpus.documents() == corpus.documents()
    training = [d for i, d in enumerate(corpus.documents()) if i % 5 != 4]
    shards = [corpus.shard(i, 3) for i in range(3)]
    assert sum(len(s) for s in shards) == sum(len(d) for d in training) + 2 * (len(training) - 3)
    held = corpus.shard(0, 1, heldout=True)
    assert all(s not in held for s in shards if s)
