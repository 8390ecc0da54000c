"""Faults only the evaluation shows, and the slash root the oracles post for them (docs/oracle.md
"Slashing").

Per task epoch, from the same computation as its rewards (``OracleRun``):

- ``UNREADABLE_SCORES``: a validator with stake revealed a score file that cannot be fetched or
  parsed, or is not a score file of this task epoch and validator (the whole file rejected);
- ``INVALID_MODEL``: a node's model, kept by the first-committer rule, that the validators who
  scored it put at consensus 999 (it could not be fetched, loaded or run); a model nobody scored
  is not the node's fault;
- ``DEVIATION``: a validator whose mean relative distance to consensus exceeded the governed
  threshold (``ArenaSlasher.slashParameters().deviationBps``) in this epoch and in each of the
  epochs before it of the current streak, when the streak's length is a multiple of
  ``deviationEpochs``: N epochs in a row is one offence, 2N another, never the same epochs twice.

Faults the chain proves (a commitment never revealed) are not listed: anyone slashes them with
``ArenaSlasher.slashUnrevealed``. The list is sorted by (account, offence); leaf i of the slash
tree is (i, account, offence). The report, canonical JSON, names the epoch, the chain facts, the
parameters and every fault with its reason; its keccak256 is posted with the root, as for rewards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from eth_hash.auto import keccak

from flock.oracle.merkle import StandardMerkleTree, slash_tree
from flock.oracle.scorefile import MAX_SCORE
from flock.oracle.scoring import mean_distances
from flock.rewards import Offence

if TYPE_CHECKING:
    from flock.oracle.run import OracleRun

SLASH_REPORT_FORMAT = "flock-slash-report-v1"
BPS = 10_000


@dataclass(frozen=True)
class Fault:
    account: str
    offence: Offence
    reason: str


@dataclass(frozen=True)
class SlashRules:
    """The governed thresholds (ArenaSlasher.slashParameters)."""

    deviation: Fraction  # mean relative distance beyond which an epoch counts
    epochs: int  # consecutive epochs that make one offence

    @classmethod
    def from_bps(cls, deviation_bps: int, epochs: int) -> SlashRules:
        return cls(Fraction(deviation_bps, BPS), epochs)


@dataclass
class SlashReport:
    task: int
    epoch: int
    faults: list[Fault]
    tree: StandardMerkleTree | None
    report: bytes
    report_hash: bytes

    @property
    def posted_tuple(self) -> tuple[bytes, int, bytes]:
        """What ``ArenaSlasher.postSlashRoot`` takes after the task and epoch."""
        return (self.tree.root if self.tree else bytes(32), len(self.faults), self.report_hash)


def unreadable_scores(run: OracleRun) -> list[Fault]:
    inputs = run.assembled.inputs
    faults = []
    for validator in sorted(run.assembled.score_file_hashes):
        parsed = inputs.scores.get(validator)
        if validator in inputs.validators and parsed is not None and not parsed.accepted:
            reason = parsed.rejections[0].reason if parsed.rejections else "score file rejected"
            faults.append(Fault(validator, Offence.UNREADABLE_SCORES, reason))
    return faults


def invalid_models(run: OracleRun) -> list[Fault]:
    inputs, consensus = run.assembled.inputs, run.result.consensus
    scored = {m for p in inputs.scores.values() for m in p.scores}
    return [
        Fault(node, Offence.INVALID_MODEL, f"model {model} scored invalid ({MAX_SCORE:g}) by consensus")
        for node, model in sorted(inputs.submissions.items())
        if node in inputs.nodes and model in scored and consensus.get(model, MAX_SCORE) >= MAX_SCORE
    ]


def deviating(run: OracleRun, rules: SlashRules) -> dict[str, Fraction]:
    """Validators (with stake and scores) whose mean relative distance exceeds the threshold."""
    distances = mean_distances(run.assembled.inputs, run.result.consensus)
    return {v: d for v, d in distances.items() if d > rules.deviation}


def deviations(
    current: OracleRun, earlier: Callable[[int], OracleRun | None], rules: SlashRules
) -> list[Fault]:
    """``DEVIATION`` faults of the current epoch; ``earlier(e)`` computes epoch e of the task (None
    before the task's first epoch), asked only while some validator's streak goes on."""
    faults = []
    streaks = {v: 1 for v in deviating(current, rules)}
    open_streaks = set(streaks)
    epoch = current.data.epoch - 1
    while open_streaks and epoch >= 0:
        run = earlier(epoch)
        if run is None:
            break
        beyond = deviating(run, rules)
        for validator in list(open_streaks):
            if validator in beyond:
                streaks[validator] += 1
            else:
                open_streaks.discard(validator)
        epoch -= 1
    distances = deviating(current, rules)
    for validator, streak in sorted(streaks.items()):
        if streak % rules.epochs == 0:
            distance = float(distances[validator])
            reason = f"{streak} epochs in a row beyond {float(rules.deviation):g} (now {distance:.4f})"
            faults.append(Fault(validator, Offence.DEVIATION, reason))
    return faults


def reported_faults(
    current: OracleRun, earlier: Callable[[int], OracleRun | None], rules: SlashRules
) -> list[Fault]:
    """Every fault the oracles report for the current epoch, sorted by (account, offence)."""
    faults = unreadable_scores(current) + invalid_models(current) + deviations(current, earlier, rules)
    return sorted(faults, key=lambda f: (f.account.lower(), int(f.offence)))


def slash_report(current: OracleRun, faults: list[Fault], rules: SlashRules) -> SlashReport:
    """The slash tree and the canonical report of the faults."""
    tree = slash_tree([(f.account, f.offence) for f in faults]) if faults else None
    payload: dict[str, Any] = {
        "format": SLASH_REPORT_FORMAT,
        "task": current.data.task,
        "epoch": current.data.epoch,
        "chain": current.data.meta(),
        "reward_report": "0x" + current.report_hash.hex(),
        "parameters": {"deviation": str(rules.deviation), "deviation_epochs": rules.epochs},
        "faults": [
            {"index": i, "account": f.account.lower(), "offence": f.offence.name.lower(), "reason": f.reason}
            for i, f in enumerate(faults)
        ],
        "root": "0x" + tree.root.hex() if tree else None,
    }
    report = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return SlashReport(current.data.task, current.data.epoch, faults, tree, report, keccak(report))


# ---------------------------------------------------------------------------------- on chain


def rules_on_chain(view: Any) -> SlashRules:
    """The governed thresholds as ArenaSlasher holds them now."""
    params = view.slasher.slashParameters()
    return SlashRules.from_bps(int(params.deviationBps), int(params.deviationEpochs))


def compute_slashes_on_chain(view: Any, source: Any, task: int, epoch: int) -> SlashReport:
    """The slash report of a task epoch from the chain and the score files (every epoch of a
    deviation streak recomputed the same way)."""
    from flock.oracle.errors import OracleError
    from flock.oracle.run import compute_on_chain

    genesis = int(view.submissions.schedule(0).start)
    length = int(view.submissions.schedule(1).start) - genesis
    first = (int(view.contract("tasks").taskInfo(task).createdAt) - genesis) // length

    def earlier(e: int) -> OracleRun | None:
        if e < first:
            return None
        try:
            return compute_on_chain(view, source, task, e)
        except OracleError:
            return None

    current = compute_on_chain(view, source, task, epoch)
    rules = rules_on_chain(view)
    return slash_report(current, reported_faults(current, earlier, rules), rules)


def post_slashes(view: Any, report: SlashReport, oracle: Any) -> Any:
    """Posts the slash root from ``oracle``; refuses an empty list before sending."""
    from flock.oracle.errors import OracleError

    if not report.faults:
        raise OracleError(f"task {report.task} epoch {report.epoch}: no fault to report, nothing to post")
    return view.slasher.postSlashRoot(report.task, report.epoch, *report.posted_tuple, sender=oracle)


def execute_slashes(view: Any, report: SlashReport, sender: Any) -> list[Any]:
    """Executes every leaf of the accepted slash root (after its challenge window) not yet slashed."""
    slasher, receipts = view.slasher, []
    for index, fault in enumerate(report.faults):
        if slasher.isSlashed(report.task, report.epoch, fault.account, int(fault.offence)):
            continue
        proof = report.tree.proof(index) if report.tree else []
        receipts.append(
            slasher.executeSlash(
                report.task, report.epoch, index, fault.account, int(fault.offence), proof, sender=sender
            )
        )
    return receipts
