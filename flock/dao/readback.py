"""A contract's observable state, read through its own views, to compare before and after an upgrade
(`ape run dao simulate` of an upgrade proposal, and the Base rehearsal's live upgrade).

What is read, for one deployed contract (by plan key):

- every view without arguments (parameters, totals, counters, wiring);
- every view whose arguments are all accounts, task ids, epochs or small indexes, called with each
  combination of: the accounts that appear in the contract's own events and the deployment's
  contracts and deployer; the registry's task ids (up to ``MAX_IDS``); the last ``EPOCHS`` emission
  epochs; indexes 0 to 3 (lock, round and checkpoint positions), at most ``MAX_CALLS`` per view;
- the FLOCK the contract holds.

A view that reverts is recorded as such (the same revert after the upgrade is "unchanged"). Views
that depend on the clock (``clock()``, the current epoch or phase, what has vested) are found by
reading everything twice across an empty block before the upgrade (``baseline``) and left out of
the comparison. The read-back catches an upgrade that loses or moves state (a reordered or retyped
field reads back different values); it cannot prove that nothing unread changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak

from flock.chain.codec import types_of
from flock.dao.deployment import Deployment
from flock.deploy.verify import normalize

MAX_ACCOUNTS = 12
MAX_IDS = 16
EPOCHS = 4
MAX_CALLS = 64  # per view
MAX_PROBES = 400  # per contract
SMALL_INDEXES = (0, 1, 2, 3)
REVERTS = "(reverts)"


@dataclass(frozen=True)
class Probe:
    """One view call: ``function(*args)`` on the contract (``inputs`` and ``outputs``: ABI types)."""

    function: str
    args: tuple[Any, ...]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()

    def calldata(self) -> bytes:
        selector = keccak(text=f"{self.function}({','.join(self.inputs)})")[:4]
        return selector + encode(list(self.inputs), list(self.args))

    def __str__(self) -> str:
        shown = ", ".join(str(a) for a in self.args)
        return f"{self.function}({shown})"


@dataclass(frozen=True)
class Difference:
    probe: Probe
    before: Any
    after: Any


def _accounts(deployment: Deployment, key: str) -> list[str]:
    """Addresses the contract's own events name, then the deployment's contracts and deployer."""
    seen: dict[str, None] = {}
    contract = deployment.contract(key)
    start = max(deployment.manifest.contracts[key].block, 0)
    try:
        from ape import chain

        stop = chain.blocks.height + 1
        for event in contract.contract_type.events:
            address_fields = [i.name for i in event.inputs if i.type == "address"]
            if not address_fields:
                continue
            for log in getattr(contract, event.name).range(start, stop):
                for name in address_fields:
                    seen[str(log.event_arguments[name])] = None
    except Exception:  # a chain without logs for this range: the known addresses below still count
        pass
    for record in deployment.manifest.contracts.values():
        seen.setdefault(record.address, None)
    seen.setdefault(deployment.manifest.deployer, None)
    return list(seen)[:MAX_ACCOUNTS]


def _task_ids(deployment: Deployment) -> list[int]:
    if "tasks" not in deployment.manifest.contracts:
        return []
    return list(range(1, min(int(deployment.protocol.view("tasks", "taskCount")), MAX_IDS) + 1))


def _epochs(deployment: Deployment) -> list[int]:
    if "emissions" not in deployment.manifest.contracts:
        return []
    current = int(deployment.protocol.view("emissions", "currentEpoch"))
    return list(range(max(current - EPOCHS + 1, 0), current + 1))


def _candidates(name: str, kind: str, accounts: list[str], tasks: list[int], epochs: list[int]) -> list[Any]:
    lowered = name.lower()
    if kind == "address":
        return accounts
    if not kind.startswith("uint"):
        return []
    if "task" in lowered:
        return tasks
    if "epoch" in lowered:
        return epochs
    if lowered in ("index", "lockid", "id", "round", "pos", "position", "i", "slot") or "index" in lowered:
        return list(SMALL_INDEXES)
    return []


def probes(deployment: Deployment, key: str) -> list[Probe]:
    """Every view call the read-back makes on the contract under ``key``."""
    accounts, tasks, epochs = _accounts(deployment, key), _task_ids(deployment), _epochs(deployment)
    out: list[Probe] = []
    for entry in deployment.abi(key):
        if entry.get("type") != "function" or entry.get("stateMutability") not in ("view", "pure"):
            continue
        inputs: Sequence[dict[str, Any]] = entry.get("inputs", [])
        choices = [_candidates(i.get("name", ""), i["type"], accounts, tasks, epochs) for i in inputs]
        if any(not c for c in choices):
            continue
        combos = itertools.islice(itertools.product(*choices), MAX_CALLS)
        kinds = tuple(types_of(list(inputs))), tuple(types_of(entry.get("outputs", [])))
        out.extend(Probe(entry["name"], tuple(args), *kinds) for args in combos)
    return out[:MAX_PROBES]


def _read(deployment: Deployment, key: str, probe: Probe) -> Any:
    """A raw ``eth_call``, decoded here: no contract object, no call trace fetched for a revert."""
    from ape import chain

    call = {"to": deployment.address(key), "data": "0x" + probe.calldata().hex()}
    try:
        result = chain.provider.make_request("eth_call", [call, "latest"])
        raw = bytes.fromhex(str(result).removeprefix("0x"))
        return normalize(decode(list(probe.outputs), raw))
    except Exception:  # the view reverts for these arguments (before and after alike, if unchanged)
        return REVERTS


def snapshot(deployment: Deployment, key: str, probe_list: Iterable[Probe]) -> dict[Probe, Any]:
    """Each probe's value now, and the FLOCK the contract holds."""
    values = {p: _read(deployment, key, p) for p in probe_list}
    if "token" in deployment.manifest.contracts:
        holding = Probe("FLOCK.balanceOf", (key,))
        values[holding] = int(deployment.protocol.view("token", "balanceOf", deployment.address(key)))
    return values


def differences(before: dict[Probe, Any], after: dict[Probe, Any]) -> list[Difference]:
    return [
        Difference(p, before[p], after.get(p, REVERTS)) for p in before if before[p] != after.get(p, REVERTS)
    ]


@dataclass
class Baseline:
    """A contract's read-back before a change: its values, and the probes the clock alone moves."""

    key: str
    probes: list[Probe]
    values: dict[Probe, Any]
    volatile: set[Probe]

    def compare(self, deployment: Deployment) -> list[Difference]:
        """What changed since, among the probes the clock does not move."""
        now = snapshot(deployment, self.key, self.probes)
        stable_before = {p: v for p, v in self.values.items() if p not in self.volatile}
        return differences(stable_before, now)

    @property
    def compared(self) -> int:
        return len(self.values) - len(self.volatile)


def baselines(deployment: Deployment, keys: Sequence[str], tick: Callable[[], None]) -> list[Baseline]:
    """Reads each contract, mines an empty block (``tick``), reads again: probes whose values moved
    with the clock alone are volatile. The second reading is the baseline."""
    lists = {k: probes(deployment, k) for k in keys}
    first = {k: snapshot(deployment, k, lists[k]) for k in keys}
    tick()
    out = []
    for k in keys:
        second = snapshot(deployment, k, lists[k])
        volatile = {d.probe for d in differences(first[k], second)}
        out.append(Baseline(k, lists[k], second, volatile))
    return out
