"""Proposal templates that change the protocol's machinery rather than its parameters (issue 12):
hand the timelock to a new governor (`migrate-governor`).

They register with the template registry like every other (``flock.dao.templates``), so `ape run dao
propose NAME ...` and `ape run dao simulate NAME ...` both exist for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from ape import chain
from eth_utils import keccak, to_checksum_address

from flock.chain.protocol import implementation_at
from flock.dao.actions import Action, Draft, encode_call, human_duration
from flock.dao.deployment import DaoError, Deployment
from flock.dao.templates import template
from flock.paths import PROJECT_ROOT

# The timelock roles a governor needs: it schedules (PROPOSER_ROLE) and cancels the timelock
# operation of a proposal it cancels (CANCELLER_ROLE). Anyone executes (EXECUTOR_ROLE is open).
GOVERNOR_ROLES = ("PROPOSER_ROLE", "CANCELLER_ROLE")
# ERC-1967's Upgraded(address indexed implementation).
_UPGRADED_TOPIC = keccak(text="Upgraded(address)")


def migration_calls(timelock_roles: dict[str, bytes], old: str, new: str) -> list[tuple[str, list[Any]]]:
    """The timelock calls that hand its governor roles from ``old`` to ``new``: grants first, then
    revocations, so the timelock is never without a proposer between two calls."""
    grants = [("grantRole", [timelock_roles[r], new]) for r in GOVERNOR_ROLES]
    revokes = [("revokeRole", [timelock_roles[r], old]) for r in GOVERNOR_ROLES]
    return grants + revokes


def _new_governor(deployment: Deployment, address: str) -> Any:
    """The new governor as a FlockGovernor (its ABI is the Governor interface the suite uses)."""
    from ape import project

    if not chain.provider.get_code(address):
        raise DaoError(f"{address} has no code: deploy the new governor first, then propose the migration")
    return project.FlockGovernor.at(address, fetch_from_explorer=False)


def _settings(governor: Any) -> dict[str, Any]:
    return {
        "voting delay": human_duration(int(governor.votingDelay())),
        "voting period": human_duration(int(governor.votingPeriod())),
        "proposal threshold": int(governor.proposalThreshold()),
        "quorum": f"{int(governor.quorumNumerator())}%",
    }


@template(
    "migrate-governor",
    "Hand the timelock to a new governor: migrate-governor ADDRESS (it takes the proposer and "
    "canceller roles; this governor loses them)",
    click.Argument(["new_governor"], metavar="ADDRESS"),
)
def migrate_governor(deployment: Deployment, new_governor: str) -> Draft:
    new = deployment.resolve(new_governor)
    old = deployment.address("governor")
    timelock = deployment.address("timelock")
    if new.lower() == old.lower():
        raise DaoError(f"{new} is the governor already")
    if new.lower() == timelock.lower():
        raise DaoError("the timelock cannot be its own governor: it would need a proposal to propose")
    successor = _new_governor(deployment, new)
    try:
        its_timelock, its_token = str(successor.timelock()), str(successor.token())
    except Exception:  # not a governor at all: its calls revert or return nothing
        raise DaoError(f"{new} is not a governor (it has no timelock() and token())") from None
    if its_timelock.lower() != timelock.lower():
        raise DaoError(f"{new} answers to the timelock {its_timelock}, not this deployment's {timelock}")
    gmflock = deployment.address("gmflock")
    if its_token.lower() != gmflock.lower():
        raise DaoError(f"{new} counts the votes of {its_token}, not gmFLOCK ({gmflock})")

    roles = {r: deployment.role_value("timelock", r) for r in GOVERNOR_ROLES}
    actions: tuple[Action, ...] = tuple(
        encode_call(deployment, "timelock", function, ["0x" + args[0].hex(), args[1]])
        for function, args in migration_calls(roles, old, new)
    )
    before, after = _settings(deployment.governor), _settings(successor)
    changed = [f"{k}: {before[k]} -> {after[k]}" for k in before if before[k] != after[k]]
    description = (
        f"# Migrate governance to the governor at {new}\n\n"
        f"The timelock grants {' and '.join(GOVERNOR_ROLES)} to {new} and revokes them from the current "
        f"governor ({old}). From execution on, only proposals of the new governor can be queued; "
        "operations already queued still execute (anyone executes), and the new governor can cancel "
        "them. The new governor votes with gmFLOCK through this timelock.\n\n"
        + ("Settings that change: " + "; ".join(changed) if changed else "Its settings are the same.")
    )
    notes = [
        "`ape run dao execute` of this proposal records the new governor in the deployment manifest "
        "(`governor`), where `ape run dao` and `deploy verify` find it"
    ]
    return Draft(description, actions, tuple(notes))


# ------------------------------------------------------------------------------------------ upgrades


@dataclass(frozen=True)
class StorageCheck:
    """OpenZeppelin's verdict on the new implementation's storage against the deployed one's."""

    ok: bool
    reference: str  # what the new layout was compared with (the recorded layout file, or a contract)
    text: str  # OpenZeppelin's own explanation


@dataclass(frozen=True)
class UpgradePlan:
    """An upgrade of the proxy under ``key`` from ``current`` to ``implementation`` (the build's
    ``contract``), the storage check's verdict and the call run in the proxy's context after the
    switch (empty: none)."""

    key: str
    contract: str
    proxy: str
    current: str
    implementation: str
    call: bytes
    storage: StorageCheck


def upgradeable_key(deployment: Deployment, contract: str) -> tuple[str, str]:
    """The plan key of an upgradeable contract of the deployment and its current implementation."""
    key = deployment.key_of(contract)
    current = implementation_at(deployment.address(key))
    if current is None:
        from flock.deploy.proxies import UPGRADEABLE

        here = [k for k in UPGRADEABLE if k in deployment.manifest.contracts]
        raise DaoError(
            f"{key} is not behind an upgradeable proxy; upgradeable here: {', '.join(here) or 'none'}"
        )
    return key, current


def key_reference(deployment: Deployment, key: str) -> Path | None:
    """Where an executed upgrade of ``key`` kept the build it came from: ``<manifest>.reference-<key>/``
    beside the manifest (None without a manifest file)."""
    if deployment.manifest_file is None:
        return None
    manifest = Path(deployment.manifest_file)
    return manifest.with_name(f"{manifest.stem}.reference-{key}")


def reference_build(deployment: Deployment, key: str) -> Path | None:
    """The recorded build of ``key``'s deployed implementation: the one its last executed upgrade
    kept, else the one the deploy kept (``Manifest.upgrade_reference``); None if neither exists."""
    own = key_reference(deployment, key)
    if own is not None and own.is_dir():
        return own
    recorded = deployment.manifest.upgrade_reference
    if not recorded:
        return None
    path = Path(recorded)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    return path if path.is_dir() else None


def check_storage(deployment: Deployment, key: str, new_contract: str, reference: str | None) -> StorageCheck:
    """OpenZeppelin's upgrades-core compares ``new_contract`` (of the build) with the deployed
    implementation of ``key`` in the build recorded for it, or with the build's ``reference``
    contract if given."""
    from flock.deploy.upgrades import UpgradeSafetyError, validate_upgrade

    try:
        if reference:
            report = validate_upgrade(reference, new_contract)
            against = f"{reference} of this build"
        else:
            deployed = deployment.manifest.implementations.get(key)
            build = reference_build(deployment, key)
            if deployed is None or build is None:
                raise DaoError(
                    f"no recorded build of the implementation deployed at {key} (the manifest's "
                    "upgrade_reference): name the deployed contract of this build with --reference"
                )
            report = validate_upgrade(deployed.contract, new_contract, reference_build_info=build)
            against = f"{deployed.contract} as deployed ({build.name})"
    except UpgradeSafetyError as err:
        raise DaoError(f"the storage check could not run: {err}") from None
    return StorageCheck(bool(report.ok), against, str(report.text).strip())


def deploy_implementation(deployment: Deployment, key: str, contract: str, sender: Any) -> str:
    """Deploys the build's ``contract`` as a new implementation for ``key``'s proxy, with the
    constructor arguments the current one was built with (read from the proxy's views)."""
    from ape import project

    from flock.deploy.proxies import implementation_args

    args = implementation_args(key, lambda function: deployment.protocol.view(key, function))
    try:
        factory = getattr(project, contract)
    except AttributeError:
        raise DaoError(f"the build has no contract {contract!r}") from None
    return str(factory.deploy(*args, sender=sender).address)


def _call_data(deployment: Deployment, key: str, call: str | None, call_args: tuple[str, ...]) -> bytes:
    if not call:
        if call_args:
            raise DaoError(f"arguments {' '.join(call_args)} given without --call FUNCTION")
        return b""
    return encode_call(deployment, key, call, list(call_args)).calldata


def upgrade_draft(
    deployment: Deployment,
    contract: str,
    implementation: str,
    call: bytes,
    storage: StorageCheck,
) -> tuple[Draft, UpgradePlan]:
    """The proposal: the proxy's ``upgradeToAndCall(implementation, call)``, sent by the timelock."""
    key, current = upgradeable_key(deployment, contract)
    name = deployment.manifest.contracts[key].contract
    if not storage.ok:
        first = storage.text.splitlines()[0] if storage.text else "unsafe"
        raise DaoError(
            f"the storage layout of {name} is not compatible with the one deployed at {key}: {first}"
        )
    if not chain.provider.get_code(implementation):
        raise DaoError(f"{implementation} has no code: nothing to upgrade to")
    action = encode_call(deployment, key, "upgradeToAndCall", [implementation, "0x" + call.hex()])
    plan = UpgradePlan(key, name, deployment.address(key), current, implementation, call, storage)
    same = bytes(chain.provider.get_code(current)) == bytes(chain.provider.get_code(implementation))
    call_text = f"then calls 0x{call.hex()} in the proxy's context" if call else "with no call"
    description = (
        f"# Upgrade {key} ({name}) to the implementation at {implementation}\n\n"
        f"The timelock calls `{key}.upgradeToAndCall`: the proxy at {plan.proxy} switches from the "
        f"implementation at {current} to {implementation} ({name} of this build), {call_text}. "
        f"Storage layout check (OpenZeppelin upgrades-core, against {storage.reference}): passed."
    )
    notes = (
        ["the new implementation's code is the current one's: the upgrade changes no behaviour"]
        if same
        else []
    )
    return Draft(description, (action,), tuple(notes)), plan


def prepare_upgrade(
    deployment: Deployment,
    contract: str,
    sender: Any,
    *,
    new_contract: str | None = None,
    implementation: str | None = None,
    reference: str | None = None,
    call: str | None = None,
    call_args: tuple[str, ...] = (),
) -> tuple[Draft, UpgradePlan]:
    """Everything `dao propose upgrade` does before proposing: find the proxy, check the new
    implementation's storage layout (before spending anything), encode the call, deploy the
    implementation from ``sender`` (unless one is given) and build the proposal."""
    key, _ = upgradeable_key(deployment, contract)
    name = new_contract or deployment.manifest.contracts[key].contract
    storage = check_storage(deployment, key, name, reference)
    if not storage.ok:
        first = storage.text.splitlines()[0] if storage.text else "unsafe"
        raise DaoError(
            f"the storage layout of {name} is not compatible with the one deployed at {key}: {first}"
        )
    data = _call_data(deployment, key, call, call_args)
    if implementation:
        address = deployment.resolve(implementation)
    else:
        address = deploy_implementation(deployment, key, name, sender)
    return upgrade_draft(deployment, key, address, data, storage)


def build_contract_of(address: str) -> str | None:
    """The contract of this build whose runtime code is at ``address`` (immutables aside), if any."""
    from flock import artifacts
    from flock.deploy.verify import code_matches

    code = bytes(chain.provider.get_code(address))
    for name, artifact in artifacts.load().artifacts.items():
        if artifact.runtime and code_matches(artifact.runtime, code):
            return name
    return None


def record_executed_upgrades(deployment: Deployment, receipt: Any) -> list[str]:
    """After a proposal executed: for every proxy of the manifest that emitted ``Upgraded``, the
    manifest records its new implementation (``contracts[key].implementation`` and
    ``implementations[key]``) and, for an implementation of this build, the build is kept beside the
    manifest (``key_reference``) for the next upgrade's storage check. One line per upgrade."""
    lines = []
    manifest = deployment.manifest
    for log in receipt.logs:
        key = deployment.name_of(log["address"])
        topics = [bytes(t) for t in log["topics"]]
        if key is None or not topics or topics[0] != _UPGRADED_TOPIC or len(topics) < 2:
            continue
        from flock.chain.manifest import ContractRecord
        from flock.deploy.upgrades import save_reference

        implementation = to_checksum_address(topics[1][-20:])
        name = build_contract_of(str(implementation))
        record = manifest.contracts[key]
        manifest.contracts[key] = record.model_copy(update={"implementation": str(implementation)})
        manifest.implementations[key] = ContractRecord(
            contract=name or record.contract,
            address=str(implementation),
            tx_hash=str(receipt.txn_hash),
            block=int(receipt.block_number),
            constructor_args=[],
        )
        directory = key_reference(deployment, key)
        if name is not None and directory is not None:
            save_reference(directory)  # this build: the reference of the next upgrade of this key
        lines.append(f"{key} now runs {name or 'code of no contract of this build'} at {implementation}")
    if lines and deployment.manifest_file is not None:
        manifest.save(Path(deployment.manifest_file))
    return lines


_ROLE_GRANTED = keccak(text="RoleGranted(bytes32,address,address)")
_ROLE_REVOKED = keccak(text="RoleRevoked(bytes32,address,address)")


def record_executed_migration(deployment: Deployment, receipt: Any) -> list[str]:
    """After a proposal executed: if the timelock revoked this governor's PROPOSER_ROLE and granted
    it to another account in it (a `migrate-governor` proposal), the manifest's ``governor`` becomes
    that account, so that `ape run dao` and `deploy verify` follow the new governor."""
    timelock, old = deployment.address("timelock").lower(), deployment.address("governor")
    proposer = bytes(deployment.role_value("timelock", "PROPOSER_ROLE"))
    granted, revoked = [], False
    for log in receipt.logs:
        topics = [bytes(t) for t in log["topics"]]
        if str(log["address"]).lower() != timelock or len(topics) < 3 or topics[1] != proposer:
            continue
        account = to_checksum_address(topics[2][-20:])
        if topics[0] == _ROLE_GRANTED:
            granted.append(account)
        elif topics[0] == _ROLE_REVOKED and account.lower() == old.lower():
            revoked = True
    if not revoked or len(granted) != 1:
        return []
    new = granted[0]
    record = deployment.manifest.contracts["governor"]
    deployment.manifest.contracts["governor"] = record.model_copy(
        update={"address": new, "tx_hash": str(receipt.txn_hash), "block": int(receipt.block_number)}
    )
    if deployment.manifest_file is not None:
        deployment.manifest.save(Path(deployment.manifest_file))
    return [f"the governor is now {new} (was {old})"]
