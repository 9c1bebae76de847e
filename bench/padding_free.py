"""How much padding padding-free batches remove, and what it buys: `python -m bench.padding_free`.

Trains the demo model on the bundled sample data for a few steps twice in this process — padded batches, then
padding-free — with the same seed and order, and prints the padding share of padded batches, non-pad tokens/s,
seconds per step, the ratio, and the step-1 loss of both (they must agree: padding-free is exact).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from app.core.config import demo_config
from app.core.events import ListSink
from app.core.training import engine


def padding_share(lengths: list[int], batch_size: int) -> float:
    padded = real = 0
    for i in range(0, len(lengths), batch_size):
        batch = lengths[i:i + batch_size]
        padded += max(batch) * len(batch)
        real += sum(batch)
    return 1 - real / padded


def one_run(padding_free: bool, steps: int) -> dict:
    config = demo_config()
    config.training.max_steps = steps
    config.training.padding_free = padding_free
    config.training.save_steps = 10_000
    config.evaluation.sample_prompts = []
    config.export.merged = config.export.adapter = False
    config.data.validation_split = 0.0
    sink = ListSink()
    started = time.perf_counter()
    result = engine.run(config, sink)
    assert result.status == "completed", result.error
    progress = sink.of("progress")
    metrics = [e["metrics"] for e in sink.of("metrics") if "loss" in e["metrics"]]
    step_times = [b["elapsed"] - a["elapsed"] for a, b in zip(progress, progress[1:], strict=False)]
    tps = [m["tokens_per_second"] for m in metrics[1:] if m.get("tokens_per_second")]
    return {"first_loss": metrics[0]["loss"], "s_per_step": sum(step_times) / len(step_times),
            "tokens_per_second": sum(tps) / len(tps), "wall": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="bench-home-"))

    from app.core.data import encode_conversation, read_rows, to_messages
    from app.core.models import load_tokenizer

    config = demo_config()
    tokenizer = load_tokenizer("demo")
    lengths = [len(encode_conversation(tokenizer, to_messages(r.data, "messages"), 512).input_ids)
               for r in read_rows(config.data.train) if r.data]
    share = padding_share(lengths, config.training.batch_size)
    padded, free = one_run(False, args.steps), one_run(True, args.steps)
    print(f"sample data: {len(lengths)} examples, {min(lengths)}-{max(lengths)} tokens; "
          f"padding share of padded batches of {config.training.batch_size}: {share:.1%} (file order)")
    print(f"{'':14}{'s/step':>8}{'non-pad tok/s':>15}{'step-1 loss':>13}")
    for name, r in (("padded", padded), ("padding-free", free)):
        print(f"{name:14}{r['s_per_step']:8.2f}{r['tokens_per_second']:15.1f}{r['first_loss']:13.5f}")
    print(f"padding-free / padded: {free['tokens_per_second'] / padded['tokens_per_second']:.2f}x tokens/s; "
          f"step-1 loss rel. diff {abs(free['first_loss'] - padded['first_loss']) / padded['first_loss']:.1e}")


if __name__ == "__main__":
    main()
