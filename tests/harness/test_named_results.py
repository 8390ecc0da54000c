"""The harness returns what ape returns: a struct as a named tuple of its components
(``info.endTime``), several named outputs as a named tuple of their names, arrays of structs as
tuples of them; reads by position still work. Checked for every view of the build against ape's
own decoder, on the same return data."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from ethpm_types.abi import MethodABI

from flock import artifacts
from flock.chain.codec import Function, types_of
from flock.harness.system import deploy_system
from flock.tasks import TaskKind

# A value per elementary ABI type (integers and bytesN aside), distinct per kind, for encoding.
SAMPLES = {"address": "0x" + "11" * 20, "bool": True, "string": "text", "bytes": b"\xab\xcd"}


def _sample(param: dict[str, Any]) -> Any:
    kind = param["type"]
    if kind.endswith("]"):
        inner = {**param, "type": kind[: kind.rindex("[")]}
        size = kind[kind.rindex("[") + 1 : -1]
        return [_sample(inner)] * (int(size) if size else 2)
    if kind == "tuple":
        return tuple(_sample(c) for c in param["components"])
    if kind.startswith(("uint", "int")):
        return 7
    return SAMPLES[kind] if kind in SAMPLES else b"\x07" * int(kind[len("bytes") :])


def _shape(value: Any) -> Any:
    """Names and values of a result, whichever side decoded it: (field names, shapes) for a
    struct, a list for a sequence, bytes for bytes-like values."""
    fields = getattr(value, "_fields", None) or list(getattr(value, "__dataclass_fields__", {}))
    if fields:
        return (tuple(fields), [_shape(getattr(value, f)) for f in fields])
    if isinstance(value, list | tuple):
        return [_shape(v) for v in value]
    if isinstance(value, bytes):
        return bytes(value)
    return value


def _views() -> list[tuple[str, dict[str, Any]]]:
    views = {}
    for name, artifact in artifacts.load().artifacts.items():
        for entry in artifact.abi:
            if entry.get("type") == "function" and len(entry.get("outputs", [])) > 0:
                views[f"{name}.{entry['name']}({','.join(types_of(entry.get('inputs', [])))})"] = entry
    return sorted(views.items())


def test_every_result_has_ape_s_names_and_values() -> None:
    from ape import networks

    ethereum = networks.ethereum
    checked = structs = 0
    for label, entry in _views():
        data = encode(types_of(entry["outputs"]), [_sample(o) for o in entry["outputs"]])
        ours = Function(entry).decode_result(data)
        theirs = ethereum.decode_returndata(MethodABI.model_validate(entry), data)
        theirs = theirs[0] if len(theirs) == 1 else theirs
        assert _shape(ours) == _shape(theirs), label
        checked += 1
        structs += bool(getattr(ours, "_fields", None))
    assert checked > 300 and structs > 40  # the whole build, not a corner of it


@pytest.fixture(scope="module")
def system():
    return deploy_system()


def test_a_struct_reads_by_name_and_by_position(system) -> None:
    tasks, creator = system.tasks, system.chain.accounts[1]
    system.token.transfer(creator, 10_000 * 10**18, sender=system.treasury)
    system.token.approve(system.gmflock.address, 10_000 * 10**18, sender=creator)
    system.gmflock.lock(10_000 * 10**18, 365 * 86_400, sender=creator)
    tasks.createTask(TaskKind.ALLIANCE, 5 * 86_400, b"\x11" * 32, "ipfs://spec", 2, 3, sender=creator)
    info = tasks.taskInfo(tasks.taskCount())
    assert (info.kind, info.creator, info.maxParticipants) == (TaskKind.ALLIANCE, creator, 3)
    assert info[0] == info.kind and info[9] == info.maxParticipants and len(info) == 11
    fee = system.gmflock.withdrawalFee()  # two named outputs
    assert (fee.feeBps, fee.recipient) == tuple(fee)
    locks = system.gmflock.locksOf(creator, 0, 1)  # an array of structs
    assert locks[0].amount == 10_000 * 10**18 and locks[0] == system.gmflock.lockInfo(creator, 0)
