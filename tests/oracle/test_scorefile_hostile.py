"""Issue 11, attack 7: no score file can stop the oracle (flock/oracle/scorefile.py).

Every byte string a validator can commit and reveal ends as a documented treatment (the file
rejected with a reason, or entries dropped), never as an exception: the named cases of the issue,
then Hypothesis feeding hostile files, then the deep nesting in a fresh interpreter with a huge
recursion limit (where the old parser crashed the process instead of raising).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flock.oracle.scorefile import (
    MAX_CONTAINERS,
    MAX_DEPTH,
    MAX_ENTRY_NOTES,
    MAX_FILE_BYTES,
    MAX_NOTE_CHARS,
    ParsedScores,
    encode_scores,
    parse_scores,
)
from flock.paths import PROJECT_ROOT

V = "0x" + "b1" * 20
M1, M2 = "0x" + "01" * 32, "0x" + "02" * 32
SUBMISSIONS = {M1, M2}


def parse(data: bytes) -> ParsedScores:
    return parse_scores(data, validator=V, task=1, epoch=2, commitment=None, submissions=SUBMISSIONS)


def header(task: str = "1", epoch: str = "2", validator: str = f'"{V}"', scores: str = "{}") -> bytes:
    return (
        f'{{"format":"flock-scores-v1","task":{task},"epoch":{epoch},"validator":{validator},'
        f'"scores":{scores}}}'
    ).encode()


def check_treatment(parsed: ParsedScores) -> None:
    """What every outcome must look like: a rejected file has exactly one reason and no scores;
    scores are finite floats in [0, 999] for submitted models; notes are short and ASCII."""
    if not parsed.accepted:
        assert parsed.scores == {} and len(parsed.rejections) == 1 and parsed.rejections[0].model is None
    for model, score in parsed.scores.items():
        assert model in SUBMISSIONS and type(score) is float and 0.0 <= score <= 999.0
    assert len(parsed.rejections) <= MAX_ENTRY_NOTES + len(SUBMISSIONS) + 1
    for r in parsed.rejections:
        for text in (r.reason, r.model or ""):
            assert text.isascii() and text.isprintable() and len(text) <= MAX_NOTE_CHARS + 40


DEEP = b"[" * 65_000 + b"]" * 65_000  # about 130 KB, the file


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (header(scores=f'{{"{M1}": 1{"0" * 400}}}'), None),  # 10**400: the entry is dropped
        (header(task="1" + "0" * 400), "file is for task inf"),
        (header(task="1" + "0" * 5_000), "file is for task inf"),  # beyond Python's 4,300 digits
        (header(task="true"), "file is for task True"),
        (header(task="1.0"), "file is for task 1.0"),
        (header(task='"1"'), "file is for task 1 epoch"),
        (header(epoch="null"), "epoch None"),
        (header(validator="1"), "signed for 1"),
        (header(validator="[1]"), "signed for [1]"),
        (header(scores="null"), "no scores object"),
        (DEEP, "more than 1000 objects and arrays"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH}"),
        (b'{"a":' * 20 + b"1" + b"}" * 20, f"nested deeper than {MAX_DEPTH}"),
        (b"[" + b"[]," * MAX_CONTAINERS + b"[]]", f"more than {MAX_CONTAINERS} objects"),
        (b"\xef\xbb\xbf" + header(), "byte-order mark"),
        (header().decode().encode("utf-16"), "byte-order mark"),
        (header().decode().encode("utf-16-le"), "not JSON"),
        (b'{"format":"flock-scores-v1\xff"}', "not UTF-8"),
        (b" " * (MAX_FILE_BYTES + 1), "larger than"),
        (b'"' + b'\\"' * 100_000, "not JSON"),  # an unterminated string of escaped quotes
        (b"", "not JSON"),
        (b"NaN", "not a flock-scores-v1 file"),
        (b'{"format":"flock-scores-v1","format":"flock-scores-v1"}', "not a flock-scores-v1 file"),
        (header().replace(b'"task":1', b'"task":1,"task":1'), "file is for task (a key given twice)"),
    ],
)
def test_named_hostile_files_have_a_treatment(data, reason):
    parsed = parse(data)
    check_treatment(parsed)
    if reason is None:
        assert parsed.accepted and parsed.scores == {}
        assert parsed.rejections[0].reason == "not a finite number"
    else:
        assert not parsed.accepted
        assert reason in parsed.rejections[0].reason, parsed.rejections[0].reason


def test_strange_keys_and_floods_of_entries_stay_short_in_the_report():
    keys = ['"\\ud800"', '"' + "x" * 10_000 + '"', '"\\u0000\\n"']
    keys += [f'"k{i}"' for i in range(MAX_ENTRY_NOTES + 50)]
    parsed = parse(header(scores="{" + ",".join(f"{k}: 1" for k in keys) + f', "{M1}": 2.0}}'))
    check_treatment(parsed)
    assert parsed.accepted and parsed.scores == {M1: 2.0}
    assert parsed.rejections[-1].reason == "53 more entries dropped (not listed)"


def test_an_honest_file_still_reads_exactly():
    data = encode_scores(1, 2, V, {M1: 3.25, M2: 999.0})
    assert parse(data).scores == {M1: 3.25, M2: 999.0}


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from([M1, M2, M1.upper(), "task", "epoch", "scores", "format"]),
)
json_values = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.just(M1), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def hostile_files(draw) -> bytes:
    """Bytes of every kind: random bytes, random JSON, a real header with a random part replaced
    or a random scores object, deep nests, and mutations (cuts, inserts) of honest files."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.binary(max_size=300))
    if kind == 1:
        return json.dumps(draw(json_values)).encode()
    if kind == 2:
        field = draw(st.sampled_from(["task", "epoch", "validator", "scores"]))
        text = json.dumps(draw(json_values))
        return header(**{field: text})
    if kind == 3:
        keys = st.sampled_from([M1, M2, M1.upper(), "0xzz", ""])
        scores = draw(st.dictionaries(keys, json_values, max_size=4))
        return header(scores=json.dumps(scores))
    if kind == 4:
        depth = draw(st.integers(1, 3_000))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}"), (b"[{", b"}]")]))
        return opener * depth + b"1" + closer * depth
    honest = encode_scores(1, 2, V, {M1: 1.5, M2: 2.5})
    at = draw(st.integers(0, len(honest)))
    return honest[:at] + draw(st.binary(max_size=20)) + honest[at + draw(st.integers(0, 10)) :]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_files())
def test_fuzz_any_bytes_end_as_a_treatment(data):
    check_treatment(parse(data))


def test_deep_nesting_cannot_crash_an_interpreter_with_a_huge_recursion_limit():
    """Inside the ape CLI, the old parser took the 130 KB file into C recursion and the process died
    (segmentation fault). Here a fresh interpreter with the recursion limit raised reads it."""
    code = (
        "import sys; sys.setrecursionlimit(10**6)\n"
        "from flock.oracle.scorefile import parse_scores\n"
        f"data = b'[' * 200_000 + b'{{\"a\":' * 200_000\n"
        f"p = parse_scores(data, validator='{V}', task=1, epoch=2, commitment=None, submissions=set())\n"
        "print(p.accepted, p.rejections[0].reason)\n"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("False more than")
