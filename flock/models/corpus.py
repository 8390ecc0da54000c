"""Training and evaluation text that ships with Python itself: the docstrings of standard-library
modules. Deterministic for a given Python version, offline, English prose with code mixed in."""

from __future__ import annotations

import importlib
import inspect
import warnings
from functools import cache

# A fixed list, so the corpus is the same on every machine with the same Python.
MODULES = (
    "abc", "argparse", "base64", "bisect", "calendar", "collections", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "difflib", "email", "enum", "fractions", "functools",
    "gettext", "glob", "gzip", "hashlib", "heapq", "hmac", "html", "http", "inspect", "io",
    "ipaddress", "itertools", "json", "logging", "mailbox", "math", "mimetypes", "operator",
    "optparse", "os", "pathlib", "pickle", "pprint", "queue", "random", "re", "sched", "secrets",
    "shlex", "shutil", "signal", "socket", "statistics", "string", "struct", "subprocess",
    "tarfile", "tempfile", "textwrap", "threading", "timeit", "tokenize", "typing", "unittest",
    "urllib", "uuid", "warnings", "weakref", "xml", "zipfile", "zlib",
)  # fmt: skip


def _docs_of(module_name: str) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # touching e.g. typing.io warns
        module = importlib.import_module(module_name)
        docs = [inspect.getdoc(module) or ""]
        for name in sorted(vars(module)):
            obj = getattr(module, name)
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                docs.append(inspect.getdoc(obj) or "")
    return [d for d in docs if d]


@cache
def documents() -> tuple[str, ...]:
    """One document per module: its docstring and those of its public classes and functions."""
    return tuple("\n\n".join(_docs_of(name)) for name in MODULES)


def shard(index: int, count: int, *, heldout: bool = False) -> str:
    """Node ``index`` of ``count``'s private training shard, or (``heldout=True``) the validators'
    held-out text: every fifth document is held out, the rest dealt round-robin to the nodes."""
    docs = documents()
    if heldout:
        return "\n\n".join(doc for i, doc in enumerate(docs) if i % 5 == 4)
    training = [doc for i, doc in enumerate(docs) if i % 5 != 4]
    return "\n\n".join(doc for i, doc in enumerate(training) if i % count == index)
