"""Gas estimates that hold: every transaction sent through ape is given exactly the gas
``eth_estimateGas`` returns against the latest block, then mined in a later block at a later
timestamp, as a wallet on Base (2-second blocks) does with no margin.

Used by the estimate sweep (tests/e2e/test_gas_estimates.py): inside :func:`estimate_then_later`
every ape transaction is prepared that way, and each is recorded (contract, function, estimate, gas
used) so the test can check which user and operator functions it exercised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_utils import function_abi_to_4byte_selector

from flock.abi import ABI_DIR

GAP_SECONDS = 2  # one Base block later


@dataclass
class Sent:
    contract: str
    function: str
    estimate: int
    estimated_at: int  # timestamp of the block the estimate ran against
    gas_used: int = 0
    status: int = -1


@dataclass
class EstimateLog:
    """What the sweep sent: one entry per transaction."""

    sent: list[Sent] = field(default_factory=list)
    selectors: dict[bytes, tuple[str, str]] = field(default_factory=dict)
    addresses: dict[str, str] = field(default_factory=dict)  # lower-case address -> contract name

    def functions(self) -> set[str]:
        return {f"{s.contract}.{s.function}" for s in self.sent}


def selector_table() -> dict[bytes, tuple[str, str]]:
    """4-byte selector -> (contract, function) from the published ABIs (abi/)."""
    table: dict[bytes, tuple[str, str]] = {}
    for path in sorted(ABI_DIR.glob("*.json")):
        for item in json.loads(path.read_text()):
            if item["type"] == "function":
                table.setdefault(function_abi_to_4byte_selector(item), (path.stem, item["name"]))
    return table


def _identify(log: EstimateLog, to: str | None, data: bytes) -> tuple[str, str]:
    if to is None:
        return ("<create>", "constructor")
    contract, function = log.selectors.get(bytes(data[:4]), ("?", data[:4].hex()))
    return (log.addresses.get(to.lower(), contract), function)


@contextmanager
def estimate_then_later(provider: Any, addresses: dict[str, str] | None = None) -> Iterator[EstimateLog]:
    """Within the block, ape prepares each transaction with ``gas = eth_estimateGas(tx, "latest")``
    and the next block is stamped GAP_SECONDS after the latest one."""
    log = EstimateLog(
        selectors=selector_table(), addresses={a.lower(): n for a, n in (addresses or {}).items()}
    )
    cls = type(provider)
    original = cls.prepare_transaction

    def prepare(self: Any, txn: Any, *args: Any, **kwargs: Any) -> Any:
        txn = original(self, txn, *args, **kwargs)
        request = {"from": txn.sender, "data": bytes(txn.data), "value": txn.value}
        if txn.receiver:
            request["to"] = txn.receiver
        try:
            estimate = self.web3.eth.estimate_gas(request, "latest")
        except Exception:  # a transaction that reverts: ape reports it when sent
            return txn
        head = self.web3.eth.get_block("latest")["timestamp"]
        txn.gas_limit = estimate
        self.make_request("evm_setNextBlockTimestamp", [head + GAP_SECONDS])
        contract, function = _identify(log, txn.receiver, bytes(txn.data))
        log.sent.append(Sent(contract, function, estimate, head))
        return txn

    original_send = cls.send_transaction

    def send(self: Any, txn: Any, *args: Any, **kwargs: Any) -> Any:
        receipt = original_send(self, txn, *args, **kwargs)
        if log.sent and log.sent[-1].status == -1:
            log.sent[-1].gas_used, log.sent[-1].status = receipt.gas_used, int(receipt.status)
        return receipt

    cls.prepare_transaction, cls.send_transaction = prepare, send
    try:
        yield log
    finally:
        cls.prepare_transaction, cls.send_transaction = original, original_send
