"""Reading score files: every kind of bad content has a defined outcome (flock/oracle/scorefile.py)."""

import pytest

from flock.oracle.scorefile import MAX_SCORE, encode_scores, file_hash, parse_scores

V = "0x" + "b1" * 20
M1, M2, M3 = "0x" + "01" * 32, "0x" + "02" * 32, "0x" + "03" * 32
SUBMISSIONS = {M1, M2, M3}


def parse(data: bytes | None, commitment: bytes | None = None, **kw):
    args = {"validator": V, "task": 1, "epoch": 2, "submissions": SUBMISSIONS}
    args.update(kw)
    return parse_scores(data, commitment=commitment, **args)


def raw(scores_json: str, task: int = 1, epoch: int = 2, validator: str = V) -> bytes:
    return (
        f'{{"format":"flock-scores-v1","task":{task},"epoch":{epoch},"validator":"{validator}",'
        f'"scores":{scores_json}}}'
    ).encode()


def test_round_trip_of_the_canonical_encoding():
    data = encode_scores(1, 2, V, {M2: 2.5, M1: 3.0})
    parsed = parse(data, commitment=file_hash(data))
    assert parsed.accepted and parsed.scores == {M1: 3.0, M2: 2.5}
    assert parsed.rejections == []
    assert data == encode_scores(1, 2, V, {M1: 3.0, M2: 2.5})  # key order does not matter


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "no score file"),
        (b"not json", "not JSON"),
        (b'{"format": "other"}', "not a flock-scores-v1 file"),
        (raw("{}", task=9), "task 9"),
        (raw("{}", epoch=9), "epoch 9"),
        (raw("{}", validator="0x" + "99" * 20), "signed for"),
        (raw("[1, 2]"), "no scores object"),
    ],
)
def test_whole_file_rejections(data, reason):
    parsed = parse(data)
    assert not parsed.accepted and parsed.scores == {}
    assert reason in parsed.rejections[0].reason
    assert parsed.rejections[0].model is None


def test_hash_mismatch_rejects_the_file():
    data = encode_scores(1, 2, V, {M1: 3.0})
    parsed = parse(data, commitment=file_hash(data + b" "))
    assert not parsed.accepted
    assert "does not match" in parsed.rejections[0].reason


def test_entry_rules():
    body = (
        f'{{"{M1}": NaN, "{M2}": Infinity, "{M3}": -1, "0x{"04" * 32}": 1.0, '
        f'"{M1.upper().replace("0X", "0x")}": 2.0}}'
    )
    parsed = parse(raw(body))
    reasons = {(r.model, r.reason) for r in parsed.rejections}
    assert (M1, "scored more than once") in reasons  # same hash in another case counts as a duplicate
    assert (M2, "not a finite number") in reasons
    assert (M3, "negative") in reasons
    assert ("0x" + "04" * 32, "not a submission of this task and epoch") in reasons
    assert parsed.scores == {}
    assert parsed.accepted  # the file itself is fine; the entries are not


def test_strings_booleans_and_clamping():
    parsed = parse(raw(f'{{"{M1}": "3.0", "{M2}": true, "{M3}": 5000}}'))
    assert parsed.scores == {M3: MAX_SCORE}
    reasons = {r.model: r.reason for r in parsed.rejections}
    assert reasons[M1] == reasons[M2] == "not a number"
    assert "clamped" in reasons[M3]


def test_duplicate_json_keys():
    parsed = parse(raw(f'{{"{M1}": 3.0, "{M1}": 4.0, "{M2}": 2.0}}'))
    assert parsed.scores == {M2: 2.0}
    assert [r.reason for r in parsed.rejections] == ["scored more than once"]
