"""The OpenAI-compatible HTTP API (FastAPI) over an Engine: `GET /v1/models`, `POST /v1/chat/completions`,
`POST /v1/completions`.

Request fields: model, messages (chat) or prompt (completions), temperature (default 1, 0 = greedy), top_p, max_tokens
(or max_completion_tokens; default 256), stop (a string or up to 4), seed, stream (server-sent events, ending
`data: [DONE]`), stream_options.include_usage; n must be 1; other OpenAI fields are accepted and ignored. Answers
carry usage (prompt, completion and total tokens). Errors have OpenAI's shape, `{"error": {"message", "type",
"param", "code"}}`: 400 a bad request, 401 a missing or wrong API key, 404 an unknown model, 413 a prompt that does
not fit the model's context with max_tokens (a chat conversation first loses its oldest turns, as in `chat`; the
header `X-Context-Trimmed` says how many), 500 a generation that failed.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from ..chat.generate import Answer, chat_prompt, context_length
from .engine import Engine, Job

DEFAULT_MAX_TOKENS = 256


class ApiError(Exception):
    """An error answered in OpenAI's shape."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def response(self) -> JSONResponse:
        return JSONResponse({"error": {"message": self.message, "type": self.type, "param": self.param,
                                       "code": self.code}}, status_code=self.status)


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class Message(BaseModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart]

    def plain(self) -> dict:
        text = self.content if isinstance(self.content, str) else "".join(p.text for p in self.content)
        return {"role": "system" if self.role == "developer" else self.role, "content": text}


class StreamOptions(BaseModel):
    include_usage: bool = False


class Sampling(BaseModel):
    """What both endpoints take; fields OpenAI has and this server does not use are ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    stop: str | list[str] | None = Field(None)
    seed: int | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    n: Literal[1] | None = None

    def stop_strings(self) -> list[str]:
        stops = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        if len(stops) > 4:
            raise ApiError(400, "stop takes at most 4 strings.", param="stop")
        return [s for s in stops if s]


class ChatRequest(Sampling):
    messages: list[Message] = Field(min_length=1)
    max_completion_tokens: int | None = Field(None, ge=1)


class CompletionRequest(Sampling):
    prompt: str | list[str]


def build_app(engine: Engine, models: dict[str, str | None], *, api_key: str | None = None,
              on_startup: Callable[[], None] | None = None, owned_by: str = "finetune-studio") -> FastAPI:
    """The API for the `models` served by `engine` ({model name: the adapter its rows use, see stream_answers}).
    With `api_key`, every request must carry `Authorization: Bearer KEY`. `on_startup` runs once the server
    accepts requests."""
    from contextlib import asynccontextmanager

    created = int(time.time())

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if on_startup is not None:
            on_startup()
        yield

    async def check_key(request: Request) -> None:
        if api_key is None:
            return
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), f"Bearer {api_key}".encode()):
            raise ApiError(401, "Missing or wrong API key: send the header `Authorization: Bearer KEY`.",
                           code="invalid_api_key")

    app = FastAPI(title="Finetune Studio", lifespan=lifespan, dependencies=[Depends(check_key)], docs_url=None,
                  redoc_url=None, openapi_url=None)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        first = problems[0] if problems else {}
        where = [str(part) for part in first.get("loc", ()) if part != "body"]
        message = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
                            for e in problems[:5])
        return ApiError(400, message or "Bad request.", param=".".join(where) or None).response()

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return ApiError(exc.status_code, str(exc.detail), code=None).response()

    def adapter_of(name: str) -> str | None:
        if name not in models:
            raise ApiError(404, f"The model '{name}' does not exist here; this server has {', '.join(models)}.",
                           param="model", code="model_not_found")
        return models[name]

    @app.get("/v1/models")
    async def list_models() -> dict:
        return {"object": "list", "data": [{"id": name, "object": "model", "created": created, "owned_by": owned_by}
                                           for name in models]}

    @app.get("/v1/models/{name}")
    async def one_model(name: str) -> dict:
        adapter_of(name)
        return {"id": name, "object": "model", "created": created, "owned_by": owned_by}

    @app.post("/v1/chat/completions")
    async def chat_completions(body: ChatRequest):
        adapter = adapter_of(body.model)
        max_tokens = body.max_completion_tokens or body.max_tokens or DEFAULT_MAX_TOKENS
        room = context_length(engine.model) - max_tokens
        messages = [m.plain() for m in body.messages]
        try:
            ids, trimmed = chat_prompt(engine.tokenizer, messages, room) if room > 0 else ([], 0)
        except Exception as exc:  # noqa: BLE001 - e.g. a chat template that refuses the roles' order
            raise ApiError(400, f"The model's chat template refused these messages: {exc}",
                           param="messages") from exc
        if room <= 0 or len(ids) > room:
            raise _too_long(len(ids), max_tokens, context_length(engine.model))
        return await _respond(engine, body, Answer(messages, max_tokens, *_sampling(body), adapter=adapter,
                                                   prompt_ids=ids), "chat", {"X-Context-Trimmed": str(trimmed)})

    @app.post("/v1/completions")
    async def completions(body: CompletionRequest):
        adapter = adapter_of(body.model)
        prompts = [body.prompt] if isinstance(body.prompt, str) else body.prompt
        if len(prompts) != 1 or not prompts[0]:
            raise ApiError(400, "prompt must be one non-empty string.", param="prompt")
        max_tokens = body.max_tokens or DEFAULT_MAX_TOKENS
        ids = engine.tokenizer(prompts[0])["input_ids"]
        if len(ids) + max_tokens > context_length(engine.model):
            raise _too_long(len(ids), max_tokens, context_length(engine.model))
        return await _respond(engine, body, Answer([], max_tokens, *_sampling(body), adapter=adapter,
                                                   prompt_ids=ids), "text", {})

    return app


def _sampling(body: Sampling) -> tuple[float, float]:
    return (1.0 if body.temperature is None else body.temperature), (1.0 if body.top_p is None else body.top_p)


def _too_long(prompt_tokens: int, max_tokens: int, context: int) -> ApiError:
    if max_tokens >= context:
        return ApiError(413, f"max_tokens ({max_tokens}) leaves no room for a prompt in the model's context of "
                             f"{context} tokens.", param="max_tokens", code="context_length_exceeded")
    return ApiError(413, f"The prompt ({prompt_tokens} tokens, after leaving out the oldest turns) and max_tokens "
                         f"({max_tokens}) do not fit the model's context of {context} tokens.",
                    param="messages", code="context_length_exceeded")


async def _respond(engine: Engine, body: Sampling, answer: Answer, kind: Literal["chat", "text"],
                   headers: dict[str, str]):
    """Queue the job and answer with the whole text, or stream it as server-sent events."""
    loop = asyncio.get_running_loop()
    items: asyncio.Queue = asyncio.Queue()

    def deliver(item: tuple[str, Any]) -> None:  # on the engine's thread
        try:
            loop.call_soon_threadsafe(items.put_nowait, item)
        except RuntimeError:  # the server's event loop has closed: no one is listening any more
            answer.stop.set()

    job = Job(answer, deliver, body.stop_strings(), body.seed)
    engine.submit(job)
    prompt_tokens = len(answer.prompt_ids or [])
    ident = f"{'chatcmpl' if kind == 'chat' else 'cmpl'}-{uuid.uuid4().hex[:24]}"
    common = {"id": ident, "object": "chat.completion" if kind == "chat" else "text_completion",
              "created": int(time.time()), "model": body.model}

    def usage(done: dict) -> dict:
        return {"prompt_tokens": prompt_tokens, "completion_tokens": done["completion_tokens"],
                "total_tokens": prompt_tokens + done["completion_tokens"]}

    if not body.stream:
        parts = []
        try:
            while (item := await items.get())[0] == "text":
                parts.append(item[1])
        finally:
            answer.stop.set()  # a cancelled request stops its row
        if item[0] == "error":
            raise ApiError(500, item[1], type="server_error")
        text = "".join(parts)
        choice = ({"index": 0, "message": {"role": "assistant", "content": text}} if kind == "chat"
                  else {"index": 0, "text": text})
        return JSONResponse({**common, "choices": [{**choice, "logprobs": None,
                                                    "finish_reason": item[1]["finish_reason"]}],
                             "usage": usage(item[1])}, headers=headers)

    chunk = {**common, "object": "chat.completion.chunk" if kind == "chat" else "text_completion"}
    with_usage = bool(body.stream_options and body.stream_options.include_usage)

    def piece(text: str | None, finish: str | None = None, first: bool = False) -> str:
        if kind == "chat":
            delta = ({"role": "assistant", "content": ""} if first else {} if text is None else {"content": text})
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        else:
            choice = {"index": 0, "text": text or "", "logprobs": None, "finish_reason": finish}
        return _sse({**chunk, "choices": [choice], **({"usage": None} if with_usage else {})})

    async def events() -> AsyncIterator[str]:
        try:
            if kind == "chat":
                yield piece(None, first=True)
            while (item := await items.get())[0] == "text":
                yield piece(item[1])
            if item[0] == "error":
                yield _sse({"error": {"message": item[1], "type": "server_error", "param": None, "code": None}})
                return
            yield piece(None, item[1]["finish_reason"])
            if with_usage:
                yield _sse({**chunk, "choices": [], "usage": usage(item[1])})
            yield "data: [DONE]\n\n"
        finally:
            answer.stop.set()  # the client went away (or the answer ended): its row stops

    return StreamingResponse(events(), media_type="text/event-stream", headers={**headers, "Cache-Control": "no-cache"})


def _sse(obj: dict[str, Any]) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"
