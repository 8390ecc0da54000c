"""The command classes, in the manner of ape's ``ConnectedProviderCommand``: a command only parses
and calls. ``Command`` and ``Group`` give every error its short form (one line for what the user
can fix, two for a misused command, exit 1 and 2); ``ConnectedCommand`` connects to ``--network``
and hands the callback, by parameter name, what it asks for."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from flock.cli.accounts import load_sender, load_viewer, require_account_off_local
from flock.cli.errors import cleaned_errors, short_usage
from flock.cli.network import DEFAULT_NETWORK, connected, quiet_ape
from flock.cli.options import NetworkOption

NEGATIVE = re.compile(r"-[0-9.]")  # a word that starts as a negative number does: -5, -30 days, -.5


def _negative(word: str, ctx: click.Context, option: str = "") -> click.UsageError:
    where = f"{option} " if option else ""
    return click.UsageError(f"{where}'{word}' is negative: amounts, durations, ids and epochs never are", ctx)


def _check_words(command: click.Command, ctx: click.Context, args: list[str]) -> None:
    """Two misuses click reads as something else, refused as usage errors before it parses:

    - an option left without its value takes the next word as one (``--account --network
      base:sepolia:node`` would send from an account named ``--network``): when that word is an
      option of the command, it is the error click gives for an option given last without a value;
    - a negative number is an unknown option to click (``stake lock -5 …``: "No such option: -5")
      or, as an option's value, a number no contract takes (``--epoch -1``): it is said so.

    Words after ``--`` and those of a group's subcommand (it checks its own) are left alone."""
    options = [p for p in command.get_params(ctx) if isinstance(p, click.Option)]
    names = {name for p in options for name in (*p.opts, *p.secondary_opts)}
    takes = {name: p.nargs for p in options if not p.is_flag and not p.count for name in p.opts}
    i = 0
    while i < len(args) and args[i] != "--":
        word = args[i]
        name, _, value = word.partition("=")
        if word in takes:
            values = args[i + 1 : i + 1 + takes[word]]
            if any(v in names for v in values):
                raise click.BadOptionUsage(word, f"Option '{word}' requires an argument.", ctx)
            negative = [v for v in values if NEGATIVE.match(v)]
            if negative:
                raise _negative(negative[0], ctx, word)
            i += 1 + takes[word]
            continue
        if name in takes and NEGATIVE.match(value):
            raise _negative(value, ctx, name)
        if NEGATIVE.match(word) and word not in names:
            raise _negative(word, ctx)
        if not word.startswith("-") and not command.allow_interspersed_args:
            break  # a group's subcommand: the rest is its own
        i += 1


class _Short:
    """Usage errors in two lines (:class:`flock.cli.errors.UsageError`), other errors in one."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except click.UsageError as err:
            raise short_usage(err) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuses what click would misread (:func:`_check_words`), then parses. click's parser
        raises some usage errors without their context (an option given no value: ``--network``
        last); they get this command's, so the usage line names it."""
        try:
            if not ctx.resilient_parsing:  # shell completion parses half-typed lines
                _check_words(self, ctx, args)  # type: ignore[arg-type]
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as err:
            if err.ctx is None:
                err.ctx = ctx
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with cleaned_errors():
                return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as err:
            raise short_usage(err) from None


class Command(_Short, click.Command):
    """A command of the suite: one-line errors, two-line usage errors, never a traceback."""


class Group(_Short, click.Group):
    """A group of the suite's commands; its commands and subgroups are of these classes too."""

    command_class = Command
    group_class = type  # a subgroup is a Group


def _given_here(ctx: click.Context) -> dict[str, Any]:
    """The options the user gave on this command itself (remembered before the connected commands
    hand their callbacks other parameters in their place)."""
    remembered = getattr(ctx, "flock_given", None)
    if remembered is None:
        remembered = {
            name: value
            for name, value in ctx.params.items()
            if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
        }
        ctx.flock_given = remembered  # type: ignore[attr-defined]
    return remembered


def given(ctx: click.Context, name: str) -> Any:
    """The value of option ``name`` as the user gave it: on this command, else on the nearest
    group that has it (``dao propose --account a set-param ...``), else this command's default."""
    context: click.Context | None = ctx
    while context is not None:
        here = _given_here(context)
        if name in here:
            return here[name]
        context = context.parent
    return ctx.params.get(name)


def _manifest_file(network: str, manifest_file: Path | None) -> Path:
    """The --manifest, else the network's (``flock.chain.manifest.default_manifest``)."""
    from flock.chain.manifest import default_manifest

    return manifest_file or default_manifest(network)


OFFERS = ("provider", "network", "manifest_file", "protocol", "deployment", "sender", "viewer")
CONSUMED = ("network", "manifest_file", "account")


def _wanted(command: click.Command) -> set[str]:
    assert command.callback is not None
    return set(inspect.signature(command.callback).parameters)


def _connect_and_invoke(command: click.Command, ctx: click.Context, invoke: Callable[[], Any]) -> Any:
    """Fills the callback's named offers (each option the user left out taken from the nearest group
    where given), connected to the network for the duration of ``invoke``."""
    wanted = _wanted(command)
    for param in command.params:
        if param.name is not None and param.name in ctx.params:
            ctx.params[param.name] = given(ctx, param.name)
    network = ctx.params.get("network") or DEFAULT_NETWORK
    account = ctx.params.get("account")
    manifest_file = ctx.params.get("manifest_file")
    for name in CONSUMED:
        if name not in wanted:
            ctx.params.pop(name, None)
    if "sender" in wanted:
        require_account_off_local(network, account)
    rule = next((p for p in command.params if isinstance(p, NetworkOption)), None)
    quiet_ape()
    with cleaned_errors(), connected(network) as provider:
        if rule is not None:
            rule.refuse_unless(provider.network.name)
        path = _manifest_file(network, manifest_file)
        protocol = _protocol(path) if wanted & {"protocol", "deployment"} else None
        made: dict[str, Callable[[], Any]] = {
            "provider": lambda: provider,
            "network": lambda: network,
            "manifest_file": lambda: path,
            "protocol": lambda: protocol,
            "deployment": lambda: _deployment(protocol, path),
            "sender": lambda: load_sender(account, provider),
            "viewer": lambda: load_viewer(account, provider),
        }
        ctx.params.update({name: made[name]() for name in OFFERS if name in wanted})
        return invoke()


class ConnectedCommand(Command):
    """Connects to ``--network`` (:func:`flock.cli.network_option`) around the callback and hands
    it, by parameter name, any of:

    - ``provider``: the connected ape provider; ``network``: the network choice;
    - ``manifest_file``: the ``--manifest`` (default: the network's); ``protocol``: the handle of
      that deployment (:class:`flock.chain.protocol.LiveProtocol`, checked to be the connected
      chain's: chain id and genesis hash); ``deployment``: the same with the DAO's names
      (:class:`flock.dao.deployment.Deployment`);
    - ``sender``: the ``--account`` (:func:`flock.cli.account_option`), required off a local chain;
      ``viewer``: its address for a command that only reads, None off a local chain without one
      (the command asks for an ADDRESS then: reading needs no key).

    ape's per-transaction log lines and revert traces are hidden (``quiet_ape``). An option not
    given on the command is taken from its group where given there (``dao propose --account a
    set-param ...``). The options it consumes (``network``, ``manifest_file``, ``account``) reach
    the callback only if it names them."""

    def invoke(self, ctx: click.Context) -> Any:
        return _connect_and_invoke(self, ctx, lambda: super(ConnectedCommand, self).invoke(ctx))


class ConnectedGroup(Group):
    """A group that is a :class:`ConnectedCommand` when run without a subcommand (``dao propose
    --file F``); with one, the subcommand connects and the group's callback gets None for the
    offers."""

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.protected_args:  # a subcommand follows
            _given_here(ctx)
            wanted = _wanted(self)
            for name in CONSUMED:
                if name not in wanted:
                    ctx.params.pop(name, None)
            ctx.params.update({name: None for name in OFFERS if name in wanted})
            return super().invoke(ctx)
        return _connect_and_invoke(self, ctx, lambda: super(ConnectedGroup, self).invoke(ctx))


def _protocol(path: Path) -> Any:
    from flock.chain.protocol import LiveProtocol

    return LiveProtocol.load(path)


def _deployment(protocol: Any, path: Path) -> Any:
    from flock.dao.deployment import Deployment

    return Deployment(protocol, path)
