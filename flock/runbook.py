"""Runbooks that run as written: the command blocks of docs/*.md fenced as ```` ```sh runbook ````
are extracted and executed, in order, against one chain (tests/docs/test_runbooks.py).

A block is a shell session: ``ape run NAME ARGS`` lines (``&&`` chains, ``\\`` continuations and
``#`` comments as a shell reads them), plus the set-up lines of a persistent local chain
(``. ./activate``, ``anvil ... &``, ``export ...``), which the runner, already attached to a chain,
skips. ``ape run`` commands run in process through the scripts' click commands (fast: no new
interpreter per line). Placeholders the reader fills in from earlier output (``<id>``, ``<task>``,
``<epoch>``) are filled the same way, from the patterns in :data:`CAPTURES`.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from flock.paths import PROJECT_ROOT

FENCE = re.compile(r"^```sh runbook\s*$")
SKIPPED = (". ./activate", "anvil ", "export ")
# placeholder -> the output pattern that gives its value
CAPTURES: dict[str, re.Pattern[str]] = {
    "<id>": re.compile(r"short id (\d+)"),
    "<task>": re.compile(r"created task (\d+)"),
    "<epoch>": re.compile(r"^epoch (\d+) \(the latest that is over\)", re.MULTILINE),
}


def blocks(markdown: Path) -> list[str]:
    """The runnable blocks of a Markdown file, in order."""
    out, current = [], None
    for line in markdown.read_text().splitlines():
        if current is None:
            if FENCE.match(line):
                current = []
        elif line.startswith("```"):
            out.append("\n".join(current))
            current = None
        else:
            current.append(line)
    return out


def commands(block: str) -> Iterator[list[str]]:
    """Each command of a block as argv words (a shell's continuations, comments and ``&&``)."""
    text = re.sub(r"\\\n", " ", block)
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith(SKIPPED):
            continue
        words = shlex.split(stripped, comments=True)
        command: list[str] = []
        for word in words:
            if word == "&&":
                yield command
                command = []
            else:
                command.append(word)
        if command:
            yield command


def _script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"runbook_{name}", PROJECT_ROOT / "scripts" / f"{name}.py")
    if spec is None or spec.loader is None:
        raise RunbookError(f"no script scripts/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


class RunbookError(AssertionError):
    """A runbook command failed or cannot be run; the message shows the command and its output."""


@dataclass
class Runner:
    """Runs runbook commands in process. ``extra(name, argv)`` returns options to append (a test
    points the manifest, store and journal at a temporary folder)."""

    extra: Callable[[str, list[str]], list[str]] = lambda _name, _argv: []
    values: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def fill(self, argv: list[str]) -> list[str]:
        filled = []
        for word in argv:
            for placeholder, value in self.values.items():
                word = word.replace(placeholder, value)
            if re.search(r"<[a-z]+>", word):
                raise RunbookError(f"placeholder {word} has no value yet (runbook order?)")
            filled.append(word)
        return filled

    def run(self, argv: list[str]) -> Result:
        if argv[:2] != ["ape", "run"] or len(argv) < 3:
            raise RunbookError(f"not an `ape run` command: {' '.join(argv)}")
        name, args = argv[2], self.fill(argv[3:])
        result = CliRunner(mix_stderr=False).invoke(_script(name), [*args, *self.extra(name, args)])
        shown = f"$ ape run {name} {' '.join(args)}"
        self.log.append(f"{shown}\n{result.stdout}{result.stderr}")
        if result.exit_code != 0:
            raise RunbookError(f"{shown} exited {result.exit_code}:\n{result.stdout}{result.stderr}")
        for placeholder, pattern in CAPTURES.items():
            if match := pattern.search(result.stdout):
                self.values[placeholder] = match.group(1)
        return result

    def run_block(self, block: str) -> None:
        for argv in commands(block):
            self.run(argv)
