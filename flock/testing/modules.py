"""The delegatecall modules (TaskLifecycle under TaskRegistry, AllianceSettlement under
AllianceRounds), reached directly: where their host's implementation created them, a call of
each of their external functions with zero arguments, and the check that every such call is refused
(a module runs only inside its host)."""

from __future__ import annotations

from typing import Any

from flock import artifacts
from flock.chain.codec import types_of
from flock.chain.create import create_address
from flock.harness.evm import Contract
from flock.harness.system import System

ZERO_ADDRESS = "0x" + "00" * 20


def module_of(system: System, host: str, module: str) -> Contract:
    """``module`` as deployed by the constructor of ``host``'s implementation (its first CREATE)."""
    address = create_address(system.implementations[host].address, 1)
    return Contract(system.chain, address, artifacts.load()[module].abi, module)


def zero_value(entry: dict[str, Any]) -> Any:
    """The zero of an ABI input: 0, false, the zero address or word, an empty array or bytes."""
    kind = entry["type"]
    if kind.endswith("]"):
        return []
    if kind == "tuple":
        return tuple(zero_value(c) for c in entry["components"])
    if kind == "address":
        return ZERO_ADDRESS
    if kind == "bool":
        return False
    if kind == "string":
        return ""
    if kind == "bytes":
        return b""
    if kind.startswith("bytes"):
        return b"\x00" * int(kind[5:])
    return 0


def external_calls(name: str) -> list[tuple[str, tuple[Any, ...]]]:
    """Every state-changing function of contract ``name``'s ABI as (signature, zero arguments)."""
    calls = []
    for entry in artifacts.load()[name].abi:
        if entry.get("type") == "function" and entry.get("stateMutability") not in ("view", "pure"):
            signature = f"{entry['name']}({','.join(types_of(entry['inputs']))})"
            calls.append((signature, tuple(zero_value(i) for i in entry["inputs"])))
    return calls


def assert_direct_calls_refused(system: System, host: str, module: str, error: str) -> set[str]:
    """Calls every state-changing function of ``module`` (created by ``host``'s implementation)
    directly, from the admin and from a stranger, and asserts each reverts with ``error``; returns
    the signatures called."""
    contract = module_of(system, host, module)
    assert system.chain.evm.get_code(contract.address)  # the host's implementation created it here
    calls = external_calls(module)
    for signature, args in calls:
        for sender in (system.admin, system.chain.accounts[5]):
            with system.chain.reverts(error):
                contract[signature](*args, sender=sender)
    return {signature for signature, _ in calls}
