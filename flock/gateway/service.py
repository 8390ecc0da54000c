"""The gateway's logic, without HTTP: authenticate a key, pick the model, reserve credit, generate,
record usage, and shape the OpenAI response. ``flock.gateway.app`` puts it behind HTTP; the bench
calls it in-process too.

Order of checks, each an OpenAI-shaped error: the key (401), the request body (400), the model
(404), the credit (402). Credit: the chain's ``spendable(owner)`` (min of cap and balance) less what
the store holds as pending for the owner (reserved by requests in flight, and spent but not yet
charged on chain). A request reserves its worst case, (prompt + max_tokens) x price, and records its
real usage before its response is sent.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flock.gateway.chain import Ledger, Winner, model_id, task_of
from flock.gateway.keys import KeyFormatError, parse_key
from flock.gateway.models import ServedModel, load_served
from flock.gateway.store import CreditExhausted, MeteringStore
from flock.store import ContentSource, StoreError

MAX_TOKENS = 4_096
DEFAULT_CHAT_TOKENS = 64
DEFAULT_COMPLETION_TOKENS = 16


class ApiError(Exception):
    """An error the client gets as ``{"error": {...}}`` with an HTTP status."""

    def __init__(
        self, status: int, message: str, type_: str, code: str | None = None, param: str | None = None
    ):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "type": type_, "param": param, "code": code}}


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message, "invalid_request_error", "invalid_api_key")


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str
    max_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=MAX_TOKENS)
    temperature: float = Field(default=1.0, ge=0, le=2)
    seed: int | None = None
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    n: int = Field(default=1, ge=1, le=1)


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatBody(_Body):
    messages: list[Message] = Field(min_length=1)


class CompletionBody(_Body):
    prompt: str | list[str]


@dataclass
class Completion:
    """A finished, metered completion, ready to be sent whole or streamed."""

    id: str
    kind: Literal["chat", "text"]
    model: str
    created: int
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cost_milli: int
    include_usage: bool = False
    stream: bool = False

    @property
    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def response(self) -> dict[str, Any]:
        if self.kind == "chat":
            choice: dict[str, Any] = {
                "index": 0,
                "message": {"role": "assistant", "content": self.text},
                "logprobs": None,
                "finish_reason": self.finish_reason,
            }
            obj = "chat.completion"
        else:
            choice = {"index": 0, "text": self.text, "logprobs": None, "finish_reason": self.finish_reason}
            obj = "text_completion"
        return {
            "id": self.id,
            "object": obj,
            "created": self.created,
            "model": self.model,
            "choices": [choice],
            "usage": self.usage,
        }

    def chunks(self, size: int = 8) -> list[dict[str, Any]]:
        """The server-sent events of a streamed completion (before ``[DONE]``)."""
        obj = "chat.completion.chunk" if self.kind == "chat" else "text_completion"
        base = {"id": self.id, "object": obj, "created": self.created, "model": self.model}
        pieces = [self.text[i : i + size] for i in range(0, len(self.text), size)]
        out = []
        if self.kind == "chat":
            out.append({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
            out += [{**base, "choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
            out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": self.finish_reason}]})
        else:
            out += [{**base, "choices": [{"index": 0, "text": p, "finish_reason": None}]} for p in pieces]
            out.append({**base, "choices": [{"index": 0, "text": "", "finish_reason": self.finish_reason}]})
        if self.include_usage:
            out.append({**base, "choices": [], "usage": self.usage})
        return out


@dataclass
class Gateway:
    ledger: Ledger
    store: MeteringStore
    content: ContentSource
    _served: dict[str, ServedModel] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ models

    def models(self) -> list[Winner]:
        try:
            return self.ledger.winners()
        except StoreError as err:
            raise ApiError(503, f"the served models cannot be verified: {err}", "server_error") from err

    def model_list(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [
                {
                    "id": w.model_id,
                    "object": "model",
                    "created": 0,
                    "owned_by": "flock",
                    "epoch": w.epoch,
                    "model_hash": w.model_hash,
                    "node": w.node,
                    "price_per_1k_tokens": str(self.ledger.price(w.task)),
                }
                for w in self.models()
            ],
        }

    def _winner(self, name: str) -> Winner:
        task = task_of(name)
        for winner in self.models() if task is not None else []:
            if winner.task == task:
                return winner
        raise ApiError(
            404,
            f"The model `{name}` does not exist or is not served",
            "invalid_request_error",
            "model_not_found",
            "model",
        )

    def _load(self, winner: Winner) -> ServedModel:
        with self._lock:
            served = self._served.get(winner.model_hash)
            if served is None:
                artifact = self.content.get(winner.model_hash)
                if artifact is None:
                    raise ApiError(
                        503, f"model {winner.model_hash} is not in the content store", "server_error"
                    )
                served = load_served(artifact)
                self._served[winner.model_hash] = served
        return served

    # ------------------------------------------------------------------ requests

    def authenticate(self, authorization: str | None) -> str:
        """The owner address of the bearer key, or 401."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise unauthorized("Missing API key: send `Authorization: Bearer flk_<address>_<secret>`")
        try:
            key = parse_key(authorization[7:])
        except KeyFormatError as err:
            raise unauthorized(f"Incorrect API key provided: {err}") from err
        if not self.ledger.is_key(key.owner, key.key_hash):
            raise unauthorized("Incorrect API key provided: it is not registered on chain for its address")
        return key.owner

    def chat(self, authorization: str | None, raw: Any) -> Completion:
        owner = self.authenticate(authorization)
        body = _parse(ChatBody, raw)
        prompt = "\n".join(m.text() for m in body.messages)
        return self._complete(owner, "chat", body, prompt, DEFAULT_CHAT_TOKENS)

    def completion(self, authorization: str | None, raw: Any) -> Completion:
        owner = self.authenticate(authorization)
        body = _parse(CompletionBody, raw)
        if isinstance(body.prompt, list):
            if len(body.prompt) != 1:
                raise ApiError(
                    400, "this gateway takes one prompt per request", "invalid_request_error", None, "prompt"
                )
            prompt = body.prompt[0]
        else:
            prompt = body.prompt
        return self._complete(owner, "text", body, prompt, DEFAULT_COMPLETION_TOKENS)

    def _complete(
        self, owner: str, kind: Literal["chat", "text"], body: _Body, prompt: str, default: int
    ) -> Completion:
        winner = self._winner(body.model)
        served = self._load(winner)
        price = self.ledger.price(winner.task)
        max_tokens = body.max_completion_tokens or body.max_tokens or default
        prompt_tokens = served.count_tokens(prompt)
        limit = self.ledger.spendable(owner) * 1_000
        try:
            reservation = self.store.reserve(
                owner,
                limit,
                (prompt_tokens + max_tokens) * price,
                winner.task,
                winner.epoch,
                self.ledger.current_epoch(),
                price,
            )
        except CreditExhausted as err:
            raise ApiError(
                402,
                "You exceeded your current quota: deposit FLOCK and raise your cap "
                "(ApiCredits.deposit, setCap)",
                "insufficient_quota",
                "insufficient_quota",
            ) from err
        try:
            seed = body.seed if body.seed is not None else 0
            text, completion_tokens, finish = served.generate(prompt, max_tokens, body.temperature, seed)
        except BaseException:
            self.store.abort(reservation)
            raise
        cost = self.store.complete(reservation, prompt_tokens, completion_tokens)  # before any response
        prefix = "chatcmpl" if kind == "chat" else "cmpl"
        include_usage = bool(body.stream_options and body.stream_options.get("include_usage"))
        return Completion(
            f"{prefix}-{uuid.uuid4().hex}",
            kind,
            model_id(winner.task),
            int(time.time()),
            text,
            finish,
            prompt_tokens,
            completion_tokens,
            cost,
            include_usage,
            body.stream,
        )


def _parse(model: type[BaseModel], raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ApiError(400, "the request body must be a JSON object", "invalid_request_error")
    try:
        return model.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise ApiError(
            400, f"Invalid request: {param}: {first['msg']}", "invalid_request_error", "invalid_value", param
        ) from err
