"""Shared pieces of the project's command lines: network connection, accounts, clean errors."""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from ape.exceptions import ApeException
from rich.console import Console

from flock.chain.network import is_dev, is_local, network_name
from flock.deploy.config import ConfigError
from flock.errors import describe_error

DEFAULT_NETWORK = "ethereum:local:foundry"
PIPE_WIDTH = 120  # tables written to a file, a pipe or a CI log (rich would assume 80 there)


class _Stdout:
    """A rich console on whatever ``sys.stdout`` is when it prints: the terminal's width on a
    terminal, PIPE_WIDTH elsewhere. (A console made once at import time keeps the width it saw then:
    80 columns under a test runner's capture if it was imported on a terminal, which folded ids.)"""

    def _console(self) -> Console:
        probe = Console(file=sys.stdout, highlight=False)
        return Console(file=sys.stdout, highlight=False, width=None if probe.is_terminal else PIPE_WIDTH)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console(), name)


console: Any = _Stdout()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An error the user can fix; printed as one line, never a traceback."""

    def show(self, file: Any = None) -> None:
        err_console.print(f"[bold red]error:[/] {self.format_message()}", soft_wrap=True)


def _bug_line(err: BaseException) -> str:
    return (
        f"unexpected {type(err).__name__}: {describe_error(err)} (a bug in the tool: rerun with "
        "FLOCK_TRACEBACK=1 and report the trace)"
    )


def clean_errors(func: F) -> F:
    """Turns expected failures (bad config, ape errors, reverts) into one readable line (the full
    traceback with ``FLOCK_TRACEBACK=1``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except (ConfigError, ApeException, FileNotFoundError, KeyError, ValueError) as err:
            if os.environ.get("FLOCK_TRACEBACK"):
                raise  # for bug reports: the whole traceback instead of one line
            raise UserError(describe_error(err)) from err
        except Exception as err:  # a bug: still two lines, the trace on request
            if os.environ.get("FLOCK_TRACEBACK"):
                raise
            raise UserError(_bug_line(err)) from err

    return wrapper  # type: ignore[return-value]


manifest_option = click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json)",
)
network_option = click.option(
    "--network",
    default=DEFAULT_NETWORK,
    show_default=True,
    help="ape network choice, e.g. ethereum:local:foundry or base:sepolia:node",
)
account_option = click.option(
    "--account",
    default=None,
    help="ape account alias to send from; on a local chain also test:N (default there: test:0)",
)


def quiet_ape() -> None:
    """Hides ape's per-transaction INFO/SUCCESS lines (warnings and errors still show) and the call
    trace ape-foundry prints before every revert (the one-line error says it; FLOCK_TRACEBACK=1
    shows both)."""
    from ape.logging import LogLevel, logger

    logger.set_level(LogLevel.WARNING)
    hide_revert_traces()


@contextmanager
def _traces_hidden() -> Iterator[None]:
    from ape_ethereum.trace import Trace

    show = Trace.show
    Trace.show = lambda self, *args, **kwargs: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Trace.show = show  # type: ignore[method-assign]


def hide_revert_traces() -> None:
    """ape-foundry prints a 20-30 line call trace (with raw hex) to stdout before raising a revert;
    the command lines report the revert as one line instead. Off with FLOCK_TRACEBACK=1."""
    if os.environ.get("FLOCK_TRACEBACK"):
        return
    try:
        from ape_foundry.provider import FoundryProvider
    except ImportError:  # pragma: no cover - ape-foundry is pinned
        return
    original = FoundryProvider._handle_execution_reverted
    if getattr(original, "flock_quiet", False):
        return

    @functools.wraps(original)
    def quiet(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _traces_hidden():
            return original(self, *args, **kwargs)

    quiet.flock_quiet = True  # type: ignore[attr-defined]
    FoundryProvider._handle_execution_reverted = quiet  # type: ignore[method-assign]


def _same_network(provider: Any, choice: str) -> bool:
    """Whether the connected ``provider`` is what the network choice ``ecosystem:network:provider``
    (parts may be left out) asks for."""
    wanted = choice.split(":")
    actual = [provider.network.ecosystem.name, provider.network.name, provider.name]
    return all(w in ("", a) for w, a in zip(wanted, actual, strict=False))


def check_network_choice(choice: str) -> None:
    """Refuses a network choice ape does not know (``base:sepolai:node``, ``foo``) in one line that
    lists what there is, before anything reads a file named after it."""
    from ape import networks

    if re.match(r"^(https?|wss?)://", choice) or choice.endswith(".ipc"):
        return  # a bare endpoint: ape picks ecosystem and network from the node
    parts = choice.split(":", 2)
    if len(parts) > 2 and (re.match(r"^(https?|wss?)://", parts[2]) or parts[2].endswith(".ipc")):
        parts = parts[:2]  # ecosystem:network:URI (the Base rehearsal): the provider is the URI
    ecosystem = parts[0]
    known = sorted(networks.ecosystem_names)
    if ecosystem not in known:
        raise UserError(
            f"unknown network {choice!r}: no ecosystem {ecosystem!r} (known: {', '.join(known)}); "
            "for example ethereum:local:foundry or base:sepolia:node (`ape networks list`)"
        )
    eco = networks.get_ecosystem(ecosystem)
    if len(parts) > 1 and parts[1]:
        names = sorted(eco.networks)
        if parts[1] not in names:
            raise UserError(
                f"unknown network {choice!r}: {ecosystem} has no network {parts[1]!r} "
                f"(known: {', '.join(names)})"
            )
        if len(parts) > 2 and parts[2]:
            providers = sorted(eco.get_network(parts[1]).providers)
            if parts[2] not in providers:
                raise UserError(
                    f"unknown network {choice!r}: {ecosystem}:{parts[1]} has no provider {parts[2]!r} "
                    f"(known: {', '.join(providers)})"
                )


@contextmanager
def connected(network: str) -> Iterator[Any]:
    """Connects to ``network`` for the duration of the block (starting anvil if local). Already
    connected to it (a test session, ape's console), it uses that connection instead of a new one."""
    from ape import networks

    active = networks.active_provider
    if active is not None and active.is_connected and _same_network(active, network):
        yield active
        return
    check_network_choice(network)
    with ExitStack() as stack:
        try:
            provider = stack.enter_context(networks.parse_network_choice(network))
        except ApeException as err:
            unset = re.search(r"Invalid uri: \$(\w+)", str(err))
            if unset:
                raise UserError(
                    f"network {network}: set {unset.group(1)} to your RPC endpoint (ape-config.yaml reads it "
                    "from the environment)"
                ) from err
            raise UserError(f"network {network}: {err}") from err
        yield provider


def require_account_off_local(network: str, alias: str | None) -> None:
    """Refuses, before connecting, to send on a live network without an explicit ape account."""
    if not alias and not is_local(network_name(network)):
        raise UserError(
            f"--account is required on {network}: import a key with `ape accounts import NAME` "
            "(keys never come from the repository)"
        )


class _OnceFilter(logging.Filter):
    """Lets a message starting with ``prefix`` through once; ape logs "Using cached key for A" at
    every signature of an unlocked account (49 times in one deploy)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix, self.seen = prefix, False

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(self.prefix):
            return True
        first, self.seen = not self.seen, True
        return first


def _cached_key_warning_once(ape_logger: Any) -> None:
    target = getattr(ape_logger, "_logger", ape_logger)
    if not any(isinstance(f, _OnceFilter) for f in target.filters):
        target.addFilter(_OnceFilter("Using cached key"))


def _autosign_if_unattended(account: Any, alias: str) -> None:
    """With ape's ``APE_ACCOUNTS_<alias>_PASSPHRASE`` set (an unattended run: CI, the Base
    rehearsal), sign without a prompt per transaction (saying "Using cached key" once); otherwise
    ape asks before each one."""
    from ape.logging import logger

    passphrase = os.environ.get(f"APE_ACCOUNTS_{alias}_PASSPHRASE")
    if passphrase and hasattr(account, "set_autosign"):
        _cached_key_warning_once(logger)
        account.set_autosign(True, passphrase=passphrase)


def load_sender(alias: str | None, provider: Any) -> Any:
    """The account to send from: ``alias`` from ape's accounts; on a local or forked chain also
    ``test:N``, the N-th test account (the default on a local chain is test account 0)."""
    from ape import accounts

    local = is_local(provider.network.name)
    if alias and alias.startswith("test:"):
        if not is_dev(provider.network.name):
            raise UserError(
                f"test accounts exist on local and forked chains only, not {provider.network.name}"
            )
        try:
            return accounts.test_accounts[int(alias.removeprefix("test:"))]
        except (ValueError, IndexError) as err:
            raise UserError(f"{alias!r}: expected test:N with N a test account index") from err
    if alias:
        try:
            account = accounts.load(alias)
        except Exception as err:
            raise UserError(f"no ape account named {alias!r} (see `ape accounts list`)") from err
        _autosign_if_unattended(account, alias)
        return account
    if not local:
        raise UserError(
            f"--account is required on {provider.network.name}: keys never come from the repository"
        )
    return accounts.test_accounts[0]


def fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(1)
