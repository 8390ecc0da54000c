"""The suite's upgradeable contracts: deployed as an implementation behind an ERC-1967 proxy.

Every upgradeable contract (``UPGRADEABLE``, by plan key) is an implementation contract whose
constructor takes only what is fixed across upgrades (the addresses of the contracts it calls) and
disables its initializers, and a ``FlockProxy`` (OpenZeppelin's ``ERC1967Proxy``, unchanged) whose
constructor stores the implementation in the ERC-1967 slot and runs ``initialize(...)`` in the
proxy's context. Everything uses the proxy's address; the manifest records both
(docs/decisions.md 87-90, docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eth_abi import encode
from eth_utils import function_abi_to_4byte_selector

from flock import artifacts
from flock.chain.codec import types_of

PROXY_CONTRACT = "FlockProxy"

# The plan keys of the contracts deployed behind a proxy; everything else is immutable (FLOCK, the
# timelock, the governor; reward pots are clones, immutable per root).
UPGRADEABLE: tuple[str, ...] = (
    "gmflock",
    "emissions",
    "tasks",
    "alliance",
    "submissions",
    "rewards",
    "slasher",
    "api",
)


def implementation_key(key: str) -> str:
    """The key under which a deploy records an implementation it is sending (pending)."""
    return f"{key}:implementation"


def _function(contract: str, name: str) -> dict[str, Any]:
    for entry in artifacts.load()[contract].abi:
        if entry.get("type") == "function" and entry["name"] == name:
            return entry
    raise KeyError(f"{contract} has no function {name!r} in the build")


def calldata(contract: str, function: str, args: Sequence[Any]) -> bytes:
    """ABI-encoded call of ``contract.function(*args)`` (the function must not be overloaded)."""
    entry = _function(contract, function)
    return function_abi_to_4byte_selector(entry) + encode(types_of(entry["inputs"]), list(args))


def initialize_data(contract: str, args: Sequence[Any]) -> bytes:
    """The ``initialize(...)`` call a proxy of ``contract`` runs in its constructor."""
    return calldata(contract, "initialize", args)


View = Callable[[str], Any]  # reads a view (without arguments) of the proxy

# A new implementation's constructor arguments, read from the proxy it will serve: the values fixed
# across upgrades (docs/decisions.md 88), so a V2 is built exactly as the implementation it replaces.
_IMPLEMENTATION_ARGS: dict[str, Callable[[View], list[Any]]] = {
    "gmflock": lambda v: [v("flock")],
    "emissions": lambda v: [v("flock"), v("genesis"), v("epochLength"), *v("schedule")],
    "tasks": lambda v: [v("gmFlock"), v("emissions")],
    "alliance": lambda v: [v("registry"), v("treasury")],
    "submissions": lambda v: [v("registry"), v("emissions")],
    "rewards": lambda v: [v("emissions"), v("registry"), v("submissions")],
    "slasher": lambda v: [v("registry"), v("submissions"), v("rewards")],
    "api": lambda v: [v("rewards")],
}


def implementation_args(key: str, view: View) -> list[Any]:
    """The constructor arguments of a new implementation for ``key``'s proxy, read through
    ``view`` (a function calling the proxy's argument-less views by name)."""
    return list(_IMPLEMENTATION_ARGS[key](view))
