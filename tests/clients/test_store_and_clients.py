"""Content-addressed store, training node and validator clients (off-chain parts)."""

import pytest

from flock.clients.training import train_and_store
from flock.clients.validator import evaluate_submissions, lazy_scores, write_score_file
from flock.models.evaluation import INVALID_SCORE
from flock.oracle.scorefile import file_hash, parse_scores
from flock.store import ContentStore, StoreError, digest_of


def test_store_round_trip_and_integrity(tmp_path):
    store = ContentStore(tmp_path)
    digest = store.put(b"model bytes")
    assert digest == digest_of(b"model bytes")
    assert store.get(digest) == b"model bytes"
    assert store.put(b"model bytes") == digest  # idempotent
    assert store.get("0x" + "00" * 32) is None
    (tmp_path / digest).write_bytes(b"tampered")
    with pytest.raises(StoreError, match="does not hash"):
        store.get(digest)
    with pytest.raises(StoreError, match="not a keccak256"):
        store.get("../etc/passwd")
    assert not list(tmp_path.glob(".incoming-*"))


def test_validator_scores_real_models_and_999_for_missing(tmp_path):
    store = ContentStore(tmp_path)
    a = train_and_store(store, 0, 2, order=3)
    b = train_and_store(store, 1, 2, order=2)
    missing = "0x" + "ab" * 32
    scores = evaluate_submissions(
        {"a": a.digest, "b": b.digest, "c": missing}, store, heldout="some held out text. " * 50
    )
    assert scores[missing] == INVALID_SCORE
    assert 0 < scores[a.digest] < INVALID_SCORE and 0 < scores[b.digest] < INVALID_SCORE


def test_score_file_written_by_a_validator_is_accepted(tmp_path):
    store = ContentStore(tmp_path)
    validator = "0x" + "b1" * 20
    submissions = {"n1": "0x" + "01" * 32, "n2": "0x" + "02" * 32}
    scores = lazy_scores(submissions, seed=3)
    digest = write_score_file(store, 4, 7, validator, scores)
    data = store.get(digest)
    parsed = parse_scores(
        data,
        validator=validator,
        task=4,
        epoch=7,
        commitment=file_hash(data),
        submissions=set(submissions.values()),
    )
    assert parsed.accepted and parsed.scores == scores
