"""In-process EVM harness (pyrevm) for property tests and throughput benchmarks."""

from flock.harness.evm import GENESIS_TIME, Chain, Contract, Receipt, Reverted

__all__ = ["GENESIS_TIME", "Chain", "Contract", "Receipt", "Reverted"]
