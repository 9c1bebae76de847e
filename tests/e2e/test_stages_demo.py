"""Stages on the real demo model (SmolLM2-135M-Instruct), a few steps each: DPO widens the chosen-minus-rejected
log-probability margin on its pairs; a classifier beats the majority baseline on held-out texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.store import Store
from app.core.training import engine

pytestmark = pytest.mark.e2e

PAIRS = [
    ("Which is the largest planet in the solar system?", "Jupiter.", "Neptune."),
    ("What colour is the sky on a clear day?", "Blue.", "Green."),
    ("How many legs does a spider have?", "Eight.", "Six."),
    ("What is the capital of France?", "Paris.", "Lyon."),
]


def run(tmp_path: Path, name: str, rows: list[dict], stage: str, steps: int, lr: float, **extra) -> tuple:
    data = tmp_path / f"{name}.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = {"name": name, "model": {"source": "demo"}, "data": {"train": str(data), "validation_split": 0.0},
           "method": {"name": "lora", "rank": 8, "alpha": 16},
           "training": {"stage": stage, "max_steps": steps, "batch_size": 4, "max_length": 128,
                        "learning_rate": lr, "warmup_ratio": 0.0, "lr_scheduler": "constant", "save_steps": 100},
           "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True, "dtype": "fp32"}}
    for section, values in extra.items():
        cfg[section] = {**cfg.get(section, {}), **values}
    sink = ListSink()
    result = engine.run(parse_config(cfg), sink, StopFlag())
    assert result.status == "completed", result.error
    return result, sink


def margins(model, tokenizer) -> list[float]:
    """log p(chosen | prompt) - log p(rejected | prompt) per pair, with the chat template."""
    import torch

    out = []
    for question, chosen, rejected in PAIRS:
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                               add_generation_prompt=True)
        n = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
        scores = []
        for answer in (chosen, rejected):
            ids = tokenizer(prompt + answer + "<|im_end|>", add_special_tokens=False, return_tensors="pt")["input_ids"]
            with torch.no_grad():
                logp = model(input_ids=ids).logits[0, :-1].float().log_softmax(-1)
            scores.append(float(logp[torch.arange(n - 1, ids.shape[1] - 1), ids[0, n:]].sum()))
        out.append(scores[0] - scores[1])
    return out


def test_dpo_widens_the_chosen_minus_rejected_margin(tmp_path, demo_model_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    rows = [{"prompt": q, "chosen": c, "rejected": r} for q, c, r in PAIRS]
    result, sink = run(tmp_path, "e2e-dpo", rows, "dpo", steps=6, lr=2e-3)
    assert any(e["metrics"].get("rewards/margins", 0) > 0 for e in sink.of("metrics"))
    tokenizer = AutoTokenizer.from_pretrained(demo_model_dir)
    base = AutoModelForCausalLM.from_pretrained(demo_model_dir, dtype=torch.float32).eval()
    before = margins(base, tokenizer)
    tuned = PeftModel.from_pretrained(base, Path(Store().get_run(result.run_id)["run_dir"]) / "adapter").eval()
    after = margins(tuned, tokenizer)
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    assert sum(after) / len(after) > sum(before) / len(before) + 2.0, (before, after)


def test_classifier_beats_the_majority_baseline(tmp_path):
    likes = ["this film", "the soup", "my new phone", "the concert", "this book", "the hotel", "our trip",
             "the game", "that song", "the garden", "the coffee", "the lesson"]
    rows = [{"text": f"I really loved {x}, it was wonderful.", "label": "positive"} for x in likes] + \
           [{"text": f"I really hated {x}, it was awful.", "label": "negative"} for x in likes]
    rows += [{"text": f"Honestly, {x} was fine and wonderful.", "label": "positive"} for x in likes[:4]]
    result, sink = run(tmp_path, "e2e-cls", rows, "cls", steps=12, lr=1e-3,
                       data={"validation_split": 0.25})
    baseline = sink.of("started")[0]["dataset"]["majority_baseline"]
    accuracy = [e["metrics"]["eval_accuracy"] for e in sink.of("metrics") if "eval_accuracy" in e["metrics"]]
    assert accuracy and accuracy[-1] > baseline + 0.2, (accuracy, baseline)
    assert Store().metric_series(result.run_id)["eval_f1"][-1][1] > 0.7
