"""Errors in words: one line for a failed call, a contract's custom error by name with its arguments
read as a person would (enums by name, times as UTC dates, token amounts in FLOCK). The command lines
(``flock.cli``) and the DAO's simulation report use it alike."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any

from flock.units import format_token, human_duration, utc


def _enum_types() -> dict[str, type[IntEnum]]:
    """The contracts' enums by their qualified Solidity name (``enum IApiCredits.Status`` ->
    UsageStatus): three interfaces declare a ``Status`` and two a ``Phase``, each its own."""
    from flock.rewards import Offence, Phase, SlashStatus, Status, UsageStatus
    from flock.tasks import LockStatus, Role, TaskKind, TaskState

    return {
        "ITaskRegistry.Role": Role,
        "ITaskRegistry.TaskKind": TaskKind,
        "ITaskRegistry.TaskState": TaskState,
        "IGmFlock.LockStatus": LockStatus,
        "IArenaSubmissions.Phase": Phase,
        "IRewardDistributor.Status": Status,
        "IArenaSlasher.Status": SlashStatus,
        "IArenaSlasher.Offence": Offence,
        "IApiCredits.Status": UsageStatus,
    }


_TIME_NAME = re.compile(r"(at|end|time|deadline|start|expiry|until|allowed|from)$", re.IGNORECASE)
_DURATION_NAME = re.compile(r"(duration|window|period|cooldown)$", re.IGNORECASE)
_AMOUNT_NAME = re.compile(r"(amount|stake|balance|total|available|requested|allocated|gm|flock)", re.I)


def _readable(value: Any, name: str = "", internal_type: str = "") -> str:
    """An error argument in words: enums by name, times as UTC dates, token amounts in FLOCK."""
    if isinstance(value, bytes):
        text = value.rstrip(b"\0")
        if text and all(32 <= c < 127 for c in text):
            return text.decode()
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool):
        if internal_type.startswith("enum "):
            enum = _enum_types().get(internal_type.removeprefix("enum "))
            if enum is not None and value in enum._value2member_map_:
                return enum(value).name.lower()
        if _TIME_NAME.search(name) and 1_000_000_000 <= value < 10_000_000_000:
            return utc(value)
        if _DURATION_NAME.search(name) and value >= 60:
            return human_duration(value)
        if _AMOUNT_NAME.search(name) and value >= 10**12:
            return f"{format_token(value)} FLOCK"
    return str(value)


def describe_decoded(name: str, args: dict[str, Any]) -> str:
    """A decoded custom error in words, as :func:`describe_error` writes one."""
    return f"{name}({', '.join(f'{k}={_readable(v, k)}' for k, v in args.items())})"


def describe_error(err: Exception) -> str:
    """One line for an error: a contract's custom error by name with its arguments in words
    (``SubmissionsWrongRole(taskId=1, account=0x.., role=validator, required=node)``), else the
    first line of its message (never a call trace)."""
    from ape.exceptions import CustomError

    if isinstance(err, CustomError):
        types = {i.name: (i.internal_type or "") for i in getattr(err.abi, "inputs", [])}
        args = ", ".join(f"{k}={_readable(v, k, types.get(k, ''))}" for k, v in err.inputs.items())
        return f"{err.name}({args})"
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
