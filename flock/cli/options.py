"""Option factories, in the manner of ape's ``network_option()`` and ``account_option()``: every
command declares ``--network``, ``--account`` and ``--manifest`` through these, so each means the
same everywhere and is checked the same way (a mistyped network is refused before anything
connects or reads a file named after it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from flock.chain.network import network_name
from flock.cli.errors import UserError
from flock.cli.network import DEFAULT_NETWORK, check_network_choice, is_bare_endpoint

Rule = Callable[[str], bool]  # a network name (``local``, ``sepolia``) -> may the command run there


class NetworkOption(click.Option):
    """``--network``, with the rule for the networks a command may run on: refused before anything
    connects by the choice's network name, and again once connected by the chain's own (a bare node
    URI says what it is only then)."""

    def __init__(
        self, *args: Any, rule: Rule | None = None, why: str = "", where: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rule, self.why, self.where = rule, why, where

    def refuse_unless(self, name: str) -> None:
        """Raises the command's refusal unless it may run on the network ``name``."""
        if self.rule is not None and not self.rule(name):
            raise UserError(f"{self.why}: run it on {self.where}, not {name}")


def _checked_network(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not ctx.resilient_parsing:
        check_network_choice(value)
        if isinstance(param, NetworkOption) and not is_bare_endpoint(value):
            param.refuse_unless(network_name(value))  # a bare endpoint: once connected
    return value


def network_option(
    default: str | None = DEFAULT_NETWORK,
    rule: Rule | None = None,
    why: str = "",
    where: str = "",
    help: str | None = None,
) -> Callable[[Any], Any]:
    """``--network``: an ape network choice (``ecosystem:network:provider``), checked as it is read.
    A command that runs on some networks only gives the ``rule`` (``clock_can_move``), ``why``
    (``the demo moves time``) and ``where`` (``a local chain``)."""
    return click.option(
        "--network",
        cls=NetworkOption,
        default=default,
        show_default=default is not None,
        callback=_checked_network,
        rule=rule,
        why=why,
        where=where,
        help=help
        or (
            f"ape network choice: {where}"
            if rule
            else "ape network choice, e.g. ethereum:local:foundry or base:sepolia:node"
        ),
    )


def account_option(help: str | None = None) -> Callable[[Any], Any]:
    """``--account``: the ape account alias to send from (``test:N`` on a local or forked chain)."""
    return click.option(
        "--account",
        default=None,
        help=help or "ape account alias to send from; on a local chain also test:N (default there: test:0)",
    )


def manifest_option(default: Path | None = None, help: str | None = None) -> Callable[[Any], Any]:
    """``--manifest``: the deployment manifest (default: the network's,
    deployments/<ecosystem>-<network>.json)."""
    return click.option(
        "--manifest",
        "manifest_file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=default,
        show_default=default is not None,
        help=help
        or "deployment manifest (default: deployments/<ecosystem>-<network>.json; on a fork without one of"
        " its own, the forked network's)",
    )


def connection_options(send: bool = True) -> Callable[[Any], Any]:
    """``--network`` and ``--manifest``, and ``--account`` for a command that sends."""

    def decorate(func: Any) -> Any:
        if send:
            func = account_option()(func)
        return network_option()(manifest_option()(func))

    return decorate
