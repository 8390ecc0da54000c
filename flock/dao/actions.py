"""One call of a proposal: argument parsing from words, calldata encoding and decoding, and the
``--file actions.yaml`` format::

    description: |
      # Lower the withdrawal fee to 3%
      Fees send too many lockers away; 3% still pays for the treasury.
    actions:
      - contract: gmflock            # plan key, contract name or address
        function: setWithdrawalFee   # name, or full signature when overloaded
        args: [300, treasury]        # addresses by name; amounts like "1_000 FLOCK"; "2 days"
        value: 0                     # wei sent with the call (optional)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from eth_abi import decode, encode
from eth_utils import function_abi_to_4byte_selector, keccak

from flock import artifacts
from flock.chain.codec import signature, types_of
from flock.dao.deployment import DEFAULT_ADMIN_ROLE, DaoError, Deployment
from flock.files import yaml_error_line
from flock.units import format_token, human_duration, parse_duration, to_wei

_TOKEN_AMOUNT = re.compile(r"^\s*([0-9_]+(?:\.[0-9]+)?)\s*(flock|gmflock|ether|eth)\s*$", re.IGNORECASE)
_DURATION_HINTS = ("duration", "delay", "period", "extension", "floor", "horizon")
_AMOUNT_HINTS = (
    "amount",
    "value",
    "threshold",
    "cap",
    "stake",
    "node",
    "validator",
    "participant",
    "delegation",
)
_FIXED_POINT_HINTS = ("gamma", "epsilon", "decay", "wad")


@dataclass(frozen=True)
class Action:
    """One call the timelock makes when the proposal executes."""

    target: str
    value: int
    calldata: bytes


@dataclass(frozen=True)
class Draft:
    """A proposal not yet submitted: its description and actions, with notes for the operator."""

    description: str
    actions: tuple[Action, ...]
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return title_of(self.description)

    def proposal_args(self) -> tuple[list[str], list[int], list[bytes]]:
        return (
            [a.target for a in self.actions],
            [a.value for a in self.actions],
            [a.calldata for a in self.actions],
        )


def title_of(description: str) -> str:
    """The first line of a description, without Markdown heading marks (Tally shows it so)."""
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first.lstrip("#").strip() or "(untitled)"


# ---------------------------------------------------------------------------------------- encoding


def functions_of(abi: tuple[dict[str, Any], ...], name: str) -> list[dict[str, Any]]:
    """Functions of ``abi`` matching a name or a full signature ``name(type,...)``."""
    state_changing = [e for e in abi if e.get("type") == "function"]
    if "(" in name:
        return [e for e in state_changing if signature(e) == name.replace(" ", "")]
    return [e for e in state_changing if e["name"] == name]


def pick_function(deployment: Deployment, key: str, name: str, arity: int | None) -> dict[str, Any]:
    candidates = functions_of(deployment.abi(key), name)
    if not candidates:
        raise DaoError(f"{key} has no function {name!r}")
    if len(candidates) > 1 and arity is not None:
        candidates = [c for c in candidates if len(c.get("inputs", [])) == arity] or candidates
    if len(candidates) > 1:
        options = ", ".join(signature(c) for c in candidates)
        raise DaoError(f"{key}.{name} is overloaded; give the full signature: {options}")
    entry = candidates[0]
    if entry.get("stateMutability") in ("view", "pure"):
        raise DaoError(f"{key}.{signature(entry)} is a view: a proposal cannot change anything with it")
    return entry


def encode_call(
    deployment: Deployment, target: str, function: str, args: list[Any], value: int = 0
) -> Action:
    """An action calling ``function`` of the contract ``target`` (key, name or address) with ``args``
    given in words or YAML values, parsed by the function's ABI types."""
    key = deployment.key_of(target)
    entry = pick_function(deployment, key, function, len(args))
    inputs = entry.get("inputs", [])
    if len(inputs) == 1 and inputs[0]["type"] == "tuple" and len(args) == len(inputs[0]["components"]) != 1:
        args = [list(args)]  # a struct's fields given one by one (`set-param submissions.phases 10h 2h ...`)
    if len(args) != len(inputs):
        expected = ", ".join(f"{p['type']} {p['name']}" for p in inputs) or "no arguments"
        raise DaoError(f"{key}.{entry['name']} takes {len(inputs)} argument(s) ({expected}), got {len(args)}")
    values = []
    for param, raw in zip(inputs, args, strict=True):
        try:
            values.append(_parse_param(deployment, param, raw))
        except DaoError as err:
            raise DaoError(f"{key}.{entry['name']}, argument {param['name'] or '?'}: {err}") from None
    calldata = function_abi_to_4byte_selector(entry) + encode(types_of(inputs), values)
    return Action(deployment.address(key), int(value), calldata)


def _parse_param(deployment: Deployment, param: dict[str, Any], raw: Any) -> Any:
    """``parse_value`` for one ABI parameter; a struct (``tuple``) field by field."""
    if param["type"] != "tuple":
        if str(param["name"]).lower().endswith("bps"):
            raw = basis_points(raw)
        return parse_value(deployment, param["type"], raw)
    components = param.get("components", [])
    items = raw if isinstance(raw, list | tuple) else [x for x in str(raw).split(",") if x.strip()]
    if len(items) != len(components):
        raise DaoError(f"a struct of {len(components)} fields, got {len(items)}")
    return tuple(_parse_param(deployment, c, item) for c, item in zip(components, items, strict=True))


def parse_value(deployment: Deployment, kind: str, raw: Any) -> Any:
    """A Python value for the ABI type ``kind`` from a word (``treasury``, ``2 days``, ``1_000
    FLOCK``, ``MINTER_ROLE``) or a YAML scalar or list."""
    if kind.endswith("]"):
        inner = kind[: kind.rindex("[")]
        items = raw if isinstance(raw, list | tuple) else [x for x in str(raw).split(",") if x.strip()]
        return [parse_value(deployment, inner, item) for item in items]
    if isinstance(raw, int) and not isinstance(raw, bool) and kind in ("address", "bytes32"):
        # YAML reads an unquoted 0x... as a hexadecimal integer
        raw = "0x" + format(raw, "040x" if kind == "address" else "064x")
    text = str(raw).strip()
    if kind == "address":
        return deployment.resolve(text)
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if text.lower() in ("true", "yes", "1"):
            return True
        if text.lower() in ("false", "no", "0"):
            return False
        raise DaoError(f"{text!r} is not a boolean (true/false)")
    if kind.startswith(("uint", "int")):
        return parse_integer(raw)
    if kind == "bytes32":
        return parse_bytes32(text)
    if kind.startswith("bytes"):
        return parse_hex(text)
    if kind == "string":
        return str(raw)
    raise DaoError(f"arguments of type {kind} are not supported here; use a hex calldata action")


_BPS = re.compile(r"^\s*([0-9_.]+)\s*(%|bps|bp)\s*$", re.IGNORECASE)


def basis_points(raw: Any) -> Any:
    """For an argument in basis points: ``3%`` is 300, ``300 bps`` is 300; anything else as given."""
    match = _BPS.match(str(raw))
    if not match:
        return raw
    try:
        number = Decimal(match.group(1).replace("_", ""))
    except InvalidOperation:
        raise DaoError(f"{raw!r} is not a percentage (3%) nor basis points (300 bps)") from None
    bps = number * 100 if match.group(2) == "%" else number
    if bps != bps.to_integral_value():
        raise DaoError(f"{raw!r} is not a whole number of basis points")
    return int(bps)


def parse_integer(raw: Any) -> int:
    """``300``, ``1_000``, ``2.5e18``, ``0x10``, ``2 days`` (seconds) or ``1_000 FLOCK`` (wei)."""
    if isinstance(raw, bool):
        raise DaoError(f"{raw!r} is not a number")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if text.lower().startswith("0x"):
        return int(text, 16)
    if match := _TOKEN_AMOUNT.match(text):
        return to_wei(match.group(1))
    if _BPS.match(text):
        raise DaoError(f"{text!r} is a percentage, but this argument is not in basis points: give a number")
    if any(c.isalpha() for c in text.lower().replace("e", "", 1)):
        try:
            return parse_duration(text)
        except ValueError as err:
            raise DaoError(str(err)) from None
    try:
        number = Decimal(text.replace("_", ""))
    except InvalidOperation:
        raise DaoError(f"{text!r} is not a number, an amount (1_000 FLOCK) or a duration (2 days)") from None
    if number != number.to_integral_value():
        raise DaoError(f"{text!r} is not a whole number")
    return int(number)


def parse_bytes32(text: str) -> bytes:
    """A role name (``MINTER_ROLE``; ``DEFAULT_ADMIN_ROLE`` is zero) or 32 bytes of hex."""
    if text.upper() == "DEFAULT_ADMIN_ROLE":
        return DEFAULT_ADMIN_ROLE
    if text.upper().endswith("_ROLE"):
        return keccak(text=text.upper())
    value = parse_hex(text)
    if len(value) != 32:
        raise DaoError(f"{text!r} is not 32 bytes of hex, nor a role name")
    return value


def parse_hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise DaoError(f"{text!r} is not hex") from None


# ---------------------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class DecodedArg:
    name: str
    kind: str
    value: Any
    shown: str


@dataclass(frozen=True)
class DecodedCall:
    """An action in words: which contract, which function, which arguments."""

    target: str
    target_name: str | None
    value: int
    signature: str | None
    args: tuple[DecodedArg, ...] = field(default_factory=tuple)
    calldata: bytes = b""

    @property
    def function(self) -> str:
        return self.signature.split("(")[0] if self.signature else "(unknown function)"


def _function_by_selector(deployment: Deployment, target: str, selector: bytes) -> dict[str, Any] | None:
    key = deployment.name_of(target)
    abis = [deployment.abi(key)] if key in deployment.manifest.contracts else []
    abis += [a.abi for a in artifacts.load().artifacts.values()]
    for abi in abis:
        for entry in abi:
            if entry.get("type") == "function" and function_abi_to_4byte_selector(entry) == selector:
                return entry
    return None


def decode_action(deployment: Deployment, action: Action) -> DecodedCall:
    """Names the target from the manifest and decodes the calldata with the project's ABIs."""
    entry = _function_by_selector(deployment, action.target, action.calldata[:4])
    name = deployment.name_of(action.target)
    if entry is None:
        return DecodedCall(action.target, name, action.value, None, (), action.calldata)
    inputs = entry.get("inputs", [])
    try:
        values = decode(types_of(inputs), action.calldata[4:])
    except Exception:  # malformed calldata: show it raw rather than fail the whole report
        return DecodedCall(action.target, name, action.value, None, (), action.calldata)
    args = tuple(
        DecodedArg(p["name"], p["type"], v, show_value(deployment, p["name"], p["type"], v))
        for p, v in zip(inputs, values, strict=True)
    )
    return DecodedCall(action.target, name, action.value, signature(entry), args, action.calldata)


def show_value(deployment: Deployment, name: str, kind: str, value: Any) -> str:
    """A value in words: addresses and roles by name, durations and token amounts spelled out."""
    if kind == "address":
        return deployment.describe_address(value)
    if kind == "bytes32" and isinstance(value, bytes):
        role = deployment.role_names.get(value)
        return role or "0x" + value.hex()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(deployment, name, kind.rsplit("[", 1)[0], v) for v in value) + "]"
    if kind.startswith(("uint", "int")) and isinstance(value, int):
        words = f"{value:_}"
        lowered = name.lower()
        if any(h in lowered for h in _DURATION_HINTS) and value:
            words += f" ({human_duration(value)})"
        elif any(h in lowered for h in _FIXED_POINT_HINTS) and value >= 10**12:
            words += f" ({Decimal(value) / Decimal(10**18):,f} x 1e18)"
        elif any(h in lowered for h in _AMOUNT_HINTS) and value >= 10**15:
            words += f" ({format_token(value)} FLOCK)"
        return words
    return str(value)


# ---------------------------------------------------------------------------------------- files


def load_actions_file(deployment: Deployment, path: Path, description: str | None = None) -> Draft:
    """A draft from an actions file (see the module docstring); ``description`` overrides the file's."""
    if not path.is_file():
        raise DaoError(f"actions file {path} not found")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise DaoError(yaml_error_line(path, err)) from None
    if not isinstance(data, dict) or not isinstance(data.get("actions"), list) or not data["actions"]:
        raise DaoError(f"{path}: expected a mapping with a non-empty 'actions' list (and a 'description')")
    unknown = set(data) - {"description", "actions"}
    if unknown:
        raise DaoError(f"{path}: unknown keys {', '.join(sorted(unknown))} (expected description, actions)")
    text = description or data.get("description")
    if not text or not str(text).strip():
        raise DaoError(f"{path}: a proposal needs a description (its first line is the title)")
    actions = []
    for number, item in enumerate(data["actions"], start=1):
        actions.append(_file_action(deployment, path, number, item))
    return Draft(str(text).strip(), tuple(actions))


def _file_action(deployment: Deployment, path: Path, number: int, item: Any) -> Action:
    where = f"{path}: action {number}"
    if not isinstance(item, dict):
        raise DaoError(f"{where}: expected a mapping with contract, function, args")
    unknown = set(item) - {"contract", "function", "args", "value"}
    if unknown:
        raise DaoError(
            f"{where}: unknown keys {', '.join(sorted(unknown))} (expected contract, function, args, value)"
        )
    for required in ("contract", "function"):
        if not item.get(required):
            raise DaoError(f"{where}: '{required}' is missing")
    args = item.get("args") or []
    if not isinstance(args, list):
        args = [args]
    try:
        value = parse_integer(item.get("value", 0))
        return encode_call(deployment, str(item["contract"]), str(item["function"]), args, value)
    except DaoError as err:
        raise DaoError(f"{where}: {err}") from None
