"""Runs the deployment plan on a live chain through ape, recording everything in the manifest."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.exceptions import ApeException
from ape.utils import ManagerAccessMixin

from flock import artifacts
from flock.chain.create import create_address
from flock.chain.manifest import (
    ActionRecord,
    ContractRecord,
    Manifest,
    PendingDeploy,
    RoleHolder,
    RoleRecord,
    git_state,
    manifest_path,
)
from flock.chain.network import is_local
from flock.chain.protocol import LiveProtocol, genesis_hash
from flock.deploy.config import DeployConfig, load_config
from flock.deploy.plan import Context, Step, protocol_plan, roles_of, run_plan
from flock.deploy.proxies import (
    PROXY_CONTRACT,
    implementation_key,
    initialize_data,
)
from flock.deploy.upgrades import save_reference
from flock.paths import CONFIG_DIR, PROJECT_ROOT


class DeployError(ApeException):
    """A deployment cannot go on; the message says what to do."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "address"):
        return str(value.address)
    return value if isinstance(value, int | str | bool) or value is None else str(value)


def role_table(manifest: Manifest) -> list[RoleRecord]:
    """Every role of every role-managed contract of ``manifest`` and its current holders."""
    protocol = LiveProtocol(manifest)
    names = {record.address.lower(): key for key, record in manifest.contracts.items()}
    names[manifest.deployer.lower()] = "deployer"
    names["0x" + "00" * 20] = "anyone (zero address)"
    table = []
    for key, record in manifest.contracts.items():
        roles = roles_of(record.contract)
        if not roles:
            continue
        ids = {
            role: bytes(32) if role == "DEFAULT_ADMIN_ROLE" else bytes(protocol.view(key, role))
            for role in roles
        }
        by_id = {value: role for role, value in ids.items()}
        members = protocol.role_members(key)
        for role, role_id in ids.items():
            admin = bytes(protocol.view(key, "getRoleAdmin", role_id))
            holders = sorted(members.get(role_id, set()), key=str.lower)
            table.append(
                RoleRecord(
                    contract=key,
                    role=role,
                    role_id="0x" + role_id.hex(),
                    admin_role=by_id.get(admin, "0x" + admin.hex()),
                    holders=[RoleHolder(address=a, name=names.get(a.lower(), a)) for a in holders],
                )
            )
    return table


class ApeBackend(ManagerAccessMixin):
    """A plan backend over the connected ape provider; every step lands in the manifest."""

    def __init__(self, deployer: AccountAPI, manifest: Manifest, manifest_file: Path) -> None:
        self.account = deployer
        self.deployer = str(deployer.address)
        self.manifest = manifest
        self.manifest_file = manifest_file
        self.protocol = LiveProtocol(manifest, deployer)
        self._reference_recorded = False

    # -- helpers

    def _contract(self, key: str) -> Any:
        return self.protocol.contract(key)

    def _has_code(self, address: str) -> bool:
        return len(self.provider.get_code(address)) > 0

    def _save(self) -> None:
        self.manifest.save(self.manifest_file)

    # -- Backend protocol

    def existing(self, key: str) -> str | None:
        record = self.manifest.contracts.get(key)
        if record is not None:
            if not self._has_code(record.address):
                raise DeployError(
                    f"manifest {self.manifest_file} lists {key} at {record.address}, but no code is "
                    "there: the manifest belongs to another chain. Move it away and redeploy."
                )
            return record.address
        pending = self.manifest.pending
        if pending and pending.key == key and self._has_code(pending.expected_address):
            # The previous run sent this deployment but died before recording it.
            recovered = "unknown (recovered after an interrupted run)"
            if pending.contract == PROXY_CONTRACT:
                impl = self.manifest.implementations[key]
                record = ContractRecord(
                    contract=impl.contract,
                    address=pending.expected_address,
                    tx_hash=recovered,
                    block=-1,
                    constructor_args=impl.constructor_args,
                    proxy=PROXY_CONTRACT,
                    implementation=impl.address,
                )
            else:
                record = ContractRecord(
                    contract=pending.contract,
                    address=pending.expected_address,
                    tx_hash=recovered,
                    block=-1,
                    constructor_args=pending.constructor_args,
                )
            self.manifest.contracts[key] = record
            self.manifest.pending = None
            self._save()
            return pending.expected_address
        return None

    def _implementation(self, key: str) -> str | None:
        """The implementation an earlier (maybe interrupted) run deployed for ``key``'s proxy."""
        record = self.manifest.implementations.get(key)
        if record is not None and self._has_code(record.address):
            return record.address
        pending = self.manifest.pending
        if pending and pending.key == implementation_key(key) and self._has_code(pending.expected_address):
            self.manifest.implementations[key] = ContractRecord(
                contract=pending.contract,
                address=pending.expected_address,
                tx_hash="unknown (recovered after an interrupted run)",
                block=-1,
                constructor_args=pending.constructor_args,
            )
            self.manifest.pending = None
            self._save()
            return pending.expected_address
        return None

    def _create(self, pending_key: str, contract: str, args: list[Any]) -> tuple[str, str, int]:
        """Sends a contract creation, recorded as pending first; returns address, hash and block."""
        nonce = self.account.nonce
        self.manifest.pending = PendingDeploy(
            key=pending_key,
            contract=contract,
            nonce=nonce,
            expected_address=create_address(self.deployer, nonce),
            constructor_args=_jsonable(args),
        )
        self._save()
        container = self.local_project.get_contract(contract)
        instance = self.account.deploy(container, *args)
        receipt = self.chain_manager.get_receipt(instance.txn_hash)
        return str(instance.address), str(instance.txn_hash), receipt.block_number

    def deploy(self, key: str, contract: str, args: list[Any]) -> str:
        address, tx_hash, block = self._create(key, contract, args)
        self.manifest.contracts[key] = ContractRecord(
            contract=contract, address=address, tx_hash=tx_hash, block=block, constructor_args=_jsonable(args)
        )
        self.manifest.pending = None
        self._save()
        return address

    def _record_reference(self) -> None:
        """Keeps the build the implementations are deployed from beside the manifest
        (``<manifest>.reference/``): the storage layouts their upgrades are checked against."""
        if self._reference_recorded:
            return
        directory = self.manifest_file.with_name(self.manifest_file.stem + ".reference")
        save_reference(directory)
        try:
            self.manifest.upgrade_reference = str(directory.resolve().relative_to(PROJECT_ROOT))
        except ValueError:  # a manifest outside the repository
            self.manifest.upgrade_reference = str(directory.resolve())
        self._reference_recorded = True
        self._save()

    def deploy_proxy(self, key: str, contract: str, args: list[Any], init: list[Any]) -> str:
        implementation = self._implementation(key)
        if implementation is None:
            self._record_reference()
            implementation, tx_hash, block = self._create(implementation_key(key), contract, args)
            self.manifest.implementations[key] = ContractRecord(
                contract=contract,
                address=implementation,
                tx_hash=tx_hash,
                block=block,
                constructor_args=_jsonable(args),
            )
            self.manifest.pending = None
            self._save()
        data = initialize_data(contract, init)
        address, tx_hash, block = self._create(key, PROXY_CONTRACT, [implementation, data])
        self.manifest.contracts[key] = ContractRecord(
            contract=contract,
            address=address,
            tx_hash=tx_hash,
            block=block,
            constructor_args=_jsonable(args),
            proxy=PROXY_CONTRACT,
            implementation=implementation,
            initializer_args=_jsonable(init),
        )
        self.manifest.pending = None
        self._save()
        return address

    def transact(self, key: str, target: str, function: str, args: list[Any]) -> None:
        receipt = self._contract(target).invoke_transaction(function, *args, sender=self.account)
        self.manifest.actions[key] = ActionRecord(
            target=target,
            function=function,
            args=_jsonable(args),
            tx_hash=str(receipt.txn_hash),
            block=receipt.block_number,
        )
        self._save()

    def view(self, key: str, function: str, *args: Any) -> Any:
        return self.protocol.view(key, function, *args)


def _network_choice(provider: Any) -> str:
    network = provider.network
    return f"{network.ecosystem.name}:{network.name}:{provider.name}"


def set_aside(path: Path) -> Path | None:
    """Moves an existing manifest (and its proposal index) aside, never deleting it:
    ``<name>.replaced-<UTC time>.json``. Returns the new name, or None if there was nothing."""
    if not path.is_file():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.replaced-{stamp}{path.suffix}")
    path.rename(target)
    index = path.with_name(path.stem + ".proposals.json")
    if index.is_file():
        index.rename(target.with_name(target.stem + ".proposals.json"))
    return target


def _keep_aside(path: Path, on_note: Callable[[str], None] | None) -> None:
    kept = set_aside(path)
    if kept is not None and on_note is not None:
        on_note(f"kept the previous record as {kept}")


def _refuse_fresh_over_complete(path: Path, existing: Manifest, fresh: int) -> None:
    if existing.complete and fresh < 2:
        raise DeployError(
            f"{path} records a complete deployment on chain {existing.chain_id}; --fresh would deploy "
            "everything anew beside it. To really do that, give --fresh twice (the record is kept, "
            "renamed), or deploy elsewhere with --manifest NEW.json"
        )


def open_manifest(
    deployer: AccountAPI,
    config_file: Path,
    config: DeployConfig,
    fresh: int,
    path: Path | None = None,
    on_note: Callable[[str], None] | None = None,
) -> tuple[Manifest, Path]:
    """The manifest to resume, or a new one. ``fresh`` (1) starts over, moving an unfinished record
    aside; a complete one it moves aside only when asked twice (2). A manifest of another chain is
    an error on a live network and replaced (kept aside) on a local one (every anvil run is a new
    chain; with ``fresh``, as the demo and the benchmarks deploy, it is overwritten: no loss)."""
    access = ManagerAccessMixin
    provider = access.provider
    choice = _network_choice(provider)
    path = path or manifest_path(choice)
    chain_id = provider.chain_id
    genesis = genesis_hash()
    existing = Manifest.load(path)
    other_chain = existing is not None and (existing.chain_id != chain_id or existing.genesis_hash != genesis)
    if existing is not None and fresh:
        if not (other_chain and is_local(provider.network.name)):  # a dead local chain's record is no loss
            _refuse_fresh_over_complete(path, existing, int(fresh))
            _keep_aside(path, on_note)
        existing = None
    if existing is not None and other_chain:
        if not is_local(provider.network.name):
            raise DeployError(
                f"{path} was written for chain {existing.chain_id} (genesis {existing.genesis_hash[:10]}…), "
                f"but the connected chain is {chain_id} (genesis {genesis[:10]}…): check --network, or "
                "give this deployment its own record with --manifest NEW.json"
            )
        _keep_aside(path, on_note)  # never overwritten: it may be a persistent anvil's (decision 227)
        existing = None
    if existing is not None:
        if existing.deployer != str(deployer.address):
            raise DeployError(
                f"{path} was started by {existing.deployer}: resume it with that account (--account)"
            )
        if existing.config_digest != config.digest():
            if existing.complete:
                raise DeployError(
                    f"{config_file} changed since {path} was deployed: the deployment is complete, so "
                    "change parameters through governance (`ape run dao propose set-param`), or deploy "
                    "a new copy with --manifest NEW.json"
                )
            raise DeployError(
                f"{config_file} changed since {path} was started: restore it to resume, or start over "
                "with --fresh (the unfinished record is kept, renamed)"
            )
        return existing, path
    compilation = artifacts.load()
    commit, dirty = git_state()
    manifest = Manifest(
        network=choice,
        chain_id=chain_id,
        genesis_hash=genesis,
        deployer=str(deployer.address),
        config_file=str(
            config_file.relative_to(PROJECT_ROOT) if config_file.is_relative_to(PROJECT_ROOT) else config_file
        ),
        config_digest=config.digest(),
        git_commit=commit,
        git_dirty=dirty,
        compiler={
            "name": "solidity",
            "version": compilation.compiler_version,
            "settings": compilation.compiler_settings,
        },
    )
    return manifest, path


def deploy_protocol(
    deployer: AccountAPI,
    config_file: Path,
    *,
    fresh: bool | int = False,
    plan: list[Step] | None = None,
    on_step: Callable[[Step, str], None] | None = None,
    manifest_file: Path | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Manifest:
    """Deploys (or resumes deploying) the protocol on the connected network. The manifest goes to
    ``manifest_file`` (default: ``deployments/<ecosystem>-<network>.json``); ``fresh`` as in
    :func:`open_manifest`."""
    config = load_config(config_file)
    manifest, path = open_manifest(deployer, config_file, config, int(fresh), manifest_file, on_note)
    if on_note is not None and not manifest.contracts:  # warnings once the checks passed, before sending
        for warning in config.warnings():
            on_note(f"warning: {warning}")
    backend = ApeBackend(deployer, manifest, path)
    ctx = Context(
        config=config,
        deployer=backend.deployer,
        addresses={k: r.address for k, r in manifest.contracts.items()},
    )
    run_plan(protocol_plan(config) if plan is None else plan, ctx, backend, on_step=on_step)
    manifest.roles = role_table(manifest)
    manifest.complete = True
    manifest.save(path)
    return manifest


LOCAL_CONFIG = CONFIG_DIR / "ethereum-local.yaml"


def deploy_fresh(config_file: Path = LOCAL_CONFIG, manifest_file: Path | None = None) -> LiveProtocol:
    """Deploys a new copy of the protocol from test account 0 (manifest in a temp folder)."""
    from ape import accounts

    deployer = accounts.test_accounts[0]
    if manifest_file is None:
        manifest_file = Path(tempfile.mkdtemp(prefix="flock-bench-")) / "manifest.json"
    manifest = deploy_protocol(deployer, config_file, fresh=True, manifest_file=manifest_file)
    return LiveProtocol(manifest, deployer)
