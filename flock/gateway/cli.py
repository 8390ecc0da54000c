"""`ape run gateway`: the OpenAI-compatible API gateway (docs/api.md).

On the local chain it first sets the platform up (the suite deployed, one Arena epoch trained,
scored and rewarded, the winner priced, a developer with credit and a registered key) and prints
the base URL and that ready API key. Against a deployment it serves the manifest's models from a
content store (``--store``) with a metering store (``--db``: SQLite by default, a PostgreSQL URL
when several instances share it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from flock.chain.manifest import default_manifest
from flock.chain.network import is_local, network_name
from flock.cli import (
    Command,
    UsageError,
    UserError,
    connected,
    console,
    manifest_option,
    network_option,
    quiet_ape,
)
from flock.paths import REPORTS_DIR


def _serve_local(host: str, port: int, smoke: bool) -> None:
    from ape import accounts
    from rich.console import Console

    from flock.gateway.local import DEVELOPERS, open_account, prepare
    from flock.gateway.server import run_foreground, start_background
    from flock.units import WAD

    folder = Path(tempfile.mkdtemp(prefix="flock-gateway-"))
    console.print("local chain: deploying the suite and running one Arena epoch (about 20 s)")
    platform = prepare(folder, Console(quiet=True))
    key = open_account(platform.protocol, accounts.test_accounts[DEVELOPERS[0]], 100 * WAD)
    gateway = platform.gateway()
    model = gateway.models()[0].model_id
    price = int(platform.protocol.api.priceOf(platform.task)) / WAD
    if smoke:
        running = start_background(gateway, host, port)
        _announce(running.base_url, key.text, model, price)
        _smoke(running.base_url, key.text, model)
        running.stop()
        return
    _announce(f"http://{host}:{port}/v1", key.text, model, price)
    run_foreground(gateway, host, port)


def _announce(base_url: str, key: str, model: str, price: float) -> None:
    console.print(f"[bold]base URL[/]  {base_url}")
    console.print(f"[bold]API key[/]   {key}")
    console.print(f"[bold]model[/]     {model} ({price:g} FLOCK per 1,000 tokens; 100 FLOCK of credit)")
    console.print(
        f'openai.OpenAI(base_url="{base_url}", api_key="{key}")'
        f'.chat.completions.create(model="{model}", messages=[{{"role": "user", "content": "hello"}}])',
        soft_wrap=True,
    )


def _smoke(base_url: str, key: str, model: str) -> None:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hello"}])
    console.print(f"smoke: {reply.usage.total_tokens} tokens: {reply.choices[0].message.content!r}")


@click.command("gateway", cls=Command)
@network_option()
@manifest_option(
    help="deployment manifest (default: deployments/<ecosystem>-<network>.json; on a local chain without "
    "--manifest, the platform is set up on a new deployment)"
)
@click.option("--store", type=click.Path(path_type=Path, file_okay=False), default=None, help="content store")
@click.option("--db", default=None, help="metering store URL (default: SQLite under reports/gateway/)")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65_535))
@click.option("--smoke", is_flag=True, help="serve, call the model once with the openai client, exit")
def cli(
    network: str,
    manifest_file: Path | None,
    store: Path | None,
    db: str | None,
    host: str,
    port: int,
    smoke: bool,
) -> None:
    """Serve the models the chain says won, OpenAI-style, metered against on-chain credit."""
    own_platform = is_local(network_name(network)) and manifest_file is None
    if store is None and not own_platform:  # before connecting: nothing is read or started
        raise UsageError(
            "Missing option '--store': serving a deployment needs the content store holding its reports "
            "and models (by hash)"
        )
    quiet_ape()
    with connected(network) as provider:
        if own_platform:
            _serve_local(host, port, smoke)
            return
        from flock.chain.protocol import LiveProtocol
        from flock.gateway.chain import ApeLedger
        from flock.gateway.server import run_foreground
        from flock.gateway.service import Gateway
        from flock.gateway.store import MeteringStore
        from flock.store import ContentStore

        protocol = LiveProtocol.load(manifest_file or default_manifest(network))
        if "api" not in protocol.keys:
            raise UserError("the deployment has no ApiCredits: redeploy with the API platform")
        content = ContentStore(store)
        (REPORTS_DIR / "gateway").mkdir(parents=True, exist_ok=True)
        url = db or f"sqlite:///{REPORTS_DIR / 'gateway' / f'metering-{provider.chain_id}.db'}"
        gateway = Gateway(ApeLedger(protocol, content), MeteringStore(url), content)
        released = gateway.store.recover()
        console.print(
            f"serving {len(gateway.models())} model(s) on http://{host}:{port}/v1 ({released} stale)"
        )
        run_foreground(gateway, host, port)
