"""A chain stand-in for gateway tests that need no chain: one priced model, keys and credit."""

from __future__ import annotations

from dataclasses import dataclass

from flock.gateway.chain import Winner
from flock.models.ngram import NGramModel
from flock.store import digest_of


@dataclass
class FakeLedger:
    keys: set[tuple[str, bytes]]
    credit: dict[str, int]
    winner: Winner
    price_wei: int = 1_000

    def is_key(self, owner: str, key_hash: bytes) -> bool:
        return (owner.lower(), key_hash) in self.keys

    def spendable(self, owner: str) -> int:
        return self.credit.get(owner.lower(), 0)

    def price(self, task: int) -> int:
        return self.price_wei

    def current_epoch(self) -> int:
        return 5

    def winners(self) -> list[Winner]:
        return [self.winner]


class Content(dict):
    """A content source in memory."""

    def get(self, digest: str) -> bytes | None:  # type: ignore[override]
        return super().get(digest)


def small_model() -> tuple[bytes, str]:
    artifact = NGramModel.train("the quick brown fox jumps over the lazy dog " * 20, order=3).to_bytes()
    return artifact, digest_of(artifact)
