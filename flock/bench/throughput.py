"""Throughput of the property-test harness: transactions per second through a full stateful run."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from flock.bench.registry import Results, benchmark
from flock.testing.staking_machine import StakingMachine


@benchmark("fuzz", needs_chain=False)
def fuzz_throughput() -> Results:
    """Runs the gmFLOCK state machine (rules, invariant checks and Hypothesis itself included) and
    divides the transactions it sent by the wall time."""
    StakingMachine._base.clear()
    run_state_machine_as_test(StakingMachine, settings=settings(max_examples=1, stateful_step_count=5))
    chain = StakingMachine._base[0].chain
    start_tx, start = chain.tx_count, time.perf_counter()
    run_state_machine_as_test(
        StakingMachine,
        settings=settings(
            max_examples=100,
            stateful_step_count=50,
            deadline=None,
            database=None,
            derandomize=True,  # the same sequence every run, so figures compare
            suppress_health_check=list(HealthCheck),
        ),
    )
    elapsed = time.perf_counter() - start
    txs = chain.tx_count - start_tx
    return {"fuzz.tx_per_second": round(txs / elapsed, 1), "fuzz.transactions": txs}
