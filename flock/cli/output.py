"""Where the command lines print: ``console`` (stdout, tables at a useful width) and
``err_console`` (stderr, the one-line errors)."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console

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


def print_lines(lines: list[str] | str) -> None:
    """Prints a line, or each of several, unwrapped (ids and addresses stay whole)."""
    for line in [lines] if isinstance(lines, str) else lines:
        console.print(line, soft_wrap=True)
