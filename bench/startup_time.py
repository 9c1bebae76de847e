"""Time to first window: run the real entry point, `python -m app gui --exit-after-show`, time until it is shown.

Measured from just before the child process is spawned (so interpreter start-up, the CLI and every import count)
to the moment its stdout says the window was shown (printed from the event loop, after `show()`). The child then
quits.

    python bench/startup_time.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = ["-m", "app", "gui", "--exit-after-show"]  # what `finetune-studio` runs, plus the flag


def time_to_window(env: dict) -> float:
    from app.ui.app import SHOWN_MARKER

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *CHILD], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    shown = None
    for line in proc.stdout:
        if line.strip() == SHOWN_MARKER:
            shown = time.perf_counter() - start
    proc.wait(timeout=60)
    if shown is None:
        raise SystemExit(f"the window never showed (exit code {proc.returncode})")
    return shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    env = {**os.environ, "FINETUNE_STUDIO_HOME": tempfile.mkdtemp(prefix="studio-bench-")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    times = [time_to_window(env) for _ in range(args.runs)]
    print(f"time to first window ({args.runs} runs, {env['QT_QPA_PLATFORM']}): "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
