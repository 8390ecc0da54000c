"""Human units in configuration files: token amounts, durations, fractions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

WAD = 10**18
_DURATION_UNITS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "y": 365 * 86400, "year": 365 * 86400, "years": 365 * 86400,
}  # fmt: skip
_DURATION_RE = re.compile(r"^\s*([0-9_]+(?:\.[0-9]+)?)\s*([a-z]+)?\s*$")
DAY = 86400


def parse_duration(value: int | str) -> int:
    """Seconds from ``3600``, ``"30 days"``, ``"12h"`` or ``"1 year"`` (365 days)."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative duration: {value}")
        return value
    match = _DURATION_RE.match(str(value).lower())
    if not match or (match.group(2) and match.group(2) not in _DURATION_UNITS):
        raise ValueError(f"not a duration: {value!r} (try '30 days', '12h' or seconds)")
    seconds = Decimal(match.group(1).replace("_", "")) * _DURATION_UNITS[match.group(2) or "s"]
    if seconds != seconds.to_integral_value():
        raise ValueError(f"duration {value!r} is not a whole number of seconds")
    return int(seconds)


def to_wei(value: int | float | str | Decimal, decimals: int = 18) -> int:
    """Integer base units from a token amount such as ``1_000_000`` or ``"2.5"``."""
    try:
        amount = Decimal(str(value).replace("_", ""))
    except InvalidOperation as err:
        raise ValueError(f"not an amount: {value!r}") from err
    wei = amount * (Decimal(10) ** decimals)
    if wei != wei.to_integral_value():
        raise ValueError(f"{value!r} has more than {decimals} decimals")
    if wei < 0:
        raise ValueError(f"negative amount: {value!r}")
    return int(wei)


def to_wad(value: int | float | str | Decimal) -> int:
    """A fixed-point number scaled by 1e18 (``2.19`` -> 2_190_000_000_000_000_000)."""
    return to_wei(value, 18)


def format_token(wei: int, decimals: int = 18, places: int = 2) -> str:
    """``1234.57`` for 1234.5678e18 wei, with thousands separators."""
    return f"{Decimal(wei) / (Decimal(10) ** decimals):,.{places}f}"


def format_duration(seconds: int) -> str:
    if seconds % DAY == 0:
        days = seconds // DAY
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{seconds} s"


def human_duration(seconds: int) -> str:
    """``2 d 3 h``, ``45 min``, ``30 s``: the two largest units."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def utc(timestamp: int) -> str:
    """``2026-12-08 14:00 UTC`` for a unix time."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")


def relative_time(timestamp: int, now: int) -> str:
    """``in 2 d 3 h, at 2026-12-08 14:00 UTC`` or ``3 h ago, at 2026-12-06 11:00 UTC``."""
    delta = int(timestamp) - int(now)
    ago = f"in {human_duration(delta)}" if delta >= 0 else f"{human_duration(-delta)} ago"
    return f"{ago}, at {utc(timestamp)}"
