"""Settling an epoch's usage on chain, as the gateway operators and anyone else do it (docs/api.md).

1. ``report_epoch``: the operators build the usage report of the epoch that just ended from the
   metering store (every unreported request of that epoch or earlier), store it in the content store
   under its hash, and assign the requests to it;
2. ``post_report``: k of them post (root, total, report hash) during the next epoch;
3. after the reward distributor's challenge window, ``finalize_and_charge``: anyone finalizes and
   applies every leaf (``chargeMany``, in batches), then the store drops the charged usage from the
   accounts' pending amounts;
4. ``flush_models``: anyone sends each model's accrued revenue to the treasury and to its task's
   next reward budget, where the oracles pay it to the model's contributors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flock.gateway.store import MeteringStore
from flock.gateway.usage import UsageReport, build_report, report_from_bytes
from flock.store import ContentStore

BATCH = 100


class SettlementError(RuntimeError):
    """A settlement step cannot run; the message says why."""


def report_epoch(
    store: MeteringStore, content: ContentStore, epoch: int, chain_meta: dict[str, Any]
) -> UsageReport:
    """The usage report of ``epoch`` (built once; the stored one afterwards)."""
    existing = store.report(epoch)
    if existing is not None:
        return report_from_bytes(existing)
    metered = store.unreported(epoch)
    if not metered:
        raise SettlementError(f"no usage up to epoch {epoch} left to report")
    report = build_report(epoch, metered, chain_meta)
    content.put(report.data)
    store.record_report(epoch, report.data)
    return report


def post_report(api: Any, report: UsageReport, operators: list[Any]) -> None:
    """Each operator posts the report until it is accepted."""
    for operator in operators:
        if int(api.settlementOf(report.epoch).status) != 0:
            break
        api.postUsage(report.epoch, report.root, report.total, report.report_hash, sender=operator)
    if int(api.settlementOf(report.epoch).status) == 0:
        raise SettlementError(f"epoch {report.epoch}'s report did not reach the operators' quorum")


def finalize_and_charge(api: Any, store: MeteringStore, report: UsageReport, sender: Any) -> int:
    """Finalizes the report (if nobody did) and applies every leaf not applied yet; returns what the
    charges took."""
    if int(api.settlementOf(report.epoch).status) == 1:
        api.finalize(report.epoch, sender=sender)
    pending = [i for i in range(len(report.rows)) if not api.isCharged(report.epoch, i)]
    taken = 0
    for start in range(0, len(pending), BATCH):
        batch = [report.charge_args(i) for i in pending[start : start + BATCH]]
        receipt = api.chargeMany(batch, sender=sender)
        taken += sum(int(e.charged) for e in receipt.decode_logs(api.Charged))
    store.mark_charged(report.epoch)
    return taken


@dataclass(frozen=True)
class Flushed:
    """A model's revenue sent on: ``contributors`` into (task, target epoch), ``protocol_share`` to
    the treasury."""

    task: int
    model_epoch: int
    target_epoch: int
    contributors: int
    protocol_share: int


def flush_models(api: Any, report: UsageReport, sender: Any) -> list[Flushed]:
    """Flushes the accrued revenue of every model in the report."""
    out = []
    for task, model_epoch in sorted({(r.task, r.model_epoch) for r in report.rows}):
        if int(api.accrued(task, model_epoch)) == 0:
            continue
        receipt = api.flush(task, model_epoch, sender=sender)
        (e,) = receipt.decode_logs(api.RevenueFlushed)
        out.append(Flushed(task, model_epoch, int(e.targetEpoch), int(e.contributors), int(e.protocolShare)))
    return out
