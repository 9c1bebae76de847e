"""`finetune-studio serve` on the demo model: tokens/s with 1 and 4 concurrent streams, and the memory of one server
with two adapters vs two chat processes, all from one invocation.

    python -m bench.serve_throughput [--tokens 128] [--rounds 2]

Two runs with LoRA adapters (r 16, every linear layer) on the demo model are made in a temporary data home; one
`serve` process serves both. Each round asks one greedy streamed request alone, then four at once (the two
adapters alternating), through the official `openai` client; a round's tokens/s is the completion tokens
(usage) over the wall time of its requests. The server answers the four in one batched generate (its `result`
counts the generate calls). Then `chat RUN --events jsonl` is started for each run, one after the other, and
each one's resident memory once loaded is read from its `loaded` event.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ["bench-serve-0", "bench-serve-1"]
TOPICS = ["a lighthouse keeper", "a lost cat", "the first bakery on Mars", "a river that flows uphill"]


def make_runs() -> None:
    """Two runs whose adapters (random, non-zero) sit on the demo model, in this process's data home."""
    import torch
    import yaml
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from app.core.models import demo_model_dir
    from app.core.paths import run_dir
    from app.core.store import Store

    base = demo_model_dir()
    store = Store()
    for seed, run in enumerate(RUNS):
        torch.manual_seed(seed)
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                               LoraConfig(r=16, target_modules="all-linear", init_lora_weights="gaussian"))
        model.save_pretrained(run_dir(run) / "adapter")
        config = {"model": {"source": "demo"}, "data": {"train": "x.jsonl"}, "method": {"name": "lora"}}
        store.create_run(run, name=run, config_yaml=yaml.safe_dump(config), model="demo", method="lora", stage="sft")


def events_of(proc: subprocess.Popen, until: str) -> dict:
    for line in proc.stdout:
        if line.startswith("{") and (event := json.loads(line))["event"] in (until, "finished"):
            if event["event"] != until:
                raise SystemExit(f"{proc.args}: {event}")
            return event
    raise SystemExit(f"{proc.args} ended without a {until} event")


def stream(client, model: str, topic: str, tokens: int, out: list) -> None:
    chunks = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": f"Write a long story about {topic}."}], temperature=0,
        max_tokens=tokens, stream=True, stream_options={"include_usage": True})
    out.append(next(c.usage.completion_tokens for c in chunks if c.usage is not None))


def round_of(client, streams: int, tokens: int) -> tuple[float, int]:
    """(tokens/s of all streams together, completion tokens) for `streams` concurrent requests."""
    out: list[int] = []
    threads = [threading.Thread(target=stream, args=(client, RUNS[i % 2], TOPICS[i % len(TOPICS)], tokens, out))
               for i in range(streams)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return sum(out) / seconds, sum(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=128, help="max_tokens of each request")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("FINETUNE_STUDIO_HOME", tempfile.mkdtemp(prefix="bench-serve-home-"))
    make_runs()
    from openai import OpenAI

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "app", "serve", *RUNS, "--port", "0", "--events", "jsonl"],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        listening = events_of(server, "listening")
        client = OpenAI(base_url=listening["url"], api_key="none", max_retries=0, timeout=600)
        round_of(client, 1, 8)  # warm-up
        rows = []
        for i in range(args.rounds):
            rows.append((round_of(client, 1, args.tokens), round_of(client, 4, args.tokens)))
            print(f"round {i + 1}: {rows[-1]}", file=sys.stderr, flush=True)
        with open(f"/proc/{server.pid}/status", encoding="ascii") as f:
            served_rss = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS"))
        server.terminate()
        result = events_of(server, "result")["data"]
    finally:
        if server.poll() is None:
            server.kill()
    chats = []
    for run in RUNS:
        chat = subprocess.Popen([sys.executable, "-m", "app", "chat", run, "--events", "jsonl"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        chats.append(events_of(chat, "loaded")["memory_bytes"])
        chat.stdin.close()
        chat.wait(60)

    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (the CPU is shared: figures under load)")
    print("| round | 1 stream tokens/s | 4 streams tokens/s (all together) | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    for i, ((one, _), (four, _)) in enumerate(rows, 1):
        print(f"| {i} | {one:.1f} | {four:.1f} | {four / one:.2f}x |")
    print(f"server: {result['requests']} requests in {result['batches']} generate calls")
    mib = 1024 ** 2
    print(f"memory: one server with two adapters {listening['memory_bytes'] / mib:,.0f} MiB once loaded "
          f"({served_rss / mib:,.0f} MiB after the rounds) vs two chat processes {chats[0] / mib:,.0f} + "
          f"{chats[1] / mib:,.0f} = {sum(chats) / mib:,.0f} MiB")


if __name__ == "__main__":
    main()
