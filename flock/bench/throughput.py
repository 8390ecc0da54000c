"""Throughput of the property-test harness: transactions per second through full stateful runs of
the gmFLOCK machine (``fuzz.staking_tx_per_second``) and of the whole-system machine
(``fuzz.tx_per_second``, every contract and every invariant of docs/invariants.md)."""

from __future__ import annotations

import gc
import time
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from flock.bench.registry import Results, benchmark
from flock.testing.staking_machine import StakingMachine
from flock.testing.system_machine import SystemMachine


def _run(machine: type[RuleBasedStateMachine], examples: int, steps: int) -> tuple[int, float, Any]:
    """Deploys ``machine``'s system (a warm-up example, not timed), then runs ``examples`` x up to
    ``steps`` derandomized steps; returns the transactions sent to the EVM (reverting ones
    included), the wall time and the chain. Rules, invariant checks and Hypothesis itself count."""
    base: list[Any] = machine._base  # type: ignore[attr-defined]
    base.clear()
    run_state_machine_as_test(
        machine, settings=settings(max_examples=1, stateful_step_count=5, database=None, deadline=None)
    )
    chain = base[0].chain
    # The objects earlier benchmarks left behind (ape's contract caches, receipts) would be walked
    # by every full garbage collection of the run: park them, so the figure is the harness's own.
    gc.collect()
    gc.freeze()
    start_tx, start = chain.tx_count, time.perf_counter()
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            derandomize=True,  # the same sequence every run, so figures compare
            suppress_health_check=list(HealthCheck),
        ),
    )
    elapsed = time.perf_counter() - start
    gc.unfreeze()
    return chain.tx_count - start_tx, elapsed, chain


@benchmark("fuzz_staking", needs_chain=False)
def fuzz_staking_throughput() -> Results:
    """The gmFLOCK state machine: transactions sent divided by the wall time."""
    txs, elapsed, _ = _run(StakingMachine, 100, 50)
    return {"fuzz.staking_tx_per_second": round(txs / elapsed, 1), "fuzz.staking_transactions": txs}


@benchmark("fuzz", needs_chain=False)
def fuzz_system_throughput() -> Results:
    """The whole-system state machine (every part's rules, governance, time jumps, INV-01..14, INV-17
    and INV-19 after every step): transactions sent divided by the wall time, and the steps it took."""
    checks = SystemMachine.checks
    txs, elapsed, _ = _run(SystemMachine, 100, 40)
    steps = SystemMachine.checks - checks
    return {
        "fuzz.tx_per_second": round(txs / elapsed, 1),
        "fuzz.transactions": txs,
        "fuzz.steps": steps,
        "fuzz.steps_per_second": round(steps / elapsed, 1),
    }
