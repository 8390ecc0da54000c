"""Run a draft or a proposal on a snapshot of the connected chain, report what it does, revert.

Two ways, the most faithful one available:

- **as the timelock** (drafts, and proposals still Pending or Active): the timelock is impersonated
  and sends each action itself, exactly as `executeBatch` will. A call to one of the governor's own
  settings runs only inside `governor.execute` and is refused this way; the report says so.
- **through the governor** (proposals that Succeeded or are Queued): the real `queue` (if needed)
  and, once the clock is moved past the timelock delay, the real `execute`.

Either way the report lists each call's outcome and events, and every governed parameter
(``flock.deploy.governed.PARAMETERS``) that changed; then the chain returns to the snapshot. It needs
a chain it may snapshot and impersonate on: a local anvil or a fork of a live network.

An action that upgrades a proxy (``upgradeToAndCall``) is checked as well (``UpgradeOutcome``): the
proxy's ERC-1967 slot holds the new implementation afterwards; OpenZeppelin's storage-layout check
of the new implementation (recognized as a contract of this build by its code) against the deployed
one passes; and the contract's state, read through its own views before and after
(``flock.dao.readback``: balances, locks, stakes, tasks, roots, parameters), is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ape import accounts, chain
from ape.exceptions import ApeException
from eth_utils import keccak, to_checksum_address

from flock import artifacts
from flock.chain.clock import advance, mine_at
from flock.chain.codec import AbiRegistry
from flock.chain.errors import describe_revert
from flock.chain.local import impersonate
from flock.chain.network import is_dev
from flock.chain.protocol import implementation_at
from flock.dao import readback
from flock.dao.actions import Action, DecodedCall, Draft, decode_action, show_value
from flock.dao.deployment import DaoError, Deployment
from flock.dao.proposals import Governance, Proposal
from flock.dao.readback import Difference
from flock.dao.upgrades import build_contract_of, check_storage
from flock.deploy.config import ZERO_ADDRESS
from flock.deploy.governed import PARAMETERS
from flock.deploy.verify import normalize, show_in_unit

GOVERNOR_MODE_STATES = ("Succeeded", "Queued")
_UPGRADE_SELECTOR = keccak(text="upgradeToAndCall(address,bytes)")[:4]


@dataclass(frozen=True)
class SimEvent:
    emitter: str
    name: str
    args: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SimCall:
    call: DecodedCall
    ok: bool
    error: str = ""
    gas: int = 0
    skipped: bool = False  # not run: only the governor's own execution can make this call


@dataclass(frozen=True)
class Change:
    parameter: str
    before: str
    after: str


@dataclass
class UpgradeOutcome:
    """What an upgrade action did to its proxy in the simulation."""

    key: str
    before: str  # the implementation before
    wanted: str  # the implementation the action names
    after: str | None = None  # the slot's implementation after the run
    storage: str = ""  # the storage check's verdict, in words
    storage_ok: bool = False
    probes: int = 0  # view calls read back
    differences: list[Difference] = field(default_factory=list)
    with_call: bool = False  # the action runs a call after the switch: state may change by design

    @property
    def ok(self) -> bool:
        unchanged = self.with_call or not self.differences
        return self.after == self.wanted and self.storage_ok and unchanged


@dataclass
class SimulationReport:
    mode: str  # "as the timelock" | "through the governor"
    calls: list[SimCall] = field(default_factory=list)
    events: list[SimEvent] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    upgrades: list[UpgradeOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.calls) and all(u.ok for u in self.upgrades)


def _registry() -> AbiRegistry:
    registry = AbiRegistry()
    for artifact in artifacts.load().artifacts.values():
        registry.add(artifact.abi)
    return registry


def _events(deployment: Deployment, registry: AbiRegistry, receipt: Any) -> tuple[SimEvent, ...]:
    events = []
    for log in receipt.logs:
        topics = [bytes(t) for t in log["topics"]]
        data = log["data"]
        data = bytes.fromhex(data[2:]) if isinstance(data, str) else bytes(data)
        event = registry.decode_log(str(log["address"]), topics, data)
        emitter = deployment.name_of(log["address"]) or str(log["address"])
        if event is None:
            events.append(SimEvent(emitter, "(unknown event)", ()))
            continue
        args = tuple((k, _show_arg(deployment, k, v)) for k, v in event.args.items())
        events.append(SimEvent(emitter, event.name, args))
    return tuple(events)


def _show_arg(deployment: Deployment, name: str, value: Any) -> str:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return show_value(deployment, name, "address", value)
    if isinstance(value, bytes) and len(value) == 32:
        return show_value(deployment, name, "bytes32", value)
    if isinstance(value, int) and not isinstance(value, bool):
        return show_value(deployment, name, "uint256", value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _error_text(registry: AbiRegistry, err: Exception) -> str:
    """A revert in words: the custom error by name, decoded by ape or from the raw revert data."""
    data = getattr(err, "revert_message", None) or ""
    if isinstance(data, str) and data.startswith("0x") and len(data) >= 10:
        decoded = registry.decode_error(bytes.fromhex(data[2:]))
        if decoded.name not in ("Unknown", "EmptyRevert"):
            return f"{decoded.name}({', '.join(f'{k}={v}' for k, v in decoded.args.items())})"
    return describe_revert(err)


def read_parameters(deployment: Deployment) -> dict[str, Any]:
    """Every governed parameter of the deployment, normalized for comparison."""
    values = {}
    for parameter in PARAMETERS:
        if parameter.key in deployment.manifest.contracts:
            try:
                values[parameter.label] = normalize(deployment.protocol.view(parameter.key, parameter.getter))
            except ApeException:  # e.g. after an upgrade to code without this view
                values[parameter.label] = "(reverts)"
    return values


def _changes(deployment: Deployment, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    names = {deployment.address(k).lower(): k for k in deployment.keys}
    names[ZERO_ADDRESS] = "zero address"
    units = {p.label: p.unit for p in PARAMETERS}
    return [
        Change(
            label,
            show_in_unit(before[label], units[label], names),
            show_in_unit(after[label], units[label], names),
        )
        for label in before
        if before[label] != after[label]
    ]


def _require_dev_chain() -> None:
    provider = chain.provider
    if not is_dev(provider.network.name):
        raise DaoError(
            f"simulate needs a chain it can snapshot and impersonate on; {provider.network.name} is live. "
            "Use a local anvil or a fork, e.g. --network base:sepolia-fork:foundry"
        )


def _as_timelock(deployment: Deployment, actions: tuple[Action, ...], report: SimulationReport) -> None:
    registry = _registry()
    timelock = impersonate(deployment.address("timelock"))
    governor = deployment.address("governor").lower()
    for action in actions:
        call = decode_action(deployment, action)
        if action.target.lower() == governor:
            report.calls.append(SimCall(call, True, skipped=True))
            report.notes.append(
                f"{call.function} is one of the governor's own settings: it runs only inside "
                "governor.execute, so it was not run here. Simulate the proposal by id once it has "
                "succeeded to run it for real."
            )
            continue
        try:
            receipt = timelock.transfer(action.target, action.value, data=action.calldata)
        except ApeException as err:
            report.calls.append(SimCall(call, False, _error_text(registry, err)))
            continue
        report.calls.append(SimCall(call, True, gas=receipt.gas_used))
        report.events.extend(_events(deployment, registry, receipt))


def _through_governor(
    deployment: Deployment,
    governance: Governance,
    proposal: Proposal,
    report: SimulationReport,
    before_execute: Callable[[], None],
) -> None:
    registry = _registry()
    sender = accounts.test_accounts[0]
    if governance.state(proposal) == "Succeeded":
        governance.queue(proposal, sender)
        report.notes.append("queued it in the timelock")
    eta = int(deployment.governor.proposalEta(proposal.id))
    if eta > chain.pending_timestamp:
        mine_at(eta + 1)
        report.notes.append("moved the clock past the timelock delay")
    before_execute()
    try:
        receipt = governance.execute(proposal, sender)
    except ApeException as err:
        for action in proposal.actions:
            report.calls.append(SimCall(decode_action(deployment, action), False, _error_text(registry, err)))
        return
    report.calls.extend(SimCall(decode_action(deployment, a), True) for a in proposal.actions)
    report.events.extend(_events(deployment, registry, receipt))
    report.notes.append(f"governor.execute used {receipt.gas_used:,} gas")


def _upgrades_in(deployment: Deployment, actions: tuple[Action, ...]) -> list[UpgradeOutcome]:
    """An outcome record for each action that upgrades a proxy of the deployment."""
    found = []
    for action in actions:
        key = deployment.name_of(action.target)
        if key is None or action.calldata[:4] != _UPGRADE_SELECTOR:
            continue
        call = decode_action(deployment, action)
        wanted, data = to_checksum_address(str(call.args[0].value)), call.args[1].value
        before = implementation_at(action.target) or "none"
        found.append(UpgradeOutcome(key, before, wanted, with_call=bool(data)))
    return found


def _check_upgrade_storage(deployment: Deployment, outcome: UpgradeOutcome) -> None:
    name = build_contract_of(outcome.wanted)
    if name is None:
        outcome.storage = f"not checked: the code at {outcome.wanted} is no contract of this build"
        return
    try:
        verdict = check_storage(deployment, outcome.key, name, None)
    except DaoError as err:
        outcome.storage = f"not checked: {err}"
        return
    outcome.storage_ok = verdict.ok
    first = verdict.text.splitlines()[0] if verdict.text else ""
    outcome.storage = f"{name} against {verdict.reference}: " + (
        "compatible" if verdict.ok else f"UNSAFE: {first}"
    )


def simulate(deployment: Deployment, draft: Draft, proposal: Proposal | None = None) -> SimulationReport:
    """Runs ``draft`` (or the existing ``proposal``) on a snapshot and reverts; see the module doc."""
    _require_dev_chain()
    governance = Governance(deployment)
    through_governor = proposal is not None and governance.state(proposal) in GOVERNOR_MODE_STATES
    report = SimulationReport("through the governor" if through_governor else "as the timelock")
    report.notes.extend(draft.notes)
    before = read_parameters(deployment)
    upgrades = _upgrades_in(deployment, draft.actions)
    snapshot = chain.snapshot()
    try:
        states: list[readback.Baseline] = []

        def take_baselines() -> None:  # right before the actions run, at the clock they run at
            if upgrades:
                states.extend(readback.baselines(deployment, [u.key for u in upgrades], lambda: advance(1)))

        if through_governor and proposal is not None:
            _through_governor(deployment, governance, proposal, report, take_baselines)
        else:
            take_baselines()
            _as_timelock(deployment, draft.actions, report)
        report.changes = _changes(deployment, before, read_parameters(deployment))
        for outcome, baseline in zip(upgrades, states, strict=True):
            outcome.after = implementation_at(deployment.address(outcome.key))
            outcome.probes = baseline.compared
            outcome.differences = baseline.compare(deployment)
            _check_upgrade_storage(deployment, outcome)
            report.upgrades.append(outcome)
    finally:
        chain.restore(snapshot)
    return report
