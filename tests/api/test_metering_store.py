"""The metering store on SQLite and on a real PostgreSQL server: reservations under concurrency from
several gateway instances (one credit is never spent twice), usage that survives a restart,
recovery of half-done requests, and the usage report's life (reported, charged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from gateway_helpers import Content, FakeLedger, small_model

from flock.gateway.chain import Winner
from flock.gateway.keys import new_key
from flock.gateway.service import ApiError, Gateway
from flock.gateway.store import CreditExhausted, MeteringStore
from flock.gateway.usage import build_report, report_from_bytes

ALICE = "0x00000000000000000000000000000000000a11ce"
BOB = "0x0000000000000000000000000000000000000b0b"


def _reserve(store: MeteringStore, account: str, limit: int, cost: int):
    return store.reserve(account, limit, cost, task=1, model_epoch=2, epoch=5, price=1)


def test_concurrent_reservations_from_two_instances_never_exceed_the_limit(store_url) -> None:
    instances = [MeteringStore(store_url), MeteringStore(store_url)]

    def attempt(i: int) -> bool:
        try:
            _reserve(instances[i % 2], ALICE, limit=100, cost=10)
        except CreditExhausted:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = sum(pool.map(attempt, range(24)))
    assert granted == 10
    assert instances[0].pending(ALICE) == instances[1].pending(ALICE) == 100
    for s in instances:
        s.close()


def test_usage_survives_a_restart_and_half_done_requests_are_released(store_url) -> None:
    store = MeteringStore(store_url)
    done = _reserve(store, ALICE, limit=1_000, cost=50)
    assert store.complete(done, prompt_tokens=10, completion_tokens=20) == 30
    _reserve(store, ALICE, limit=1_000, cost=40)  # the gateway dies before completing it
    assert store.pending(ALICE) == 70
    store.close()
    restarted = MeteringStore(store_url)
    assert restarted.pending(ALICE) == 70  # nothing lost
    assert restarted.recover(max_age=3_600) == 0  # another instance's live request is left alone
    assert restarted.recover(max_age=0) == 1
    assert restarted.pending(ALICE) == 30
    assert [r["cost_milli"] for r in restarted.usage_of(ALICE)] == ["30"]
    restarted.close()


def test_reports_take_unreported_usage_once_and_charging_releases_it(store_url) -> None:
    store = MeteringStore(store_url)
    for account, tokens in ((ALICE, 7), (BOB, 3), (ALICE, 5)):
        r = _reserve(store, account, limit=10**6, cost=100)
        store.complete(r, tokens, 0)
    metered = store.unreported(5)
    assert [(m.account, m.tokens, m.cost_milli, m.requests) for m in metered] == [
        (BOB, 3, 3, 1),
        (ALICE, 12, 12, 2),
    ]
    report = build_report(5, metered)
    assert [r.amount for r in report.rows] == [1, 1]  # ceil(cost / 1,000)  # ceil(cost / 1,000) wei
    store.record_report(5, report.data)
    assert store.unreported(6) == []
    assert report_from_bytes(store.report(5)).root == report.root
    store.mark_charged(5)
    store.mark_charged(5)  # idempotent
    assert store.pending(ALICE) == store.pending(BOB) == 0
    store.close()


# ------------------------------------------------------------------ two gateways, one store


def test_two_gateway_instances_sharing_a_store_never_serve_past_the_credit(store_url) -> None:
    model, digest = small_model()
    content = Content({digest: model})
    key = new_key(ALICE)
    winner = Winner(1, 2, BOB, digest, "0x" + "00" * 32)
    # 200 tokens of credit at 1,000 wei per 1,000 tokens; each request costs at most 3 + 10 tokens.
    ledger = FakeLedger({(ALICE, key.key_hash)}, {ALICE: 200}, winner)
    gateways = [Gateway(ledger, MeteringStore(store_url), content) for _ in range(2)]
    auth = f"Bearer {key.text}"

    def call(i: int) -> int:
        body = {"model": "flock-task-1", "prompt": "the", "max_tokens": 10, "seed": i}
        try:
            return gateways[i % 2].completion(auth, body).usage["total_tokens"]
        except ApiError as err:
            assert err.status == 402
            return 0

    with ThreadPoolExecutor(max_workers=8) as pool:
        served = list(pool.map(call, range(40)))
    assert sum(served) <= 200 and served.count(13) == 15  # floor(200 / 13) requests, no more
    assert gateways[0].store.pending(ALICE) == sum(served) * 1_000
    with pytest.raises(ApiError) as err:
        gateways[0].completion("Bearer flk_nope", {"model": "flock-task-1", "prompt": "x"})
    assert err.value.status == 401
