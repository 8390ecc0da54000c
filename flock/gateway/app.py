"""The gateway over HTTP: the OpenAI wire format on FastAPI (docs/api.md).

Handlers run the blocking work (chain reads, the store, generation) in worker threads, so one slow
request never holds the others; a completion is metered and stored before its first byte is sent,
streamed or not.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from flock.gateway.service import ApiError, Completion, Gateway


def create_app(gateway: Gateway) -> FastAPI:
    app = FastAPI(title="FLock API gateway", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.gateway = gateway

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, err: ApiError) -> JSONResponse:
        return JSONResponse(err.body, status_code=err.status)

    @app.exception_handler(404)
    async def _not_found(request: Request, _: Exception) -> JSONResponse:
        err = ApiError(
            404,
            f"Unknown request URL: {request.method} {request.url.path}",
            "invalid_request_error",
            "unknown_url",
        )
        return JSONResponse(err.body, status_code=404)

    @app.get("/v1/models")
    async def models() -> JSONResponse:
        return JSONResponse(await anyio.to_thread.run_sync(gateway.model_list))

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        return await _serve(request, gateway.chat)

    @app.post("/v1/completions")
    async def completions(request: Request) -> Any:
        return await _serve(request, gateway.completion)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _serve(request: Request, handler: Callable[[str | None, Any], Completion]) -> Any:
    try:
        raw = await request.json()
    except ValueError:
        raise ApiError(400, "the request body is not valid JSON", "invalid_request_error") from None
    auth = request.headers.get("authorization")
    completion = await anyio.to_thread.run_sync(handler, auth, raw)
    if not completion.stream:
        return JSONResponse(completion.response())
    return StreamingResponse(_events(completion), media_type="text/event-stream")


async def _events(completion: Completion) -> AsyncIterator[bytes]:
    for chunk in completion.chunks():
        yield f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n".encode()
    yield b"data: [DONE]\n\n"
