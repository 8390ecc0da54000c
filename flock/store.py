"""A content-addressed folder: files named by the keccak256 of their bytes.

Model artifacts and validator score files live off-chain in such a store; the chain holds their
hashes. ``put`` writes atomically (a temp file renamed into place), ``get`` checks the bytes against
the name, so a corrupted or substituted file is never served.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from eth_hash.auto import keccak

from flock.files import atomic_write_bytes


class StoreError(RuntimeError):
    """A file is missing or does not match its name."""


class ContentSource(Protocol):
    """Where the oracle and validators fetch artifacts and score files from, by hash."""

    def get(self, digest: str) -> bytes | None: ...


def digest_of(data: bytes) -> str:
    return "0x" + keccak(data).hex()


class ContentStore:
    """A folder of ``<0x-hash>`` files; also a ``ContentSource``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        name = digest.lower()
        if not (name.startswith("0x") and len(name) == 66 and all(c in "0123456789abcdef" for c in name[2:])):
            raise StoreError(f"not a keccak256 digest: {digest!r}")
        return self.root / name

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        atomic_write_bytes(path, data)
        return digest

    def get(self, digest: str) -> bytes | None:
        path = self._path(digest)
        if not path.is_file():
            return None
        data = path.read_bytes()
        if digest_of(data) != digest.lower():
            raise StoreError(f"{path} does not hash to its name: the store is corrupted")
        return data

    def uri(self, digest: str) -> str:
        return self._path(digest).resolve().as_uri()
