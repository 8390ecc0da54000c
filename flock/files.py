"""Writing files so that a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Writes ``data`` to a temporary file beside ``path``, syncs it, and renames it over ``path``.
    The file gets ordinary permissions (0666 less the umask), not mkstemp's private 0600, unless
    ``mode`` is given (0o600 for secrets: the file is never readable by others, not even briefly)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def replace_between_markers(path: Path, start: str, end: str, body: str) -> None:
    """Rewrites what stands between the lines ``start`` and ``end`` of the text file ``path`` with
    ``body`` (appending both markers first where the file lacks them), atomically."""
    text = path.read_text() if path.is_file() else ""
    if start not in text or end not in text:
        text += f"\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    atomic_write_text(path, f"{head}{start}\n{body}\n{end}{tail}")


def yaml_error_line(path: Path, err: Exception) -> str:
    """One line for a YAML syntax error: the file, line and column, and the problem
    (``config/x.yaml, line 3, column 5: not valid YAML: found unexpected ':'``)."""
    mark = getattr(err, "problem_mark", None)
    where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    return f"{path}{where}: not valid YAML: {problem}"
