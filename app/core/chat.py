"""Chat with a model or a run: load it (merged export, or adapter on its base) and stream replies token by token."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import ModelError, RunNotFound

log = logging.getLogger(__name__)


def resolve_chat_target(key: str) -> tuple[str, Path | None]:
    """(model source, adapter folder or None) for a run id/name or a model source."""
    import yaml

    from .config import parse_config
    from .engine import last_checkpoint
    from .methods import METHODS
    from .paths import run_dir
    from .store import Store

    try:
        run = Store().get_run(key)
    except RunNotFound:
        return key, None
    folder = run_dir(run["id"])
    if (folder / "merged" / "config.json").exists():
        return str(folder / "merged"), None
    config = parse_config(yaml.safe_load(run["config"]))
    if not METHODS[config.method.name].uses_adapter:
        ckpt = last_checkpoint(folder)
        if ckpt is None:
            raise ModelError(f"Run {run['id']} has no saved model yet.", "Wait for its first checkpoint.")
        return str(ckpt), None
    adapter = folder / "adapter" if (folder / "adapter" / "adapter_config.json").exists() else last_checkpoint(folder)
    if adapter is None:
        raise ModelError(f"Run {run['id']} has no adapter yet.", "Wait for its first checkpoint.")
    return config.model.source, adapter


def load_for_chat(key: str, progress: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) ready for generation."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .data import ensure_chat_template
    from .models import model_dir

    source, adapter = resolve_chat_target(key)
    folder = model_dir(source, progress=progress) if not Path(source).is_dir() else Path(source)
    tokenizer = AutoTokenizer.from_pretrained(adapter or folder)
    ensure_chat_template(tokenizer)
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype,
                                                 device_map="auto" if torch.cuda.is_available() else None)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter)
    model.eval()
    return model, tokenizer


def stream_reply(model: Any, tokenizer: Any, messages: list[dict], *, max_new_tokens: int = 256,
                 temperature: float = 0.0, top_p: float = 1.0) -> Iterator[str]:
    """Yield the reply's text piece by piece as it is generated."""
    from transformers import TextIteratorStreamer

    enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True).to(model.device)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    kwargs = {**enc, "max_new_tokens": max_new_tokens, "streamer": streamer, "use_cache": True,
              "pad_token_id": tokenizer.pad_token_id}
    if temperature > 0:
        kwargs.update(do_sample=True, temperature=temperature, top_p=top_p)
    else:
        kwargs.update(do_sample=False)
    thread = threading.Thread(target=model.generate, kwargs=kwargs, daemon=True)
    thread.start()
    yield from streamer
    thread.join()
