"""Validator score files: the format, how each one is read, and what happens to bad entries.

A score file is JSON, committed on-chain by its keccak256 hash before it is revealed::

    {"format": "flock-scores-v1", "task": 1, "epoch": 3, "validator": "0xAbC...",
     "scores": {"0x<model hash>": 3.2104, ...}}

Scores are bits per character (lower is better; 999 marks a model the validator could not run).
Reading a file never raises for bad content: the file or the entry is set aside with a reason, and
the reasons go into the oracle's report.

| what | outcome |
|---|---|
| file bytes do not hash to the revealed commitment | file rejected: the validator counts as not revealed |
| not JSON, wrong format, or task / epoch / validator differ from the commitment | file rejected |
| a model hash that appears twice | that model's entry dropped (ambiguous) |
| a model hash that is not a submission of this task and epoch | entry dropped |
| NaN, +/-Infinity, a negative number, or not a number | entry dropped |
| a score above 999 | clamped to 999 (an invalid model) |
| a submission the file does not score | missing: lowers the validator's coverage |
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from eth_hash.auto import keccak

FORMAT = "flock-scores-v1"
MAX_SCORE = 999.0


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


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        out[key] = _Duplicate if key in out else value
    return out


def _reject_file(validator: str, reason: str) -> ParsedScores:
    return ParsedScores(validator, {}, [Rejection(validator, None, reason)], accepted=False)


def parse_scores(
    data: bytes | None,
    *,
    validator: str,
    task: int,
    epoch: int,
    commitment: bytes | None,
    submissions: set[str],
) -> ParsedScores:
    """Reads one validator's revealed file against its commitment and this epoch's submissions."""
    if data is None:
        return _reject_file(validator, "no score file found for the revealed hash")
    if commitment is not None and file_hash(data) != commitment:
        return _reject_file(validator, "file does not match the revealed hash")
    try:
        payload = json.loads(data, object_pairs_hook=_pairs)
    except (ValueError, UnicodeDecodeError) as err:
        return _reject_file(validator, f"not JSON: {err}")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return _reject_file(validator, f"not a {FORMAT} file")
    if payload.get("task") != task or payload.get("epoch") != epoch:
        return _reject_file(validator, f"file is for task {payload.get('task')} epoch {payload.get('epoch')}")
    if str(payload.get("validator", "")).lower() != validator.lower():
        return _reject_file(validator, f"file is signed for {payload.get('validator')}")
    raw = payload.get("scores")
    if not isinstance(raw, dict):
        return _reject_file(validator, "no scores object")

    parsed = ParsedScores(validator)
    lowered: dict[str, Any] = {}
    for model, value in raw.items():
        key = model.lower()
        lowered[key] = _Duplicate if key in lowered or value is _Duplicate else value
    for model in sorted(lowered):
        value = lowered[model]
        # The common case first: a float in [0, 999] for a submitted model (NaN fails the comparison).
        if type(value) is float and 0.0 <= value <= MAX_SCORE and model in submissions:
            parsed.scores[model] = value
            continue
        reason = None
        if value is _Duplicate:
            reason = "scored more than once"
        elif model not in submissions:
            reason = "not a submission of this task and epoch"
        elif isinstance(value, bool) or not isinstance(value, int | float):
            reason = "not a number"
        elif not math.isfinite(value):
            reason = "not a finite number"
        elif value < 0:
            reason = "negative"
        if reason:
            parsed.rejections.append(Rejection(validator, model, reason))
            continue
        if value > MAX_SCORE:
            parsed.rejections.append(Rejection(validator, model, f"above {MAX_SCORE:g}: clamped"))
            value = MAX_SCORE
        parsed.scores[model] = float(value)
    return parsed
