"""With ``--coverage``, the harness chains of the modules in ``HARNESS_ON_ANVIL`` run on anvils of
their own (flock/audit/coverage_plugin.py, flock/harness/anvil.py ``OwnAnvilChain``): such a chain
starts at the harness chain's genesis time and answers as the harness does, its anvil stops with
the module, and only the moved modules' plain ``Chain(...)`` calls are redirected."""

from __future__ import annotations

import socket
from pathlib import Path

from flock.audit import coverage_plugin as plugin
from flock.harness import anvil
from flock.harness.anvil import AnvilChain, OwnAnvilChain, stop_own_anvils
from flock.harness.evm import GENESIS_TIME, Chain

ROOT = Path(__file__).resolve().parents[2]


class _Config:
    rootpath = ROOT


class _Item:
    config = _Config()

    def __init__(self, path: Path) -> None:
        self.path = path


def test_only_the_listed_modules_are_moved():
    assert plugin.HARNESS_ON_ANVIL, "no harness module is moved"
    for module in plugin.HARNESS_ON_ANVIL:
        assert (ROOT / "tests" / module).is_file(), module
        assert plugin.harness_moved(_Item(ROOT / "tests" / module))  # type: ignore[arg-type]
    for kept in ("alliance/test_role_draw.py", "alliance/test_alliance_doc.py", "harness/test_harness.py"):
        assert kept not in plugin.HARNESS_ON_ANVIL  # they set prevrandao or test pyrevm itself
        assert not plugin.harness_moved(_Item(ROOT / "tests" / kept))  # type: ignore[arg-type]


def test_an_own_anvil_chain_starts_at_the_harness_time_and_answers_as_the_harness():
    start = GENESIS_TIME + 1_000
    on_anvil, here = OwnAnvilChain(n_accounts=3, timestamp=start), Chain(n_accounts=3, timestamp=start)
    try:
        assert on_anvil.now == here.now == start
        assert on_anvil.accounts == here.accounts
        tokens = []
        for c in (on_anvil, here):
            admin, alice, bob = c.accounts
            token = c.deploy("FlockToken", admin, [alice], [10**21], sender=admin)
            tokens.append(token.address)
            snap = c.snapshot()
            receipt = token.transfer(bob, 5, sender=alice)
            assert [e.name for e in receipt.events] == ["Transfer"]
            with c.reverts("ERC20InsufficientBalance", balance=5, needed=6):
                token.transfer(alice, 6, sender=bob)
            c.warp(3_600)
            assert c.now == start + 3_600
            c.revert(snap)
            assert token.balanceOf(bob) == 0 and c.now == start
        assert tokens[0] == tokens[1]
    finally:
        stop_own_anvils()
    assert not anvil._RUNNING


def test_an_own_anvil_whose_free_port_was_taken_meanwhile_starts_on_another(monkeypatch):
    """The port is found free, then anvil binds it: another process may bind it in between. That
    anvil exits at once, and the chain starts on another free port instead of failing the test."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: anvil cannot bind it, nothing answers
        ports = iter([taken.getsockname()[1]])
        free = anvil._free_port
        monkeypatch.setattr(anvil, "_free_port", lambda: next(ports, None) or free())
        try:
            chain = OwnAnvilChain(n_accounts=1)
            assert chain.endpoint != f"http://127.0.0.1:{taken.getsockname()[1]}"
            assert chain.now == GENESIS_TIME
        finally:
            stop_own_anvils()


def test_chain_is_redirected_only_while_a_moved_module_runs():
    # Installed for the rest of the session: inert while no moved module runs (the next line shows
    # it). It is not deleted afterwards: deleting an assigned ``__new__`` leaves CPython's slot
    # calling ``object.__new__`` with the constructor's arguments, and every later ``Chain(...)``
    # fails (``object.__new__() takes exactly one argument``).
    plugin._install_harness_on_anvil()
    assert type(Chain(n_accounts=1)) is Chain  # not in a moved module
    plugin._HARNESS["on"] = True
    try:
        moved = Chain(n_accounts=2, timestamp=GENESIS_TIME + 7)
        assert type(moved) is OwnAnvilChain and moved.now == GENESIS_TIME + 7
        assert len(moved.accounts) == 2
        assert type(Chain.__new__(AnvilChain)) is AnvilChain  # subclasses keep their own class
    finally:
        plugin._HARNESS["on"] = False
        stop_own_anvils()
    assert type(Chain(n_accounts=1)) is Chain and type(AnvilChain.__new__(AnvilChain)) is AnvilChain
