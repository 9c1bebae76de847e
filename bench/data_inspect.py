"""Inspect a generated 1,000,000-row JSONL (the dataset doctor, streamed): rows/s and peak memory.

    python -m bench.data_inspect [--rows N] [--model demo]

The file (in a temporary folder, deleted afterwards) holds chat rows in `messages` format with some exact and
near duplicates, some invalid JSON and some rows with an empty answer, so every check of the doctor has work to
do. Peak memory is the process's peak resident set (ru_maxrss) and how far inspecting raised it over the
resident set before; for comparison, the file's size on disk. `--model` also measures token lengths under that
model's tokenizer and chat template (much slower per row).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from app.core.data import inspect_file

WORDS = ("the model answers questions about planets rivers cities numbers history music code recipes and "
         "anything else a user might ask in a friendly short and precise way").split()


def generate(path: Path, rows: int, seed: int = 0) -> dict:
    """Write `rows` lines; returns how many of each kind of flaw went in."""
    rng = random.Random(seed)
    flaws = {"invalid_json": 0, "empty_answer": 0, "duplicates": 0}
    recent: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            roll = rng.random()
            if roll < 0.001:
                line = '{"messages": [{"role": "user", "content": "broken'
                flaws["invalid_json"] += 1
            elif roll < 0.002 or (roll < 0.012 and recent):
                if roll < 0.002:
                    line = json.dumps({"messages": [{"role": "user", "content": f"question {i}"},
                                                    {"role": "assistant", "content": ""}]})
                    flaws["empty_answer"] += 1
                else:
                    line = rng.choice(recent)
                    flaws["duplicates"] += 1
            else:
                question = " ".join(rng.choices(WORDS, k=rng.randint(5, 20)))
                answer = " ".join(rng.choices(WORDS, k=rng.randint(10, 40)))
                line = json.dumps({"messages": [{"role": "user", "content": f"{question} #{i}?"},
                                                {"role": "assistant", "content": answer}]})
                if len(recent) < 1000:
                    recent.append(line)
            fh.write(line + "\n")
    return flaws


def peak_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--model", help="also measure token lengths with this model's tokenizer (e.g. demo)")
    args = parser.parse_args(argv)

    tokenizer = None
    if args.model:
        from app.core.models import load_tokenizer

        tokenizer = load_tokenizer(args.model)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        start = time.perf_counter()
        flaws = generate(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows ({size_mb:,.0f} MB) in {time.perf_counter() - start:.1f} s; "
              f"flaws put in: {flaws}")
        before = peak_rss_mb()
        start = time.perf_counter()
        report = inspect_file(path, tokenizer=tokenizer, max_length=512 if tokenizer else None)
        seconds = time.perf_counter() - start
        after = peak_rss_mb()
    counts = report.counts()
    print(f"inspected in {seconds:.1f} s: {report.rows / seconds:,.0f} rows/s")
    print(f"peak RSS {after:,.0f} MB (before inspecting {before:,.0f} MB, +{after - before:,.0f} MB for "
          f"{size_mb:,.0f} MB of file)")
    print(f"found: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
