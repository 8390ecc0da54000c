"""`ape run deploy verify`: who can upgrade each proxy (issue 12 item 3).

``verify.check_code`` already compares each proxy's code with FlockProxy's and the implementation in
its ERC-1967 slot with the build. These rows add, per proxy:

- **only the timelock may upgrade**: the implementation's `_authorizeUpgrade` admits
  `DEFAULT_ADMIN_ROLE`, and its holders (replayed from the role events) are the timelock alone;
- **the refusal holds on chain**: `upgradeToAndCall(<current implementation>, "")` simulated with
  `eth_call` succeeds from the timelock and reverts from the deployer and from a stranger;
- **the implementation cannot be taken over**: its own initializers are disabled (OpenZeppelin's
  `Initializable` version is 2^64 - 1 in the implementation's storage), so nobody can initialize it
  and make themselves its admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from eth_utils import to_checksum_address

from flock.deploy.plan import Context
from flock.deploy.proxies import UPGRADEABLE, calldata

DEFAULT_ADMIN = bytes(32)
# OpenZeppelin Initializable's ERC-7201 slot: keccak256(abi.encode(uint256(keccak256(
# "openzeppelin.storage.Initializable")) - 1)) & ~bytes32(uint256(0xff)); `_initialized` is its low 64 bits.
INITIALIZABLE_SLOT = 0xF0C57E16840DF040F15088DC2F81FE391C3923BEC73E23A9662EFC9C229C6A00
DISABLED = 2**64 - 1
STRANGER = to_checksum_address("0x" + "5a" * 20)


class UpgradeReader(Protocol):
    def contract_name(self, key: str) -> str: ...

    def role_members(self, key: str) -> dict[bytes, set[str]]: ...

    def implementation(self, key: str) -> str | None: ...

    def storage_at(self, address: str, slot: int) -> int:
        """The 32-byte word at ``slot`` of ``address``'s storage."""

    def succeeds(self, key: str, data: bytes, sender: str) -> bool:
        """Whether a call of ``data`` to the contract from ``sender`` would succeed (``eth_call``)."""


def _result(group: str, subject: str, expected: str, actual: str, ok: bool) -> Any:
    from flock.deploy.verify import CheckResult

    return CheckResult(group, subject, expected, actual, ok)


def check_upgrade_authority(ctx: Context, reader: UpgradeReader) -> Iterable[Any]:
    timelock = ctx.address("timelock")
    names = {a.lower(): k for k, a in ctx.addresses.items()} | {ctx.deployer.lower(): "deployer"}
    for key in UPGRADEABLE:
        if key not in ctx.addresses:
            continue
        holders = {h.lower() for h in reader.role_members(key).get(DEFAULT_ADMIN, set())}
        shown = ", ".join(sorted(names.get(h, h) for h in holders)) or "nobody"
        yield _result(
            "upgrades",
            f"{key}: may upgrade",
            "the timelock alone (DEFAULT_ADMIN_ROLE)",
            shown,
            holders == {timelock.lower()},
        )
        implementation = reader.implementation(key)
        if implementation is None:
            yield _result("upgrades", f"{key}: implementation", "an ERC-1967 implementation", "none", False)
            continue
        data = calldata(reader.contract_name(key), "upgradeToAndCall", [implementation, b""])
        outcome = {
            who: reader.succeeds(key, data, address)
            for who, address in (("timelock", timelock), ("deployer", ctx.deployer), ("a stranger", STRANGER))
        }
        yield _result(
            "upgrades",
            f"{key}: upgradeToAndCall (eth_call)",
            "timelock succeeds; deployer, a stranger refused",
            "; ".join(f"{who} {'succeeds' if ok else 'refused'}" for who, ok in outcome.items()),
            outcome == {"timelock": True, "deployer": False, "a stranger": False},
        )
        version = reader.storage_at(implementation, INITIALIZABLE_SLOT) & DISABLED
        yield _result(
            "upgrades",
            f"{key}: implementation's initializers",
            "disabled (version 2^64 - 1)",
            "disabled" if version == DISABLED else f"version {version}: CAN BE INITIALIZED",
            version == DISABLED,
        )
