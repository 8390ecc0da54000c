"""The proof-of-concept environment: an anvil that keeps running, with the suite deployed on it.

``python -m flock.audit.pocenv start`` (``make poc-env``) starts anvil in the background on
``POC_PORT`` (8545), deploys the protocol from the local config (config/ethereum-local.yaml) with
``ape run deploy`` exactly as an operator would, and writes the manifest to
deployments/poc-local.json, which the Foundry test base (audit/poc/FlockPoC.sol) reads. ``stop``
(``make poc-stop``) ends that anvil; ``status`` says whether it runs. The anvil's pid and log are
kept in .poc/ (git-ignored). A second ``start`` while the environment runs is a no-op.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from flock.paths import DEPLOYMENTS_DIR, PROJECT_ROOT

STATE_DIR = PROJECT_ROOT / ".poc"
PID_FILE = STATE_DIR / "anvil.pid"
LOG_FILE = STATE_DIR / "anvil.log"
MANIFEST = DEPLOYMENTS_DIR / "poc-local.json"
# ape signs for its `ethereum:local` network with chain id 1337; the anvil uses the same.
LOCAL_CHAIN_ID = 1337


class PocEnvError(RuntimeError):
    """A step failed; the message says which and what to do."""


def port() -> int:
    return int(os.environ.get("POC_PORT", "8545"))


def rpc_url() -> str:
    return f"http://127.0.0.1:{port()}"


def _rpc(method: str, params: list | None = None) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(rpc_url(), body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=2) as response:
        return json.loads(response.read())["result"]


def _answers() -> bool:
    try:
        return int(str(_rpc("eth_chainId")), 16) == LOCAL_CHAIN_ID
    except (OSError, ValueError, KeyError):
        return False


def _running_pid() -> int | None:
    """The pid of the environment's anvil if it is still alive."""
    try:
        pid = int(PID_FILE.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _deployed() -> bool:
    """The manifest is complete and its token has code on the running chain."""
    try:
        manifest = json.loads(MANIFEST.read_text())
        token = manifest["contracts"]["token"]["address"]
        return bool(manifest.get("complete")) and _rpc("eth_getCode", [token, "latest"]) not in ("0x", "")
    except (OSError, ValueError, KeyError):
        return False


def _start_anvil() -> int:
    binary = shutil.which("anvil")
    if binary is None:
        raise PocEnvError("anvil is not on PATH: run `make setup` (or `. ./activate`)")
    if _answers():
        raise PocEnvError(f"another node already answers on {rpc_url()}: stop it or set POC_PORT")
    STATE_DIR.mkdir(exist_ok=True)
    with LOG_FILE.open("wb") as log:
        process = subprocess.Popen(
            [binary, "--port", str(port()), "--chain-id", str(LOCAL_CHAIN_ID)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives this command; stopped by `stop`
        )
    PID_FILE.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + 30
    while not _answers():
        if process.poll() is not None:
            raise PocEnvError(f"anvil exited at start; see {LOG_FILE.relative_to(PROJECT_ROOT)}")
        if time.monotonic() > deadline:
            raise PocEnvError(f"anvil did not answer on {rpc_url()} within 30 s")
        time.sleep(0.2)
    return process.pid


def _deploy() -> None:
    ape = shutil.which("ape")
    if ape is None:
        raise PocEnvError("ape is not on PATH: run `make setup` (or `. ./activate`)")
    network = f"ethereum:local:{rpc_url()}"
    cmd = [ape, "run", "deploy", "--network", network, "--manifest", str(MANIFEST), "--fresh"]
    if subprocess.run(cmd, cwd=PROJECT_ROOT).returncode != 0:
        raise PocEnvError("`ape run deploy` failed (its output is above); `make poc-stop` ends the anvil")


def start() -> str:
    pid = _running_pid()
    if pid is not None and _answers() and _deployed():
        manifest = MANIFEST.relative_to(PROJECT_ROOT)
        return f"already running: anvil pid {pid} on {rpc_url()}, manifest {manifest}"
    if pid is not None:
        stop()
    pid = _start_anvil()
    try:
        _deploy()
    except BaseException:
        stop()
        raise
    return (
        f"anvil pid {pid} on {rpc_url()} (chain {LOCAL_CHAIN_ID}), the suite deployed, manifest "
        f"{MANIFEST.relative_to(PROJECT_ROOT)}\n"
        f"run the proofs of concept: .bin/forge test --fork-url {rpc_url()}   (or `make poc`)\n"
        "stop it: make poc-stop"
    )


def stop() -> str:
    pid = _running_pid()
    PID_FILE.unlink(missing_ok=True)
    if pid is None:
        return "not running"
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return "not running"
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.killpg(pid, signal.SIGKILL)
    return f"stopped anvil pid {pid}"


def status() -> str:
    pid = _running_pid()
    if pid is None:
        return "not running (make poc-env starts it)"
    deployed = "deployed" if _deployed() else "NOT deployed (make poc-stop, then make poc-env)"
    return f"anvil pid {pid} on {rpc_url()}, suite {deployed}"


def main(argv: list[str]) -> int:
    commands = {"start": start, "stop": stop, "status": status}
    if len(argv) != 1 or argv[0] not in commands:
        print("usage: python -m flock.audit.pocenv start|stop|status", file=sys.stderr)
        return 2
    try:
        print(commands[argv[0]]())
    except PocEnvError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
