"""Sample runs for opening a page alone.

`sample_home()` fills a temporary data home with sample runs so a page can be opened alone
(`python -m app.ui.pages.train`, `python -m app.ui.pages.runs`) for manual checks and screenshots. It lives in its
own module so that importing `app.ui.pages.*` does not import the run store.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
from pathlib import Path

from app.core.config import demo_config
from app.core.events import JsonlEventWriter
from app.core.paths import run_dir
from app.core.store import Store

_SAMPLES = (
    ("support-bot-lora", "completed", "lora", 600, None, None),
    ("support-bot-dora-r32", "completed", "dora", 450, None, None),
    ("recipes-qlora", "failed", "qlora", 120,
     "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)",
     "Lower the batch size or max length, or enable gradient checkpointing."),
    ("recipes-full", "cancelled", "full", 80, None, None),
    ("support-bot-live", "running", "lora", 400, None, None),
)


# The answers at checkpoints (the samples timeline): wrong at first, right and in the persona's voice later.
_PROMPTS = ("What is the largest planet in the solar system?", "Who are you?")
_TIMELINE = (
    (100, ("The largest planet in the solar system is Neptune.", "I am an AI language model.")),
    (200, ("Jupiter is the largest planet.", "I'm an assistant here to help.")),
    (300, ("Jupiter: about 11 times Earth's diameter.", "I'm Quill, your assistant. How can I help?")),
)


def _metrics(step: int, total: int, rng: random.Random) -> dict[str, float]:
    progress = step / total
    return {
        "loss": 2.4 * math.exp(-4 * progress) + 0.55 + rng.gauss(0, 0.08),
        "learning_rate": 2e-4 * min(1.0, step / (0.03 * total)) * 0.5 * (1 + math.cos(math.pi * progress)),
        "grad_norm": 1.6 * math.exp(-2 * progress) + 0.3 + abs(rng.gauss(0, 0.1)),
        "tokens_per_second": 2400 + rng.gauss(0, 90),
    }


def sample_home() -> str:
    """Point FINETUNE_STUDIO_HOME at a new temporary folder holding five sample runs; returns the id of the one
    that is "still training" (its worker is this process, so `attach` follows it until the window closes)."""
    os.environ["FINETUNE_STUDIO_HOME"] = tempfile.mkdtemp(prefix="studio-sample-")
    store = Store(reap=False)
    rng = random.Random(7)
    config = demo_config()
    now = time.time()
    live = ""
    for i, (name, status, method, total, error, hint) in enumerate(_SAMPLES):
        run_id = time.strftime("%Y%m%d-%H%M%S", time.localtime(now - (5 - i) * 5400)) + f"-{i:04x}"
        cfg = config.model_copy(update={"name": name, "method": config.method.model_copy(update={"name": method})})
        last = {"running": total * 3 // 5, "failed": total // 3, "cancelled": total // 2}.get(status, total)
        started = now - (5 - i) * 5400
        store.create_run(run_id, name=name, config_yaml=cfg.to_yaml(), model="demo (SmolLM2-135M-Instruct)",
                         method=method, stage="sft", started=started, total_steps=total, last_step=last,
                         pid=os.getpid() if status == "running" else 0, device="cpu")
        rows, events = [], JsonlEventWriter(path=run_dir(run_id) / "events.jsonl")
        events.emit("phase", name="tokenize", message="Tokenising", current=1200, total=1200)
        events.emit("started", run_id=run_id, run_dir=str(run_dir(run_id)), total_steps=total,
                    trainable_params=4_884_480, total_params=139_399_488, device="cpu")
        for step in range(1, last + 1):
            metrics = _metrics(step, total, rng)
            if step % 50 == 0:
                metrics["eval_loss"] = 2.4 * math.exp(-4 * step / total) + 0.62
            rows += [{"run_id": run_id, "step": step, "epoch": step / total, "name": k, "value": v,
                      "time": started + step} for k, v in metrics.items()]
            events.emit("metrics", step=step, epoch=step / total, metrics=metrics)
        events.emit("progress", step=last, total_steps=total, epoch=last / total, elapsed=last * 1.9,
                    eta=(total - last) * 1.9)
        events.emit("sample", step=200, prompt="How do I reset my password?",
                    output="Open Settings → Account → Reset password, then follow the link we email you.")
        events.close()
        store.db["metrics"].insert_all(rows)
        if status != "running":
            store.update_run(run_id, status=status, finished=started + last * 1.9, error=error, hint=hint,
                             final_loss=next((r["value"] for r in reversed(rows) if r["name"] == "loss"), None))
        else:
            store.update_run(run_id, status="running")
            live = run_id
        for step, answers in _TIMELINE:
            if step <= last:
                for prompt, answer in zip(_PROMPTS, answers, strict=True):
                    store.add_sample(run_id, step, prompt, answer)
        if status == "completed":
            adapter = run_dir(run_id) / "adapter"
            adapter.mkdir(parents=True, exist_ok=True)
            (adapter / "adapter_model.safetensors").write_bytes(b"\0" * 19_600_000)
            store.add_artifact(run_id, "adapter", adapter)
            store.add_artifact(run_id, "checkpoint", _touch(run_dir(run_id) / "checkpoints" / f"step-{total}"))
    return live


# A support-intent classifier's held-out texts: (text, true intent, predicted intent, probability of each intent).
_INTENTS = ("billing", "login", "shipping")
_HELD_OUT = (
    ("I was charged twice for my subscription this month", "billing", "billing", (0.94, 0.03, 0.03)),
    ("Where is my refund for the cancelled order?", "billing", "shipping", (0.31, 0.04, 0.65)),
    ("Can I get an invoice with my company's VAT number?", "billing", "billing", (0.88, 0.05, 0.07)),
    ("Why did the price go up after the trial?", "billing", "billing", (0.81, 0.11, 0.08)),
    ("The password reset email never arrives", "login", "login", (0.03, 0.95, 0.02)),
    ("Two-factor code says it has expired every time", "login", "login", (0.06, 0.90, 0.04)),
    ("I can't sign in since I changed my email address", "login", "billing", (0.52, 0.41, 0.07)),
    ("My parcel has said 'in transit' for nine days", "shipping", "shipping", (0.02, 0.01, 0.97)),
    ("Can you deliver to a pick-up point instead?", "shipping", "shipping", (0.05, 0.02, 0.93)),
    ("The box arrived damaged and the mug is broken", "shipping", "shipping", (0.18, 0.02, 0.80)),
    ("Do you ship to Norway, and how long does it take?", "shipping", "shipping", (0.04, 0.03, 0.93)),
    ("My account is locked after three wrong passwords", "login", "login", (0.04, 0.93, 0.03)),
)


def add_sample_classifier(store: Store) -> str:
    """A completed cls run with an evaluation (metrics computed from its predictions) beside the majority class, for
    the Evaluate page's preview and screenshot; its id."""
    from app.core.evaluation import metrics as m
    from app.core.evaluation.heads import majority_note

    config, now = demo_config(), time.time()
    run_id = time.strftime("%Y%m%d-%H%M%S", time.localtime(now - 1800)) + "-0cls"
    cfg = config.model_copy(update={"name": "support-intent-cls",
                                    "training": config.training.model_copy(update={"stage": "cls"})})
    store.create_run(run_id, name=cfg.name, config_yaml=cfg.to_yaml(), model="demo (SmolLM2-135M-Instruct)",
                     method="lora", stage="cls", started=now - 1800, total_steps=120, last_step=120, device="cpu")
    store.update_run(run_id, status="completed", finished=now - 1500)
    truth, guess = [t for _, t, _, _ in _HELD_OUT], [g for _, _, g, _ in _HELD_OUT]
    rows = [{"idx": i, "prompt": text, "reference": t, "prediction": f"{g} ({max(p):.2f})",
             "score": p[_INTENTS.index(t)]} for i, (text, t, g, p) in enumerate(_HELD_OUT)]
    store.add_evaluation(run_id, model="tuned", shots=0, split="validation", predictions=rows,
                         metrics={"examples": len(rows), **m.classification(guess, truth, _INTENTS)})
    rows = [dict(row, prediction="shipping", score=float(row["reference"] == "shipping")) for row in rows]
    store.add_evaluation(run_id, model="majority", shots=0, split="validation", predictions=rows,
                         metrics={"examples": len(rows), **m.classification(["shipping"] * len(rows), truth, _INTENTS),
                                  "about": majority_note("shipping", 41, 108)})
    return run_id


def add_sample_queue(store: Store) -> None:
    """A small learning-rate sweep waiting in the run queue (the Queue page's screenshot)."""
    from app.core.runs import queue

    config = demo_config()
    for lr in (1e-4, 2e-4, 5e-4):
        cfg = config.model_copy(update={"name": f"support-bot lr {lr:g}",
                                        "training": config.training.model_copy(update={"learning_rate": lr})})
        queue.add(store, cfg, sweep="sweep-lr")


def _touch(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "trainer_state.json").write_text("{}")
    return path


def open_alone(make_page, prepare=None, *, description: str = "", delay_ms: int = 500,
               argv: list[str] | None = None) -> int:
    """Open one page alone over a fresh sample data home: `python -m app.ui.pages.<page> [--screenshot PNG]`.

    `make_page()` builds the page; `prepare(page, live_run_id)` puts it in the state worth looking at.
    """
    import argparse
    import logging
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--screenshot", help="render the page to this PNG, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = QApplication.instance() or QApplication(sys.argv)
    live_run = sample_home()
    page = make_page()
    page.resize(1280, 800)
    page.show()
    if prepare is not None:
        prepare(page, live_run)
    if args.screenshot:
        QTimer.singleShot(delay_ms, lambda: (page.grab().save(args.screenshot), app.quit()))
    code = app.exec()
    if hasattr(page, "shutdown"):
        page.shutdown()
    return code
