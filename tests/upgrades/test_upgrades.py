"""Upgrades (issue 12): every upgradeable contract is upgraded through the real governor and
timelock (propose, vote, queue, execute) to a second version and reads its state back unchanged;
OpenZeppelin's validator passes every implementation and every safe second version and refuses the
unsafe ones with its own messages; nobody but the timelock upgrades.

The second versions are test fixtures (tests/fixtures/upgrades), compiled here (cached in
.build/upgrades), never shipped. Runs on the in-process harness after the real deploy plan.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import function_signature_to_4byte_selector

from flock import artifacts
from flock.deploy import upgrades
from flock.deploy.proxies import UPGRADEABLE, implementation_args
from flock.harness.evm import Contract
from flock.harness.system import implementation_of
from flock.paths import PROJECT_ROOT
from flock.testing.governance import Call, World, build_world
from flock.testing.privileged import _alliance_member, _credit, _final_root, _task_with_pot
from flock.units import WAD

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "upgrades"
SOURCES = (FIXTURES / "SafeV2.sol", FIXTURES / "Layouts.sol")
CONTRACT_OF = {
    "gmflock": "GmFlock",
    "emissions": "EmissionController",
    "tasks": "TaskRegistry",
    "alliance": "AllianceRounds",
    "submissions": "ArenaSubmissions",
    "rewards": "RewardDistributor",
    "slasher": "ArenaSlasher",
    "api": "ApiCredits",
}


@pytest.fixture(scope="module")
def report() -> upgrades.UpgradeReport:
    """One run of OpenZeppelin's validator over contracts/ and the fixtures: every upgradeable
    contract, each second version against its `@custom:oz-upgrades-from` reference."""
    return upgrades.validate(extra_sources=SOURCES, deployable=True)


def test_every_upgradeable_contract_is_upgrade_safe(report):
    sections = report.sections()
    for name in upgrades.UPGRADEABLE_CONTRACTS:
        passed, text = sections[name]
        assert passed, text
    assert set(CONTRACT_OF) == set(UPGRADEABLE) and set(CONTRACT_OF.values()) == set(
        upgrades.UPGRADEABLE_CONTRACTS
    )


def test_safe_second_versions_pass(report):
    sections = report.sections()
    for name in [f"{c}V2" for c in upgrades.UPGRADEABLE_CONTRACTS] + ["LedgerV2Safe"]:
        passed, text = sections[name]
        assert passed, text
        assert "upgrades from" in text  # compared with its V1's layout, not only checked alone


@pytest.mark.parametrize(
    ("contract", "messages"),
    [
        ("LedgerV2Reordered", ["Deleted `total`", "Inserted `total`"]),
        ("LedgerV2Removed", ["Deleted `owner`", "Keep the variable even if unused"]),
        ("LedgerV2ConstructorWrites", ["Contract `LedgerV2ConstructorWrites` has a constructor"]),
    ],
)
def test_unsafe_second_versions_fail_with_openzeppelins_message(report, contract, messages):
    passed, text = report.sections()[contract]
    assert not passed
    for message in messages:
        assert message in text, text
    assert not report.ok


def test_a_new_implementation_is_checked_against_a_recorded_deployment(tmp_path):
    """What `dao propose upgrade` and `deploy verify` do: the deployed build was recorded
    (`save_reference`); the new implementation is compared with it."""
    recorded = upgrades.save_reference(tmp_path / "deployed", SOURCES, deployable=True)
    good = upgrades.validate_upgrade(
        "TaskRegistry",
        "TaskRegistryV2",
        reference_build_info=recorded,
        extra_sources=SOURCES,
        deployable=True,
    )
    assert good.ok, good.text
    bad = upgrades.validate_upgrade("LedgerV1", "LedgerV2Removed", extra_sources=SOURCES, deployable=True)
    assert not bad.ok and "Deleted `owner`" in bad.text


# ---------------------------------------------------------------- upgrades through the DAO


def _views(contract: Contract) -> dict[str, Any]:
    """Every argument-less view of the contract, by name (but `proxiableUUID`, which UUPS answers
    on an implementation only, never through its proxy)."""
    names = {
        e["name"]
        for e in artifacts.load()[contract.name].abi
        if e.get("type") == "function" and e.get("stateMutability") in ("view", "pure") and not e["inputs"]
    } - {"proxiableUUID"}
    return {name: contract[f"{name}()"]() for name in sorted(names)}


def _state(world: World, tasks: range, epochs: range) -> dict[str, Any]:
    """What the protocol holds: balances, locks, votes, stakes, budgets, roots and their pots,
    credits, pools (for the given tasks and epochs), and every argument-less view of every
    upgradeable contract."""
    s, w = world.system, world
    holders = [w[a] for a in ("voter", "staker", "user", "outsider")]
    state: dict[str, Any] = {
        "gmflock": [
            (s.gmflock.balanceOf(a), s.gmflock.lockedOf(a), s.gmflock.allocatedOf(a), s.gmflock.getVotes(a))
            for a in holders
        ],
        "locks": [s.gmflock.lockInfo(a, i) for a in holders for i in range(2)],
        "flock held": {k: s.token.balanceOf(s.contracts[k].address) for k in UPGRADEABLE},
        "tasks": [(s.tasks.taskInfo(t), s.tasks.taskStakes(t), s.tasks.slashPot(t)) for t in tasks],
        "members": [s.tasks.memberOf(t, a) for t in tasks for a in holders],
        "budgets": [(s.emissions.accruedBudget(t), s.emissions.drawnBudget(t)) for t in tasks],
        "epochs": [s.emissions.epochInfo(e) for e in epochs],
        "roots": [(s.rewards.epochRewards(t, e), s.rewards.potOf(t, e)) for t in tasks for e in epochs],
        "credit": [s.api.accountOf(a) for a in holders],
        "alliance pools": [s.alliance.poolOf(t) for t in tasks],
    }
    return state | {key: _views(s.contracts[key]) for key in UPGRADEABLE}


def _changes(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    """The entries (``key`` or ``key.view``) that differ."""
    changed = set()
    for key in a:
        if isinstance(a[key], dict) and key in UPGRADEABLE:
            changed |= {f"{key}.{name}" for name in a[key] if a[key][name] != b[key][name]}
        elif a[key] != b[key]:
            changed.add(key)
    return changed


@pytest.fixture(scope="module")
def world() -> World:
    """The deployed protocol with state in every contract: locks and votes, tasks with stakes, a
    delegation and a slash (the slash pot), a finalized reward root and its pot, an Alliance task,
    API credit."""
    w = build_world()
    _task_with_pot(w, 1)
    _alliance_member(w, 2)
    _final_root(w, 3)
    _credit(w, 4)
    return w


def test_every_upgradeable_contract_upgrades_through_the_dao_and_keeps_its_state(world):
    s, chain = world.system, world.system.chain
    tasks = range(1, s.tasks.taskCount() + 1)
    epoch = s.emissions.currentEpoch()
    epochs = range(max(epoch - 4, 0), epoch + 1)
    before = _state(world, tasks, epochs)
    # What changes with time alone (the current epoch, the clock, phases): a month later, nothing
    # else touched. Everything else must read back exactly after the upgrades.
    snap = chain.snapshot()
    chain.warp(30 * 86_400)
    moves_with_time = _changes(before, _state(world, tasks, epochs))
    chain.revert(snap)
    assert "gmflock" not in moves_with_time and "roots" not in moves_with_time

    initialize_v2 = function_signature_to_4byte_selector("initializeV2()")
    for key in UPGRADEABLE:
        proxy = s.contracts[key]
        v2_artifact = upgrades.artifact(f"{CONTRACT_OF[key]}V2", SOURCES)
        args = implementation_args(key, lambda name, c=proxy: c[f"{name}()"]())
        v2 = chain.deploy_artifact(v2_artifact, *args, sender=world["outsider"])
        receipt = world.govern([Call(proxy, "upgradeToAndCall", (v2.address, initialize_v2))])
        emitted = {e.name for e in receipt.events if e.address == proxy.address}
        assert {"Upgraded", "Initialized"} <= emitted
        assert implementation_of(chain, proxy.address) == v2.address
        assert Contract(chain, proxy.address, v2_artifact.abi, v2_artifact.name).upgradeVersion() == 2
        with chain.reverts("InvalidInitialization"):  # the V2 migration runs once, too
            Contract(chain, proxy.address, v2_artifact.abi, v2_artifact.name).initializeV2(
                sender=world["user"]
            )

    after = _state(world, tasks, epochs)
    assert _changes(before, after) <= moves_with_time


def test_the_protocol_runs_on_after_the_upgrades(world):
    """The upgraded contracts keep working: a new lock, a task join and a claim of the root
    finalized before the upgrade."""
    s, w = world.system, world
    s.token.transfer(w["user"], 100 * WAD, sender=w["timelock"])
    s.token.approve(s.gmflock.address, 100 * WAD, sender=w["user"])
    s.gmflock.lock(100 * WAD, 30 * 86_400, sender=w["user"])
    assert s.gmflock.balanceOf(w["user"]) >= 100 * WAD
    assert s.gmflock.getVotes(w["user"]) == s.gmflock.balanceOf(w["user"])


def test_only_the_timelock_upgrades(world):
    s, chain = world.system, world.system.chain
    for key in UPGRADEABLE:
        proxy, implementation = s.contracts[key], s.implementations[key]
        for caller in ("deployer", "voter", "user"):
            with chain.reverts("AccessControlUnauthorizedAccount"):
                proxy.upgradeToAndCall(implementation.address, b"", sender=world[caller])
        # An implementation is never upgraded itself (UUPS: only through a proxy).
        with chain.reverts("UUPSUnauthorizedCallContext"):
            implementation.upgradeToAndCall(implementation.address, b"", sender=world["timelock"])
