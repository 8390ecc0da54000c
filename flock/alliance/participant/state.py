"""An FL Alliance participant's secrets on disk: what it must still know to reveal what it committed.

A participant commits to hashes of secrets (its role-draw secret, its proposal's salt, its votes'
salt) and reveals the secrets later; whoever loses one between the two is slashed. So each secret is
written here, atomically (a temporary file, fsync, rename, then fsync of the folder) and private
(mode 0600), *before* the transaction that commits to it is sent: a crash at any point leaves either
no secret and no commitment, or the secret on disk, and the rerun reveals it.

One file per (chain id, AllianceRounds address, task, account): the file names them and the
participant refuses a file that names others (copied from another machine, or a folder shared by
two accounts) and a file it cannot read (never overwriting it: that would lose the secrets it holds).
A lock beside the file keeps two runs of the same participant (a cron job and a manual run) from
interleaving.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape.exceptions import ApeException

from flock.files import atomic_write_bytes

STATE_VERSION = 1
DEFAULT_STATE_DIR = Path("~/.flock/participant")


class StateError(ApeException):
    """The state file cannot be used: another chain's, contract's, task's or account's, corrupt, or
    in use by another run. The message says which and what to do."""


@dataclass(frozen=True)
class Identity:
    """Whose secrets a state file holds."""

    chain_id: int
    alliance: str
    task: int
    account: str

    def file_name(self) -> str:
        return f"{self.chain_id}-{self.alliance.lower()}-task{self.task}-{self.account.lower()}.json"

    def as_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "alliance": self.alliance.lower(),
            "task": self.task,
            "account": self.account.lower(),
        }


@dataclass(frozen=True)
class ProposalSecret:
    """A proposer's commitment opening: the update's hash, the salt and where the update is."""

    update_hash: bytes
    salt: bytes
    uri: str


@dataclass(frozen=True)
class VoteSecret:
    """A voter's commitment opening: the vote bits and the salt."""

    votes: int
    salt: bytes


@dataclass
class RoundSecrets:
    """What one round's commitments need to be revealed."""

    secret: bytes | None = None
    proposal: ProposalSecret | None = None
    vote: VoteSecret | None = None

    def names(self) -> list[str]:
        return [n for n in ("secret", "proposal", "vote") if getattr(self, n) is not None]


def state_path(where: Path | None, identity: Identity) -> Path:
    """The state file: ``where`` itself if it names a .json file, else the identity's file in the
    folder ``where`` (default ~/.flock/participant)."""
    base = Path(where if where is not None else DEFAULT_STATE_DIR).expanduser()
    return base if base.suffix == ".json" else base / identity.file_name()


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _bytes32(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise ValueError(f"{what} is not a 32-byte hex value")
    return bytes.fromhex(value[2:])


def _round_to_json(r: RoundSecrets) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if r.secret is not None:
        out["secret"] = _hex(r.secret)
    if r.proposal is not None:
        out["proposal"] = {
            "update_hash": _hex(r.proposal.update_hash),
            "salt": _hex(r.proposal.salt),
            "uri": r.proposal.uri,
        }
    if r.vote is not None:
        out["vote"] = {"votes": r.vote.votes, "salt": _hex(r.vote.salt)}
    return out


def _round_from_json(data: dict[str, Any], where: str) -> RoundSecrets:
    r = RoundSecrets()
    if "secret" in data:
        r.secret = _bytes32(data["secret"], f"{where} secret")
    if "proposal" in data:
        p = data["proposal"]
        if not isinstance(p.get("uri"), str):
            raise ValueError(f"{where} proposal has no uri")
        r.proposal = ProposalSecret(
            _bytes32(p.get("update_hash"), f"{where} update hash"),
            _bytes32(p.get("salt"), f"{where} salt"),
            p["uri"],
        )
    if "vote" in data:
        v = data["vote"]
        if not isinstance(v.get("votes"), int) or v["votes"] < 0:
            raise ValueError(f"{where} votes are not a number")
        r.vote = VoteSecret(v["votes"], _bytes32(v.get("salt"), f"{where} vote salt"))
    return r


@dataclass
class StateFile:
    """The secrets of one participant in one task, as held on disk at ``path``."""

    path: Path
    identity: Identity
    rounds: dict[int, RoundSecrets] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, identity: Identity) -> StateFile:
        """The state at ``path`` (empty if there is no file yet). Refuses a file of another chain,
        contract, task or account, and one it cannot read."""
        state = cls(path, identity)
        if path.exists():
            state.rounds = _read(path, identity)
        return state

    def round(self, round_id: int) -> RoundSecrets:
        return self.rounds.get(round_id, RoundSecrets())

    def record(self, round_id: int, **values: Any) -> None:
        """Adds ``secret``, ``proposal`` or ``vote`` to round ``round_id`` and writes the file
        durably before returning. A value already held for the round is never replaced by another
        (its commitment may be on chain)."""
        held = self.rounds.get(round_id, RoundSecrets())
        for name, value in values.items():
            old = getattr(held, name)
            if old is not None and old != value:
                raise StateError(
                    f"{self.path} already holds round {round_id}'s {name}: refusing to replace it "
                    "(its commitment may be on chain)"
                )
            setattr(held, name, value)
        rounds = {**self.rounds, round_id: held}
        self._write(rounds)
        self.rounds = rounds

    def _write(self, rounds: dict[int, RoundSecrets]) -> None:
        body = {
            "version": STATE_VERSION,
            **self.identity.as_json(),
            "rounds": {str(k): _round_to_json(v) for k, v in sorted(rounds.items())},
        }
        data = (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write_bytes(self.path, data, mode=0o600)
        _sync_folder(self.path.parent)

    @contextmanager
    def locked(self) -> Iterator[StateFile]:
        """Holds the file's lock (``<file>.lock``) for the block; refuses if another run holds it.
        Re-reads the file under the lock (the other run may have written it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StateError(
                    f"another run of this participant holds {lock_path}: nothing done (it is still "
                    "working; try again when it has finished)"
                ) from None
            if self.path.exists():
                self.rounds = _read(self.path, self.identity)
            yield self
        finally:
            os.close(fd)  # closing releases the lock


def _sync_folder(folder: Path) -> None:
    """Makes the rename itself durable (a power cut after it could otherwise undo it)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path, identity: Identity) -> dict[int, RoundSecrets]:
    def corrupt(why: str) -> StateError:
        return StateError(
            f"{path} is not a readable participant state file ({why}): it is left as it is; restore it "
            "from your backup, or move it away if it holds nothing you committed to (a lost secret "
            "means a slash)"
        )

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as err:
        raise corrupt(f"{type(err).__name__}: {err}") from None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise corrupt(f"not a version-{STATE_VERSION} state")
    wanted = identity.as_json()
    found = {k: data.get(k) for k in wanted}
    if found != wanted:
        differ = ", ".join(f"{k} {found[k]} (this run: {wanted[k]})" for k in wanted if found[k] != wanted[k])
        raise StateError(
            f"{path} holds the secrets of another participant: {differ}. Refusing to use or overwrite "
            "it: give this participant's own state with --state"
        )
    rounds = data.get("rounds")
    if not isinstance(rounds, dict):
        raise corrupt("no rounds")
    try:
        return {int(k): _round_from_json(v, f"round {k}") for k, v in rounds.items()}
    except (ValueError, TypeError, AttributeError) as err:
        raise corrupt(str(err)) from None
