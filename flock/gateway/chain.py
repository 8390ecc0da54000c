"""What the gateway reads from the chain, behind one small interface (``Ledger``), and the ape
implementation. Reads are cached for ``ttl`` seconds: a key, a price or a balance changed on chain
reaches the gateway within that time.

Served models: for every approved AI Arena task with a price, the winner of its latest final
reward root. The root's report is fetched from the content store by the hash posted with the root
(the store checks the bytes against the hash), its leaves must rebuild the on-chain root, and the
winning node's model artifact is fetched by its hash the same way: the gateway serves exactly what
the chain says won, or nothing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from flock.oracle.merkle import reward_tree
from flock.store import ContentSource, StoreError
from flock.tasks import TaskKind, TaskState

if TYPE_CHECKING:
    from flock.chain.protocol import LiveProtocol

T = TypeVar("T")


@dataclass(frozen=True)
class Winner:
    """The model a task serves: the best node of its latest final reward root."""

    task: int
    epoch: int  # the reward epoch whose root it won
    node: str
    model_hash: str
    report_hash: str

    @property
    def model_id(self) -> str:
        return model_id(self.task)


def model_id(task: int) -> str:
    return f"flock-task-{task}"


def task_of(name: str) -> int | None:
    prefix = "flock-task-"
    if name.startswith(prefix) and name[len(prefix) :].isdigit():
        return int(name[len(prefix) :])
    return None


class Ledger(Protocol):
    def is_key(self, owner: str, key_hash: bytes) -> bool: ...

    def spendable(self, owner: str) -> int: ...

    def price(self, task: int) -> int: ...

    def current_epoch(self) -> int: ...

    def winners(self) -> list[Winner]: ...


class _Cache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._values: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
        if hit and now - hit[0] < self.ttl:
            return hit[1]
        value = load()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def winner_from_report(
    task: int, epoch: int, root: bytes, report_hash: bytes, store: ContentSource
) -> Winner:
    """The rank-0 node of a final root's report, checked against the root; raises StoreError."""
    digest = "0x" + bytes(report_hash).hex()
    data = store.get(digest)
    if data is None:
        raise StoreError(f"report {digest} of task {task} epoch {epoch} is not in the content store")
    payload = json.loads(data)
    tree = reward_tree([(account, int(amount)) for _, account, amount in payload["leaves"]])
    if tree.root != bytes(root):
        raise StoreError(f"report {digest} does not rebuild task {task} epoch {epoch}'s root")
    ranked = sorted((rank, node) for node, rank in payload["ranks"].items())
    if not ranked:
        raise StoreError(f"task {task} epoch {epoch} has no ranked model")
    node = ranked[0][1]
    model = payload["inputs"]["nodes"][node]["model"]
    return Winner(task, epoch, node, model, digest)


class ApeLedger:
    """The deployment's ApiCredits, RewardDistributor, TaskRegistry and EmissionController, read
    through ape on the connected chain."""

    def __init__(
        self, protocol: LiveProtocol, store: ContentSource, ttl: float = 1.0, winners_ttl: float = 10.0
    ) -> None:
        self.protocol = protocol
        self.manifest = protocol.manifest
        self.store = store
        self.cache = _Cache(ttl)
        self.winners_cache = _Cache(winners_ttl)  # a log scan: models change once an epoch at most
        self._lock = threading.RLock()  # one chain read at a time: ape's caches are not thread-safe
        self.api = self._contract("api")
        self.rewards = self._contract("rewards")
        self.tasks = self._contract("tasks")
        self.emissions = self._contract("emissions")

    def _contract(self, key: str) -> Any:
        with self._lock:
            return self.protocol.contract(key)

    def _read(self, key: Any, load: Callable[[], T], cache: _Cache | None = None) -> T:
        def locked() -> T:
            with self._lock:
                return load()

        return (cache or self.cache).get(key, locked)

    def is_key(self, owner: str, key_hash: bytes) -> bool:
        return self._read(("key", owner.lower(), key_hash), lambda: bool(self.api.isKey(owner, key_hash)))

    def spendable(self, owner: str) -> int:
        return self._read(("spendable", owner.lower()), lambda: int(self.api.spendable(owner)))

    def price(self, task: int) -> int:
        return self._read(("price", task), lambda: int(self.api.priceOf(task)))

    def current_epoch(self) -> int:
        return self._read("epoch", lambda: int(self.emissions.currentEpoch()))

    def winners(self) -> list[Winner]:
        return self._read("winners", self._winners, self.winners_cache)

    def _winners(self) -> list[Winner]:
        from ape import chain

        head = chain.blocks.head.number
        start = self.manifest.contracts["rewards"].block
        finals: dict[int, int] = {}
        for event in self.rewards.RootFinalized.range(start, head + 1):
            finals[int(event.taskId)] = max(finals.get(int(event.taskId), -1), int(event.epoch))
        out = []
        for task, epoch in sorted(finals.items()):
            info = self.tasks.taskInfo(task)
            if TaskKind(info.kind) != TaskKind.ARENA or TaskState(info.state) != TaskState.APPROVED:
                continue
            if self.price(task) == 0:
                continue
            root = bytes(self.rewards.epochRewards(task, epoch).root)
            accepted = [
                e
                for e in self.rewards.RootAccepted.range(
                    start, head + 1, search_topics={"taskId": task, "epoch": epoch}
                )
                if bytes(e.root) == root
            ]
            if not accepted:
                continue
            out.append(winner_from_report(task, epoch, root, bytes(accepted[-1].reportHash), self.store))
        return out
