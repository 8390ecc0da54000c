"""The account a command sends from: an ape account by alias (signing unattended where ape's
passphrase variable is set), or a test account on a local or forked chain."""

from __future__ import annotations

import logging
import os
from typing import Any

from flock.chain.network import is_dev, is_local, network_name
from flock.cli.errors import UserError


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


def load_viewer(alias: str | None, provider: Any) -> str | None:
    """The address of the ``--account`` for a command that only reads (whose ADDRESS it shows when
    none is given): on a local chain test account 0 by default; None on a live network without
    ``--account`` (nothing is signed, so no key is needed: the command asks for an ADDRESS)."""
    if not alias and not is_local(provider.network.name):
        return None
    return str(load_sender(alias, provider).address)


def shown_account(address: str | None, viewer: str | None, resolve: Any, network: str) -> str:
    """The account a reading command shows: its ADDRESS argument (``resolve``d), else the
    ``--account``'s; refuses neither on a live network in words."""
    if address:
        return str(resolve(address))
    if viewer is None:
        raise UserError(f"whose? give an ADDRESS, or --account to read your own (on {network})")
    return viewer
