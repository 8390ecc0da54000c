"""Running the gateway's ASGI app with uvicorn: in the foreground (``ape run gateway``) or in a
background thread (tests, the demo, the bench)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import uvicorn

from flock.gateway.app import create_app
from flock.gateway.service import Gateway


@dataclass
class RunningGateway:
    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _config(gateway: Gateway, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(create_app(gateway), host=host, port=port, log_level="warning", access_log=False)


def start_background(
    gateway: Gateway, host: str = "127.0.0.1", port: int = 0, timeout: float = 20.0
) -> RunningGateway:
    """Starts the gateway in a daemon thread; returns once it accepts connections (port 0: any free
    port, read back from the bound socket)."""
    server = uvicorn.Server(_config(gateway, host, port))
    thread = threading.Thread(target=server.run, name="flock-gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the gateway did not start on {host}:{port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    return RunningGateway(server, thread, host, int(bound))


def run_foreground(gateway: Gateway, host: str, port: int) -> None:
    uvicorn.Server(_config(gateway, host, port)).run()
