"""`serve(keys)`: load the models once and answer the OpenAI-compatible API (openai_api.py) with uvicorn until a
stop signal.

One key is served as `chat` loads it (a merged export, an adapter on its base, a model); several keys (and the
base with `compare_base`) must share one base model (chat.load.shared_base): the base is loaded once, each run's
adapter beside it, and each key answers under its own model name (a run's id; a model's source, or its folder's
name). The server listens on loopback unless told otherwise; any other address needs an API key.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import StudioError
from ..events import EventSink, StopFlag
from ..messages import Text

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost may resolve to anything
        return False


def check_bind(host: str, api_key: str | None) -> None:
    """A server reachable from other machines must ask for a key."""
    if not is_loopback(host) and not api_key:
        raise StudioError(Text("Serving on {host} lets other machines reach the models, so it needs an API "
                               "key.", host=host),
                          Text("Add --api-key KEY (clients send it as their OpenAI API key), or "
                               "--generate-api-key for a random one printed once; or leave out --host to "
                               "serve on 127.0.0.1 only."))


def model_name(key: str) -> str:
    """The name a key is served under: a run's id, else the model source (a folder: its name)."""
    from ..errors import RunNotFound
    from ..store import Store

    try:
        return str(Store().get_run(key)["id"])
    except RunNotFound:
        return Path(key).name if Path(key).is_dir() or Path(key).is_file() else key


def served_keys(keys: list[str], compare_base: bool) -> list[str]:
    """The keys in order, without repeats, the first one's base model last with `compare_base`."""
    from ..chat.load import base_model_of

    if not keys:
        raise StudioError(Text("Name at least one run or model to serve."),
                          Text("finetune-studio serve RUN [RUN2 ...]"))
    return list(dict.fromkeys([*keys, *([base_model_of(keys[0])] if compare_base else [])]))


def load_models(keys: list[str]) -> tuple[Any, Any, dict[str, str | None]]:
    """(model, tokenizer, {model name: the adapter its rows use}): one model, or several keys on one base."""
    from ..chat.load import load_for_chat, load_shared_for_chat

    if len(keys) == 1:
        model, tokenizer = load_for_chat(keys[0])
        adapters: dict[str, str | None] = {keys[0]: None}
    else:
        model, tokenizer, adapters = load_shared_for_chat(keys)
    if model.device.type == "cpu":  # batched rows of different lengths: eager attention, as a shared chat process
        getattr(model, "get_base_model", lambda: model)().set_attn_implementation("eager")
    names = {model_name(key): adapter for key, adapter in adapters.items()}
    if len(names) < len(adapters):
        raise StudioError(Text("Two of {keys} would be served under one name.", keys=', '.join(keys)),
                          Text("Serve each run once."))
    return model, tokenizer, names


def bind(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        raise StudioError(Text("Cannot listen on {host}:{port}: {error}.",
                               host=host, port=port, error=exc.strerror or str(exc)),
                          Text("Pick another --port (another program may be using this one), or another "
                               "--host.")) from exc


def url_of(host: str, port: int) -> str:
    """The base URL a client on this machine uses (an any-address bind is reached through loopback)."""
    local = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{f'[{local}]' if ':' in local else local}:{port}/v1"


def serve(keys: list[str], sink: EventSink, stop: StopFlag, *, compare_base: bool = False, host: str = DEFAULT_HOST,
          port: int = DEFAULT_PORT, api_key: str | None = None, show_key: bool = False) -> dict:
    """Serve until a stop signal (SIGINT/SIGTERM, handled by uvicorn) or until `stop` is set.
    Events: `phase` while loading, `listening` (url, host, port, models, memory_bytes; api_key when `show_key`) once
    requests are accepted. Returns what was served (url, models, requests answered, generate calls)."""
    import uvicorn

    from ..chat.load import memory_bytes
    from .engine import Engine
    from .openai_api import build_app

    check_bind(host, api_key)
    keys = served_keys(keys, compare_base)
    sink.emit("phase", name="load", message=Text("Loading {keys}", keys=', '.join(keys)), current=0, total=0)
    model, tokenizer, models = load_models(keys)
    sink.emit("phase", name="load", message=Text("Loading {keys}", keys=', '.join(keys)), current=1, total=1)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    url = url_of(host, port)
    engine = Engine(model, tokenizer)

    def listening() -> None:
        sink.emit("listening", url=url, host=host, port=port, models=list(models), memory_bytes=memory_bytes(),
                  **({"api_key": api_key} if show_key else {}))

    server = uvicorn.Server(uvicorn.Config(build_app(engine, models, api_key=api_key, on_startup=listening),
                                           log_level="warning", log_config=None, access_log=False,
                                           timeout_graceful_shutdown=3))
    def watch() -> None:  # `stop` set by a caller (a stop file, a test) ends the server as a signal would
        while not server.should_exit:
            if stop.is_set():
                server.should_exit = True
            time.sleep(0.2)

    threading.Thread(target=watch, name="serving-stop", daemon=True).start()
    try:
        if not stop.is_set():
            server.run(sockets=[sock])
    finally:
        server.should_exit = True
        engine.close()
        sock.close()
    return {"url": url, "models": list(models), "requests": engine.answered, "batches": engine.batches}
