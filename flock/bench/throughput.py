"""Throughput of the property-test harness: transactions per second through full stateful runs of
the gmFLOCK machine (``fuzz.staking_tx_per_second``) and of the whole-system machine
(``fuzz.tx_per_second``, every contract and every invariant of docs/invariants.md): information
only, since an absolute rate on a shared machine measures the neighbours as much as the code.

What is judged is a ratio measured in one run: ``fuzz.vs_anvil``, the same derandomized
whole-system sequence through the harness and through ape's connection to anvil
(``flock.harness.anvil``), transactions per second of each."""

from __future__ import annotations

import gc
import time
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from flock.bench.registry import Results, benchmark
from flock.harness.anvil import AnvilChain, ape_request, borrowed
from flock.harness.evm import Chain
from flock.testing.machine import ProtocolMachine
from flock.testing.staking_machine import StakingMachine
from flock.testing.system_machine import N_ACCOUNTS, SystemMachine

# The sequence both backends run for fuzz.vs_anvil: small, because on anvil every view of every
# invariant check is a request (about 5 ms) and the whole-system invariants read hundreds a step.
# The harness runs it several times and keeps its fastest run: a fraction of a second is easily
# stretched by a neighbour, where anvil's ten seconds average the noise out.
VS_ANVIL_EXAMPLES, VS_ANVIL_STEPS, VS_ANVIL_HARNESS_RUNS = 2, 8, 5


def _run(
    machine: type[ProtocolMachine], examples: int, steps: int, repeats: int = 1
) -> tuple[int, float, Any]:
    """Deploys ``machine``'s system (a warm-up example, not timed), then runs ``examples`` x up to
    ``steps`` derandomized steps, ``repeats`` times; returns the transactions one run sent to the
    EVM (reverting ones included), the wall time of the fastest run (the one the neighbours
    disturbed least) and the chain. Rules, invariant checks and Hypothesis itself count."""
    machine.forget_deployment()
    run_state_machine_as_test(
        machine, settings=settings(max_examples=1, stateful_step_count=5, database=None, deadline=None)
    )
    chain = machine.deployment().chain
    # The objects earlier benchmarks left behind (ape's contract caches, receipts) would be walked
    # by every full garbage collection of the run: park them, so the figure is the harness's own.
    gc.collect()
    gc.freeze()
    runs: list[tuple[int, float]] = []
    for _ in range(repeats):
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
        runs.append((chain.tx_count - start_tx, time.perf_counter() - start))
    gc.unfreeze()
    return runs[0][0], min(elapsed for _, elapsed in runs), chain


@benchmark("fuzz_staking", needs_chain=False)
def fuzz_staking_throughput() -> Results:
    """The gmFLOCK state machine: transactions sent divided by the wall time."""
    txs, elapsed, _ = _run(StakingMachine, 100, 50)
    return {"fuzz.staking_tx_per_second": round(txs / elapsed, 1), "fuzz.staking_transactions": txs}


@benchmark("fuzz", needs_chain=False)
def fuzz_system_throughput() -> Results:
    """The whole-system state machine (every part's rules, governance, time jumps, INV-01..14, INV-18
    and INV-20 after every step): transactions sent divided by the wall time, and the steps it took."""
    checks = SystemMachine.checks
    txs, elapsed, _ = _run(SystemMachine, 100, 40)
    steps = SystemMachine.checks - checks
    return {
        "fuzz.tx_per_second": round(txs / elapsed, 1),
        "fuzz.transactions": txs,
        "fuzz.steps": steps,
        "fuzz.steps_per_second": round(steps / elapsed, 1),
    }


def _system_machine_on(new_chain: Any) -> type[SystemMachine]:
    """``SystemMachine`` deployed on the chain ``new_chain()`` makes (its own deployment and snapshot)."""
    return type(
        "SystemMachineOn",
        (SystemMachine,),
        {"new_chain": classmethod(lambda cls: new_chain()), "__module__": __name__},
    )


@benchmark("vs_anvil", needs_chain=True)
def fuzz_vs_anvil() -> Results:
    """One derandomized whole-system sequence on anvil (through ape's connection) and on the
    harness, both starting at anvil's clock; the harness's rate over anvil's. anvil's state is put
    back afterwards (its base fee and impersonation settings too), so later benchmarks see nothing."""
    request = ape_request()
    with borrowed(request):
        anvil_txs, anvil_seconds, anvil_chain = _run(
            _system_machine_on(lambda: AnvilChain(request, n_accounts=N_ACCOUNTS)),
            VS_ANVIL_EXAMPLES,
            VS_ANVIL_STEPS,
        )
        start = anvil_chain.start_time
    harness_txs, harness_seconds, _ = _run(
        _system_machine_on(lambda: Chain(n_accounts=N_ACCOUNTS, timestamp=start)),
        VS_ANVIL_EXAMPLES,
        VS_ANVIL_STEPS,
        repeats=VS_ANVIL_HARNESS_RUNS,
    )
    harness_rate, anvil_rate = harness_txs / harness_seconds, anvil_txs / anvil_seconds
    return {
        "fuzz.vs_anvil": round(harness_rate / anvil_rate, 1),
        "fuzz.vs_anvil_harness_tx_per_second": round(harness_rate, 1),
        "fuzz.vs_anvil_anvil_tx_per_second": round(anvil_rate, 1),
        "fuzz.vs_anvil_transactions": harness_txs,
        "fuzz.vs_anvil_anvil_transactions": anvil_txs,
    }
