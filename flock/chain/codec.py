"""The ABI codec: selectors, calldata, results, events and errors, from a contract's ABI.

A library, not a test tool: the in-process harness (``flock.harness``) calls contracts with it, the
DAO tools encode proposal actions and decode simulated logs with it, the deploy code encodes
constructor and ``initialize`` arguments with its types. Pure Python (eth-abi), no ape."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from eth_abi import decode
from eth_abi.decoding import ContextFramesBytesIO, TupleDecoder
from eth_abi.encoding import TupleEncoder
from eth_abi.registry import registry
from eth_utils import (
    collapse_if_tuple,
    event_abi_to_log_topic,
    function_abi_to_4byte_selector,
    to_checksum_address,
)

PANIC_SELECTOR = bytes.fromhex("4e487b71")
ERROR_SELECTOR = bytes.fromhex("08c379a0")


def types_of(params: list[dict[str, Any]]) -> list[str]:
    """ABI type strings of a parameter list, tuples expanded (``(uint256,address)``)."""
    return [collapse_if_tuple(p) for p in params]


def signature(entry: dict[str, Any]) -> str:
    """``name(type,...)`` of a function, event or error ABI entry."""
    return f"{entry['name']}({','.join(types_of(entry.get('inputs', [])))})"


@lru_cache(maxsize=4096)
def _checksum(address: str) -> str:
    return to_checksum_address(address)


def _normalize(value: Any) -> Any:
    """Checksums addresses and turns lists into tuples so results compare and hash simply."""
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return _checksum(value)
    if isinstance(value, list | tuple):
        return tuple(_normalize(v) for v in value)
    return value


# Fast path for the common case: every parameter a static word (uintN, intN, address, bool,
# bytes32). The harness encodes and decodes such calls tens of thousands of times a second, and
# eth-abi's general coders (validation, streams, registries) dominate the run time. Anything else,
# and any value these do not accept, goes through eth-abi itself; tests/harness checks that both
# give the same bytes.
_Word = Callable[[Any], bytes]
_Unword = Callable[[bytes], Any]


class _NotFast(Exception):
    pass


@lru_cache(maxsize=4096)
def _address_word(address: str) -> bytes:
    raw = bytes.fromhex(address[2:]) if address.startswith("0x") else b""
    if len(raw) != 20:
        raise _NotFast
    return bytes(12) + raw


def _enc_address(value: Any) -> bytes:
    if not isinstance(value, str):
        raise _NotFast
    return _address_word(value)


def _enc_uint(bits: int) -> _Word:
    limit = 1 << bits

    def enc(value: Any) -> bytes:
        if (type(value) is not int and not isinstance(value, IntEnum)) or not 0 <= value < limit:
            raise _NotFast
        return value.to_bytes(32, "big")

    return enc


def _enc_int(bits: int) -> _Word:
    low, high = -(1 << (bits - 1)), 1 << (bits - 1)

    def enc(value: Any) -> bytes:
        if type(value) is not int or not low <= value < high:
            raise _NotFast
        return (value % (1 << 256)).to_bytes(32, "big")

    return enc


def _enc_bool(value: Any) -> bytes:
    if type(value) is not bool:
        raise _NotFast
    return (1 if value else 0).to_bytes(32, "big")


def _enc_bytes32(value: Any) -> bytes:
    if not isinstance(value, bytes) or len(value) != 32:
        raise _NotFast
    return value


def _dec_uint(word: bytes) -> int:
    return int.from_bytes(word, "big")


def _dec_int(word: bytes) -> int:
    return int.from_bytes(word, "big", signed=True)


def _dec_address(word: bytes) -> str:
    return _checksum("0x" + word[12:].hex())


def _dec_bool(word: bytes) -> bool:
    return word[-1] != 0


def _dec_bytes32(word: bytes) -> bytes:
    return word


def _word_coders(kind: str) -> tuple[_Word, _Unword] | None:
    if kind == "address":
        return _enc_address, _dec_address
    if kind == "bool":
        return _enc_bool, _dec_bool
    if kind == "bytes32":
        return _enc_bytes32, _dec_bytes32
    for prefix, make_enc, dec in (("uint", _enc_uint, _dec_uint), ("int", _enc_int, _dec_int)):
        if kind.startswith(prefix) and kind[len(prefix) :].isdigit():
            return make_enc(int(kind[len(prefix) :])), dec
    return None


def _struct_words(kinds: list[str]) -> list[str]:
    """A single struct output of static words (``(uint8,address,...)``, as views returning a struct
    give) stands for its words: the encoding is the same."""
    if len(kinds) == 1 and kinds[0].startswith("(") and kinds[0].endswith(")"):
        inner = kinds[0][1:-1]
        if inner and not any(c in inner for c in "()[]"):
            return inner.split(",")
    return kinds


# Named results. A struct comes back as a named tuple of its components, and several outputs that
# all have names as a named tuple of those names, as ape returns them (``info.endTime``); an
# unnamed part stays a plain tuple. Named tuples are tuples: reads by position still work.
_Shape = Callable[[Any], Any]


@lru_cache(maxsize=1024)
def _named_tuple(name: str, fields: tuple[str, ...]) -> _Shape:
    """A named tuple class's constructor from an iterable of its values. ``tuple.__new__`` itself,
    not the class's ``_make`` (a Python call): results are decoded tens of thousands of times a
    second, and the decoder already gives exactly one value per field."""
    return partial(tuple.__new__, namedtuple(name, fields, rename=True))


def _names(params: list[dict[str, Any]]) -> tuple[str, ...] | None:
    names = tuple(p.get("name") or "" for p in params)
    return names if names and all(names) else None


def _struct_name(param: dict[str, Any]) -> str:
    """``LockInfo`` for ``struct IGmFlock.LockInfo``; ``Result`` when the ABI does not say."""
    internal = param.get("internalType") or ""
    return internal.removeprefix("struct ").split(".")[-1].split("[")[0] or "Result"


def _shape_of(param: dict[str, Any]) -> _Shape | None:
    """How a decoded value of ``param`` is shaped: a struct (or an array of them, at any depth)
    into named tuples; None for values that stay as decoded."""
    kind = param["type"]
    if not kind.startswith("tuple"):
        return None
    components = param.get("components", [])
    inner = [_shape_of(c) for c in components]
    names = _names(components)
    make = _named_tuple(_struct_name(param), names) if names else tuple

    def nested(value: Any) -> Any:
        return make(v if s is None else s(v) for s, v in zip(inner, value, strict=True))

    shape = nested if any(inner) else make
    for _ in range(kind.count("[")):
        shape = _array_of(shape)
    return shape


def _array_of(element: _Shape) -> _Shape:
    return lambda value: tuple(element(v) for v in value)


def _result_shape(function: str, outputs: list[dict[str, Any]]) -> _Shape:
    """What a call returns from its decoded outputs (a tuple): the single output, shaped; or all
    of them, each shaped, in a named tuple when every output has a name."""
    shapes = [_shape_of(o) for o in outputs]
    if len(outputs) == 1:
        only = shapes[0]
        return itemgetter(0) if only is None else (lambda values: only(values[0]))
    names = _names(outputs)
    make = _named_tuple(f"{function[:1].upper()}{function[1:]}Result", names) if names else tuple
    if not any(shapes):
        return make
    return lambda values: make(v if s is None else s(v) for s, v in zip(shapes, values, strict=True))


def _fast_coders(kinds: list[str]) -> tuple[list[_Word], list[_Unword]] | None:
    coders = [_word_coders(k) for k in kinds]
    if any(c is None for c in coders):
        return None
    return [c[0] for c in coders], [c[1] for c in coders]  # type: ignore[index]


@dataclass(frozen=True)
class Function:
    """One function of a contract ABI, with its selector and coders built once.

    Calls whose parameters are all static words use the fast path above; the rest use eth-abi's
    tuple coders, built once per function rather than looked up on every call.
    """

    abi: dict[str, Any]
    name: str = field(init=False)
    selector: bytes = field(init=False)
    is_view: bool = field(init=False)
    arity: int = field(init=False)
    _encoder: TupleEncoder = field(init=False, repr=False)
    _decoder: TupleDecoder | None = field(init=False, repr=False)
    _fast_in: list[_Word] | None = field(init=False, repr=False)
    _fast_out: list[_Unword] | None = field(init=False, repr=False)
    _fast_struct: bool = field(init=False, repr=False)  # the fast words make up one struct
    _shape: _Shape = field(init=False, repr=False)  # decoded outputs -> the call's result

    def __post_init__(self) -> None:
        inputs, outputs = types_of(self.abi.get("inputs", [])), types_of(self.abi.get("outputs", []))
        put = object.__setattr__
        put(self, "name", self.abi["name"])
        put(self, "selector", function_abi_to_4byte_selector(self.abi))
        put(self, "is_view", self.abi.get("stateMutability") in ("view", "pure"))
        put(self, "arity", len(inputs))
        put(self, "_encoder", TupleEncoder(encoders=[registry.get_encoder(t) for t in inputs]))
        decoders = [registry.get_decoder(t, strict=False) for t in outputs]
        put(self, "_decoder", TupleDecoder(decoders=decoders) if outputs else None)
        words = _struct_words(outputs)
        fast_in, fast_out = _fast_coders(inputs), _fast_coders(words)
        put(self, "_fast_in", fast_in[0] if fast_in else None)
        put(self, "_fast_out", fast_out[1] if fast_out and outputs else None)
        put(self, "_fast_struct", words is not outputs)
        put(self, "_shape", _result_shape(self.name, self.abi.get("outputs", [])))

    def encode(self, args: tuple[Any, ...]) -> bytes:
        if self._fast_in is not None:
            try:
                return self.selector + b"".join(enc(a) for enc, a in zip(self._fast_in, args, strict=True))
            except _NotFast:
                pass  # let eth-abi encode it, or explain why it cannot
        return self.selector + self._encoder(args)

    def decode_result(self, data: bytes) -> Any:
        if self._decoder is None:
            return None
        if self._fast_out is not None and len(data) == 32 * len(self._fast_out):
            values = tuple(dec(data[32 * i : 32 * i + 32]) for i, dec in enumerate(self._fast_out))
            if self._fast_struct:
                values = (values,)
        else:
            values = _normalize(self._decoder(ContextFramesBytesIO(data)))
        return self._shape(values)


@dataclass(frozen=True)
class Event:
    """A decoded log."""

    name: str
    address: str
    args: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


@dataclass(frozen=True)
class DecodedError:
    """A decoded revert reason."""

    name: str
    args: dict[str, Any]
    data: bytes


class AbiRegistry:
    """Every event and error known from a set of ABIs, by topic and by selector."""

    def __init__(self) -> None:
        self._events: dict[bytes, dict[str, Any]] = {}
        self._errors: dict[bytes, dict[str, Any]] = {}

    def add(self, abi: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> None:
        for entry in abi:
            if entry.get("type") == "event" and not entry.get("anonymous"):
                self._events[event_abi_to_log_topic(entry)] = entry
            elif entry.get("type") == "error":
                self._errors[function_abi_to_4byte_selector(entry)] = entry

    def decode_log(self, address: str, topics: list[bytes], data: bytes) -> Event | None:
        if not topics or topics[0] not in self._events:
            return None
        entry = self._events[topics[0]]
        indexed = [i for i in entry["inputs"] if i.get("indexed")]
        plain = [i for i in entry["inputs"] if not i.get("indexed")]
        if len(indexed) != len(topics) - 1:
            return None  # same signature, different indexing: not ours
        args: dict[str, Any] = {}
        for param, topic in zip(indexed, topics[1:], strict=True):
            kind = collapse_if_tuple(param)
            dynamic = kind in ("string", "bytes") or kind.endswith("]") or kind.startswith("(")
            args[param["name"]] = topic if dynamic else _normalize(decode([kind], topic)[0])
        for param, value in zip(plain, decode(types_of(plain), data), strict=True):
            args[param["name"]] = _normalize(value)
        return Event(entry["name"], to_checksum_address(address), args)

    def decode_error(self, data: bytes) -> DecodedError:
        selector, body = data[:4], data[4:]
        if selector == PANIC_SELECTOR:
            return DecodedError("Panic", {"code": decode(["uint256"], body)[0]}, data)
        if selector == ERROR_SELECTOR:
            return DecodedError("Error", {"message": decode(["string"], body)[0]}, data)
        if selector in self._errors:
            entry = self._errors[selector]
            values = decode(types_of(entry["inputs"]), body)
            names = [p["name"] or f"arg{i}" for i, p in enumerate(entry["inputs"])]
            return DecodedError(entry["name"], dict(zip(names, _normalize(values), strict=True)), data)
        return DecodedError("Unknown" if data else "EmptyRevert", {}, data)
