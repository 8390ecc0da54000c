"""The network a command runs on: the choice checked before anything connects, the connection, and
ape's output kept to what the user needs."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ape.exceptions import ApeException

from flock.cli.errors import UserError

DEFAULT_NETWORK = "ethereum:local:foundry"
_URI = re.compile(r"^(https?|wss?)://")


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


def is_bare_endpoint(choice: str) -> bool:
    """A node's URI or IPC path alone: ape reads the ecosystem and network from the node."""
    return not _choice_parts(choice)


def _choice_parts(choice: str) -> list[str]:
    """``ecosystem:network:provider`` split, a URI standing for the provider (the Base rehearsal's
    ``base:rehearsal:http://...``); a bare URI or IPC path gives no parts (ape asks the node)."""
    if _URI.match(choice) or choice.endswith(".ipc"):
        return []
    parts = choice.split(":", 2)
    if len(parts) > 2 and (_URI.match(parts[2]) or parts[2].endswith(".ipc")):
        return parts[:2]
    return parts


def check_network_choice(choice: str) -> None:
    """Refuses a network choice ape does not know (``base:sepolai:node``, ``foo``) in one line that
    lists what there is, before anything reads a file named after it."""
    from ape import networks

    parts = _choice_parts(choice)
    if not parts:
        return  # a bare endpoint: ape picks ecosystem and network from the node
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
        except OSError as err:  # ape-node's NodeSoftwareNotInstalledError (requests'): nothing answered
            where = _endpoint(network)
            raise UserError(f"network {network}: no node answers at {where}: is it running?") from err
        yield provider


def _endpoint(choice: str) -> str:
    """The node URI a network choice names, else what stands for it in words."""
    uri = re.search(r"((https?|wss?)://\S+|\S+\.ipc)$", choice)
    return uri.group(1) if uri else "its RPC endpoint (ape-config.yaml)"
