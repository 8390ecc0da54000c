"""The API platform end to end on anvil, driven by the official `openai` client (unmodified): the
suite deployed, one Arena epoch trained, scored and rewarded, its winning model priced by
governance and served by the gateway; developers with credit and API keys call it, streamed and
not; every error case; concurrent requests from several keys; a gateway restart mid-epoch; then the
epoch's usage settles on chain, the revenue reaches the model's contributors through the reward
root, everyone claims, and the FLOCK paid by users equals the claims plus the protocol share plus
the fees, to the wei (docs/api.md)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import openai
import pytest
from ape import accounts
from rich.console import Console

from flock.chain.clock import head_time, mine_at
from flock.gateway.chain import model_id
from flock.gateway.keys import ApiKey, new_key
from flock.gateway.local import DEVELOPERS, OPERATORS, open_account, prepare
from flock.gateway.server import start_background
from flock.gateway.settle import finalize_and_charge, flush_models, post_report, report_epoch
from flock.oracle.chain import ChainView
from flock.oracle.run import compute_on_chain, post, publish, verify
from flock.rewards import claim_args
from flock.units import WAD

CAP_SMALL = WAD // 20  # 0.05 FLOCK: 100 tokens at 0.5 FLOCK per 1,000


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    p = prepare(folder, Console(quiet=True))
    devs = [accounts.test_accounts[i] for i in DEVELOPERS]
    keys = [open_account(p.protocol, devs[0], 100 * WAD), open_account(p.protocol, devs[1], 100 * WAD)]
    keys.append(open_account(p.protocol, devs[2], 10 * WAD, cap=CAP_SMALL))
    state = {"gateway": p.gateway(), "keys": keys, "platform": p}
    state["running"] = start_background(state["gateway"])
    yield state
    state["running"].stop()


def client(state, key: ApiKey | str) -> openai.OpenAI:
    text = key if isinstance(key, str) else key.text
    return openai.OpenAI(base_url=state["running"].base_url, api_key=text, max_retries=0, timeout=30)


def test_lists_the_winning_model_of_the_final_root(platform):
    p = platform["platform"]
    models = client(platform, platform["keys"][0]).models.list()
    ids = [m.id for m in models.data]
    assert ids == [model_id(p.task)]
    winner = platform["gateway"].models()[0]
    assert winner.epoch == p.outcome.epoch
    assert p.content.get(winner.model_hash) is not None  # fetched by hash, verified by the store


def test_chat_completion_and_its_stream_agree_and_count_tokens(platform):
    c = client(platform, platform["keys"][0])
    p = platform["platform"]
    messages = [{"role": "user", "content": "the model said"}]
    whole = c.chat.completions.create(model=model_id(p.task), messages=messages, max_tokens=24, seed=7)
    text = whole.choices[0].message.content
    assert len(text) == 24 and whole.usage.completion_tokens == 24
    assert whole.usage.prompt_tokens == len("the model said")
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + 24
    stream = c.chat.completions.create(
        model=model_id(p.task),
        messages=messages,
        max_tokens=24,
        seed=7,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    streamed = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert streamed == text
    assert chunks[-1].usage.total_tokens == whole.usage.total_tokens
    done = c.completions.create(model=model_id(p.task), prompt="once upon", max_tokens=10, seed=1)
    assert len(done.choices[0].text) == 10 and done.usage.prompt_tokens == len("once upon")
    texts = list(
        c.completions.create(model=model_id(p.task), prompt="once upon", max_tokens=10, seed=1, stream=True)
    )
    assert "".join(t.choices[0].text for t in texts) == done.choices[0].text


def test_openai_shaped_errors(platform):
    p = platform["platform"]
    good = platform["keys"][0]
    name = model_id(p.task)
    messages = [{"role": "user", "content": "hi"}]
    forged = new_key(good.owner)  # right address, secret never registered
    for bad in (forged.text, "sk-not-a-flock-key", f"flk_{good.owner}_"):
        with pytest.raises(openai.AuthenticationError) as err:
            client(platform, bad).chat.completions.create(model=name, messages=messages)
        assert err.value.status_code == 401 and err.value.code == "invalid_api_key"
    with pytest.raises(openai.NotFoundError) as err:
        client(platform, good).chat.completions.create(model="flock-task-999", messages=messages)
    assert err.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError):
        client(platform, good).chat.completions.create(model=name, messages=[])
    with pytest.raises(openai.BadRequestError):
        client(platform, good).chat.completions.create(model=name, messages=messages, max_tokens=10**6)
    capped = client(platform, platform["keys"][2])
    capped.chat.completions.create(model=name, messages=messages, max_tokens=60)  # 62 of 100 tokens
    with pytest.raises(openai.APIStatusError) as err:
        capped.chat.completions.create(model=name, messages=messages, max_tokens=60)
    assert err.value.status_code == 402 and err.value.code == "insufficient_quota"


def test_concurrent_requests_from_several_keys_never_spend_twice(platform):
    p, gateway = platform["platform"], platform["gateway"]
    name = model_id(p.task)
    keys = platform["keys"]
    before = {k.owner: gateway.store.pending(k.owner) for k in keys}
    capped_left = CAP_SMALL * 1_000 - before[keys[2].owner]

    def call(i: int) -> int | None:
        key = keys[i % 3]
        try:
            r = client(platform, key).completions.create(model=name, prompt="abc", max_tokens=8, seed=i)
        except openai.APIStatusError as err:
            assert err.status_code == 402 and key is keys[2]
            return None
        return r.usage.total_tokens

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(call, range(36)))
    served = [r for r in results if r is not None]
    assert len(served) >= 24 and all(r == 11 for r in served)
    price = int(p.protocol.api.priceOf(p.task))
    after = {k.owner: gateway.store.pending(k.owner) for k in keys}
    for i, key in enumerate(keys):
        calls = sum(1 for j, r in enumerate(results) if r is not None and j % 3 == i)
        assert after[key.owner] - before[key.owner] == calls * 11 * price  # each call metered once
    assert after[keys[2].owner] <= CAP_SMALL * 1_000  # the capped key never went past its cap
    assert calls * 11 * price <= capped_left
    assert gateway.store.counts().get("reserved", 0) == 0


def test_restart_mid_epoch_keeps_metered_usage(platform):
    p = platform["platform"]
    key = platform["keys"][1]
    c = client(platform, key)
    c.completions.create(model=model_id(p.task), prompt="restart", max_tokens=5)
    old = platform["gateway"]
    pending, usage = old.store.pending(key.owner), len(old.store.usage_of(key.owner))
    platform["running"].stop()
    old.store.close()
    platform["gateway"] = p.gateway()  # same SQLite file, new process state
    platform["running"] = start_background(platform["gateway"])
    store = platform["gateway"].store
    assert store.recover(max_age=0) == 0  # nothing was left half-done
    assert store.pending(key.owner) == pending and len(store.usage_of(key.owner)) == usage
    client(platform, key).completions.create(model=model_id(p.task), prompt="again", max_tokens=5)
    assert len(store.usage_of(key.owner)) == usage + 1


def test_usage_settles_and_revenue_reaches_contributors_to_the_wei(platform):
    p = platform["platform"]
    proto, gateway = p.protocol, platform["gateway"]
    api, token = proto.api, proto.token
    keys = platform["keys"]
    client(platform, keys[0]).completions.create(model=model_id(p.task), prompt="pay", max_tokens=20)
    credit_before = {k.owner: int(api.accountOf(k.owner).balance) for k in keys}
    treasury = proto.manifest.address("timelock")
    treasury_before = int(token.balanceOf(treasury))

    epoch = int(proto.emissions.currentEpoch())
    mine_at(int(proto.emissions.genesis()) + (epoch + 1) * int(proto.emissions.epochLength()) + 60)
    report = report_epoch(gateway.store, p.content, epoch, {"chain_id": 31337})
    operators = [accounts.test_accounts[i] for i in OPERATORS]
    post_report(api, report, operators)
    with pytest.raises(Exception) as refused:  # no withdrawal while a settlement is pending
        api.withdraw(1, sender=accounts.test_accounts[DEVELOPERS[0]])
    assert type(refused.value).__name__ == "ApiSettlementPending"
    mine_at(int(api.settlementOf(epoch).finalizesAt) + 1)
    charged = finalize_and_charge(api, gateway.store, report, operators[0])
    assert charged == report.total  # the gateway never served past anyone's credit
    paid_by_users = sum(credit_before[k.owner] - int(api.accountOf(k.owner).balance) for k in keys)
    assert paid_by_users == charged
    (flushed,) = flush_models(api, report, operators[0])
    assert flushed.contributors + flushed.protocol_share == charged
    protocol_share = int(token.balanceOf(treasury)) - treasury_before
    assert protocol_share == flushed.protocol_share == charged * 1_000 // 10_000
    target = flushed.target_epoch
    view = ChainView(proto)
    mine_at(max(head_time() + 1, int(proto.submissions.schedule(target).revealEnd) + 60))
    runs = [compute_on_chain(view, p.content, p.task, target) for _ in range(2)]
    assert runs[0].report == runs[1].report
    run = runs[0]
    assert b'"revenue"' in run.report
    publish(run, p.content)
    for oracle in operators[:2]:  # the local oracles
        post(view, run, oracle)
    assert all(check.match for check in verify(view, run))
    mine_at(int(proto.rewards.epochRewards(p.task, target).finalizesAt) + 1)
    proto.rewards.finalize(p.task, target, sender=operators[0])
    pot = view.pot(p.task, target)
    claimed = 0
    for index, (account, amount) in enumerate(run.result.leaves):
        before = int(token.balanceOf(account))
        pot.claim(*claim_args(run.tree, p.task, target, index).pot_args(), sender=operators[0])
        locked, released, _ = pot.vestingOf(account)
        got = int(token.balanceOf(account)) - before + int(locked) - int(released)
        assert got == amount  # paid now + vesting in the pot
        claimed += got
    fees = int(run.result.burn)
    assert paid_by_users == claimed + protocol_share + fees
