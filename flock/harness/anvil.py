"""The harness's ``Chain`` on anvil: the same interface (deploy, views, transactions, reverts with
decoded errors, events, snapshots, time travel), every operation a JSON-RPC request through ape's
connection to the anvil it runs. The ``fuzz.vs_anvil`` benchmark runs one derandomized
``SystemMachine`` sequence on both, so the harness's speed is a ratio measured in the same run.

Per transaction it sends as many requests as ape does for a contract call: a simulation first
(``eth_call``, where ape estimates gas: a reverting call fails there, with its revert data, and is
not mined, as in ape; the simulation also gives the return value), then ``eth_sendTransaction`` and
``eth_getTransactionReceipt``; per view one ``eth_call``. Senders are impersonated (any address, a
contract too, as in the harness), gas is free (base fee 0), and every block of one harness instant
carries the same timestamp (``anvil_setBlockTimestampInterval 0``). What ape adds on top of the RPC
(its transaction and receipt objects, its decoding) is left out, so the ratio understates the
harness's advantage over ape proper.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eth_utils import to_checksum_address
from pyrevm import BlockEnv

from flock import artifacts
from flock.harness.evm import GENESIS_TIME, Chain

GAS_LIMIT = 29_000_000  # under anvil's 30M block gas limit


class AnvilError(RuntimeError):
    """anvil answered a request with an error that is not a revert."""


@dataclass(frozen=True)
class _Log:
    address: str
    data: tuple[list[bytes], bytes]  # as pyrevm gives it: (topics, data)


@dataclass(frozen=True)
class _Result:
    gas_used: int
    logs: list[_Log]


class AnvilEvm:
    """The part of pyrevm's ``EVM`` that ``Chain`` uses, answered by anvil."""

    def __init__(self, request: Any) -> None:
        self._request = request  # (method, params) -> the raw JSON-RPC response
        self.result = _Result(0, [])
        self._timestamp = 0

    def rpc(self, method: str, params: list[Any]) -> Any:
        response = self._request(method, params)
        if "error" in response:
            raise AnvilError(f"{method}: {response['error']}")
        return response["result"]

    def set_balance(self, address: str, balance: int) -> None:
        self.rpc("anvil_setBalance", [address, hex(balance)])

    def get_balance(self, address: str) -> int:
        return int(self.rpc("eth_getBalance", [address, "latest"]), 16)

    def storage(self, address: str, index: int) -> int:
        return int(self.rpc("eth_getStorageAt", [address, hex(index), "latest"]), 16)

    def get_code(self, address: str) -> bytes:
        return bytes.fromhex(self.rpc("eth_getCode", [address, "latest"])[2:])

    def set_block_env(self, env: Any) -> None:
        """A new harness instant: mine an empty block at its timestamp, so that views see it too."""
        if env.timestamp != self._timestamp:
            self.rpc("evm_mine", [{"timestamp": env.timestamp}])
            self._timestamp = env.timestamp

    def snapshot(self) -> str:
        return self.rpc("evm_snapshot", [])

    def revert(self, checkpoint: str) -> None:
        if not self.rpc("evm_revert", [checkpoint]):
            raise AnvilError(f"evm_revert: no snapshot {checkpoint}")
        self._timestamp = 0  # the next set_block_env mines at the snapshot's instant again

    def deploy(self, sender: str, data: bytes) -> str:
        tx = {"from": sender, "data": "0x" + data.hex()}
        self._call(tx)
        return self._transact(tx)["contractAddress"]

    def message_call(self, sender: str, to: str, data: bytes, *, is_static: bool) -> bytes:
        tx = {"from": sender, "to": to, "data": "0x" + data.hex()}
        if is_static:
            return self._call(tx)
        output = self._call(tx)  # ape's estimate: a revert stops here, with its data
        self._transact(tx)
        return output

    def _call(self, tx: dict[str, Any]) -> bytes:
        """``eth_call`` at the latest block (mined at the current instant); an error is a revert
        (with its data, which ``Chain`` decodes) or else a halt."""
        response = self._request("eth_call", [tx, "latest"])
        if "error" in response:
            error = response["error"]
            data = error.get("data") if isinstance(error, dict) else None
            output = data if isinstance(data, str) and data.startswith("0x") else None
            raise RuntimeError(f"reverted, output: {output}" if output else f"halted: {error}")
        return bytes.fromhex(response["result"][2:])

    def _transact(self, tx: dict[str, Any]) -> dict[str, Any]:
        sent = {**tx, "gas": hex(GAS_LIMIT), "gasPrice": "0x0"}
        tx_hash = self.rpc("eth_sendTransaction", [sent])
        receipt = self.rpc("eth_getTransactionReceipt", [tx_hash])
        while receipt is None:  # anvil answers before it has mined a large transaction; ape waits too
            time.sleep(0.001)
            receipt = self.rpc("eth_getTransactionReceipt", [tx_hash])
        if int(receipt["status"], 16) != 1:
            raise AnvilError(f"{tx_hash} reverted on anvil after its call succeeded")
        self.result = _Result(
            int(receipt["gasUsed"], 16),
            [
                _Log(
                    to_checksum_address(log["address"]),
                    ([bytes.fromhex(t[2:]) for t in log["topics"]], bytes.fromhex(log["data"][2:])),
                )
                for log in receipt["logs"]
            ],
        )
        return receipt


class AnvilChain(Chain):
    """A ``Chain`` whose EVM is the anvil ape is connected to (see the module's documentation).
    It starts at anvil's current time: anvil cannot go back."""

    def __init__(
        self, request: Any, *, n_accounts: int = 20, compilation: artifacts.Compilation | None = None
    ) -> None:
        evm = AnvilEvm(request)
        for method, params in (
            ("anvil_autoImpersonateAccount", [True]),
            ("anvil_setBlockTimestampInterval", [0]),
            ("anvil_setNextBlockBaseFeePerGas", ["0x0"]),
        ):
            evm.rpc(method, params)
        latest = evm.rpc("eth_getBlockByNumber", ["latest", False])
        self.start_time = int(latest["timestamp"], 16) + 1
        # the harness's state, no accounts
        super().__init__(n_accounts=0, timestamp=self.start_time, compilation=compilation)
        self.evm = evm  # type: ignore[assignment]
        self._number = int(latest["number"], 16) + 1
        evm.set_block_env(self._block_env())
        self.accounts = [self.new_account(f"account-{i}") for i in range(n_accounts)]

    @property
    def prevrandao(self) -> bytes:
        """The latest block's ``block.prevrandao`` (its mixHash): anvil draws it when it mines, so
        it is known after the transaction that used it, not before."""
        return bytes.fromhex(self.evm.rpc("eth_getBlockByNumber", ["latest", False])["mixHash"][2:])

    def set_prevrandao(self, value: bytes | None) -> None:
        raise NotImplementedError("anvil draws prevrandao itself")

    def _block_env(self) -> BlockEnv:
        return BlockEnv(number=self._number, timestamp=self._timestamp, gas_limit=2**63)  # no prevrandao

    @contextmanager
    def _impersonating(self, contract: str, to: str) -> Iterator[None]:
        yield  # anvil impersonates contracts too


@contextmanager
def borrowed(request: Any) -> Iterator[None]:
    """Lends the connected anvil to ``AnvilChain``s and gives it back as it was: its state (an
    ``evm_snapshot`` reverted), impersonation off and the block timestamps free again."""
    checkpoint = request("evm_snapshot", [])["result"]
    try:
        yield
    finally:
        request("evm_revert", [checkpoint])
        request("anvil_autoImpersonateAccount", [False])
        request("anvil_removeBlockTimestampInterval", [])


def ape_request() -> Any:
    """Raw JSON-RPC through ape's web3 connection to the network it is connected to."""
    from ape import chain

    provider = chain.provider.web3.provider
    return provider.make_request


# ------------------------------------------------------------------ an anvil of a chain's own

_ANVIL_START = 30.0  # seconds to wait for a started anvil to answer
_START_ATTEMPTS = 3  # a free port can be taken in the instant before anvil binds it: another port
_USED_PORTS: set[int] = set()  # never reused in a process: tracers key their caches by endpoint
_RUNNING: list[subprocess.Popen] = []


class OwnAnvilChain(AnvilChain):
    """A harness ``Chain`` made with ``Chain``'s own arguments on an anvil started for it alone,
    whose genesis block is one second before ``timestamp``, so the chain starts at ``timestamp``
    as the harness does (a shared anvil cannot go back in time). Its snapshots are its own: a
    test's module-wide set-up and ape's per-test snapshots never meet. ``prevrandao`` cannot be
    set (anvil draws it). The anvil stops when the chain is collected or :func:`stop_own_anvils`
    is called."""

    def __init__(self, *, timestamp: int = GENESIS_TIME, spec: str = "PRAGUE", **options: Any) -> None:
        process, uri = _start_anvil(timestamp - 1, spec)
        weakref.finalize(self, _stop, process)
        self.endpoint = uri
        super().__init__(_http_request(uri), **options)  # n_accounts, compilation


def stop_own_anvils() -> None:
    """Stops every anvil :class:`OwnAnvilChain` started (their chains are unusable after)."""
    while _RUNNING:
        _stop(_RUNNING.pop())


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # anvil removes its state folder on a clean exit
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process in _RUNNING:
        _RUNNING.remove(process)


def _free_port() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in _USED_PORTS:
            _USED_PORTS.add(port)
            return port


def _start_anvil(genesis: int, spec: str) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("anvil")
    if binary is None:
        raise AnvilError("anvil is not on PATH (run `make setup`, then `. ./activate`)")
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        command = [
            binary,
            *("--port", str(port), "--timestamp", str(genesis), "--hardfork", spec.lower()),
            *("--chain-id", "1", "--accounts", "1", "--block-base-fee-per-gas", "0", "--gas-price", "0"),
            *("--steps-tracing", "--silent"),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _RUNNING.append(process)
        uri = f"http://127.0.0.1:{port}"
        if _answers(process, uri, port):
            return process, uri
    raise AnvilError(
        f"anvil exited at start {_START_ATTEMPTS} times (code {process.returncode}): {' '.join(command)}"
    )


def _answers(process: subprocess.Popen, uri: str, port: int) -> bool:
    """Waits for the anvil just started to answer: False if it exited first (the port, free when it
    was chosen, was taken by another process before anvil could bind it: try another)."""
    request = _http_request(uri)
    deadline = time.monotonic() + _ANVIL_START
    while True:
        if process.poll() is not None:
            _stop(process)
            return False
        try:
            request("eth_chainId", [])
            return True
        except OSError:  # requests' ConnectionError: not listening yet
            if time.monotonic() > deadline:
                _stop(process)
                raise AnvilError(f"anvil on port {port} did not answer in {_ANVIL_START:.0f} s") from None
            time.sleep(0.05)


def _http_request(uri: str) -> Any:
    """Raw JSON-RPC to ``uri`` through web3's HTTP provider (the coverage plugin traces it)."""
    from web3.providers.rpc import HTTPProvider

    return HTTPProvider(uri, request_kwargs={"timeout": 120}).make_request
