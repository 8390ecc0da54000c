"""The oracle's three jobs on one task epoch: compute the result from chain facts and score files,
post it, and verify what was posted (the same computation, compared with the chain, and each posted
total + burn held to the epoch's emission budget plus its funded revenue: decision 228).

``compute`` is pure given the facts (``EpochChainData``) and the files; ``post`` and ``verify`` talk
to the chain through ``flock.oracle.chain``. The report is stored in the content store under its own
hash, the hash posted on-chain, so anyone holding the store can fetch it by the posted hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flock.oracle.errors import OracleError
from flock.oracle.inputs import Assembled, EpochChainData, assemble
from flock.oracle.merkle import StandardMerkleTree, reward_tree
from flock.oracle.report import build_tree, encode_report, report_hash, report_payload
from flock.oracle.revenue import funded_revenue, revenue_payload, revenue_shares, with_revenue
from flock.oracle.scoring import EpochResult, compute_epoch
from flock.rewards import Status, claim_args
from flock.store import ContentSource, ContentStore

if TYPE_CHECKING:  # the chain side needs ape; computing does not
    from flock.ops.scan import BlockRange
    from flock.oracle.chain import ChainView


@dataclass
class OracleRun:
    """One computed task epoch: its inputs, result, tree and canonical report."""

    data: EpochChainData
    assembled: Assembled
    result: EpochResult
    tree: StandardMerkleTree | None
    report: bytes
    report_hash: bytes

    @property
    def root(self) -> bytes:
        return self.tree.root if self.tree else bytes(32)

    @property
    def posted_tuple(self) -> tuple[bytes, int, int, bytes]:
        """What ``RewardDistributor.postRoot`` takes after the task and epoch."""
        return (self.root, self.result.total, self.result.burn, self.report_hash)


def compute(data: EpochChainData, source: ContentSource) -> OracleRun:
    """Every reward of the task epoch, its Merkle tree and its report, from the chain facts and the
    score files in ``source``."""
    assembled = assemble(data, source)
    shares = revenue_shares(data.revenue, source, assembled.params)
    result = with_revenue(compute_epoch(assembled.inputs, assembled.params), shares)
    tree = build_tree(result)
    payload = report_payload(
        assembled.inputs,
        assembled.params,
        result,
        score_file_hashes=assembled.score_file_hashes,
        chain=data.meta(),
        notes=assembled.notes,
        tree=tree,
    )
    if shares:
        payload["revenue"] = revenue_payload(shares)
    report = encode_report(payload)
    return OracleRun(data, assembled, result, tree, report, report_hash(report))


def compute_on_chain(
    view: ChainView, source: ContentSource, task: int, epoch: int, blocks: BlockRange | None = None
) -> OracleRun:
    return compute(view.read(task, epoch, blocks), source)


def publish(run: OracleRun, store: ContentStore) -> str:
    """Stores the report under its hash (the one posted); returns the hash."""
    return store.put(run.report)


def post(view: ChainView, run: OracleRun, oracle: Any) -> Any:
    """Posts the run's tuple from ``oracle``; refuses before sending what the contract would refuse."""
    rewards = view.rewards
    if not rewards.isOracle(oracle):
        raise OracleError(
            f"{oracle} is not in the oracle set: governance appoints oracles (`dao propose oracle-set`)"
        )
    if run.tree is None:
        raise OracleError(
            f"task {run.data.task} epoch {run.data.epoch} pays nothing (no valid model and no validator "
            "quality): there is no root to post"
        )
    info = rewards.epochRewards(run.data.task, run.data.epoch)
    if info.status in (Status.ACCEPTED, Status.FINAL):
        root = "0x" + bytes(info.root).hex()
        raise OracleError(f"task {run.data.task} epoch {run.data.epoch} already has an accepted root {root}")
    pool = task_pool(view, run.data.task, run.data.epoch, info.status)
    spent = run.result.total + run.result.burn
    if pool is not None and spent > pool:
        raise OracleError(
            f"task {run.data.task} epoch {run.data.epoch}: total + burn {spent} exceed the task's pool at "
            f"the distributor ({pool}, RewardBudgetExceeded): a root of another epoch of the task took "
            "part of it; `oracle verify` on the task's accepted roots shows which pays past its budget"
        )
    return rewards.postRoot(run.data.task, run.data.epoch, *run.posted_tuple, sender=oracle)


def task_pool(view: ChainView, task: int, epoch: int, status: int) -> int | None:
    """What the task's roots may still take at the distributor when ``epoch``'s next post lands: its
    pool, plus, before the epoch's first post, what the task accrued at the controller and has not
    drawn (that post draws it, decision 236). None when the epoch is not opened yet (the first post
    opens it, and more accrues then)."""
    pool = int(view.rewards.unallocatedOf(task))
    if status != Status.NONE:
        return pool
    emissions = view.contract("emissions")
    if epoch >= int(emissions.nextEpoch()):
        return None
    return pool + int(emissions.accruedBudget(task)) - int(emissions.drawnBudget(task))


@dataclass(frozen=True)
class Comparison:
    field: str
    ours: str
    posted: str

    @property
    def ok(self) -> bool:
        return self.ours == self.posted

    @property
    def verdict(self) -> str:
        return "match" if self.ok else "MISMATCH"


@dataclass(frozen=True)
class WithinBudget:
    """A posted root's total + burn against what its epoch may pay: the epoch's emission budget
    (computed from the controller's events) plus the revenue funded into the epoch. The chain holds
    a root only to its task's pool, which spans epochs (decision 228), so a root over this limit is
    a finding: a guardian vetoes it in the challenge window."""

    limit: int
    spent: int
    field: str = "total + burn"

    @property
    def ours(self) -> str:
        return f"at most {self.limit}"

    @property
    def posted(self) -> str:
        return str(self.spent)

    @property
    def ok(self) -> bool:
        return self.spent <= self.limit

    @property
    def verdict(self) -> str:
        return "within budget" if self.ok else "OVER BUDGET"


Check = Comparison | WithinBudget


@dataclass(frozen=True)
class Verification:
    """Our recomputation against what the chain holds for the task epoch."""

    task: int
    epoch: int
    status: Status
    what: str  # "the accepted root", or "oracle 0x… 's post"
    comparisons: tuple[Check, ...]

    @property
    def match(self) -> bool:
        return bool(self.comparisons) and all(c.ok for c in self.comparisons)

    @property
    def over_budget(self) -> bool:
        return any(isinstance(c, WithinBudget) and not c.ok for c in self.comparisons)


@dataclass(frozen=True)
class Posted:
    """A tuple on chain for the task epoch: the accepted root's, or one oracle's post."""

    what: str
    root: bytes
    total: int
    burn: int
    report_hash: bytes


def _checks(run: OracleRun, posted: Posted, limit: int) -> tuple[Check, ...]:
    ours_root, ours_total, ours_burn, ours_report = run.posted_tuple
    return (
        Comparison("root", "0x" + ours_root.hex(), "0x" + bytes(posted.root).hex()),
        Comparison("total", str(ours_total), str(posted.total)),
        Comparison("burn", str(ours_burn), str(posted.burn)),
        Comparison("report hash", "0x" + ours_report.hex(), "0x" + bytes(posted.report_hash).hex()),
        WithinBudget(limit, int(posted.total) + int(posted.burn)),
    )


def judge(run: OracleRun, status: Status, posts: list[Posted], limit: int) -> list[Verification]:
    """Each tuple on chain against ``run`` and against ``limit`` (:func:`epoch_limit`)."""
    task, epoch = run.data.task, run.data.epoch
    return [Verification(task, epoch, status, p.what, _checks(run, p, limit)) for p in posts]


def posted_on_chain(view: ChainView, task: int, epoch: int) -> tuple[Status, list[Posted]]:
    """The task epoch's status and its accepted root or, before one is accepted, every post of the
    current round."""
    rewards = view.rewards
    info = rewards.epochRewards(task, epoch)
    status = Status(info.status)
    if status in (Status.ACCEPTED, Status.FINAL):
        accepted = [
            e for e in _logs(rewards, "RootAccepted", task, epoch) if bytes(e.root) == bytes(info.root)
        ]
        report = accepted[-1].reportHash if accepted else bytes(32)
        return status, [Posted("the accepted root", info.root, info.total, info.burn, report)]
    posts = [e for e in _logs(rewards, "RootPosted", task, epoch) if e.round == info.round]
    return status, [Posted(f"{e.oracle}'s post", e.root, e.total, e.burn, e.reportHash) for e in posts]


def epoch_limit(view: ChainView, task: int, epoch: int) -> int:
    """What a root of the task epoch may pay, burn included: the epoch's emission budget, computed
    from the controller's events (``ChainView.budget``), plus the revenue funded into the epoch."""
    return view.budget(task, epoch).total + funded_revenue(view, task, epoch)


def verify(view: ChainView, run: OracleRun) -> list[Verification]:
    """Compares ``run`` with the accepted root of its task epoch or, before one is accepted, with
    every post of the current round; and each with the epoch's budget (:class:`WithinBudget`)."""
    task, epoch = run.data.task, run.data.epoch
    status, posts = posted_on_chain(view, task, epoch)
    return judge(run, status, posts, epoch_limit(view, task, epoch))


def _logs(rewards: Any, event: str, task: int, epoch: int) -> list[Any]:
    from ape import chain

    return list(
        getattr(rewards, event).range(
            0, chain.blocks.head.number + 1, search_topics={"taskId": task, "epoch": epoch}
        )
    )


def accepted_report_hash(view: ChainView, task: int, epoch: int) -> bytes:
    """The report hash posted with the task epoch's accepted root."""
    rewards = view.rewards
    info = rewards.epochRewards(task, epoch)
    if Status(info.status) not in (Status.ACCEPTED, Status.FINAL):
        raise OracleError(
            f"task {task} epoch {epoch} has no accepted root yet ({Status(info.status).name.lower()})"
        )
    for event in reversed(_logs(rewards, "RootAccepted", task, epoch)):
        if bytes(event.root) == bytes(info.root):
            return bytes(event.reportHash)
    raise OracleError(f"no RootAccepted event for task {task} epoch {epoch}'s root")


def leaves_of_report(view: ChainView, store: ContentSource, task: int, epoch: int) -> StandardMerkleTree:
    """The accepted root's tree, rebuilt from its report (fetched from ``store`` by the posted hash)."""
    digest = "0x" + accepted_report_hash(view, task, epoch).hex()
    data = store.get(digest)
    if data is None:
        raise OracleError(
            f"report {digest} is not in the store: ask an oracle for it (or run `oracle compute`)"
        )
    payload = json.loads(data)
    tree = reward_tree([(account, int(amount)) for _, account, amount in payload["leaves"]])
    root = bytes(view.rewards.epochRewards(task, epoch).root)
    if tree.root != root:
        raise OracleError(f"report {digest} does not give the accepted root 0x{root.hex()}")
    return tree


def claim_for(view: ChainView, store: ContentSource, task: int, epoch: int, account: str, sender: Any) -> Any:
    """Claims ``account``'s leaf of the task epoch (anyone may send it; the FLOCK goes to ``account``)."""
    tree = leaves_of_report(view, store, task, epoch)
    index = next((i for i, leaf in enumerate(tree.leaves) if leaf.value[1].lower() == account.lower()), None)
    if index is None:
        raise OracleError(f"{account} has no reward in task {task} epoch {epoch}")
    claim = claim_args(tree, task, epoch, index)
    pot = view.pot(task, epoch)
    if pot is None:  # the window is over but nobody finalized: the batch claim finalizes first
        return view.rewards.claimMany([claim.args()], sender=sender)
    if pot.isClaimed(index):
        raise OracleError(f"{account}'s reward in task {task} epoch {epoch} was claimed already")
    return pot.claim(*claim.pot_args(), sender=sender)
