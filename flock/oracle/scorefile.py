"""Validator score files: the format, how each one is read, and what happens to bad entries.

A score file is JSON, committed on-chain by its keccak256 hash before it is revealed::

    {"format": "flock-scores-v1", "task": 1, "epoch": 3, "validator": "0xAbC...",
     "scores": {"0x<model hash>": 3.2104, ...}}

Scores are bits per character (lower is better; 999 marks a model the validator could not run).
Reading a file never raises, whatever its bytes: the file or the entry is set aside with a reason,
and the reasons go into the oracle's report. The limits are checked on the raw bytes, before any
JSON parsing, so no file can exhaust the parser's recursion or memory (docs/oracle.md, section 2).

| what | outcome |
|---|---|
| file bytes do not hash to the revealed commitment | file rejected: the validator counts as not revealed |
| larger than MAX_FILE_BYTES (4 MiB) | file rejected |
| not UTF-8, or starts with a byte-order mark | file rejected |
| over MAX_CONTAINERS (1,000) objects and arrays, or nested over MAX_DEPTH (8) | file rejected, unparsed |
| not JSON (an integer of more than 4,300 digits included) | file rejected |
| not an object, wrong format, no scores object | file rejected |
| task / epoch not integers (true, 1.0 and "1" are not 1) or not the commitment's | file rejected |
| validator not a string, or not the committer | file rejected |
| a model hash that appears twice (in any letter case) | that model's entry dropped (ambiguous) |
| a model hash that is not a submission of this task and epoch | entry dropped |
| NaN, +/-Infinity, a number beyond float range (10**400), negative, or not a number | entry dropped |
| a score above 999 | clamped to 999 (an invalid model) |
| a submission the file does not score | missing: lowers the validator's coverage |
| more than MAX_ENTRY_NOTES dropped entries | the first ones listed, the rest counted in one note |
| anything else the checks above did not foresee | file rejected ("unreadable"), never an exception |

Reasons and model names in the notes are ASCII, at most 80 characters: a file cannot put
megabytes or unprintable text into the report.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from eth_hash.auto import keccak

FORMAT = "flock-scores-v1"
MAX_SCORE = 999.0
MAX_FILE_BYTES = 4 * 1024 * 1024  # about 45,000 scored models in the canonical encoding
MAX_DEPTH = 8  # nested objects/arrays; a score file needs 2
MAX_CONTAINERS = 1_000  # objects/arrays in all; a score file needs 2
MAX_ENTRY_NOTES = 100  # dropped entries listed one by one per file; the rest are counted
MAX_NOTE_CHARS = 80
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# A whole JSON string, escapes included (possessive quantifiers: linear time on any input).
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


@dataclass(frozen=True)
class Rejection:
    validator: str
    model: str | None  # None: the whole file
    reason: str


@dataclass
class ParsedScores:
    validator: str
    scores: dict[str, float] = field(default_factory=dict)  # model hash (lower-case) -> score
    rejections: list[Rejection] = field(default_factory=list)
    accepted: bool = True


def file_hash(data: bytes) -> bytes:
    """The commitment of a score file: keccak256 of its exact bytes."""
    return keccak(data)


def encode_scores(task: int, epoch: int, validator: str, scores: dict[str, float]) -> bytes:
    """Canonical bytes of a score file (sorted keys, no spaces), as the validator client writes it."""
    payload = {
        "format": FORMAT,
        "task": task,
        "epoch": epoch,
        "validator": validator,
        "scores": {m.lower(): float(s) for m, s in sorted(scores.items())},
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=True).encode()


class _Duplicate:
    """Marks a key seen twice in one JSON object."""


class _Unreadable(Exception):
    """A whole file set aside; the message is the reason."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        out[key] = _Duplicate if key in out else value
    return out


def _parse_int(digits: str) -> int | float:
    """JSON integers: exact up to 40 digits; longer ones become floats (possibly infinite), so no
    later comparison or conversion can raise on them."""
    return int(digits) if len(digits) <= 40 else float(digits)


def _safe(value: Any) -> str:
    """Untrusted text for a note: ASCII, printable, at most MAX_NOTE_CHARS characters."""
    if value is _Duplicate:
        return "(a key given twice)"
    text = value if isinstance(value, str) else repr(value)
    if not (text.isascii() and text.isprintable()):
        text = ascii(text)[1:-1]
    return text if len(text) <= MAX_NOTE_CHARS else text[: MAX_NOTE_CHARS - 3] + "..."


def _structure(text: str) -> str:
    """The file's brackets, in order, outside strings (found without parsing, in linear time; in
    a file that is not valid JSON they may be wrong, and such a file is rejected anyway)."""
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return ""  # the common case, after two counts: too few brackets to matter
    return _NOT_BRACKET.sub("", _STRING.sub("", text))


def _depth(brackets: str) -> int:
    """The deepest nesting of a bracket sequence: each opening adds 2 and each closing 0, so the
    running sum minus one per bracket is the depth."""
    steps = brackets.encode().translate(_STEPS)
    return max((total - i for i, total in enumerate(accumulate(steps), start=1)), default=0)


def _decode(data: bytes) -> dict[str, Any]:
    """The file's JSON object, or `_Unreadable` with the reason; the limits come before parsing."""
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(f"larger than {MAX_FILE_BYTES} bytes ({len(data)})")
    if data.startswith(_BOMS):
        raise _Unreadable("starts with a byte-order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Unreadable(f"not UTF-8 (byte {err.start})") from None
    brackets = _structure(text)
    containers = brackets.count("{") + brackets.count("[")
    if containers > MAX_CONTAINERS:
        raise _Unreadable(f"more than {MAX_CONTAINERS} objects and arrays ({containers})")
    if _depth(brackets) > MAX_DEPTH:
        raise _Unreadable(f"nested deeper than {MAX_DEPTH} levels")
    try:
        payload = json.loads(text, object_pairs_hook=_pairs, parse_int=_parse_int)
    except ValueError as err:  # JSONDecodeError, and integers beyond Python's digit limit
        raise _Unreadable(f"not JSON: {_safe(str(err))}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise _Unreadable(f"not a {FORMAT} file")
    return payload


def _check_header(payload: dict[str, Any], validator: str, task: int, epoch: int) -> dict[str, Any]:
    """The scores object of a file whose header matches the commitment, else `_Unreadable`."""
    got_task, got_epoch = payload.get("task"), payload.get("epoch")
    # Exact integers only: True == 1 and 1.0 == 1 in Python, but neither is task 1.
    if type(got_task) is not int or type(got_epoch) is not int or (got_task, got_epoch) != (task, epoch):
        raise _Unreadable(f"file is for task {_safe(got_task)} epoch {_safe(got_epoch)}")
    signer = payload.get("validator")
    if not isinstance(signer, str) or signer.lower() != validator.lower():
        raise _Unreadable(f"file is signed for {_safe(signer)}")
    raw = payload.get("scores")
    if not isinstance(raw, dict):
        raise _Unreadable("no scores object")
    return raw


def _reject_file(validator: str, reason: str) -> ParsedScores:
    return ParsedScores(validator, {}, [Rejection(validator, None, reason)], accepted=False)


def _entry_problem(value: Any, model: str, submissions: set[str]) -> str | None:
    if value is _Duplicate:
        return "scored more than once"
    if model not in submissions:
        return "not a submission of this task and epoch"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if value < 0:
        return "negative"
    return None


def _read_entries(parsed: ParsedScores, raw: dict[str, Any], submissions: set[str]) -> None:
    validator = parsed.validator
    lowered: dict[str, Any] = {}
    for model, value in raw.items():
        key = model.lower()
        lowered[key] = _Duplicate if key in lowered or value is _Duplicate else value
    dropped = 0
    for model in sorted(lowered):
        value = lowered[model]
        # The common case first: a float in [0, 999] for a submitted model (NaN fails the comparison).
        if type(value) is float and 0.0 <= value <= MAX_SCORE and model in submissions:
            parsed.scores[model] = value
            continue
        reason = _entry_problem(value, model, submissions)
        if reason:
            dropped += 1
            if dropped <= MAX_ENTRY_NOTES:
                parsed.rejections.append(Rejection(validator, _safe(model), reason))
            continue
        if value > MAX_SCORE:
            parsed.rejections.append(Rejection(validator, model, f"above {MAX_SCORE:g}: clamped"))
            value = MAX_SCORE
        parsed.scores[model] = float(value)
    if dropped > MAX_ENTRY_NOTES:
        more = dropped - MAX_ENTRY_NOTES
        parsed.rejections.append(Rejection(validator, None, f"{more} more entries dropped (not listed)"))


def parse_scores(
    data: bytes | None,
    *,
    validator: str,
    task: int,
    epoch: int,
    commitment: bytes | None,
    submissions: set[str],
) -> ParsedScores:
    """Reads one validator's revealed file against its commitment and this epoch's submissions.
    Never raises: every outcome is a `ParsedScores` (docs/oracle.md lists the treatments)."""
    if data is None:
        return _reject_file(validator, "no score file found for the revealed hash")
    try:
        if commitment is not None and file_hash(data) != commitment:
            return _reject_file(validator, "file does not match the revealed hash")
        raw = _check_header(_decode(data), validator, task, epoch)
        parsed = ParsedScores(validator)
        _read_entries(parsed, raw, submissions)
        return parsed
    except _Unreadable as err:
        return _reject_file(validator, str(err))
    except Exception as err:  # a file must never stop the oracle (issue 11, attack 7)
        return _reject_file(validator, f"unreadable: {type(err).__name__}")
