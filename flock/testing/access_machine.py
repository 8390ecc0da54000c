"""INV-09 under random callers: only the timelock, or whom it appointed, changes anything.

Rules call the privileged functions of ``flock.testing.privileged`` from random accounts, grant and
revoke random roles from random callers, try to pull FLOCK out of the treasury, and pass real
proposals through the governor. A model records who holds each role, changed only by calls that
were allowed; each rule asserts that a call succeeds exactly when the model says its caller may
make it, and refuses with the row's named error otherwise. The ``inv_09_...`` invariants compare
the chain with the model. Used by tests/property/test_access_invariants.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import invariant

from flock.deploy.governed import PARAMETERS
from flock.deploy.plan import roles_of
from flock.deploy.verify import normalize
from flock.harness.system import System, deploy_system
from flock.testing.governance import CALLERS, ROLE_CONTRACTS, Call, World, build_world
from flock.testing.machine import ProtocolMachine, initialize, rule
from flock.testing.privileged import (
    GOVERNANCE,
    NOBODY,
    OPERATOR,
    ORACLE,
    PRIVILEGED,
    REWARD_GUARDIAN,
    SELF,
    Privileged,
)
from flock.units import WAD

# Accounts the machine grants roles to and revokes them from: never the timelock or the governor
# (their roles are the system itself) nor the deployer (it must keep holding nothing).
GRANTEES = ("voter", "staker", "minter", "manager", "slasher", "user", "outsider", "sink", "distributor")
DIRECT_ROWS = tuple(r for r in PRIVILEGED if r.function not in ("grantRole", "revokeRole"))
# What a proposal may do: the governor's onlyGovernance functions, the timelock's own settings, and
# whatever DEFAULT_ADMIN_ROLE allows (the timelock holds it everywhere, and the machine never takes
# it away).
GOVERNABLE_ROWS = tuple(r for r in PRIVILEGED if r.holder in (GOVERNANCE, SELF, "DEFAULT_ADMIN_ROLE"))
SETTERS = {(p.key, p.setter): p.label for p in PARAMETERS if p.setter}


class AccessMachine(ProtocolMachine):
    """The deployed protocol after the handover, poked at by everyone."""

    _world: ClassVar[World]  # the world of role holders (``deploy``)
    _roles: ClassVar[dict[tuple[str, str], frozenset[str]]]  # who held which role after the set-up

    @classmethod
    def deploy(cls) -> System:
        world = build_world(deploy_system(cls.new_chain()))
        cls._world = world
        cls._roles = {
            (key, role): frozenset(label for label in world.accounts if world.has_role(key, role, label))
            for key in ROLE_CONTRACTS
            for role in roles_of(world.contract(key).name)
        }
        return world.system

    def new_model(self, accounts: list[str]) -> None:
        self.world = type(self)._world
        self.token = self.world.contract("token")
        self.roles: dict[tuple[str, str], set[str]] = {k: set(v) for k, v in type(self)._roles.items()}
        self.nonce = 0
        self.params = self._read_parameters()
        self.may_change: set[str] = set()
        self.treasury = self.token.balanceOf(self.world["timelock"])

    @initialize()
    def start(self) -> None:
        self.chain.warp(1)

    # ------------------------------------------------------------------ helpers

    def _next_nonce(self) -> int:
        self.nonce += 1
        return self.nonce

    def _read_parameters(self) -> dict[str, Any]:
        return {
            p.label: normalize(getattr(self.world.contract(p.key), p.getter)())
            for p in PARAMETERS
            if p.key in self.world.system.contracts
        }

    def _may_call(self, row: Privileged, caller: str) -> bool:
        if row.holder in (GOVERNANCE, SELF, NOBODY):
            return False  # never by a direct call, whoever sends it (NOBODY: not even a proposal)
        if row.holder == ORACLE:  # the oracle set is a parameter, checked by inv_09_parameters_...
            return bool(self.world.contract("rewards").isOracle(self.world[caller]))
        if row.holder == OPERATOR:  # the gateway operator set, likewise
            return bool(self.world.contract(row.contract).isOperator(self.world[caller]))
        if row.holder == REWARD_GUARDIAN:  # the API credits' veto: the distributor's guardians
            return caller in self.roles[("rewards", "GUARDIAN_ROLE")]
        return caller in self.roles[(row.contract, row.holder)]

    # ------------------------------------------------------------------ rules

    @rule(row=st.sampled_from(DIRECT_ROWS), caller=st.sampled_from(CALLERS))
    def call_privileged(self, row: Privileged, caller: str) -> None:
        if caller == row.contract:
            return  # a contract calls itself only from its own code: the govern rule covers it
        nonce = self._next_nonce()
        if row.prepare:
            row.prepare(self.world, nonce)
        call = row.call(self.world, nonce)
        send = getattr(call.contract, call.function)
        if self._may_call(row, caller):
            send(*call.args, sender=self.world[caller])
            if (row.contract, row.function) in SETTERS:
                self.may_change.add(SETTERS[(row.contract, row.function)])
        else:
            with self.chain.reverts(row.expected_error(caller)):
                send(*call.args, sender=self.world[caller])

    @rule(
        key=st.sampled_from(ROLE_CONTRACTS),
        role_index=st.integers(min_value=0, max_value=7),
        grantee=st.sampled_from(GRANTEES),
        caller=st.sampled_from(CALLERS),
        grant=st.booleans(),
    )
    def change_role(self, key: str, role_index: int, grantee: str, caller: str, grant: bool) -> None:
        if caller == key:
            return
        contract = self.world.contract(key)
        roles = roles_of(contract.name)
        role = roles[role_index % len(roles)]
        value = self.world.role(key, role)
        admin = bytes(contract.getRoleAdmin(value))
        admin_name = next(r for r in roles if self.world.role(key, r) == admin)
        function = contract.grantRole if grant else contract.revokeRole
        if caller in self.roles[(key, admin_name)]:
            function(value, self.world[grantee], sender=self.world[caller])
            holders = self.roles[(key, role)]
            holders.add(grantee) if grant else holders.discard(grantee)
        else:
            with self.chain.reverts("AccessControlUnauthorizedAccount"):
                function(value, self.world[grantee], sender=self.world[caller])

    @rule(caller=st.sampled_from(CALLERS))
    def pull_from_treasury(self, caller: str) -> None:
        if caller == "timelock":
            return
        with self.chain.reverts("ERC20InsufficientAllowance"):
            self.token.transferFrom(self.world["timelock"], self.world[caller], 1, sender=self.world[caller])

    @rule(row=st.sampled_from(GOVERNABLE_ROWS), pay=st.integers(min_value=0, max_value=1_000))
    def govern(self, row: Privileged, pay: int) -> None:
        """A passed proposal runs ``row`` as the timelock and pays ``pay`` FLOCK from the treasury."""
        nonce = self._next_nonce()
        if row.prepare:
            row.prepare(self.world, nonce)
        call = row.call(self.world, nonce)
        calls = [call]
        if pay:
            calls.append(Call(self.token, "transfer", (self.world["user"], pay * WAD)))
        receipt = self.world.govern(calls)
        assert receipt.events_named("ProposalExecuted")
        self.treasury -= pay * WAD
        if (row.contract, row.function) in SETTERS:
            self.may_change.add(SETTERS[(row.contract, row.function)])
        if row.function in ("grantRole", "revokeRole"):
            grantee = self.world.label_of(call.args[1])
            role = next(
                r for r in roles_of(call.contract.name) if self.world.role(row.contract, r) == call.args[0]
            )
            if grantee in self.world.accounts:
                holders = self.roles[(row.contract, role)]
                holders.add(grantee) if row.function == "grantRole" else holders.discard(grantee)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def inv_09_roles_change_only_by_their_admins(self) -> None:
        for (key, role), holders in self.roles.items():
            for label in self.world.accounts:
                held = self.world.has_role(key, role, label)
                assert held == (label in holders), f"{key}.{role} of {label}: chain {held}, model {not held}"

    @invariant()
    def inv_09_deployer_holds_nothing(self) -> None:
        for (key, role), holders in self.roles.items():
            assert "deployer" not in holders
            assert not self.world.has_role(key, role, "deployer"), f"deployer holds {key}.{role}"

    @invariant()
    def inv_09_parameters_change_only_through_allowed_setters(self) -> None:
        now = self._read_parameters()
        changed = {label for label in now if now[label] != self.params[label]}
        assert changed <= self.may_change, (
            f"changed without an allowed setter call: {changed - self.may_change}"
        )
        self.params, self.may_change = now, set()

    @invariant()
    def inv_09_treasury_moves_only_by_governance(self) -> None:
        assert self.token.balanceOf(self.world["timelock"]) == self.treasury
