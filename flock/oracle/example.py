"""The worked example of docs/oracle.md: three nodes (one with a delegator), three validators (one
lazy). Tests check the doc's numbers against what the oracle computes from it."""

from __future__ import annotations

from flock.oracle.scorefile import ParsedScores
from flock.oracle.scoring import EpochInputs, Stake

N1, N2, N3 = ("0x" + c * 20 for c in ("a1", "a2", "a3"))
V1, V2, V3 = ("0x" + c * 20 for c in ("b1", "b2", "b3"))
D1 = "0x" + "c1" * 20
M1, M2, M3 = "0x01", "0x02", "0x03"


def example() -> EpochInputs:
    return EpochInputs(
        task=1,
        epoch=1,
        node_budget=1_000_000,
        validator_budget=500_000,
        nodes={N1: Stake(100), N2: Stake(100, ((D1, 100),), 2_000), N3: Stake(200)},
        validators={V1: Stake(300), V2: Stake(100), V3: Stake(100)},
        submissions={N1: M1, N2: M2, N3: M3},
        scores={
            V1: ParsedScores(V1, {M1: 3.0, M2: 2.5, M3: 4.0}),
            V2: ParsedScores(V2, {M1: 3.2, M2: 2.4, M3: 4.2}),
            V3: ParsedScores(V3, {M1: 9.0, M2: 1.0}),  # lazy: noise, and one model missing
        },
    )
