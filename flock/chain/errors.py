"""Reverts named from the published ABIs: ape names a custom error only from the called contract's
compiled ABI, so an error raised by a module the contract delegates to (AllianceRounds' settlement
module) reaches the user as a bare selector (``custom error 0x091a9a95: 0000...``). The published
ABIs (abi/*.json, written by `make compile`) list every error, the modules' too."""

from __future__ import annotations

import json
import re
from functools import cache

from eth_abi.exceptions import DecodingError

from flock.chain.codec import AbiRegistry
from flock.chain.manifest import ABI_FOLDER
from flock.errors import describe_decoded, describe_error
from flock.paths import PROJECT_ROOT

# How a node words a revert whose selector the caller's ABI lacks (anvil: no 0x before the data).
_RAW_ERROR = re.compile(r"custom error 0x([0-9a-fA-F]{8})[:\s]*(?:0x)?([0-9a-fA-F]*)")


@cache
def published_errors() -> AbiRegistry:
    """Every error of the published ABIs, by selector."""
    registry = AbiRegistry()
    for path in sorted((PROJECT_ROOT / ABI_FOLDER).glob("*.json")):
        registry.add(json.loads(path.read_text()))
    return registry


def name_raw_error(text: str) -> str | None:
    """The bare selector in ``text`` named with its arguments in words; None when the text holds
    none, or no published ABI knows it, or its data is cut short."""
    found = _RAW_ERROR.search(text)
    if found is None or len(found.group(2)) % 2:
        return None
    try:
        error = published_errors().decode_error(bytes.fromhex(found.group(1) + found.group(2)))
    except DecodingError:
        return None
    if error.name in ("Unknown", "EmptyRevert"):
        return None
    return describe_decoded(error.name, error.args)


def describe_revert(err: Exception) -> str:
    """One line for a failed call or transaction: :func:`flock.errors.describe_error`, with a bare
    selector named from the published ABIs."""
    return name_raw_error(str(err)) or describe_error(err)
