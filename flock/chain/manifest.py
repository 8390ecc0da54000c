"""The deployment manifest: what was deployed where, by whom, from which source and settings.

One JSON file per network (``deployments/<ecosystem>-<network>.json``), rewritten atomically after
every step so that a deploy killed midway resumes from it. A transaction is recorded as pending
*before* it is sent (with the address a contract creation will get), so a deploy killed between
sending and recording still finds its contract on the rerun instead of deploying a duplicate.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ape.exceptions import ApeException
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from flock.files import atomic_write_text
from flock.paths import DEPLOYMENTS_DIR, PROJECT_ROOT

ABI_FOLDER = "abi"  # abi/<Contract>.json, relative to the repository (written by `make compile`)


def abi_file(contract: str) -> str:
    return f"{ABI_FOLDER}/{contract}.json"


def published_abi_files() -> dict[str, str]:
    """Every published ABI (abi/<Contract>.json), by contract name."""
    return {p.stem: abi_file(p.stem) for p in sorted((PROJECT_ROOT / ABI_FOLDER).glob("*.json"))}


class ManifestError(ApeException):
    """A manifest file that cannot be read; the message names the file and what is wrong."""


class ContractRecord(BaseModel):
    """One deployed contract. For an upgradeable one (``proxy`` set), ``address``, ``tx_hash`` and
    ``block`` are its proxy's (the address everything uses), ``implementation`` the address of the
    implementation behind it (its own record in ``Manifest.implementations``), ``constructor_args``
    the implementation's constructor arguments and ``initializer_args`` the proxy's ``initialize``
    call."""

    contract: str
    address: str
    tx_hash: str
    block: int
    constructor_args: list[Any]
    abi: str = ""  # the contract's ABI file, abi/<Contract>.json
    proxy: str = ""  # the proxy contract (FlockProxy) if the contract is upgradeable
    implementation: str = ""
    initializer_args: list[Any] = Field(default_factory=list)

    @model_validator(mode="after")
    def _abi_file(self) -> ContractRecord:
        self.abi = self.abi or abi_file(self.contract)
        return self


class RoleHolder(BaseModel):
    address: str
    name: str  # a manifest key, "deployer", "anyone (zero address)", or the address again


class RoleRecord(BaseModel):
    """One role of one contract and who holds it (replayed from RoleGranted / RoleRevoked events,
    so roles granted in constructors are listed too)."""

    contract: str  # manifest key
    role: str  # the role constant's name, e.g. MINTER_ROLE
    role_id: str  # 0x-prefixed bytes32
    admin_role: str  # the name of the role that grants and revokes it
    holders: list[RoleHolder]


class ActionRecord(BaseModel):
    target: str
    function: str
    args: list[Any]
    tx_hash: str
    block: int


class PendingDeploy(BaseModel):
    key: str
    contract: str
    nonce: int
    expected_address: str
    constructor_args: list[Any]


class Manifest(BaseModel):
    network: str
    chain_id: int
    genesis_hash: str
    deployer: str
    config_file: str
    config_digest: str
    git_commit: str
    git_dirty: bool
    compiler: dict[str, Any]
    contracts: dict[str, ContractRecord] = Field(default_factory=dict)
    # The implementation behind each upgradeable contract's proxy, by the proxy's key.
    implementations: dict[str, ContractRecord] = Field(default_factory=dict)
    # The build the implementations were deployed from (solc build info with storage layouts, a
    # directory relative to the repository): the reference an upgrade's storage check compares with
    # (flock.deploy.upgrades.validate_upgrade(..., reference_build_info=...)).
    upgrade_reference: str = ""
    actions: dict[str, ActionRecord] = Field(default_factory=dict)
    pending: PendingDeploy | None = None
    complete: bool = False
    # Every published ABI by contract name, RewardPot (created per reward root) included.
    abis: dict[str, str] = Field(default_factory=published_abi_files)
    # Every role of every role-managed contract and its holders when the deployment completed.
    roles: list[RoleRecord] = Field(default_factory=list)

    @field_validator("genesis_hash")
    @classmethod
    def _hex_prefixed(cls, value: str) -> str:
        """0x-prefixed, lower-case (manifests written before were not prefixed)."""
        return "0x" + value.lower().removeprefix("0x")

    def address(self, key: str) -> str:
        return self.contracts[key].address

    def save(self, path: Path) -> None:
        """Writes atomically: a crash leaves the previous file or the new one, never half of one."""
        atomic_write_text(path, self.model_dump_json(indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> Manifest | None:
        """The manifest at ``path`` (None if there is none); a damaged one is an error naming the file."""
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text())
        except ValueError as err:
            raise ManifestError(f"{path} is not a deployment manifest: not valid JSON ({err})") from None
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            problems = err.errors()
            shown = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg'].lower()}" for e in problems[:4]
            )
            more = f" (and {len(problems) - 4} more)" if len(problems) > 4 else ""
            raise ManifestError(f"{path} is not a complete deployment manifest: {shown}{more}") from None


def manifest_path(network_choice: str) -> Path:
    """``deployments/<ecosystem>-<network>.json`` for ``ecosystem:network[:provider]``."""
    parts = network_choice.split(":")
    return DEPLOYMENTS_DIR / f"{parts[0]}-{parts[1] if len(parts) > 1 else 'local'}.json"


def default_manifest(network_choice: str) -> Path:
    """The deployment a command on ``network_choice`` works on when no --manifest is given: the
    network's own record (``manifest_path``: what a deploy there writes); on a fork that has no
    deployment of its own, the forked network's (base:sepolia-fork -> deployments/base-sepolia.json),
    so a fork rehearses the real deployment and a deployment made on the fork is the one read back."""
    own = manifest_path(network_choice)
    if "-fork" not in network_choice or own.exists():
        return own
    return manifest_path(network_choice.replace("-fork", ""))


def git_state() -> tuple[str, bool]:
    """The checked-out commit and whether the work tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown", True
    return commit, dirty
