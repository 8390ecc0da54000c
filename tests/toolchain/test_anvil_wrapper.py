"""`anvil` on PATH (tools/anvil.sh): the npm binary with a state cache of its own run, removed when
it stops, the way ape stops it (SIGINT) and the way `make poc-stop` does (SIGTERM to its group)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from flock.paths import PROJECT_ROOT

WRAPPER = PROJECT_ROOT / ".bin" / "anvil"


def _anvil_of(pid: int) -> tuple[int, Path]:
    """The anvil the wrapper started (its child, read from /proc) and the --cache-path it gave it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                args = (stat.parent / "cmdline").read_bytes().split(b"\0")
            except (OSError, IndexError, ValueError):
                continue  # the process ended while we read it
            if ppid == pid and b"--cache-path" in args:
                return int(stat.parent.name), Path(args[args.index(b"--cache-path") + 1].decode())
        time.sleep(0.1)
    raise AssertionError("the wrapper started no anvil with a --cache-path")


def _wait_until_it_listens(log: Path) -> None:
    """anvil binds the port the kernel gives it (--port 0: no port found free first, which another
    process could take before anvil binds it) and prints it once it listens."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "Listening on 127.0.0.1:" in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"anvil did not say it listens: {log.read_text(errors='replace')[-500:]}")


@pytest.mark.parametrize(("sig", "group"), [(signal.SIGINT, False), (signal.SIGTERM, True)])
def test_the_state_cache_goes_when_anvil_stops(tmp_path, tmp_path_factory, sig, group):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    log = tmp_path_factory.mktemp("anvil-stdout") / "stdout"  # not in tmp_path: it must end empty
    with log.open("wb") as stdout:
        process = subprocess.Popen(
            [str(WRAPPER), "--port", "0"], env=env, stdout=stdout, start_new_session=group
        )
    anvil, cache = _anvil_of(process.pid)
    try:
        _wait_until_it_listens(log)
        assert cache.is_dir() and cache.parent == tmp_path
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        assert process.wait(timeout=30) == 0
    finally:  # never leave an anvil running, whatever failed (the wrapper waits for its anvil)
        if process.poll() is None:
            for pid in (anvil, process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert not cache.exists()
    assert list(tmp_path.iterdir()) == []


def test_version_and_help_pass_straight_through():
    out = subprocess.run([str(WRAPPER), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("anvil Version:")
