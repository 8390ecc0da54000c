"""The delegatecall modules have no access of their own (docs/governance.md, "Who may call what").

TaskRegistry and AllianceRounds each deploy a module in their implementation's constructor
(TaskLifecycle, AllianceSettlement) and delegatecall it; the module keeps no state of its own and
runs only inside its contract's storage. Called directly, every state-changing function of a module
must refuse everyone, the timelock included, before it touches anything.
"""

from __future__ import annotations

from typing import Any

import pytest

from flock import artifacts
from flock.chain.create import create_address
from flock.testing.governance import World, build_world

# (plan key of the contract, its module): the implementation creates the module as its first
# contract creation (nonce 1).
MODULES = (("tasks", "TaskLifecycle"), ("alliance", "AllianceSettlement"))
CALLERS = ("outsider", "deployer", "timelock", "slasher", "user")


def _zero(param: dict) -> Any:
    """A well-formed argument for the ABI parameter ``param`` (its zero value)."""
    kind = param["type"]
    if kind.endswith("]"):
        return []
    if kind == "tuple":
        return tuple(_zero(c) for c in param["components"])
    if kind.startswith(("uint", "int")):
        return 0
    if kind == "address":
        return "0x" + "00" * 20
    if kind == "bool":
        return False
    if kind.startswith("bytes") and kind != "bytes":
        return bytes(int(kind[5:]))
    return b"" if kind == "bytes" else ""


def _state_changing(name: str) -> list[dict]:
    return [
        e
        for e in artifacts.load()[name].abi
        if e.get("type") == "function" and e.get("stateMutability") not in ("view", "pure")
    ]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world()


@pytest.mark.parametrize(("key", "module"), MODULES)
def test_the_implementation_created_its_module(world: World, key: str, module: str) -> None:
    """The address the tests below call is the module the contract delegatecalls: the one its
    implementation created, with the module's runtime code."""
    implementation = world.system.implementations[key]
    address = create_address(implementation.address, 1)
    runtime = artifacts.load()[module].runtime
    code = bytes(world.system.chain.evm.get_code(address) or b"")[: len(runtime)]
    assert code, f"{key}'s implementation created no contract at nonce 1"
    # The module's build (its immutables aside): the same length, ending in the same CBOR metadata,
    # whose hash is the module's source's.
    metadata = runtime[-(int.from_bytes(runtime[-2:], "big") + 2) :]
    assert len(code) == len(runtime) and code.endswith(metadata)


@pytest.mark.parametrize(("key", "module"), MODULES)
def test_every_state_changing_function_of_a_module_refuses_a_direct_call(
    world: World, key: str, module: str
) -> None:
    functions = _state_changing(module)
    assert functions, f"{module} has no state-changing function"
    handle = world.system.chain.at(module, create_address(world.system.implementations[key].address, 1))
    for entry in functions:
        args = [_zero(i) for i in entry["inputs"]]
        for caller in CALLERS:
            with world.system.chain.reverts(f"{module}NotDelegated"):
                getattr(handle, entry["name"])(*args, sender=world[caller])
