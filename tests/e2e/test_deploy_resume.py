"""A deploy killed midway completes on the rerun, without deploying any contract twice.

Runs the real `ape run deploy` against an anvil posing as Base Sepolia (flock.rehearsal), kills it
with SIGKILL once a few contracts are in the manifest, and runs it again."""

import json
import os
import shutil
import signal
import subprocess
import time

from flock.paths import PROJECT_ROOT
from flock.rehearsal import anvil_node, deploy_args, ensure_rehearsal_account


def contract_creations(node, sender: str) -> int:
    head = int(node.rpc("eth_blockNumber"), 16)
    count = 0
    for number in range(head + 1):
        block = node.rpc("eth_getBlockByNumber", [hex(number), True])
        count += sum(
            1 for tx in block["transactions"] if tx["to"] is None and tx["from"].lower() == sender.lower()
        )
    return count


def test_killed_deploy_resumes_without_duplicates(tmp_path):
    env = {**os.environ, **ensure_rehearsal_account()}
    manifest_file = tmp_path / "manifest.json"
    with anvil_node() as node:
        args = [shutil.which("ape"), "run", *deploy_args(node, manifest_file)]
        first = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Waits for the condition, not for a time: ape's start alone takes a minute on a busy machine.
        # The deadline only ends a run that hangs (the second run's own timeout).
        deadline = time.monotonic() + 600
        killed_at = None
        while time.monotonic() < deadline and first.poll() is None:
            if manifest_file.exists():
                contracts = json.loads(manifest_file.read_text())["contracts"]
                if len(contracts) >= 3:
                    killed_at = len(contracts)
                    break
            time.sleep(0.02)
        finished = first.poll() is not None
        if not finished:
            os.killpg(first.pid, signal.SIGKILL)  # at 3 contracts, or a hung run: never left running
        first.wait(timeout=30)
        assert not finished, f"the deploy ended (code {first.returncode}) before it could be killed"
        assert killed_at is not None, "no 3 contracts in the manifest after 600 s"
        interrupted = json.loads(manifest_file.read_text())
        assert interrupted["complete"] is False

        second = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr[-2000:]
        manifest = json.loads(manifest_file.read_text())
        assert manifest["complete"] is True and manifest["pending"] is None
        addresses = [c["address"] for c in manifest["contracts"].values()]
        assert len(set(addresses)) == len(addresses)
        for key, record in interrupted["contracts"].items():
            assert manifest["contracts"][key]["address"] == record["address"]  # kept, not redeployed
        # Every contract once: the proxies and plain contracts, and the implementations behind the proxies.
        implementations = len(manifest["implementations"])
        assert contract_creations(node, manifest["deployer"]) == len(addresses) + implementations

        verify = subprocess.run(
            [*args, "verify"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert verify.returncode == 0, verify.stdout[-3000:]
