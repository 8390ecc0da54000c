"""The gateway's metering store: every request's usage, what each account has reserved or spent and
not yet been charged on chain, and the usage reports built from it.

SQLite by default (a file: embedded, nothing to start), PostgreSQL when several gateway instances
share one store (``postgresql+psycopg://...``): the same code through SQLAlchemy 2 Core. Amounts are
exact integers kept as decimal text (FLOCK wei x 1,000 overflows 64-bit columns), so they are
read, added and written inside one transaction that holds the account's row lock: ``SELECT ... FOR
UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` (the database's write lock) on SQLite. That is what keeps
concurrent requests, from one instance or many, from spending the same credit twice.

A request's usage is written (``complete``) before its response is sent; a request that was
reserved but never completed (a crash) is released by ``recover`` at start-up, and never charged.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from flock.gateway.usage import Metered

metadata = MetaData()

credit = Table(
    "credit",
    metadata,
    Column("account", String(42), primary_key=True),
    Column("pending_milli", String(80), nullable=False),  # reserved + spent, not yet charged on chain
)

requests = Table(
    "requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(42), nullable=False, index=True),
    Column("task", Integer, nullable=False),
    Column("model_epoch", Integer, nullable=False),
    Column("epoch", Integer, nullable=False, index=True),
    Column("price", String(80), nullable=False),  # FLOCK wei per 1,000 tokens
    Column("reserved_milli", String(80), nullable=False),
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("cost_milli", String(80), nullable=False, default="0"),
    Column("status", String(10), nullable=False, index=True),  # reserved | done | aborted
    Column("report_epoch", Integer, nullable=True, index=True),
    Column("created", Float, nullable=False),
)

reports = Table(
    "reports",
    metadata,
    Column("epoch", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("charged", Integer, nullable=False, default=0),
)

RESERVED, DONE, ABORTED = "reserved", "done", "aborted"

# The statements of a request's two transactions, built once: SQLAlchemy then reuses their compiled
# form and cache key instead of building and hashing a new statement per request (the gateway's own
# CPU per request is what api.overhead_ratio measures).
_PENDING = select(credit.c.pending_milli).where(credit.c.account == bindparam("b_account"))
_PENDING_LOCKED = _PENDING.with_for_update()
_NEW_CREDIT = insert(credit).values(account=bindparam("b_account"), pending_milli="0")
_SET_PENDING = (
    update(credit)
    .where(credit.c.account == bindparam("b_account"))
    .values(pending_milli=bindparam("b_value"))
)
_NEW_REQUEST = insert(requests)
_COMPLETE = (
    update(requests)
    .where(requests.c.id == bindparam("b_id"))
    .values(
        prompt_tokens=bindparam("b_prompt"),
        completion_tokens=bindparam("b_completion"),
        cost_milli=bindparam("b_cost"),
        status=DONE,
    )
)
_ABORT = update(requests).where(requests.c.id == bindparam("b_id")).values(status=ABORTED)


class CreditExhausted(RuntimeError):
    """Not enough credit for the request's reservation."""


@dataclass(frozen=True)
class Reservation:
    id: int
    account: str
    reserved_milli: int
    price: int


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def open_engine(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` or ``postgresql+psycopg://...``."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class MeteringStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)
        self._locking = not url.startswith("sqlite")  # SQLite's BEGIN IMMEDIATE already serializes
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _pending(self, conn: Connection, account: str) -> int:
        """The account's pending amount, its row locked for this transaction (created if new)."""
        query = _PENDING_LOCKED if self._locking else _PENDING
        key = {"b_account": account}
        row = conn.execute(query, key).first()
        if row is not None:
            return int(row[0])
        try:
            with conn.begin_nested():
                conn.execute(_NEW_CREDIT, key)
        except IntegrityError:  # another instance created it meanwhile: lock theirs
            pass
        return int(conn.execute(query, key).scalar_one())

    def _set_pending(self, conn: Connection, account: str, value: int) -> None:
        if value < 0:
            raise RuntimeError(f"pending credit of {account} would go negative: the store is inconsistent")
        conn.execute(_SET_PENDING, {"b_account": account, "b_value": str(value)})

    # ------------------------------------------------------------------ requests

    def reserve(
        self,
        account: str,
        limit_milli: int,
        max_cost_milli: int,
        task: int,
        model_epoch: int,
        epoch: int,
        price: int,
    ) -> Reservation:
        """Reserves ``max_cost_milli`` for a request if the account's pending amount stays within
        ``limit_milli`` (its on-chain spendable credit x 1,000); raises CreditExhausted otherwise."""
        account = account.lower()
        with self._tx() as conn:
            pending = self._pending(conn, account)
            if pending + max_cost_milli > limit_milli:
                raise CreditExhausted(f"credit exhausted: {pending} of {limit_milli} (x1/1000 wei) pending")
            self._set_pending(conn, account, pending + max_cost_milli)
            row = {
                "account": account,
                "task": task,
                "model_epoch": model_epoch,
                "epoch": epoch,
                "price": str(price),
                "reserved_milli": str(max_cost_milli),
                "cost_milli": "0",
                "status": RESERVED,
                "created": time.time(),
            }
            rid = conn.execute(_NEW_REQUEST, row).inserted_primary_key[0]
        return Reservation(int(rid), account, max_cost_milli, price)

    def complete(self, r: Reservation, prompt_tokens: int, completion_tokens: int) -> int:
        """Records the request's usage (before its response is sent); returns its cost x 1,000."""
        cost = (prompt_tokens + completion_tokens) * r.price
        if cost > r.reserved_milli:
            raise RuntimeError("a request used more than it reserved")
        with self._tx() as conn:
            pending = self._pending(conn, r.account)
            self._set_pending(conn, r.account, pending - r.reserved_milli + cost)
            usage = {
                "b_id": r.id,
                "b_prompt": prompt_tokens,
                "b_completion": completion_tokens,
                "b_cost": str(cost),
            }
            conn.execute(_COMPLETE, usage)
        return cost

    def abort(self, r: Reservation) -> None:
        with self._tx() as conn:
            self._release(conn, r.id, r.account, r.reserved_milli)

    def _release(self, conn: Connection, rid: int, account: str, reserved: int) -> None:
        pending = self._pending(conn, account)
        self._set_pending(conn, account, pending - reserved)
        conn.execute(_ABORT, {"b_id": rid})

    def recover(self, max_age: float = 120.0) -> int:
        """Releases reservations older than ``max_age`` seconds that never completed (a gateway
        stopped mid-request): such a request sent no response and is never charged. Requests take
        well under ``max_age``, so other instances' live reservations are left alone."""
        with self._tx() as conn:
            stale = conn.execute(
                select(requests.c.id, requests.c.account, requests.c.reserved_milli).where(
                    requests.c.status == RESERVED, requests.c.created <= time.time() - max_age
                )
            ).all()
            for rid, account, reserved in stale:
                self._release(conn, rid, account, int(reserved))
        return len(stale)

    # ------------------------------------------------------------------ views

    def pending(self, account: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(credit.c.pending_milli).where(credit.c.account == account.lower())
            ).scalar()
        return int(value or 0)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(requests.c.status, func.count()).group_by(requests.c.status)).all()
        return {status: n for status, n in rows}

    def usage_of(self, account: str) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(requests).where(requests.c.account == account.lower(), requests.c.status == DONE)
            ).all()
        return [dict(r._mapping) for r in rows]

    # ------------------------------------------------------------------ settlement

    def unreported(self, up_to_epoch: int) -> list[Metered]:
        """Completed usage of epochs up to ``up_to_epoch`` not yet in a report, per (account, model)."""
        sums: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    requests.c.account,
                    requests.c.task,
                    requests.c.model_epoch,
                    requests.c.prompt_tokens,
                    requests.c.completion_tokens,
                    requests.c.cost_milli,
                ).where(
                    requests.c.status == DONE,
                    requests.c.report_epoch.is_(None),
                    requests.c.epoch <= up_to_epoch,
                )
            ).all()
        for account, task, model_epoch, prompt, completion, cost in rows:
            entry = sums[(account, task, model_epoch)]
            entry[0] += prompt + completion
            entry[1] += int(cost)
            entry[2] += 1
        return [Metered(a, t, m, tok, cost, n) for (a, t, m), (tok, cost, n) in sorted(sums.items())]

    def record_report(self, epoch: int, data: bytes) -> None:
        """Assigns the unreported usage up to ``epoch`` to the report of ``epoch`` (stored)."""
        with self._tx() as conn:
            existing = conn.execute(select(reports.c.data).where(reports.c.epoch == epoch)).scalar()
            if existing is not None:
                if existing != data:
                    raise RuntimeError(f"epoch {epoch} already has a different usage report")
                return
            conn.execute(insert(reports).values(epoch=epoch, data=data, charged=0))
            conn.execute(
                update(requests)
                .where(
                    requests.c.status == DONE,
                    requests.c.report_epoch.is_(None),
                    requests.c.epoch <= epoch,
                )
                .values(report_epoch=epoch)
            )

    def report(self, epoch: int) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.execute(select(reports.c.data).where(reports.c.epoch == epoch)).scalar()

    def mark_charged(self, epoch: int) -> None:
        """The report's charges were applied on chain: its usage leaves the accounts' pending amounts."""
        with self._tx() as conn:
            if conn.execute(select(reports.c.charged).where(reports.c.epoch == epoch)).scalar():
                return
            rows = conn.execute(
                select(requests.c.account, requests.c.cost_milli).where(requests.c.report_epoch == epoch)
            ).all()
            spent: dict[str, int] = defaultdict(int)
            for account, cost in rows:
                spent[account] += int(cost)
            for account, amount in sorted(spent.items()):
                self._set_pending(conn, account, self._pending(conn, account) - amount)
            conn.execute(update(reports).where(reports.c.epoch == epoch).values(charged=1))
