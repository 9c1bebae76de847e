"""Our engine against the plain stack on the same work: `python -m bench.train_throughput [--steps N]`.

(a) our engine with its defaults, (b) a minimal transformers `Trainer` + PEFT LoRA script with dynamic padding,
(c) TRL's `SFTTrainer` with its defaults, all three in one precision: what `--precision` (default auto) resolves to
on this machine, as our engine resolves it (bf16 on a CPU with AVX512-BF16, fp32 on other CPUs), so a ratio never
compares bf16 with fp32. Same model, data, seed and LoRA settings (r16, alpha 32,
all-linear, batch 8, lr 2e-4); each run in its own process, interleaved over `--rounds`. Model: the demo model's
architecture and weights cut to its first `--layers` decoder layers (stated in the output). Data: the first 64
alpaca rows of the in-repo samples (tests/data/llamafactory; skewed lengths), or `--data FILE`.

Prints per run: non-padding tokens/s, padding share, peak RSS, seconds from process start to the first optimizer
step, the loss at each step; then the ratios (a)/(b) and (a)/(c). Tokens per CPU-second (the process's CPU time over
the same steps) is printed beside tokens/s: on a machine shared with other work the wall-clock figure moves with
the load (printed too), the CPU-time one much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import SAMPLES

DEFAULT_DATA = SAMPLES / "alpaca_en_demo.json"
LORA = {"r": 16, "alpha": 32}


def _rows(path: Path, n: int) -> list[list[dict]]:
    from app.core.data import detect_format, read_rows, to_messages

    data = [r.data for r in read_rows(path) if r.data][:n]
    fmt = detect_format(data).format
    return [to_messages(d, fmt) for d in data]


def _timing(started: float):
    """A TrainerCallback recording when each optimizer step ended, the tokens seen by then, and the losses."""
    from transformers import TrainerCallback

    class Timing(TrainerCallback):
        def __init__(self):
            self.marks: list[tuple[float, int]] = []
            self.losses: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            self.marks.append((time.time() - started, state.num_input_tokens_seen, time.process_time()))

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.losses.append(float(logs["loss"]))

    return Timing()


class _PadCounter:
    """Wraps a collator and counts real and padded token slots of every batch it builds."""

    def __init__(self, collate):
        self.collate, self.real, self.slots = collate, 0, 0

    def __call__(self, features):
        batch = self.collate(features)
        mask = batch.get("attention_mask")
        self.slots += batch["input_ids"].numel()
        self.real += int(mask.sum()) if mask is not None else batch["input_ids"].numel()
        return batch


def _result(timing, pads, started: float) -> dict:
    marks = timing.marks
    (t1, k1, c1), (tn, kn, cn) = marks[0], marks[-1]
    return {"first_step_s": t1, "tokens_per_second": (kn - k1) / (tn - t1),
            "tokens_per_cpu_second": (kn - k1) / (cn - c1), "losses": timing.losses,
            "padding_share": (1 - pads.real / pads.slots) if pads and pads.slots else 0.0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def ours_config(model_dir: str, data: Path, steps: int, **training):
    """Our engine's run config for the benchmark's work; `training` overrides fields of its training section."""
    from app.core.config import parse_config

    return parse_config({
        "model": {"source": model_dir}, "data": {"train": str(data), "validation_split": 0.0, "max_samples": 64},
        "method": {"name": "lora", "rank": LORA["r"], "alpha": LORA["alpha"], "dropout": 0.0},
        "training": {"max_steps": steps, "batch_size": 8, "max_length": 256, "save_steps": 10_000,
                     "warmup_ratio": 0.0, "lr_scheduler": "constant", **training},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False},
    })


def _half(precision: str) -> dict:
    """TrainingArguments' mixed-precision switches for a resolved precision."""
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


def run_ours(model_dir: str, data: Path, steps: int, started: float, precision: str = "auto", **training) -> dict:
    from app.core.events import ListSink
    from app.core.training import engine

    class Clocked(ListSink):
        """Notes the process's CPU time at every logged step (the engine logs every step in this config)."""

        def __init__(self):
            super().__init__()
            self.clock: list[tuple[float, float]] = []

        def emit(self, event, **fields):
            if event == "metrics" and "loss" in fields["metrics"]:
                self.clock.append((time.time(), time.process_time()))
            super().emit(event, **fields)

    config = ours_config(model_dir, data, steps, precision=precision, **training)
    sink = Clocked()
    result = engine.run(config, sink)
    assert result.status == "completed", result.error
    progress = sink.of("progress")
    steps_logged = [e["metrics"] for e in sink.of("metrics") if "loss" in e["metrics"]]
    losses = [m["loss"] for m in steps_logged]
    tps = [m["tokens_per_second"] for m in steps_logged if m.get("tokens_per_second")]
    # tokens of each step after the first: its tokens/s times the wall time since the previous logged step
    tokens = sum(m.get("tokens_per_second", 0.0) * (w1 - w0)
                 for m, (w0, _), (w1, _) in zip(steps_logged[1:], sink.clock, sink.clock[1:], strict=False))
    cpu = sink.clock[-1][1] - sink.clock[0][1]
    wall = sink.clock[-1][0] - sink.clock[0][0]
    first = progress[0]["time"] - started
    # as for (b) and (c): the tokens of steps 2..N over their wall time (not a median of per-step rates)
    return {"first_step_s": first, "tokens_per_second": tokens / wall if wall > 0 else statistics.median(tps),
            "tokens_per_cpu_second": tokens / cpu if cpu > 0 else 0.0, "losses": losses,
            "padding_share": 0.0, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _tokenised(model_dir: str, data: Path):
    from datasets import Dataset
    from transformers import AutoTokenizer

    from app.core.data import encode_conversation

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    rows = [encode_conversation(tokenizer, m, 256) for m in _rows(data, 64)]
    return tokenizer, Dataset.from_list([{"input_ids": e.input_ids, "labels": e.labels,
                                          "attention_mask": [1] * len(e.input_ids)} for e in rows])


def run_plain(model_dir: str, data: Path, steps: int, started: float, precision: str) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, DataCollatorForSeq2Seq, Trainer, TrainingArguments

    tokenizer, dataset = _tokenised(model_dir, data)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=LORA["r"], lora_alpha=LORA["alpha"], lora_dropout=0.0,
                                             target_modules="all-linear", task_type="CAUSAL_LM"))
    pads = _PadCounter(DataCollatorForSeq2Seq(tokenizer, padding=True))
    timing = _timing(started)
    args = TrainingArguments(output_dir=tempfile.mkdtemp(), max_steps=steps, per_device_train_batch_size=8,
                             learning_rate=2e-4, lr_scheduler_type="constant", logging_steps=1, save_strategy="no",
                             report_to="none", use_cpu=not torch.cuda.is_available(), seed=42, disable_tqdm=True,
                             include_num_input_tokens_seen="non_padding", **_half(precision))
    Trainer(model=model, args=args, train_dataset=dataset, data_collator=pads, callbacks=[timing]).train()
    return _result(timing, pads, started)


def run_trl(model_dir: str, data: Path, steps: int, started: float, precision: str) -> dict:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    dataset = Dataset.from_list([{"messages": m} for m in _rows(data, 64)])
    timing = _timing(started)
    # TRL's defaults, but for the precision: SFTConfig turns bf16 autocast on by default, which on a CPU without bf16
    # instructions makes every step many times slower; that would measure the CPU, not TRL.
    args = SFTConfig(output_dir=tempfile.mkdtemp(), max_steps=steps, per_device_train_batch_size=8,
                     learning_rate=2e-4, lr_scheduler_type="constant", logging_steps=1, save_strategy="no",
                     report_to="none", use_cpu=not torch.cuda.is_available(), seed=42, disable_tqdm=True,
                     max_length=256, include_num_input_tokens_seen="non_padding",
                     **_half(precision))
    trainer = SFTTrainer(model=model_dir, args=args, train_dataset=dataset, processing_class=tokenizer,
                         peft_config=LoraConfig(r=LORA["r"], lora_alpha=LORA["alpha"], lora_dropout=0.0,
                                                target_modules="all-linear", task_type="CAUSAL_LM"),
                         callbacks=[timing])
    pads = _PadCounter(trainer.data_collator)
    trainer.data_collator = pads
    trainer.train()
    return _result(timing, pads, started)


VARIANTS = {"a": ("ours (defaults)", run_ours), "b": ("Trainer + PEFT, dynamic padding", run_plain),
            "c": ("TRL SFTTrainer defaults", run_trl)}


def truncated_demo(layers: int) -> str:
    """The demo model cut to its first `layers` decoder layers, saved once into the model cache."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.models import demo_model_dir
    from app.core.paths import models_cache

    out = models_cache() / f"bench-smollm2-{layers}-layers"
    if not (out / "config.json").exists():
        source = demo_model_dir()
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32, num_hidden_layers=layers)
        model.save_pretrained(out)
        AutoTokenizer.from_pretrained(source).save_pretrained(out)
    return str(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--precision", choices=("auto", "bf16", "fp16", "fp32"), default="auto",
                        help="the one precision all three run in (auto: as our engine resolves it here)")
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="bench-home-"))
        result = VARIANTS[args.child][1](args.model, args.data, args.steps, args.started, args.precision)
        print("RESULT " + json.dumps(result))
        return
    from app.core.hardware import detect_device, resolve_precision

    precision = resolve_precision(args.precision, detect_device())
    model = truncated_demo(args.layers)
    load_before = os.getloadavg()[0]
    results: dict[str, list[dict]] = {k: [] for k in VARIANTS}
    for _ in range(args.rounds):
        for key in VARIANTS:
            cmd = [sys.executable, "-m", "bench.train_throughput", "--child", key, "--model", model, "--steps",
                   str(args.steps), "--data", str(args.data), "--started", str(time.time()), "--precision", precision]
            env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if line is None:
                sys.exit(f"variant {key} failed:\n{out.stderr[-3000:]}")
            results[key].append(json.loads(line[7:]))
    print(f"model: SmolLM2-135M-Instruct cut to {args.layers} of 30 layers; data: first 64 rows of {args.data.name}, "
          f"max_length 256; LoRA r16 all-linear, batch 8, {args.steps} steps, {args.rounds} round(s), all in "
          f"{precision}; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)")
    med = {}
    for key, (name, _) in VARIANTS.items():
        runs = results[key]
        med[key] = {m: statistics.median(r[m] for r in runs)
                    for m in ("tokens_per_second", "tokens_per_cpu_second", "padding_share", "peak_rss_mb",
                              "first_step_s")}
        losses = " ".join(f"{v:.3f}" for v in runs[0]["losses"])
        print(f"({key}) {name:40} {med[key]['tokens_per_second']:8.1f} tok/s  "
              f"{med[key]['tokens_per_cpu_second']:8.1f} tok/CPU-s  padding {med[key]['padding_share']:5.1%}"
              f"  peak RSS {med[key]['peak_rss_mb']:7.0f} MB  first step {med[key]['first_step_s']:5.1f} s"
              f"\n     loss: {losses}")
    for other in ("b", "c"):
        print(f"(a)/({other}): tokens/s {med['a']['tokens_per_second'] / med[other]['tokens_per_second']:.2f}x, "
              f"tokens/CPU-s {med['a']['tokens_per_cpu_second'] / med[other]['tokens_per_cpu_second']:.2f}x, "
              f"peak RSS {med['a']['peak_rss_mb'] / med[other]['peak_rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
