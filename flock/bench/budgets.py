"""Budgets for benchmark keys, with the anchors they were set against (see docs/gas.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    limit: float
    kind: str  # "max": result <= limit; "min": result >= limit
    anchor: str = ""

    def met(self, value: float) -> bool:
        return value <= self.limit if self.kind == "max" else value >= self.limit


BUDGETS: dict[str, Budget] = {
    "gas.gm_lock_first": Budget(
        175_000,
        "max",
        "Synthetix StakingRewards first stake 130,347 (no votes); OpenZeppelin first delegate() 95,450; "
        "a plain OpenZeppelin ERC20Votes lock with a two-slot record 243,181",
    ),
    "gas.gm_slash_50_locks_vs_1": Budget(1.02, "max", "slashing is O(1) in the number of locks"),
    "fuzz.tx_per_second": Budget(500, "min", "ape through anvil: about 25 tx/s"),
}
