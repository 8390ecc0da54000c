"""Running `ape run ...` as a user would, from a test (tests/e2e), without meeting another run's chain.

An `ape run ...` on the local network starts its own anvil through ape-foundry. Left to itself
(`foundry: host: auto`), ape-foundry draws the port at random in 49152-60999 and, when an anvil
already answers there, uses that one instead of starting its own: the test session's anvil, or
another run's on a shared machine, whose state the command then changes (about one subprocess in
12,000 per anvil listening). :func:`own_anvil_env` names a port the kernel has just found free
(``bind`` to port 0 never returns a port something listens on) as ``APE_FOUNDRY_HOST``, where
ape-foundry starts its anvil, and stops it when the command ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from flock.paths import PROJECT_ROOT
from flock.rehearsal import free_port

APE = str(Path(sys.executable).with_name("ape"))
TIMEOUT = 900  # seconds; the longest command here, the demo, took 40 s in CI


def own_anvil_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment and ``extra``, with ``APE_FOUNDRY_HOST`` on a free port."""
    return {**os.environ, **(extra or {}), "APE_FOUNDRY_HOST": f"http://127.0.0.1:{free_port()}"}


def run_ape(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """`ape run ARGS` from the project root, output captured, on an anvil of its own (``env``: more
    variables). The timeout only ends a hung command: a test waits for the command, never for a
    time (a busy machine takes minutes for what takes seconds alone)."""
    return subprocess.run(
        [APE, "run", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=own_anvil_env(env),
    )
