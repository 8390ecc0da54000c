"""The base of the property suites' state machines, and the decorators their rules are declared with.

Each machine (``StakingMachine``, ``TaskMachine``, ``RewardMachine``, ``AllianceMachine``,
``ApiMachine``, ``SystemMachine``) is a :class:`ProtocolMachine`: a Hypothesis
``RuleBasedStateMachine`` over the protocol deployed in the in-process harness. A machine is made
in one of two ways:

- ``Machine()``, as its ``TestCase`` does for every example: the protocol is deployed and the
  machine's :meth:`~ProtocolMachine.prepare` set-up run once per process (per machine class); each
  example starts from the state right after it (:class:`~flock.testing.fixtures.Prepared`);
- ``Machine(system, accounts)``, as the system machine does with its *parts*: the machine acts on a
  deployment it shares with other parts, with its own window of accounts, which ``prepare`` set up.

Either way :meth:`~ProtocolMachine.new_model` then builds the model of a fresh example.

Rules are declared with :func:`rule`, :func:`initialize` and :func:`precondition` from here: they
are Hypothesis's decorators of the same names, and also record each rule's strategies and
preconditions (:class:`Step`), which :func:`steps_of` returns. The system machine turns each
part's steps into its own rules with the same decorators, so ``steps_of`` lists its rules too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from hypothesis import stateful
from hypothesis.strategies import SearchStrategy

from flock.harness.evm import Chain
from flock.harness.system import System, deploy_system
from flock.tasks import LockStatus
from flock.testing.fixtures import Prepared

_STEP = "flock_step"  # the attribute holding a rule's Step


@dataclass(frozen=True)
class Step:
    """A rule (or an initializer: ``initial``) as declared: the function, the strategies of its
    arguments, and its preconditions."""

    function: Callable[..., Any]
    arguments: dict[str, SearchStrategy[Any]]
    preconditions: tuple[Callable[[Any], Any], ...] = ()
    initial: bool = False


def rule(**arguments: SearchStrategy[Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``hypothesis.stateful.rule(**arguments)``, recorded as a :class:`Step`."""

    def accept(function: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = stateful.rule(**arguments)(function)
        setattr(wrapped, _STEP, Step(function, arguments))
        return wrapped

    return accept


def initialize(**arguments: SearchStrategy[Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``hypothesis.stateful.initialize(**arguments)``, recorded as a :class:`Step`."""

    def accept(function: Callable[..., Any]) -> Callable[..., Any]:
        wrapped = stateful.initialize(**arguments)(function)
        setattr(wrapped, _STEP, Step(function, arguments, initial=True))
        return wrapped

    return accept


def precondition(check: Callable[[Any], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``hypothesis.stateful.precondition(check)``, recorded on the rule's :class:`Step`; written
    above the :func:`rule` it guards."""

    def accept(function: Callable[..., Any]) -> Callable[..., Any]:
        step = getattr(function, _STEP, None)
        if step is None:
            raise TypeError(f"{function.__name__}: write @precondition above @rule")
        wrapped = stateful.precondition(check)(function)
        setattr(wrapped, _STEP, replace(step, preconditions=(*step.preconditions, check)))
        return wrapped

    return accept


def steps_of(machine: type[ProtocolMachine]) -> dict[str, Step]:
    """A machine's rules and initializers, by name."""
    return {
        name: step for name, member in inspect.getmembers(machine) if (step := getattr(member, _STEP, None))
    }


class ProtocolMachine(stateful.RuleBasedStateMachine):
    """A state machine over the protocol in the in-process harness (see the module's notes)."""

    _prepared: ClassVar[Prepared[System] | None] = None  # each subclass's own (``__init_subclass__``)

    system: System
    chain: Chain
    keeper: str  # who keeps the emission controller current (:meth:`_catch_up`)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._prepared = None

    def __init__(self, system: System | None = None, accounts: list[str] | None = None) -> None:
        super().__init__()
        if system is None:
            system = type(self).deployment().fresh()
        self.system, self.chain = system, system.chain
        self.new_model(system.chain.accounts if accounts is None else accounts)

    # ------------------------------------------------------------------ set-up, once per process

    @classmethod
    def new_chain(cls) -> Chain:
        """The chain a standalone machine deploys on: the in-process harness (a subclass may choose
        another backend with the harness's interface, as the ``fuzz.vs_anvil`` benchmark does)."""
        return Chain()

    @classmethod
    def deploy(cls) -> System:
        """The protocol on a new chain, with the machine's set-up done on the chain's accounts."""
        system = deploy_system(cls.new_chain())
        cls.prepare(system, system.chain.accounts)
        return system

    @classmethod
    def deployment(cls) -> Prepared[System]:
        """This machine class's deployment, made on first use."""
        if cls._prepared is None:
            system = cls.deploy()
            cls._prepared = Prepared(system, system.chain)
        return cls._prepared

    @classmethod
    def forget_deployment(cls) -> None:
        """The next example deploys anew (benchmarks time their runs on a chain of their own)."""
        cls._prepared = None

    @classmethod
    def prepare(cls, system: System, accounts: list[str]) -> None:
        """The machine's set-up on ``system``, with ``accounts`` (the chain's, or a window of them
        in the system suite): roles, funds, tasks; done once per deployment."""

    def new_model(self, accounts: list[str]) -> None:
        """The model of a fresh example: handles on the contracts, the accounts ``prepare`` set
        up, and what the rules keep track of."""
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> int:
        return self.chain.now

    def _unlock_expired(self, user: str, lock_id: int) -> tuple[Any, Any] | None:
        """INV-10 at the gmFLOCK end: ``user`` unlocks its lock ``lock_id`` once it expired, which is
        refused (``GmFlockStakeAllocated``) when the balance left would not cover the allocation.
        The lock and the receipt of an unlock made; None when there was none to make."""
        gm = self.system.gmflock
        lock = gm.lockInfo(user, lock_id)
        if lock.status != LockStatus.ACTIVE or self.now < lock.end:
            return None
        if gm.balanceOf(user) - lock.gm < gm.allocatedOf(user):
            with self.chain.reverts("GmFlockStakeAllocated"):
                gm.unlock(lock_id, sender=user)
            return None
        return lock, gm.unlock(lock_id, sender=user)

    def _catch_up(self) -> None:
        """Keeps the emission controller within its catch-up bound, as keepers would."""
        emissions = self.system.emissions
        while emissions.currentEpoch() - emissions.nextEpoch() >= 30:
            emissions.checkpoint(sender=self.keeper)
