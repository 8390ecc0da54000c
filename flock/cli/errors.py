"""The command lines' errors: what the user can fix in one line (exit 1), a misused command in two
(exit 2: what is wrong, then the usage), a bug in one that says so (the trace on request), never a
traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from ape.exceptions import ApeException
from eth_abi.exceptions import EncodingError

from flock.chain.errors import describe_revert
from flock.cli.output import err_console
from flock.deploy.config import ConfigError


class UserError(click.ClickException):
    """An error the user can fix; printed as one line, never a traceback."""

    def show(self, file: Any = None) -> None:
        err_console.print(f"[bold red]error:[/] {self.format_message()}", soft_wrap=True)


class UsageError(click.UsageError):
    """A command used wrongly (an unknown option, a missing argument, a value of the wrong kind):
    two lines, what is wrong and the command's usage, exit status 2 (click's own prints four)."""

    def format_message(self) -> str:
        """click's message on one line (a missing choice lists the choices on lines of their own)."""
        return " ".join(line.strip() for line in super().format_message().splitlines() if line.strip())

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


def _encoding_line(err: EncodingError) -> str:
    """A value the contract's ABI cannot carry, in words (eth_abi's message is three sentences)."""
    text = str(err)
    value, bits = re.search(r"Value `([^`]*)`", text), re.search(r"in (\d+) bits", text)
    if value and bits and "Unsigned" in text:
        most = f"2**{bits.group(1)} - 1"
        return f"{value.group(1)} is too large: the contract takes a whole number from 0 to {most} there"
    return f"a value the contract cannot take: {text.splitlines()[0] if text else type(err).__name__}"


def _bug_line(err: BaseException) -> str:
    return (
        f"unexpected {type(err).__name__}: {describe_revert(err)} (a bug in the tool: rerun with "
        "FLOCK_TRACEBACK=1 and report the trace)"
    )


@contextmanager
def cleaned_errors() -> Iterator[None]:
    """Turns expected failures (bad config, ape errors, reverts) into one readable line, and a bug
    into one that says so (the full traceback with ``FLOCK_TRACEBACK=1``)."""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
        raise
    except EncodingError as err:  # a number too large for its argument (eth_abi's ValueOutOfBounds)
        if os.environ.get("FLOCK_TRACEBACK"):
            raise
        raise UserError(_encoding_line(err)) from err
    except (ConfigError, ApeException, FileNotFoundError, KeyError, ValueError) as err:
        if os.environ.get("FLOCK_TRACEBACK"):
            raise  # for bug reports: the whole traceback instead of one line
        raise UserError(describe_revert(err)) from err
    except Exception as err:  # a bug: still one line, the trace on request
        if os.environ.get("FLOCK_TRACEBACK"):
            raise
        raise UserError(_bug_line(err)) from err


def fail(message: str) -> NoReturn:
    """Stops the command with ``error: message`` on stderr and exit status 1."""
    raise UserError(message)
