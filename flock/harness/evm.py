"""A fast in-process EVM for property tests and benchmarks.

It runs the bytecode ``ape compile`` produced on revm (through ``pyrevm``), about a thousand times
faster than a transaction through ape and anvil, with snapshots, time travel, decoded events and
decoded custom errors::

    chain = Chain()
    admin, alice = chain.accounts[:2]
    token = chain.deploy("FlockToken", admin, [alice], [10**24], sender=admin)
    token.approve(gm.address, 10**21, sender=alice)      # a transaction: returns a Receipt
    token.balanceOf(alice)                                # a view: returns the decoded value
    with chain.reverts("GmFlockZeroAmount"):
        gm.lock(0, 86400, sender=alice)
    chain.warp(30 * 86400)

Any address can send, contracts included: ``sender=timelock.address`` acts as the timelock (as
anvil's impersonation does), except towards the sending contract itself.

Gas figures from here follow the chosen hardfork's rules, but the project's gas report is measured
on anvil (see ``flock.bench``); this harness is for speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from pyrevm import EVM, AccountInfo, BlockEnv, Env

from flock import artifacts
from flock.chain.codec import AbiRegistry, DecodedError, Event, Function, types_of

GENESIS_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z
DEFAULT_BALANCE = 10**24  # wei of ether per harness account
_REVERT_RE = re.compile(r"output: 0x([0-9a-fA-F]*)")


class Reverted(Exception):
    """A call reverted; ``error`` holds the decoded custom error, panic or reason string."""

    def __init__(self, error: DecodedError, gas_used: int | None = None) -> None:
        self.error = error
        self.gas_used = gas_used
        super().__init__(f"{error.name}{error.args or ''}")

    @property
    def name(self) -> str:
        return self.error.name

    @property
    def args_dict(self) -> dict[str, Any]:
        return self.error.args


@dataclass
class Receipt:
    """The outcome of a transaction in the harness."""

    gas_used: int
    return_value: Any
    events: list[Event] = field(default_factory=list)

    def events_named(self, name: str) -> list[Event]:
        return [e for e in self.events if e.name == name]


@dataclass(frozen=True)
class Snapshot:
    checkpoint: Any
    timestamp: int
    number: int


class Chain:
    """One in-process EVM with funded accounts, deployed by contract name."""

    def __init__(
        self,
        *,
        n_accounts: int = 20,
        timestamp: int = GENESIS_TIME,
        spec: str = "PRAGUE",
        compilation: artifacts.Compilation | None = None,
    ) -> None:
        self.compilation = compilation or artifacts.load()
        self.registry = AbiRegistry()
        for artifact in self.compilation.artifacts.values():
            self.registry.add(artifact.abi)
        self._timestamp = timestamp
        self._number = 1
        self._prevrandao: bytes | None = None
        self.evm = EVM(spec_id=spec, env=Env(block=self._block_env()))
        self.keys: dict[str, bytes] = {}
        self.accounts: list[str] = [self.new_account(f"account-{i}") for i in range(n_accounts)]
        self.tx_count = 0
        # Called with (sender, to, events) after every successful transaction (not simulations):
        # the system property suite keeps its FLOCK ledger and role model from these.
        self.observers: list[Callable[[str, str, list[Event]], None]] = []
        self._contract_addresses: set[str] = set()
        self._handles: dict[tuple[str, str], Contract] = {}

    # ------------------------------------------------------------------ accounts and time

    def new_account(self, label: str, balance: int = DEFAULT_BALANCE) -> str:
        """A funded account whose private key is derived from ``label``."""
        key = keccak(text=f"flock-harness:{label}")
        address = to_checksum_address(Account.from_key(key).address)
        self.keys[address] = key
        self.evm.set_balance(address, balance)
        return address

    @property
    def now(self) -> int:
        return self._timestamp

    @property
    def block_number(self) -> int:
        return self._number

    @property
    def prevrandao(self) -> bytes:
        """The current block's ``block.prevrandao``: derived from the block number unless set."""
        return self._prevrandao or keccak(text=f"flock-harness:prevrandao:{self._number}")

    def set_prevrandao(self, value: bytes | None) -> None:
        """Fixes ``block.prevrandao`` for the current block (None: back to the derived value)."""
        self._prevrandao = value
        self.evm.set_block_env(self._block_env())

    def _block_env(self) -> BlockEnv:
        return BlockEnv(
            number=self._number, timestamp=self._timestamp, gas_limit=2**63, prevrandao=self.prevrandao
        )

    def set_time(self, timestamp: int) -> None:
        """Moves to a new block at ``timestamp`` (never backwards)."""
        if timestamp < self._timestamp:
            raise ValueError(f"time cannot go backwards ({timestamp} < {self._timestamp})")
        self._timestamp = timestamp
        self._number += 1
        self._prevrandao = None
        self.evm.set_block_env(self._block_env())

    def warp(self, seconds: int) -> None:
        """Moves ``seconds`` forward, in a new block."""
        self.set_time(self._timestamp + seconds)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.evm.snapshot(), self._timestamp, self._number)

    def revert(self, snap: Snapshot) -> None:
        """Returns to ``snap``. A snapshot can be reverted to once (revm's journal checkpoints);
        use ``restore`` to go back to the same state again and again."""
        self.evm.revert(snap.checkpoint)
        self._timestamp, self._number = snap.timestamp, snap.number
        self._prevrandao = None
        self.evm.set_block_env(self._block_env())

    def restore(self, snap: Snapshot) -> Snapshot:
        """Reverts to ``snap`` and returns a new snapshot of that same state, for the next time."""
        self.revert(snap)
        return self.snapshot()

    # ------------------------------------------------------------------ contracts

    def deploy(self, name: str, *args: Any, sender: str) -> Contract:
        """Deploys the compiled contract ``name`` with constructor ``args``."""
        return self.deploy_artifact(self.compilation[name], *args, sender=sender)

    def deploy_artifact(self, artifact: artifacts.Artifact, *args: Any, sender: str) -> Contract:
        """Deploys a compiled contract that is not in the build (a test's second version)."""
        name = artifact.name
        if self.compilation.artifacts.get(name) is not artifact:
            self.registry.add(artifact.abi)  # its events and errors decode like the build's
        constructor = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
        data = artifact.bytecode
        if constructor and constructor.get("inputs"):
            data += encode(types_of(constructor["inputs"]), list(args))
        try:
            address = self.evm.deploy(sender, data)
        except RuntimeError as err:
            raise self._reverted(err) from None
        self.tx_count += 1
        self._contract_addresses.add(to_checksum_address(address))
        return Contract(self, to_checksum_address(address), artifact.abi, name)

    def storage_at(self, address: str, slot: int) -> int:
        """The word in ``address``'s storage ``slot``."""
        return int(self.evm.storage(address, slot))

    def at(self, name: str, address: str) -> Contract:
        """A handle on an already deployed contract with ``name``'s ABI (made once per address)."""
        key = (name, to_checksum_address(address))
        if key not in self._handles:
            self._handles[key] = Contract(self, key[1], self.compilation[name].abi, name)
        return self._handles[key]

    def call(
        self, sender: str, to: str, data: bytes, *, static: bool, observe: bool = True
    ) -> tuple[bytes, int, list[Event]]:
        """Executes a message call; returns output, whole-transaction gas and decoded events.
        ``observe=False``: a simulation whose effects are thrown away, not shown to ``observers``."""
        if not static:
            self.tx_count += 1  # a reverted transaction is a transaction too
        try:
            if sender in self._contract_addresses:
                with self._impersonating(sender, to):
                    out = self.evm.message_call(sender, to, data, is_static=static)
            else:
                out = self.evm.message_call(sender, to, data, is_static=static)
        except RuntimeError as err:
            raise self._reverted(err) from None
        if static:
            return bytes(out), 0, []
        result = self.evm.result
        events = []
        for log in result.logs:
            topics, data_bytes = log.data  # pyrevm gives (raw topics, raw data)
            event = self.registry.decode_log(log.address, list(topics), bytes(data_bytes))
            if event is not None:
                events.append(event)
        if observe:
            for observer in self.observers:
                observer(sender, to, events)
        return bytes(out), result.gas_used, events

    @contextmanager
    def _impersonating(self, contract: str, to: str) -> Iterator[None]:
        """Lets a contract send a transaction (revm refuses senders with code, EIP-3607): its code is
        set aside for the call and put back after; its storage, nonce and balance stay."""
        if contract == to:
            raise ValueError(
                f"{contract} cannot send a transaction to itself in the harness; a contract calls "
                "itself only from its own code (for the timelock: through a governance proposal)"
            )
        info, code = self.evm.basic(contract), self.evm.get_code(contract)
        self.evm.insert_account_info(contract, AccountInfo(nonce=info.nonce, balance=info.balance, code=b""))
        try:
            yield
        finally:
            balance = self.evm.get_balance(contract)
            self.evm.insert_account_info(contract, AccountInfo(nonce=info.nonce, balance=balance, code=code))

    def _reverted(self, err: RuntimeError) -> Reverted:
        text = str(err)
        match = _REVERT_RE.search(text)
        if not match:
            # pyrevm's other errors embed the whole journaled state: keep only the head.
            return Reverted(DecodedError("Halt", {"reason": text[:200]}, b""))
        return Reverted(self.registry.decode_error(bytes.fromhex(match.group(1))))

    @contextmanager
    def reverts(self, name: str | None = None, **expected_args: Any) -> Iterator[list[Reverted]]:
        """Asserts that the block reverts, with error ``name`` and arguments if given."""
        caught: list[Reverted] = []
        try:
            yield caught
        except Reverted as exc:
            caught.append(exc)
            if name is not None and exc.name != name:
                raise AssertionError(f"expected revert {name}, got {exc.name}{exc.args_dict}") from exc
            for key, value in expected_args.items():
                if exc.args_dict.get(key) != value:
                    raise AssertionError(
                        f"revert {exc.name}: {key}={exc.args_dict.get(key)!r}, expected {value!r}"
                    ) from exc
        else:
            raise AssertionError(
                f"expected a revert{f' with {name}' if name else ''}, but the call succeeded"
            )


class Contract:
    """A deployed contract: attribute access gives its functions."""

    def __init__(self, chain: Chain, address: str, abi: tuple[dict[str, Any], ...], name: str) -> None:
        self.chain = chain
        self.address = address
        self.name = name
        self._functions: dict[str, list[Function]] = {}
        self._by_signature: dict[str, Function] = {}
        for entry in abi:
            if entry.get("type") == "function":
                fn = Function(entry)
                self._functions.setdefault(fn.name, []).append(fn)
                self._by_signature[f"{fn.name}({','.join(types_of(entry.get('inputs', [])))})"] = fn

    def __repr__(self) -> str:
        return f"<{self.name} {self.address}>"

    def __getattr__(self, name: str) -> BoundFunction:
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(f"{self.name} has no function {name!r}")
        return BoundFunction(self, self._functions[name])

    def __getitem__(self, signature: str) -> BoundFunction:
        return BoundFunction(self, [self._by_signature[signature]])


class BoundFunction:
    """Calls a view or sends a transaction, choosing the overload by argument count."""

    def __init__(self, contract: Contract, overloads: list[Function]) -> None:
        self.contract = contract
        self.overloads = overloads

    def _pick(self, args: tuple[Any, ...]) -> Function:
        matches = [f for f in self.overloads if f.arity == len(args)]
        if len(matches) != 1:
            names = [f.abi["name"] for f in self.overloads]
            raise TypeError(f"{names[0]}: no single overload takes {len(args)} arguments")
        return matches[0]

    def __call__(self, *args: Any, sender: str | None = None) -> Any:
        fn = self._pick(args)
        chain = self.contract.chain
        caller = sender or chain.accounts[0]
        if fn.is_view:
            out, _, _ = chain.call(caller, self.contract.address, fn.encode(args), static=True)
            return fn.decode_result(out)
        if sender is None:
            raise TypeError(f"{fn.name} is a transaction: pass sender=")
        out, gas, events = chain.call(sender, self.contract.address, fn.encode(args), static=False)
        return Receipt(gas, fn.decode_result(out), events)

    def encode(self, *args: Any) -> bytes:
        """The calldata of a call with ``args`` (for a proposal's actions, say)."""
        return self._pick(args).encode(args)

    def call(self, *args: Any, sender: str | None = None) -> Any:
        """Runs a state-changing function without keeping its effects; returns its result."""
        fn = self._pick(args)
        chain = self.contract.chain
        snap = chain.snapshot()
        try:
            out, _, _ = chain.call(
                sender or chain.accounts[0],
                self.contract.address,
                fn.encode(args),
                static=False,
                observe=False,
            )
        finally:
            chain.revert(snap)
        return fn.decode_result(out)
