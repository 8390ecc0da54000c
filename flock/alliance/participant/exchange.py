"""The local updates of a live round, exchanged through the participants' shared store folder.

In a round every participant trains a local update from the lineage's head, and each proposer
FedAvgs everyone's updates into its candidate (docs/alliance.md, decision 229). The chain carries
no updates, so a participant publishes its own through the content store folder the task's
participants share (decision 221): the model's bytes under their hash, and beside them a small
announcement saying "this account's update for this round is the model with this hash, trained on
this many samples", signed by the account (EIP-712, bound to the chain, the AllianceRounds contract,
the task and the round).

A proposer uses an announcement only if it is readable and of this round, signed by the account it
names, from an account enrolled in the round, and its model is in the store, hashes to its name and
has the round's shape; an account that announced two different updates gets neither used. Anything
else is passed over with a one-line notice: the folder is writable by every participant, so what is
in it is a claim until it is checked. A sample count cannot be checked at all: a proposer weighs a
peer's update by its announced count but never by more than its own update's count (``weights``,
decision 235), so one inflated claim cannot make the average that one update.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_utils import is_hex_address, to_checksum_address

from flock.alliance.model import ModelFormatError, SoftmaxModel
from flock.files import atomic_write_bytes
from flock.store import StoreError

ANNOUNCEMENTS = "announcements"  # the folder, inside the store, the announcements are written to
ANNOUNCEMENT_VERSION = 1
DOMAIN_NAME = "FLock Alliance local update"
DOMAIN_VERSION = "1"
# A proposer commits once every participant of the round has announced a usable update, or once
# this share of the proposal phase has passed, whichever is first: it never waits for a slow peer
# past the middle of its window (4 hours on Base Sepolia: two left to commit in).
WAIT_SHARE = 0.5
MAX_FILES = 1024  # announcement files read per round (a round has at most maxParticipants accounts)
MAX_BYTES = 4096  # an announcement is about 500 bytes; a larger file is not read
MAX_SAMPLES = 2**63  # a sample count is a claim the FedAvg weighs by; anything larger is malformed


def weights(own_samples: int, announced: list[int]) -> list[int]:
    """The sample counts a proposer averages its peers' updates by: each as announced, but never
    more than ``own_samples``, the count of the proposer's own update (the one count it knows to be
    true). A count is a claim nobody can check: uncapped, one update announcing 10**9 samples would
    be the whole average, and the held-out filter would then drop an honest update that claimed too
    much as readily as a poisoned one (decision 235)."""
    return [min(n, own_samples) for n in announced]


def wait_until(draw_at: int, propose_end: int) -> int:
    """The time from which a proposer commits without the updates not yet announced."""
    return draw_at + int((propose_end - draw_at) * WAIT_SHARE)


_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "LocalUpdate": [
        {"name": "taskId", "type": "uint256"},
        {"name": "round", "type": "uint256"},
        {"name": "account", "type": "address"},
        {"name": "updateHash", "type": "bytes32"},
        {"name": "samples", "type": "uint256"},
    ],
}


class AnnouncementError(ValueError):
    """The bytes are not an announcement (the message says why)."""


@dataclass(frozen=True)
class Scope:
    """The round an announcement belongs to."""

    chain_id: int
    alliance: str
    task: int
    round: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "alliance", to_checksum_address(self.alliance))  # one spelling

    def folder(self, store_root: Path) -> Path:
        name = f"{self.chain_id}-{self.alliance.lower()}-task{self.task}-round{self.round}"
        return Path(store_root) / ANNOUNCEMENTS / name


@dataclass(frozen=True)
class Announcement:
    """``account``'s local update for the round of ``scope``: the model hashing to ``update_hash``,
    trained on ``samples`` samples; ``signature`` is the account's over all of it."""

    scope: Scope
    account: str
    update_hash: bytes
    samples: int
    signature: bytes

    @property
    def digest(self) -> str:
        return "0x" + self.update_hash.hex()

    @property
    def file_name(self) -> str:
        return f"{self.account.lower()}-{self.digest}.json"

    def signer(self) -> str | None:
        """The address that signed it (None if the signature is not a signature)."""
        message = signable(self.scope, self.account, self.update_hash, self.samples)
        try:
            return str(Account.recover_message(message, signature=self.signature))
        except (BadSignature, ValueError):  # not a point on the curve; a v that is not 27 or 28
            return None

    def to_bytes(self) -> bytes:
        body = {
            "version": ANNOUNCEMENT_VERSION,
            "chain_id": self.scope.chain_id,
            "alliance": self.scope.alliance,
            "task": self.scope.task,
            "round": self.scope.round,
            "account": self.account,
            "update_hash": self.digest,
            "samples": self.samples,
            "signature": "0x" + self.signature.hex(),
        }
        return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Announcement:
        try:
            body = json.loads(data)
        except ValueError as err:
            raise AnnouncementError(f"not JSON ({err})") from None
        if not isinstance(body, dict) or body.get("version") != ANNOUNCEMENT_VERSION:
            raise AnnouncementError(f"not a version-{ANNOUNCEMENT_VERSION} announcement")
        ints = {k: body.get(k) for k in ("chain_id", "task", "round", "samples")}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in ints.values()):
            raise AnnouncementError("chain_id, task, round and samples must be whole numbers")
        if not 1 <= ints["samples"] < MAX_SAMPLES:
            raise AnnouncementError(f"{ints['samples']} samples is not a sample count")
        for name in ("alliance", "account"):
            if not isinstance(body.get(name), str) or not is_hex_address(body[name]):
                raise AnnouncementError(f"{name} is not an address")
        scope = Scope(ints["chain_id"], body["alliance"], ints["task"], ints["round"])
        return cls(
            scope,
            to_checksum_address(body["account"]),
            _hex_bytes(body.get("update_hash"), 32, "update_hash"),
            ints["samples"],
            _hex_bytes(body.get("signature"), 65, "signature"),
        )


def _hex_bytes(value: Any, size: int, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 2 + 2 * size:
        raise AnnouncementError(f"{what} is not {size} bytes of hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise AnnouncementError(f"{what} is not {size} bytes of hex") from None


def signable(scope: Scope, account: str, update_hash: bytes, samples: int) -> SignableMessage:
    """The EIP-712 message an announcement's signature is over."""
    return encode_typed_data(
        full_message={
            "types": _TYPES,
            "primaryType": "LocalUpdate",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": scope.chain_id,
                "verifyingContract": scope.alliance,
            },
            "message": {
                "taskId": scope.task,
                "round": scope.round,
                "account": to_checksum_address(account),
                "updateHash": update_hash,
                "samples": samples,
            },
        }
    )


def sign(account: Any, scope: Scope, update_hash: bytes, samples: int) -> Announcement | None:
    """``account`` (an ape account: a test account, or a keyfile one that prompts unless autosign is
    on) signs the announcement; None if it declined."""
    address = to_checksum_address(str(account.address))
    signature = account.sign_message(signable(scope, address, update_hash, samples))
    if signature is None:
        return None
    return Announcement(scope, address, update_hash, samples, bytes(signature.encode_rsv()))


def publish(store_root: Path, announcement: Announcement) -> bool:
    """Writes the announcement into its round's folder, atomically; False if the same bytes are
    there already (nothing written)."""
    path = announcement.scope.folder(store_root) / announcement.file_name
    data = announcement.to_bytes()
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    return True


def is_published(store_root: Path, announcement: Announcement) -> bool:
    path = announcement.scope.folder(store_root) / announcement.file_name
    return path.is_file() and path.read_bytes() == announcement.to_bytes()


@dataclass(frozen=True)
class Update:
    """A peer's local update a proposer may average: verified, loaded."""

    account: str
    digest: str
    samples: int
    model: SoftmaxModel


@dataclass
class Gathered:
    """The usable peer updates of a round (one per account, in account order) and a line for each
    announcement passed over."""

    updates: list[Update] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def accounts(self) -> set[str]:
        return {u.account for u in self.updates}


def _signed(folder: Path, scope: Scope, notices: list[str]) -> list[Announcement]:
    """The folder's announcements that are readable, of ``scope`` and signed by the account they
    name; a notice for every other file."""
    files = sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []
    if len(files) > MAX_FILES:
        notices.append(f"{folder} holds {len(files)} announcements: only the first {MAX_FILES} were read")
        files = files[:MAX_FILES]
    out = []
    for path in files:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise AnnouncementError(f"{path.stat().st_size} bytes: too large to be an announcement")
            found = Announcement.from_bytes(path.read_bytes())
        except (OSError, AnnouncementError) as err:
            notices.append(f"ignored announcement {path.name}: {err}")
            continue
        if found.scope != scope:
            notices.append(
                f"ignored announcement {path.name}: it is for chain {found.scope.chain_id}, contract "
                f"{found.scope.alliance}, task {found.scope.task}, round {found.scope.round}, not this round"
            )
            continue
        signer = found.signer()
        if signer != found.account:
            by = f"signed by {signer}" if signer else "its signature is not one"
            notices.append(f"ignored announcement {path.name}: {by}, not by {found.account}")
            continue
        out.append(found)
    return out


def gather(
    store_root: Path,
    scope: Scope,
    own: str,
    unusable: Callable[[str], str | None],
    load: Callable[[str], SoftmaxModel],
    shape: tuple[int, int],
) -> Gathered:
    """The round's usable peer updates. ``unusable(account)`` says why an account's update may not
    be used (not enrolled in the round), else None; ``load(digest)`` reads a model from the store
    (raising StoreError when it is missing or does not hash to its name); ``shape`` is the round's
    model shape. ``own``'s announcements are left out: a participant uses its own update as it
    recorded it, and a different one under its name is reported."""
    result = Gathered()
    by_account: dict[str, dict[tuple[bytes, int], Announcement]] = {}
    for found in _signed(scope.folder(store_root), scope, result.notices):
        by_account.setdefault(found.account, {})[(found.update_hash, found.samples)] = found
    for account, versions in sorted(by_account.items()):
        if len(versions) > 1:
            listed = ", ".join(f"{a.digest} ({a.samples} samples)" for a in versions.values())
            who = "this account (is it running on another machine too?)" if account == own else account
            result.notices.append(
                f"ignored {who}: it announced {len(versions)} different updates, {listed}: using none"
            )
            continue
        if account == own:
            continue
        (found,) = versions.values()
        reason = unusable(account)
        if reason is None:
            try:
                model = load(found.digest)
                if model.shape != shape:
                    (f, c), (want_f, want_c) = model.shape, shape
                    reason = f"its model is {f} x {c}, the round's is {want_f} x {want_c}"
            except (StoreError, ModelFormatError) as err:
                reason = str(err)
        if reason is not None:
            result.notices.append(f"ignored the update {found.digest} of {account}: {reason}")
            continue
        result.updates.append(Update(account, found.digest, found.samples, model))
    return result
