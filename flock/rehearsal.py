"""Rehearse a Base Sepolia deployment offline, on an anvil that looks like Base Sepolia.

anvil runs with ``--chain-id 84532 --optimism`` (Base Sepolia's chain id, OP-stack transaction
types); ape reaches it as the custom network ``base:rehearsal`` (ape-config.yaml) through the URI of
the node, so the commands are exactly the ones an operator runs against the real network, with the
Base Sepolia config and a keyfile account (anvil's first dev key, imported into the project's own ape
data folder with a throwaway passphrase: nothing in it is secret, and nothing leaves the repository).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ape.exceptions import ApeException
from rich.console import Console

from flock.paths import CONFIG_DIR, DEPLOYMENTS_DIR, PROJECT_ROOT

BASE_SEPOLIA_CHAIN_ID = 84532
REHEARSAL_ACCOUNT = "rehearsal"
REHEARSAL_PASSPHRASE = "Rehearsal-0nly:not#a-secret-84532"
# anvil's first account for its default mnemonic ("test test ... junk"): public knowledge.
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
BASE_SEPOLIA_CONFIG = CONFIG_DIR / "base-sepolia.yaml"
REHEARSAL_MANIFEST = DEPLOYMENTS_DIR / "base-rehearsal.json"


class RehearsalError(ApeException):
    """A step of the rehearsal failed; the message names it."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rpc(uri: str, method: str, params: list | None = None) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(uri, body, {"Content-Type": "application/json"})
    # 30 s only ends a hang: anvil answers in milliseconds alone, and far slower on a busy machine.
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


@dataclass
class Node:
    uri: str
    process: subprocess.Popen

    def rpc(self, method: str, params: list | None = None) -> object:
        return _rpc(self.uri, method, params)


@contextmanager
def anvil_node(chain_id: int = BASE_SEPOLIA_CHAIN_ID, optimism: bool = True) -> Iterator[Node]:
    """An anvil on a free port for the duration of the block; stopped (and waited for) on exit."""
    binary = shutil.which("anvil")
    if binary is None:
        raise RehearsalError("anvil is not on PATH: run `make setup` (or `. ./activate`)")
    port = free_port()
    cmd = [binary, "--port", str(port), "--chain-id", str(chain_id), "--silent"]
    if optimism:
        cmd.append("--optimism")
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if int(str(_rpc(uri, "eth_chainId")), 16) == chain_id:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                raise RehearsalError(f"anvil exited: {process.stderr.read().decode(errors='replace')[:300]}")
            if time.monotonic() > deadline:
                raise RehearsalError("anvil did not answer within 30 s")
            time.sleep(0.1)
        yield Node(uri, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def ensure_rehearsal_account() -> dict[str, str]:
    """Imports anvil's first dev key as the ape keyfile account ``rehearsal`` (once) and returns the
    environment that lets ape sign with it unattended."""
    from ape import accounts
    from ape_accounts import import_account_from_private_key

    if REHEARSAL_ACCOUNT not in accounts.aliases:
        import_account_from_private_key(REHEARSAL_ACCOUNT, REHEARSAL_PASSPHRASE, ANVIL_KEY_0)
    return {f"APE_ACCOUNTS_{REHEARSAL_ACCOUNT}_PASSPHRASE": REHEARSAL_PASSPHRASE}


def network_choice(node: Node) -> str:
    return f"base:rehearsal:{node.uri}"


def run_ape(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    """Runs ``ape run ...`` as an operator would, from the project root, output passed through."""
    ape = shutil.which("ape")
    if ape is None:
        raise RehearsalError("ape is not on PATH: run `make setup` (or `. ./activate`)")
    return subprocess.run([ape, "run", *args], cwd=PROJECT_ROOT, env={**os.environ, **env}, timeout=timeout)


def _operator_args(command: str, node: Node, manifest: Path, *extra: str) -> list[str]:
    """``ape run COMMAND`` against the rehearsal node, signed by the rehearsal keyfile account."""
    network = ["--network", network_choice(node), "--account", REHEARSAL_ACCOUNT]
    return [command, *network, *extra, "--manifest", str(manifest)]


def deploy_args(node: Node, manifest: Path = REHEARSAL_MANIFEST) -> list[str]:
    """`ape run deploy` with the Base Sepolia config."""
    return _operator_args("deploy", node, manifest, "--config", str(BASE_SEPOLIA_CONFIG))


def epoch_args(node: Node, manifest: Path = REHEARSAL_MANIFEST, unclaimed: Path | None = None) -> list[str]:
    """`ape run epoch` on the rehearsal deployment, funded by the deployer's FLOCK; with ``unclaimed``,
    the root's last leaf is left unclaimed and its claim written there."""
    extra = ["--leave-unclaimed", str(unclaimed)] if unclaimed else []
    return _operator_args("epoch", node, manifest, *extra)


def unclaimed_file(manifest: Path) -> Path:
    """Where the rehearsal keeps the claim the epoch leaves for after the upgrade."""
    return manifest.with_name(f"{manifest.stem}.unclaimed.json")


def live_upgrade_args(
    node: Node, manifest: Path = REHEARSAL_MANIFEST, contract: str = "rewards"
) -> list[str]:
    """`ape run live_upgrade`: one upgrade through a DAO proposal, on the epoch's live state."""
    return _operator_args(
        "live_upgrade", node, manifest, contract, "--unclaimed", str(unclaimed_file(manifest))
    )


def rehearse(manifest: Path, console: Console) -> None:
    """The whole rehearsal on a throwaway anvil posing as Base Sepolia: deploy (a new record: an
    earlier one is set aside, asked twice as it may be complete), `deploy verify`, one protocol
    epoch leaving a leaf unclaimed, one upgrade through the DAO on that live state. Each step runs
    as an operator runs it, `ape run ...`; the first to fail raises :class:`RehearsalError`."""
    env = ensure_rehearsal_account()
    with anvil_node() as node:
        console.rule(f"[bold]rehearsal: anvil as Base Sepolia at {node.uri}")
        steps = [
            ("deploy", [*deploy_args(node, manifest), "--fresh", "--fresh"]),
            ("deploy verify", [*deploy_args(node, manifest), "verify"]),
            ("epoch", epoch_args(node, manifest, unclaimed_file(manifest))),
            ("live upgrade", live_upgrade_args(node, manifest)),
        ]
        for name, args in steps:
            console.print(f"[bold]$ ape run {' '.join(args)}")
            if run_ape(args, env).returncode != 0:
                raise RehearsalError(f"rehearsal step '{name}' failed (manifest: {manifest})")
