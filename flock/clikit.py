"""Shared pieces of the project's command lines: network connection, accounts, clean errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from ape.exceptions import ApeException
from rich.console import Console

from flock.deploy.config import ConfigError

DEFAULT_NETWORK = "ethereum:local:foundry"
# Wide enough for the tables when output goes to a file or CI log (rich assumes 80 there).
console = Console(highlight=False, width=None if Console().is_terminal else 120)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """An error the user can fix; printed as one line, never a traceback."""

    def show(self, file: Any = None) -> None:
        err_console.print(f"[bold red]error:[/] {self.format_message()}")


def clean_errors(func: F) -> F:
    """Turns expected failures (bad config, ape errors, reverts) into one readable line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except (ConfigError, ApeException, FileNotFoundError, KeyError, ValueError) as err:
            raise UserError(str(err).strip() or type(err).__name__) from err

    return wrapper  # type: ignore[return-value]


network_option = click.option(
    "--network",
    default=DEFAULT_NETWORK,
    show_default=True,
    help="ape network choice, e.g. ethereum:local:foundry or base:sepolia:node",
)
account_option = click.option(
    "--account",
    default=None,
    help="ape account alias to send from (default on a local network: test account 0)",
)


def quiet_ape() -> None:
    """Hides ape's per-transaction INFO/SUCCESS lines (warnings and errors still show)."""
    from ape.logging import LogLevel, logger

    logger.set_level(LogLevel.WARNING)


@contextmanager
def connected(network: str) -> Iterator[Any]:
    """Connects to ``network`` for the duration of the block (starting anvil if local)."""
    from ape import networks

    try:
        with networks.parse_network_choice(network) as provider:
            yield provider
    except ApeException as err:
        raise UserError(f"network {network}: {err}") from err


def is_local_choice(network: str) -> bool:
    """True for ``ecosystem:local[:provider]`` choices (a throwaway chain with test accounts)."""
    parts = network.split(":")
    return len(parts) > 1 and parts[1] == "local"


def require_account_off_local(network: str, alias: str | None) -> None:
    """Refuses, before connecting, to send on a live network without an explicit ape account."""
    if not alias and not is_local_choice(network):
        raise UserError(
            f"--account is required on {network}: import a key with `ape accounts import NAME` "
            "(keys never come from the repository)"
        )


def load_sender(alias: str | None, provider: Any) -> Any:
    """The account to send from: ``alias`` from ape's accounts, or test account 0 locally."""
    from ape import accounts

    if alias:
        try:
            return accounts.load(alias)
        except Exception as err:
            raise UserError(f"no ape account named {alias!r} (see `ape accounts list`)") from err
    if provider.network.name != "local":
        raise UserError(
            f"--account is required on {provider.network.name}: keys never come from the repository"
        )
    return accounts.test_accounts[0]


def fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}")
    sys.exit(1)
