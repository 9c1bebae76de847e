"""`finetune-studio chat MODEL --events jsonl`: one loaded model answers several prompts read as JSON lines on stdin."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core.events import ListSink, encode
from app.core.paths import PROJECT_ROOT


def test_jsonl_protocol_answers_two_prompts(tiny_model_dir):
    requests = [
        {"messages": [{"role": "user", "content": "Say apple"}], "max_tokens": 4},
        {"messages": [{"role": "user", "content": "Say pear"}], "max_tokens": 3, "temperature": 0.8, "top_p": 0.9},
    ]
    proc = subprocess.run([sys.executable, "-m", "app", "chat", str(tiny_model_dir), "--events", "jsonl"],
                          input="".join(json.dumps(r) + "\n" for r in requests), capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]  # every stdout line is JSON
    kinds = [e["event"] for e in events]
    assert kinds[0] == "loaded" and events[0]["model"] == str(tiny_model_dir)
    assert events[0]["memory_bytes"] > 10_000_000
    assert all(e["time"] > 0 for e in events), "the envelope of every worker"
    assert kinds.count("done") == 2 and kinds[-2:] == ["done", "finished"] and "error" not in kinds
    assert events[-1]["status"] == "completed"
    first_done = kinds.index("done")
    assert "token" in kinds[1:first_done] and "token" in kinds[first_done + 1:]
    for done, limit in zip([e for e in events if e["event"] == "done"], (4, 3), strict=True):
        assert 0 < done["tokens"] <= limit and done["seconds"] > 0 and done["tokens_per_second"] > 0
        assert done["stopped"] is False


def _adapter_run(store, run_id, base, seed, method="lora", stage="sft"):
    """A run in the store whose adapter folder holds a random (non-zero) LoRA on `base`."""
    import torch
    import yaml
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from app.core.paths import run_dir

    torch.manual_seed(seed)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                           LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    model.save_pretrained(run_dir(run_id) / "adapter")
    data_format = {"rm": "preference", "cls": "classification"}.get(stage, "auto")
    config = {"model": {"source": str(base)}, "data": {"train": "x.jsonl", "format": data_format},
              "method": {"name": method}, "training": {"stage": stage}}
    store.create_run(run_id, name=run_id, config_yaml=yaml.safe_dump(config), model=str(base), method=method,
                     stage=stage)
    return run_dir(run_id) / "adapter"


def test_several_adapters_share_one_base_and_answer_like_each_run_alone(tiny_model_dir, capsys):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from app.core.chat.load import load_adapters_for_chat
    from app.core.store import Store

    store = Store()
    folders = [_adapter_run(store, f"multi-{i}", tiny_model_dir, seed=i) for i in range(2)]
    model, tokenizer, names = load_adapters_for_chat(["multi-0", "multi-1"])
    assert list(names) == ["multi-0", "multi-1"]
    ids = tokenizer("Say apple", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        logits = {}
        for key, name in names.items():
            model.set_adapter(name)
            logits[key] = model(ids).logits
        with model.disable_adapter():
            logits["base"] = model(ids).logits
        alone = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), folders[1])
        assert torch.allclose(logits["multi-1"], alone(ids).logits, atol=1e-5)  # the same as that run alone
        base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)(ids).logits
    assert torch.allclose(logits["base"], base, atol=1e-5)
    assert (logits["multi-0"] - logits["multi-1"]).abs().max() > 1e-3
    assert (logits["multi-0"] - logits["base"]).abs().max() > 1e-3

    from app.cli import main

    capsys.readouterr()
    assert main(["chat", "multi-0", "--with", "multi-1", "--compare-base", "--prompt", "Say apple",
                 "--max-tokens", "3", "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    assert list(answers) == ["multi-0", "multi-1", "base"]


def test_several_runs_need_adapters_on_one_base(tiny_model_dir, tmp_path):
    import pytest

    from app.core.chat.load import load_adapters_for_chat
    from app.core.errors import ModelError
    from app.core.store import Store

    store = Store()
    _adapter_run(store, "base-a", tiny_model_dir, seed=0)
    other = tmp_path / "other-base"
    import shutil

    shutil.copytree(tiny_model_dir, other)
    _adapter_run(store, "base-b", other, seed=1)
    with pytest.raises(ModelError, match="different base models"):
        load_adapters_for_chat(["base-a", "base-b"])
    with pytest.raises(ModelError, match="not a run with an adapter"):
        load_adapters_for_chat(["base-a", str(tiny_model_dir)])


class _Session:
    """serve_jsonl(keys) in a thread, fed line by line through a pipe; its events collected from its output."""

    def __init__(self, keys: list[str]):
        import os
        import queue
        import threading

        from app.core.chat.serve import serve_jsonl

        read, write = os.pipe()
        self.requests = os.fdopen(write, "w", buffering=1)
        self.events: queue.Queue = queue.Queue()
        session = self

        class _Out:
            def emit(self, event: str, **fields) -> None:
                session.events.put(json.loads(encode(event, **fields)))

        self.thread = threading.Thread(target=serve_jsonl, args=(keys, os.fdopen(read), _Out()), daemon=True)
        self.thread.start()

    def send(self, **request) -> None:
        self.requests.write(json.dumps(request) + "\n")

    def until(self, kind: str, count: int) -> list[dict]:
        """Events up to the `count`-th of `kind`."""
        events: list[dict] = []
        while sum(e["event"] == kind for e in events) < count:
            events.append(self.events.get(timeout=120))
        return events

    def close(self) -> None:
        self.requests.close()
        self.thread.join(timeout=60)


def _texts(events: list[dict]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for e in events:
        if e["event"] == "token":
            texts[e["model"]] = texts.get(e["model"], "") + e["text"]
    return texts


def _alone(key: str, messages: list[dict]) -> str:
    from app.core.chat.generate import stream_reply
    from app.core.chat.load import load_for_chat

    model, tokenizer = load_for_chat(key)
    return "".join(stream_reply(model, tokenizer, messages, max_new_tokens=8))


@pytest.mark.parametrize("pair", ["adapter+base", "two adapters"])
def test_one_process_answers_two_keys_at_once_as_each_alone(tiny_model_dir, pair):
    from app.core.store import Store

    store = Store()
    runs = [f"{pair[:3]}-{i}" for i in range(2)]
    for i, run in enumerate(runs):
        _adapter_run(store, run, tiny_model_dir, seed=10 + i)
    keys = [runs[0], str(tiny_model_dir)] if pair == "adapter+base" else runs
    question = [{"role": "user", "content": "Say apple"}]
    session = _Session(keys)
    loaded = session.until("loaded", 2)
    assert [e["model"] for e in loaded] == keys and loaded[0]["shared"] == keys
    for key in keys:
        session.send(model=key, messages=question, max_tokens=8, temperature=0)
    events = session.until("done", 2)
    texts = _texts(events)
    first_done = next(i for i, e in enumerate(events) if e["event"] == "done")
    assert {e["model"] for e in events[:first_done] if e["event"] == "token"} == set(keys)  # both streamed at once
    assert all(e["tokens"] == 8 and not e["stopped"] for e in events if e["event"] == "done")
    for key in keys:
        assert texts[key] == _alone(key, question), key
    assert texts[keys[0]] != texts[keys[1]]

    session.send(unload=keys[0])  # the other key answers on, as it would alone
    assert session.until("unloaded", 1)[-1]["model"] == keys[0]
    session.send(model=keys[1], messages=question, max_tokens=8, temperature=0)
    assert _texts(session.until("done", 1))[keys[1]] == texts[keys[1]]
    session.send(unload=keys[1])  # no key left: the process ends
    session.until("unloaded", 1)
    session.thread.join(timeout=60)
    assert not session.thread.is_alive()


@pytest.mark.parametrize("stage", ["rm", "cls"])
def test_chat_with_a_scoring_head_run_says_to_evaluate_it(tiny_model_dir, capsys, stage):
    import io

    from app.cli import main
    from app.core.chat.serve import serve_jsonl
    from app.core.store import Store

    run = f"head-{stage}"
    _adapter_run(Store(), run, tiny_model_dir, seed=0, stage=stage)
    for extra in ([], ["--compare-base"], ["--with", run + "-other"]):
        capsys.readouterr()
        assert main(["chat", run, "--prompt", "Hi", *extra]) == 2
        err = capsys.readouterr().err
        assert "does not generate text" in err and f"finetune-studio eval {run}" in err and "Traceback" not in err
    out = ListSink()  # the Chat page's process: an error event and the end, no traceback
    assert serve_jsonl([run], io.StringIO(""), out) == 2
    event, finished = out.events
    assert event["event"] == "error" and event["model"] == run and "Evaluate page" in event["hint"]
    assert finished["event"] == "finished" and finished["status"] == "rejected" and finished["hint"] == event["hint"]
