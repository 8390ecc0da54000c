"""docs/architecture.md draws the Python layers true to the imports: every arrow of its diagram is an
import some module makes, every import between two layers is an arrow (or goes to a foundation),
and the foundations import nothing above them. Parsed from the doc, checked against the code (ast),
so the drawing cannot go stale."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from flock.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "architecture.md"
FOUNDATIONS = ("vocabulary", "base")  # every layer may import these; they import nothing above them


def _python_side() -> str:
    text = DOC.read_text()
    return text[text.index("## Python side") :]


def drawn_arrows() -> set[tuple[str, str]]:
    block = re.search(r"```mermaid\n(.*?)```", _python_side(), re.S)
    assert block, "no mermaid diagram under '## Python side'"
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block.group(1), re.M))


def layers() -> list[tuple[str, list[str]]]:
    """(layer, module patterns) in the order of the doc's layer table."""
    rows = re.findall(r"^\| `(\w+)` \| ((?:`[\w.*]+`(?:, )?)+) \|", _python_side(), re.M)
    assert rows, "no layer table under '## Python side'"
    return [(name, re.findall(r"`([\w.*]+)`", patterns)) for name, patterns in rows]


def layer_of(module: str, table: list[tuple[str, list[str]]]) -> str | None:
    for name, patterns in table:
        if any(module == p or module.startswith(p + ".") or fnmatchcase(module, p) for p in patterns):
            return name
    return None


def modules() -> dict[str, Path]:
    found = {}
    for path in [*(PROJECT_ROOT / "flock").rglob("*.py"), *(PROJECT_ROOT / "scripts").glob("*.py")]:
        parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, wherever in the file (function-level imports too)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                for a in node.names
            }
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return {m for m in out if m.split(".")[0] == "flock"}


def real_arrows() -> dict[tuple[str, str], list[str]]:
    """Layer-to-layer imports, each with the module imports that make it."""
    table, known = layers(), modules()
    arrows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, path in known.items():
        source = layer_of(module, table)
        for target in imports(path, known):
            into = layer_of(target, table)
            if into is not None and into != source:
                arrows[(source, into)].append(f"{module} imports {target}")
    return arrows


def test_every_module_is_in_a_layer():
    table = layers()
    assert {name for name, _ in table} >= set(FOUNDATIONS)
    assert [m for m in modules() if layer_of(m, table) is None] == []


def test_every_arrow_drawn_is_an_import():
    real = real_arrows()
    assert sorted(a for a in drawn_arrows() if a not in real) == []


def test_every_import_between_layers_is_drawn():
    drawn = drawn_arrows()
    undrawn = {
        f"{a} --> {b}": made[:3]
        for (a, b), made in real_arrows().items()
        if (a, b) not in drawn and b not in FOUNDATIONS
    }
    assert undrawn == {}


@pytest.mark.parametrize("foundation", FOUNDATIONS)
def test_the_foundations_import_nothing_above_them(foundation):
    allowed = set(FOUNDATIONS[FOUNDATIONS.index(foundation) :])
    upward = {
        f"{a} --> {b}": made[:3]
        for (a, b), made in real_arrows().items()
        if a == foundation and b not in allowed
    }
    assert upward == {}


def test_nothing_is_drawn_upwards():
    """The diagram is a hierarchy: no cycle between layers."""
    drawn, order = drawn_arrows(), [name for name, _ in layers()]
    assert sorted((a, b) for a, b in drawn if order.index(a) >= order.index(b)) == []
