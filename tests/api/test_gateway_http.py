"""The gateway's HTTP edges without a chain: OpenAI-shaped errors for what the `openai` client never
sends (no key, a body that is not JSON, an unknown URL), and the models list's shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from gateway_helpers import Content, FakeLedger, small_model

from flock.gateway.chain import Winner
from flock.gateway.keys import new_key
from flock.gateway.server import start_background
from flock.gateway.service import Gateway
from flock.gateway.store import MeteringStore

OWNER = "0x00000000000000000000000000000000000a11ce"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    model, digest = small_model()
    key = new_key(OWNER)
    ledger = FakeLedger(
        {(OWNER, key.key_hash)}, {OWNER: 10**9}, Winner(1, 2, OWNER, digest, "0x" + "00" * 32)
    )
    store = MeteringStore(f"sqlite:///{tmp_path_factory.mktemp('gw') / 'm.db'}")
    gateway = start_background(Gateway(ledger, store, Content({digest: model})))
    yield gateway, key
    gateway.stop()


def _request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, data=body, headers=headers or {}, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_errors_keep_openais_shape(running) -> None:
    gateway, key = running
    url = gateway.base_url
    status, body = _request(f"{url}/chat/completions", b"{}")
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    auth = {"Authorization": f"Bearer {key.text}", "Content-Type": "application/json"}
    status, body = _request(f"{url}/chat/completions", b"{not json", auth)
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, body = _request(f"{url}/chat/completions", b"[]", auth)
    assert status == 400
    status, body = _request(
        f"{url}/completions", json.dumps({"model": "flock-task-1", "prompt": ["a", "b"]}).encode(), auth
    )
    assert status == 400 and body["error"]["param"] == "prompt"
    status, body = _request(f"{url}/embeddings", b"{}", auth)
    assert status == 404 and body["error"]["code"] == "unknown_url"


def test_models_list_names_the_winner(running) -> None:
    gateway, _ = running
    status, body = _request(f"{gateway.base_url}/models")
    assert status == 200 and body["object"] == "list"
    (model,) = body["data"]
    assert model["id"] == "flock-task-1" and model["object"] == "model" and model["epoch"] == 2
