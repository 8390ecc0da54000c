"""Benchmarks register here; `ape run bench` runs them all and reports every key.

A benchmark is a function returning flat ``{key: number}`` results (``gas.gm_lock_first``,
``fuzz.staking_tx_per_second``). Gas benchmarks run on anvil through ape (the gas a user would pay);
throughput benchmarks run in-process. Budgets and the anchors they were set against live beside the
keys in ``flock.bench.budgets``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

Results = dict[str, float]


@dataclass(frozen=True)
class Benchmark:
    name: str
    needs_chain: bool  # True: runs on the connected ape network (anvil)
    run: Callable[[], Results]


BENCHMARKS: list[Benchmark] = []


def benchmark(name: str, *, needs_chain: bool) -> Callable[[Callable[[], Results]], Callable[[], Results]]:
    """Registers a benchmark function under ``name``."""

    def register(fn: Callable[[], Results]) -> Callable[[], Results]:
        BENCHMARKS.append(Benchmark(name, needs_chain, fn))
        return fn

    return register


# In this order: each registers itself on import. The reward benchmarks come last because they move
# the shared anvil's clock by weeks, and some gas figures of the others depend on the timestamp.
MODULES = (
    "gas_alliance",
    "gas_governance",
    "gas_staking",
    "gas_tasks",
    "throughput",
    "api",
    "gas_rewards",
    "oracle",
)


def load_all() -> list[Benchmark]:
    """Imports every benchmark module so that each registers itself."""
    for name in MODULES:
        importlib.import_module(f"flock.bench.{name}")
    return BENCHMARKS
