"""The command-line kit: one pattern for every `ape run` command (scripts/*.py only name them).

A command declares its options with the factories and lets its class do the rest, as ape's
``network_option()``, ``account_option()`` and ``ConnectedProviderCommand`` do::

    @click.command(cls=ConnectedCommand)
    @network_option()
    @manifest_option()
    @account_option()
    def cli(protocol, sender):  # connected; the deployment checked to be this chain's
        ...

- ``options``: ``network_option()``, ``account_option()``, ``manifest_option()``;
- ``commands``: ``Command`` and ``Group`` (one-line errors, two-line usage errors, exit 1 and 2,
  never a traceback), ``ConnectedCommand`` (connects and hands the callback what it names);
- ``errors``: ``UserError``, ``UsageError``, ``fail`` (reverts are put in words by
  ``flock.errors.describe_error``);
- ``network``, ``accounts``: the connection, network choices, the sending account;
- ``output``: the consoles.
"""

from flock.cli.accounts import load_sender, load_viewer, require_account_off_local, shown_account
from flock.cli.commands import Command, ConnectedCommand, ConnectedGroup, Group
from flock.cli.errors import UsageError, UserError, fail
from flock.cli.network import (
    check_network_choice,
    connected,
    hide_revert_traces,
    quiet_ape,
)
from flock.cli.options import account_option, connection_options, manifest_option, network_option
from flock.cli.output import console, print_lines

__all__ = [
    "Command",
    "ConnectedCommand",
    "ConnectedGroup",
    "Group",
    "UsageError",
    "UserError",
    "account_option",
    "check_network_choice",
    "connected",
    "connection_options",
    "console",
    "fail",
    "hide_revert_traces",
    "load_sender",
    "load_viewer",
    "manifest_option",
    "network_option",
    "print_lines",
    "quiet_ape",
    "require_account_off_local",
    "shown_account",
]
