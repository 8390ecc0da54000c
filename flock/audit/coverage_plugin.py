"""``ape test --coverage`` for the Solidity contracts (tests/conftest.py loads this plugin).

ape-solidity has no coverage profile, so ape's own tracker reports nothing for Solidity; worse, it
runs view calls through traces whose reverts ape does not raise, which changed three staking
tests' outcomes. With ``--coverage`` (or ``FLOCK_COVERAGE=1``) this plugin takes the option over:
ape's tracker is switched off, so every call behaves exactly as without coverage, and the tests'
traffic is traced instead:

- anvil (ape's unit and end-to-end tests): every ``eth_sendRawTransaction`` /
  ``eth_sendTransaction`` is followed by ``debug_traceTransaction``, and every ``eth_call`` and
  every failing ``eth_estimateGas`` (how ape meets most expected reverts) by ``debug_traceCall``
  with the same arguments, at the JSON-RPC layer, after the original answer
  was returned unchanged;
- the property machines (Hypothesis ``RuleBasedStateMachine`` test cases over
  ``flock.testing.machine.ProtocolMachine``): pyrevm 0.3.7's only tracer (EIP-3155 JSON on stdout)
  took 116 s for one 2,300-step transaction here, so with coverage on a machine runs on
  ``AnvilChain`` (the harness's ``Chain`` interface on the session's anvil, flock/harness/anvil.py)
  instead of the in-process harness, and its traffic is traced like the tests'; with a small
  Hypothesis budget (``COVERAGE_EXAMPLES`` x ``COVERAGE_STEPS``: every view of every invariant check
  is a traced request). anvil is given back as it was after each machine test. Without coverage
  nothing changes: the machines run on the harness with their profile's budget;
- the unit tests that make a harness chain of their own (``deploy_system()``, ``build_world()``,
  ``Chain(...)``) in the modules of ``HARNESS_ON_ANVIL``: with coverage on, every ``Chain`` they
  make is an ``OwnAnvilChain`` (flock/harness/anvil.py), the harness's interface on an anvil
  started for that chain alone at the chain's genesis time, traced like the tests' anvil; the
  anvils stop when the module ends. The other harness modules (``prevrandao`` set by the test,
  pyrevm's own state read, or too slow traced) stay in-process and untraced (docs/audit.md,
  "Coverage").

At the end of the session the data is saved in reports/coverage/parts/ and, with ``--coverage``,
the reports are written and the table printed (flock/audit/coverage_report.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from flock.audit import coverage as cov
from flock.paths import REPORTS_DIR

_STATE: dict[str, Any] = {"on": False, "report": False}
_COVERAGE = cov.Coverage()
# Struct logs without stack, memory or storage (a few times smaller than with the stack); each
# call's target comes from a second, small trace by anvil's call tracer instead.
_TRACE_OPTIONS = {
    "disableStorage": True,
    "disableMemory": True,
    "disableStack": True,
    "enableReturnData": False,
}
_CALL_TRACER = {"tracer": "callTracer"}
_SEEN_CALLS: set[tuple[str, str, str, str, str]] = set()
# Each anvil's code by address (the tests' anvil and every harness chain's own: the same address
# holds other code on two of them), by endpoint.
_CODES: dict[tuple[str, str], bytes] = {}
# The harness test modules (under tests/) whose chains run on anvils of their own with coverage
# on (``OwnAnvilChain``). Each was run with ``--coverage`` and passed as without it. Not moved:
# test_role_draw.py and test_alliance_doc.py (they set ``prevrandao``), tests/harness (pyrevm's
# own behaviour is what they test), test_boost_invariant.py (Hypothesis over a harness chain).
HARNESS_ON_ANVIL: tuple[str, ...] = (
    "access/test_modules.py",
    "access/test_privileged.py",
    "alliance/test_alliance_constructor.py",
    "alliance/test_alliance_integrity.py",
    "alliance/test_federated_client.py",
    "api/test_api_credits.py",
    "chain/test_protocol_handle.py",
    "deploy/test_genesis_rule.py",
    "emissions/test_emission_controller_constructor.py",
    "emissions/test_emissions_doc.py",
    "governance/test_genesis_takeover.py",
    "governance/test_governor.py",
    "harness/test_named_results.py",
    "harness/test_reward_pot_clones.py",
    "harness/test_reward_proofs.py",
    "staking/test_gmflock_doc.py",
    "upgrades/test_upgrades.py",
)
_HARNESS = {"on": False}
# A property machine's budget with coverage on: enough to take each rule's paths (the alliance
# machine: 3 to 4 minutes on anvil with tracing, here), not a fuzz run (that is `make fuzz`).
# FLOCK_COVERAGE_BUDGET="examples,steps" sets another.
COVERAGE_EXAMPLES, COVERAGE_STEPS = 10, 40
# The whole-system machine's parts are the other machines' rules (traced in their own tests); what
# it adds (governance, intruders, time jumps) with invariants reading hundreds of views a step
# costs about 3 s a step here: a smaller budget.
MACHINE_BUDGETS = {"SystemMachine": (2, 20)}
_RECEIPT_WAIT = 60.0  # seconds to wait for anvil to mine a sent transaction before tracing it
_LOST: list[str] = []  # traces that could not be taken (said at the end: the figures are a lower bound)


def enabled() -> bool:
    return bool(_STATE["on"])


def pytest_configure(config: pytest.Config) -> None:
    wanted = bool(os.environ.get("FLOCK_COVERAGE")) or bool(config.getoption("--coverage", default=False))
    if not wanted:
        return
    if config.getoption("--coverage", default=False):
        config.option.coverage = False  # ape's tracker off: ours replaces it
        _STATE["report"] = True
    _STATE["on"] = True
    _install_rpc_tracing()
    _install_harness_on_anvil()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not enabled():
        return
    from flock.harness.anvil import stop_own_anvils

    stop_own_anvils()
    if _LOST:
        print(f"\ncoverage: {len(_LOST)} trace(s) could not be taken, first: {_LOST[0]}")
    if _COVERAGE.transactions == 0:
        return
    cov.save_part(_COVERAGE, REPORTS_DIR, "tests")
    if _STATE["report"]:
        from flock.audit.coverage_report import write_reports

        total = cov.load_parts(REPORTS_DIR)
        write_reports(total)


# ------------------------------------------------------------------------- property machines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """With coverage on, a property machine's test runs on anvil (traced), with a small budget."""
    machine = _machine_of(item)
    if not enabled() or machine is None:
        yield
        return
    with _machine_on_anvil(item, machine):
        yield


def _machine_of(item: pytest.Item) -> type | None:
    """The ``ProtocolMachine`` class whose Hypothesis ``TestCase`` the item runs, if any (Hypothesis
    makes a machine's ``TestCase`` once, and the test module binds that class)."""
    case = getattr(item, "cls", None)
    if case is None:
        return None
    from flock.testing.machine import ProtocolMachine

    pending, seen = [ProtocolMachine], set()
    while pending:
        machine = pending.pop()
        if machine in seen:
            continue
        seen.add(machine)
        pending.extend(machine.__subclasses__())
        if machine is not ProtocolMachine and machine.TestCase is case:
            return machine
    return None


@contextmanager
def _machine_on_anvil(item: pytest.Item, machine: Any) -> Iterator[None]:
    """``machine`` deploys on an ``AnvilChain`` with as many accounts as its own chain has, runs
    ``COVERAGE_EXAMPLES`` x ``COVERAGE_STEPS``, and anvil is given back as it was afterwards."""
    from hypothesis import settings

    from flock.harness.anvil import AnvilChain, ape_request, borrowed

    request = ape_request()
    n_accounts = len(machine.new_chain().accounts)  # the harness chain it would have used
    case = item.cls  # type: ignore[attr-defined]
    budget = case.settings
    shadowed = "new_chain" in vars(machine)
    original = vars(machine).get("new_chain")
    machine.forget_deployment()
    machine.new_chain = classmethod(lambda cls: AnvilChain(request, n_accounts=n_accounts))
    examples, steps = _budget(machine)
    case.settings = settings(budget, max_examples=examples, stateful_step_count=steps)
    try:
        with borrowed(request):
            yield
    finally:
        case.settings = budget
        if shadowed:
            machine.new_chain = original
        else:
            del machine.new_chain
        machine.forget_deployment()  # its snapshot was on anvil, now reverted


def _budget(machine: type) -> tuple[int, int]:
    """``FLOCK_COVERAGE_BUDGET`` for every machine when set, else the machine's own budget (by the
    name of the machine class or of the first base that has one), else the default."""
    given = os.environ.get("FLOCK_COVERAGE_BUDGET", "")
    try:
        examples, steps = (int(part) for part in given.split(","))
    except ValueError:
        names = [c.__name__ for c in machine.__mro__ if c.__name__ in MACHINE_BUDGETS]
        return MACHINE_BUDGETS[names[0]] if names else (COVERAGE_EXAMPLES, COVERAGE_STEPS)
    return max(1, examples), max(1, steps)


# ------------------------------------------------------------------- harness chains on anvil


def harness_moved(item: pytest.Item) -> bool:
    """Whether ``item``'s module is one whose harness chains run on anvil with coverage on."""
    path = Path(str(item.path)).resolve()
    tests = Path(str(item.config.rootpath)).resolve() / "tests"
    try:
        relative = path.relative_to(tests).as_posix()
    except ValueError:
        return False
    return relative in HARNESS_ON_ANVIL


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """With coverage on, the chains a moved module's tests and fixtures make (set-up, test and
    tear-down) are ``OwnAnvilChain``s; their anvils stop after the module's last test."""
    if not enabled() or not harness_moved(item):
        yield
        return
    _HARNESS["on"] = True
    try:
        yield
    finally:
        _HARNESS["on"] = False
        if nextitem is None or nextitem.path != item.path:
            from flock.harness.anvil import stop_own_anvils

            stop_own_anvils()


def _install_harness_on_anvil() -> None:
    """``Chain(...)`` gives an ``OwnAnvilChain`` while a moved module runs (its subclasses, such as
    the machines' ``AnvilChain``, are left alone)."""
    from flock.harness.anvil import OwnAnvilChain
    from flock.harness.evm import Chain

    if getattr(Chain.__new__, "_flock_coverage", False):
        return

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return object.__new__(OwnAnvilChain if cls is Chain and _HARNESS["on"] else cls)

    new._flock_coverage = True  # type: ignore[attr-defined]
    Chain.__new__ = staticmethod(new)  # type: ignore[assignment]


# ---------------------------------------------------------------------------------------- anvil


def _install_rpc_tracing() -> None:
    from web3.providers.rpc import HTTPProvider

    original = HTTPProvider.make_request
    if getattr(original, "_flock_coverage", False):
        return
    busy = {"tracing": False}

    def make_request(self: Any, method: Any, params: Any) -> Any:
        response = original(self, method, params)
        if busy["tracing"]:
            return response
        if method in ("evm_revert", "anvil_reset", "hardhat_reset", "anvil_setCode", "hardhat_setCode"):
            _CODES.clear()
        if str(method).startswith(("anvil_", "hardhat_", "evm_")):
            _SEEN_CALLS.clear()  # state changed without a new block (storage, balance, code, revert)
            return response
        failed_estimate = method == "eth_estimateGas" and isinstance(response, dict) and "error" in response
        if method in ("eth_sendRawTransaction", "eth_sendTransaction", "eth_call") or failed_estimate:
            busy["tracing"] = True
            try:
                _trace_rpc(self, original, method, params, response)
            finally:
                busy["tracing"] = False
        return response

    make_request._flock_coverage = True  # type: ignore[attr-defined]
    HTTPProvider.make_request = make_request


def _trace_rpc(provider: Any, request: Any, method: str, params: Any, response: Any) -> None:
    endpoint = str(getattr(provider, "endpoint_uri", ""))

    def code_of(address: str) -> bytes:
        if (endpoint, address) not in _CODES:
            answer = request(provider, "eth_getCode", [address, "latest"])
            _CODES[endpoint, address] = bytes.fromhex(str(answer.get("result") or "0x").removeprefix("0x"))
        return _CODES[endpoint, address]

    if method in ("eth_call", "eth_estimateGas"):
        tx = dict(params[0])
        block = params[1] if len(params) > 1 else "latest"
        # The same call on the same state runs the same code: trace it once (a view a test reads
        # again and again). The state is named by its block's hash (a revert to a snapshot and a
        # new block give another hash).
        state = request(provider, "eth_getBlockByNumber", [block, False]) if isinstance(block, str) else {}
        block_hash = str(((state or {}).get("result") or {}).get("hash") or block)
        data = str(tx.get("data") or tx.get("input") or "0x")
        key = (endpoint, str(tx.get("to") or "").lower(), data, str(tx.get("from") or "").lower(), block_hash)
        if key in _SEEN_CALLS:
            return
        _SEEN_CALLS.add(key)
        answer = request(provider, "debug_traceCall", [tx, block, _TRACE_OPTIONS])
        calls = request(provider, "debug_traceCall", [tx, block, _CALL_TRACER])
        to = tx.get("to")
        creation = None if to else bytes.fromhex(data[2:])
    else:
        tx_hash = response.get("result") if isinstance(response, dict) else None
        if not tx_hash:
            return
        if not _mined(provider, request, tx_hash):
            _LOST.append(f"{tx_hash}: not mined after {_RECEIPT_WAIT:.0f} s")
            return
        receipt_tx = request(provider, "eth_getTransactionByHash", [tx_hash]).get("result") or {}
        to = receipt_tx.get("to")
        creation = None if to else bytes.fromhex(str(receipt_tx.get("input") or "0x")[2:])
        answer = request(provider, "debug_traceTransaction", [tx_hash, _TRACE_OPTIONS])
        calls = request(provider, "debug_traceTransaction", [tx_hash, _CALL_TRACER])
    result = answer.get("result") if isinstance(answer, dict) else None
    call_tree = calls.get("result") if isinstance(calls, dict) else None
    if not result or "structLogs" not in result or not isinstance(call_tree, dict):
        error = (answer or {}).get("error") or (calls or {}).get("error")
        _LOST.append(f"{method} to {to}: {error or 'no trace'}")
        return
    tracer = cov.Tracer(_COVERAGE, code_of)
    top = cov.top_frame_for_creation(creation) if creation is not None else cov.top_frame_for_call(tracer, to)
    tracer.run(cov.structlog_steps(result["structLogs"]), top, cov.call_targets(call_tree))


def _mined(provider: Any, request: Any, tx_hash: str) -> bool:
    """Waits for anvil to mine ``tx_hash``: it answers ``eth_sendRawTransaction`` before it mined
    a large transaction, and a trace asked for before that fails (ape waits for the receipt after
    this hook returns): the likely cause of the traces lost in long sessions before."""
    deadline = time.monotonic() + _RECEIPT_WAIT
    while True:
        receipt = request(provider, "eth_getTransactionReceipt", [tx_hash])
        if isinstance(receipt, dict) and receipt.get("result"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
