"""API keys: ``flk_<owner address>_<secret>``. The owner registers ``keccak256(secret)`` on chain
(``ApiCredits.registerKey``); the gateway recomputes the hash from the key it receives and asks the
chain whether that owner registered it. No private key ever travels in an HTTP header, and a key is
bound to its owner: copying a registration from the mempool gives the copier nothing (keys are
keyed by the registering address)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eth_hash.auto import keccak
from eth_utils import is_hex_address, to_checksum_address

PREFIX = "flk"


class KeyFormatError(ValueError):
    """Not a FLock API key."""


@dataclass(frozen=True)
class ApiKey:
    owner: str  # checksummed address
    secret: str  # hex

    @property
    def text(self) -> str:
        return f"{PREFIX}_{self.owner}_{self.secret}"

    @property
    def key_hash(self) -> bytes:
        return secret_hash(self.secret)


def secret_hash(secret: str) -> bytes:
    """What the owner registers on chain: keccak256 of the secret's UTF-8 bytes."""
    return keccak(secret.encode())


def new_key(owner: str) -> ApiKey:
    """A fresh key for ``owner`` (register its ``key_hash`` on chain before use)."""
    return ApiKey(to_checksum_address(owner), secrets.token_hex(24))


def parse_key(text: str) -> ApiKey:
    parts = text.strip().split("_")
    if len(parts) != 3 or parts[0] != PREFIX or not is_hex_address(parts[1]) or not parts[2]:
        raise KeyFormatError("an API key looks like flk_<address>_<secret>")
    return ApiKey(to_checksum_address(parts[1]), parts[2])
