"""The command lines' errors: what the user can fix in one line (exit 1), a misused command in two
(exit 2: what is wrong, then the usage), a bug in two (the trace on request), never a traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, NoReturn

import click
from ape.exceptions import ApeException

from flock.cli.output import err_console
from flock.deploy.config import ConfigError
from flock.units import format_token, human_duration, utc


class UserError(click.ClickException):
    """An error the user can fix; printed as one line, never a traceback."""

    def show(self, file: Any = None) -> None:
        err_console.print(f"[bold red]error:[/] {self.format_message()}", soft_wrap=True)


class UsageError(click.UsageError):
    """A command used wrongly (an unknown option, a missing argument, a value of the wrong kind):
    two lines, what is wrong and the command's usage, exit status 2 (click's own prints four)."""

    def show(self, file: Any = None) -> None:
        err_console.print(f"[bold red]error:[/] {self.format_message()}", soft_wrap=True)
        if self.ctx is not None:
            usage = " ".join(self.ctx.command.collect_usage_pieces(self.ctx))
            err_console.print(f"usage: {self.ctx.command_path} {usage} (--help for more)", soft_wrap=True)


def short_usage(err: click.UsageError) -> UsageError:
    """click's usage error as :class:`UsageError` (the same message, context and exit status)."""
    if isinstance(err, UsageError):
        return err
    return UsageError(err.format_message(), err.ctx)


def _enum_types() -> dict[str, type[IntEnum]]:
    """The contracts' enums by their Solidity name (``enum ITaskRegistry.Role`` -> Role)."""
    from flock.rewards import Phase, Status
    from flock.tasks import LockStatus, Role, TaskKind, TaskState

    return {e.__name__: e for e in (Role, TaskKind, TaskState, LockStatus, Phase, Status)}


_TIME_NAME = re.compile(r"(at|end|time|deadline|start|expiry|until|allowed|from)$", re.IGNORECASE)
_DURATION_NAME = re.compile(r"(duration|window|period|cooldown)$", re.IGNORECASE)
_AMOUNT_NAME = re.compile(r"(amount|stake|balance|total|available|requested|allocated|gm|flock)", re.I)


def _readable(value: Any, name: str = "", internal_type: str = "") -> str:
    """An error argument in words: enums by name, times as UTC dates, token amounts in FLOCK."""
    if isinstance(value, bytes):
        text = value.rstrip(b"\0")
        if text and all(32 <= c < 127 for c in text):
            return text.decode()
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool):
        if internal_type.startswith("enum "):
            enum = _enum_types().get(internal_type.rsplit(".", 1)[-1])
            if enum is not None and value in enum._value2member_map_:
                return enum(value).name.lower()
        if _TIME_NAME.search(name) and 1_000_000_000 <= value < 10_000_000_000:
            return utc(value)
        if _DURATION_NAME.search(name) and value >= 60:
            return human_duration(value)
        if _AMOUNT_NAME.search(name) and value >= 10**12:
            return f"{format_token(value)} FLOCK"
    return str(value)


def describe_error(err: Exception) -> str:
    """One line for an error: a contract's custom error by name with its arguments in words
    (``SubmissionsWrongRole(taskId=1, account=0x.., role=validator, required=node)``), else the
    first line of its message (never a call trace)."""
    from ape.exceptions import CustomError

    if isinstance(err, CustomError):
        types = {i.name: (i.internal_type or "") for i in getattr(err.abi, "inputs", [])}
        args = ", ".join(f"{k}={_readable(v, k, types.get(k, ''))}" for k, v in err.inputs.items())
        return f"{err.name}({args})"
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _bug_line(err: BaseException) -> str:
    return (
        f"unexpected {type(err).__name__}: {describe_error(err)} (a bug in the tool: rerun with "
        "FLOCK_TRACEBACK=1 and report the trace)"
    )


@contextmanager
def cleaned_errors() -> Iterator[None]:
    """Turns expected failures (bad config, ape errors, reverts) into one readable line, and a bug
    into two (the full traceback with ``FLOCK_TRACEBACK=1``)."""
    try:
        yield
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


def fail(message: str) -> NoReturn:
    """Stops the command with ``error: message`` on stderr and exit status 1."""
    raise UserError(message)
