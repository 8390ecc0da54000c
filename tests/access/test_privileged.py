"""INV-09 row by row: every privileged function of every contract refuses every other known account
with its named error, and succeeds for its holder (directly, or through a proposal when the holder
is the timelock acting on itself or the function is onlyGovernance).

The rows live in flock/testing/privileged.py (PRIVILEGED), shared with the INV-09 state machine;
a new contract adds its rows there. Runs on the in-process harness after the real deploy plan.
"""

from __future__ import annotations

import pytest

from flock import artifacts
from flock.deploy.plan import roles_of
from flock.testing.fixtures import Prepared
from flock.testing.governance import CALLERS, ROLE_CONTRACTS, World, build_world
from flock.testing.privileged import (
    CREATED,
    NOBODY,
    OPEN,
    PRIVILEGED,
    SAME_AS,
    Privileged,
    acts_through_governance,
    holders,
)


@pytest.fixture(scope="module")
def prepared() -> Prepared[World]:
    world = build_world()
    return Prepared(world, world.system.chain)


@pytest.fixture
def world(prepared: Prepared[World]) -> World:
    """The same world for every test: the chain goes back to the module's snapshot."""
    return prepared.fresh()


def _send(world: World, row: Privileged, caller: str, nonce: int):
    if row.prepare:
        row.prepare(world, nonce)
    call = row.call(world, nonce)
    return getattr(call.contract, call.function)(*call.args, sender=world[caller])


@pytest.mark.parametrize("row", PRIVILEGED, ids=lambda r: r.id)
def test_refuses_everyone_but_its_holder(world: World, row: Privileged) -> None:
    allowed = holders(world, row)
    refused = [c for c in CALLERS if c not in allowed and c != row.contract]
    assert "deployer" in refused and "user" in refused
    for nonce, caller in enumerate(refused):
        with world.system.chain.reverts(row.expected_error(caller)):
            _send(world, row, caller, nonce)


@pytest.mark.parametrize("row", [r for r in PRIVILEGED if r.holder != NOBODY], ids=lambda r: r.id)
def test_succeeds_for_its_holder(world: World, row: Privileged) -> None:
    allowed = holders(world, row)
    direct = [h for h in allowed if h != row.contract]
    holder = direct[0] if direct else (allowed[0] if allowed else None)
    target = world.contract(row.contract).address
    if acts_through_governance(world, row, holder):
        receipt = world.govern([row.call(world, 1)])
        assert receipt.events_named("ProposalExecuted")
        emitted = [e for e in receipt.events if e.address == target]
    else:
        receipt = _send(world, row, holder, 1)
        emitted = receipt.events
    assert emitted, f"{row.id} changed state without an event"


@pytest.mark.parametrize("row", [r for r in PRIVILEGED if r.holder == NOBODY], ids=lambda r: r.id)
def test_an_initializer_refuses_even_a_proposal_and_on_the_implementation(
    world: World, row: Privileged
) -> None:
    """``initialize`` ran in the proxy's deployment: a passed proposal cannot run it again, and the
    implementation behind the proxy (initializers disabled in its constructor) refuses it too."""
    chain = world.system.chain
    with chain.reverts("InvalidInitialization"):
        world.govern([row.call(world, 1)])
    implementation = world.system.implementations[row.contract]
    with chain.reverts("InvalidInitialization"):
        implementation.initialize(*row.args(world, 1), sender=world["outsider"])


def test_deployer_holds_no_role_after_deployment(world: World) -> None:
    for key in ROLE_CONTRACTS:
        for role in roles_of(world.contract(key).name):  # DEFAULT_ADMIN_ROLE included
            assert not world.has_role(key, role, "deployer"), f"deployer still holds {key}.{role}"


def test_every_state_changing_function_is_classified(world: World) -> None:
    """PRIVILEGED and OPEN together name every non-view function of every deployed contract."""
    classified: dict[str, set[str]] = {key: set(functions) for key, functions in OPEN.items()}
    for row in PRIVILEGED:
        classified.setdefault(row.contract, set()).add(row.function)
    for key, contract in world.system.contracts.items():
        functions = {
            e["name"]
            for e in artifacts.load()[contract.name].abi
            if e.get("type") == "function" and e.get("stateMutability") not in ("view", "pure")
        }
        missing = functions - classified.get(key, classified.get(SAME_AS.get(contract.name, ""), set()))
        assert not missing, f"{key}: classify {sorted(missing)} in flock/testing/privileged.py"


def test_contracts_created_at_run_time_are_classified_and_hold_no_privilege() -> None:
    """Reward pots come from the distributor, not the plan: their functions are all open, and they
    have no roles at all."""
    for name, open_functions in CREATED.items():
        abi = artifacts.load()[name].abi
        functions = {
            e["name"]
            for e in abi
            if e.get("type") == "function" and e.get("stateMutability") not in ("view", "pure")
        }
        assert functions == set(open_functions), f"{name}: classify {sorted(functions ^ set(open_functions))}"
        assert not [e for e in abi if e.get("name", "").endswith("_ROLE")], f"{name} has roles"
