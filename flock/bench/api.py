"""The API platform's benchmarks (docs/api.md).

Gas on anvil (``gas.api_*``): an epoch's usage settles in a constant number of transactions, whatever
the number of users, because the report is a Merkle root and each user's charge is applied lazily:
``gas.api_settle`` is the gas of settling one epoch's usage of 1,000 users (the two posts of a
2-of-3 operator quorum, then the finalization), ``gas.api_settle_10_users`` the same for 10 users;
``gas.api_charge`` is one user's charge applied afterwards (a 10-level proof, a funded user, the
average of a batch of 20).

Throughput (``api.*``): the gateway over HTTP under concurrent load (16 client threads, the
official ``openai`` client, SQLite metering, each request reserved and recorded) against the same
model generating the same completions in-process in the same run: ``api.overhead_ratio`` = in-process
requests per second / HTTP requests per second. The chain is stood in for by a fixed ledger (one key,
ample credit) so the figure is the gateway's own, not an RPC node's.
"""

from __future__ import annotations

import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from eth_utils import keccak, to_checksum_address

from flock.bench.chainkit import deploy_fresh, head_time, mine_at, new_accounts
from flock.bench.registry import Results, benchmark
from flock.gateway.chain import Winner
from flock.gateway.keys import new_key
from flock.gateway.models import NGramServed
from flock.gateway.server import start_background
from flock.gateway.service import Gateway
from flock.gateway.store import MeteringStore
from flock.gateway.usage import Metered, build_report
from flock.models.corpus import shard
from flock.models.ngram import NGramModel
from flock.store import digest_of
from flock.units import WAD

USERS = 1_000
PAYERS = 20
REQUESTS = 400
THREADS = 16
MAX_TOKENS = 32


def _report(epoch: int, users: int, seed: int, payers: list[str]):
    """``users`` rows: the ``payers`` (funded depositors) first, then brand-new addresses."""
    rnd = random.Random(seed)
    fresh = (to_checksum_address(keccak(text=f"api-user-{seed}-{i}")[12:]) for i in range(users))
    accounts = [*payers, *fresh][:users]
    rows = [Metered(a, 1, 1, 1_000, rnd.randint(10**15, 10**18) * 1_000, 1) for a in accounts]
    return build_report(epoch, rows)


@benchmark("api_gas", needs_chain=True)
def api_settle_gas() -> Results:
    from ape import accounts

    p = deploy_fresh()
    api, em = p.api, p.emissions
    operators = [accounts.test_accounts[i] for i in (10, 11, 12)]
    depositor = accounts.test_accounts[9]
    p.token.transfer(depositor, 1_000_000 * WAD, sender=p.deployer)
    p.token.approve(api.address, 1_000_000 * WAD, sender=depositor)
    api.deposit(1_000_000 * WAD, sender=depositor)
    payers = new_accounts(PAYERS, p.deployer)
    for payer in payers:
        p.token.transfer(payer, 10 * WAD, sender=p.deployer)
        p.token.approve(api.address, 10 * WAD, sender=payer)
        api.deposit(10 * WAD, sender=payer)
        api.setCap(10 * WAD, sender=payer)
    out: Results = {}
    reports = {}
    for users, key in ((USERS, "gas.api_settle"), (10, "gas.api_settle_10_users")):
        epoch = int(em.currentEpoch())
        report = _report(epoch, users, users, [str(a.address) for a in payers])
        mine_at(max(head_time() + 1, int(em.genesis()) + (epoch + 1) * int(em.epochLength()) + 7_200))
        gas = sum(
            api.postUsage(epoch, report.root, report.total, report.report_hash, sender=o).gas_used
            for o in operators[:2]
        )
        mine_at(int(api.settlementOf(epoch).finalizesAt) + 1)
        gas += api.finalize(epoch, sender=operators[0]).gas_used
        out[key] = gas
        reports[users] = report
    # Equal but for calldata: the root, total and report hash cost 4 gas per zero byte, 16 otherwise.
    out["gas.api_settle_1000_vs_10"] = round(out["gas.api_settle"] / out["gas.api_settle_10_users"], 4)
    big = reports[USERS]
    paying = {str(a.address).lower() for a in payers}
    batch = [big.charge_args(i) for i, row in enumerate(big.rows) if row.account.lower() in paying]
    out["gas.api_charge"] = round(api.chargeMany(batch, sender=operators[0]).gas_used / len(batch))
    return out


class _StaticLedger:
    def __init__(self, owner: str, key_hash: bytes, winner: Winner) -> None:
        self.owner, self.key_hash, self.winner = owner.lower(), key_hash, winner

    def is_key(self, owner: str, key_hash: bytes) -> bool:
        return owner.lower() == self.owner and key_hash == self.key_hash

    def spendable(self, owner: str) -> int:
        return 10**30

    def price(self, task: int) -> int:
        return WAD // 2

    def current_epoch(self) -> int:
        return 1

    def winners(self) -> list[Winner]:
        return [self.winner]


@benchmark("api_throughput", needs_chain=False)
def api_throughput() -> Results:
    import openai

    artifact = NGramModel.train(shard(0, 2), order=4).to_bytes()
    content = {digest_of(artifact): artifact}
    owner = "0x00000000000000000000000000000000000a11ce"
    key = new_key(owner)
    winner = Winner(1, 1, owner, digest_of(artifact), "0x" + "00" * 32)
    folder = Path(tempfile.mkdtemp(prefix="flock-bench-api-"))
    gateway = Gateway(
        _StaticLedger(owner, key.key_hash, winner), MeteringStore(f"sqlite:///{folder / 'm.db'}"), content
    )
    prompts = [f"request {i}: the network" for i in range(REQUESTS)]

    served = NGramServed(NGramModel.from_bytes(artifact))
    start = time.perf_counter()
    for i, prompt in enumerate(prompts):
        served.generate(prompt, MAX_TOKENS, 1.0, i)
    in_process = REQUESTS / (time.perf_counter() - start)

    running = start_background(gateway)
    client = openai.OpenAI(base_url=running.base_url, api_key=key.text, max_retries=0)
    client.completions.create(model="flock-task-1", prompt="warm", max_tokens=4)

    def call(i: int) -> int:
        r = client.completions.create(model="flock-task-1", prompt=prompts[i], max_tokens=MAX_TOKENS, seed=i)
        return r.usage.completion_tokens

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        tokens = sum(pool.map(call, range(REQUESTS)))
    http = REQUESTS / (time.perf_counter() - start)
    running.stop()
    assert tokens == REQUESTS * MAX_TOKENS
    return {
        "api.requests_per_second": round(http, 1),
        "api.in_process_requests_per_second": round(in_process, 1),
        "api.overhead_ratio": round(in_process / http, 2),
    }
