"""GUI responsiveness benchmark (a script, not a test):

    python -m bench.gui_responsiveness [--seconds 60] [--worker-cmd "python -m app"] [--config run.yaml]

Prints (a) the cost of one live plot update at 100,000 points per series (append, setData, repaint), and
(b) p50/p99/max lateness of a 10 ms QTimer in a window showing the Train page while a real training worker runs
(`python -m app train CONFIG --events jsonl`). The default config trains a tiny random Llama (built in a
subprocess, so this GUI process never imports torch) on the bundled sample data. `--stand-in` replaces the worker
with a CPU-burning process that speaks the event protocol, for machines without the engine's dependencies.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.core.config import load_config  # noqa: E402
from app.core.paths import RESOURCES, models_cache  # noqa: E402
from app.ui.pages.train import TrainPage  # noqa: E402
from app.ui.widgets.plots import MetricsPlots  # noqa: E402

POINTS = 100_000
TINY_MODEL = """
import sys, torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM
from app.core.models import demo_model_dir
tok = AutoTokenizer.from_pretrained(demo_model_dir())
cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                  tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                  pad_token_id=tok.pad_token_id)
torch.manual_seed(0)
LlamaForCausalLM(cfg).save_pretrained(sys.argv[1])
tok.save_pretrained(sys.argv[1])
"""
STAND_IN = """
import json, math, sys, time
def emit(event, **f):
    print(json.dumps({"event": event, "time": time.time(), **f}), flush=True)
emit("started", run_id="stand-in", run_dir="", total_steps=2000, trainable_params=0, total_params=0, device="cpu")
t0 = time.time()
for step in range(1, 2001):
    end = time.perf_counter() + 0.02
    x = 0
    while time.perf_counter() < end:
        x += 1
    emit("metrics", step=step, epoch=0, metrics={"loss": 2 * math.exp(-step / 300) + 0.3, "learning_rate": 2e-4,
         "grad_norm": 1.0, "tokens_per_second": 1000.0})
    emit("progress", step=step, total_steps=2000, epoch=0, elapsed=time.time() - t0, eta=None)
emit("finished", status="completed", error=None, hint=None)
"""


def percentiles(values: list[float]) -> str:
    if not values:
        return "no samples"
    arr = np.asarray(values)
    return (f"p50 {np.percentile(arr, 50):.2f} ms, p99 {np.percentile(arr, 99):.2f} ms, max {arr.max():.2f} ms "
            f"({len(arr)} ticks)")


def bench_plot_updates(app: QApplication) -> None:
    plots = MetricsPlots()
    plots.resize(1248, 520)
    plots.show()
    rng = np.random.default_rng(0)
    for step in range(POINTS):
        plots.add_metrics(step, {"loss": 2 * np.exp(-step / 20000) + rng.normal(0, 0.05), "learning_rate": 2e-4,
                                 "grad_norm": 1 + rng.random(), "tokens_per_second": 2400 + rng.normal(0, 50)})
    plots.redraw()
    plots.grab()
    set_data, paint = [], []
    step = POINTS
    for _ in range(30):
        for _ in range(10):  # what arrives between two redraws of a fast trainer
            step += 1
            plots.add_metrics(step, {"loss": 0.5, "learning_rate": 2e-4, "grad_norm": 1.0,
                                     "tokens_per_second": 2400.0})
        t0 = time.perf_counter()
        plots.redraw()
        t1 = time.perf_counter()
        plots.grab()  # a full repaint of the four plots, as the screen would do
        t2 = time.perf_counter()
        set_data.append((t1 - t0) * 1000)
        paint.append((t2 - t1) * 1000)
    print(f"(a) plot update at {POINTS:,} points per series (4 plots, 6 curves, 1248x520):")
    print(f"    setData of changed series: median {statistics.median(set_data):.2f} ms")
    print(f"    full repaint:              median {statistics.median(paint):.2f} ms, "
          f"max {max(paint):.2f} ms")
    print(f"    update total:              median {statistics.median(np.add(set_data, paint)):.2f} ms per update; "
          f"the redraw timer adapts to it: one update every {plots._timer.interval()} ms at this size")
    plots.close()


def tiny_config(workdir: Path) -> Path:
    model = workdir / "tiny-llama"
    print("building a tiny random Llama in a subprocess …", flush=True)
    subprocess.run([sys.executable, "-c", TINY_MODEL, str(model)], check=True)
    config = load_config(RESOURCES / "examples" / "quickstart.yaml")
    config = config.model_copy(update={
        "name": "bench-tiny",
        "model": config.model.model_copy(update={"source": str(model)}),
        "training": config.training.model_copy(update={"max_steps": 200, "batch_size": 4, "max_length": 128,
                                                       "save_steps": 1000}),
        "export": config.export.model_copy(update={"merged": False}),
    })
    path = workdir / "bench.yaml"
    config.save(path)
    return path


def timer_lateness(app: QApplication, seconds: float) -> list[float]:
    """Lateness of a 10 ms timer over `seconds` of an otherwise idle event loop (what this machine allows)."""
    lateness: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    last = [0]

    def tick() -> None:
        now = clock.nsecsElapsed()
        lateness.append(max(0.0, (now - last[0]) / 1e6 - 10.0))
        last[0] = now

    timer.timeout.connect(tick)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    clock.start()
    timer.start()
    app.exec()
    timer.stop()
    return lateness[1:]


def bench_timer_lateness(app: QApplication, worker: list[str], config_path: Path, seconds: float) -> None:
    page = TrainPage(worker_command=worker)
    page.resize(1280, 800)
    page.show()
    print(f"(b) 10 ms QTimer lateness, Train page shown, no worker (baseline, 5 s): {percentiles(timer_lateness(app, 5))}")
    lateness: list[float] = []
    training: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    last = [0]

    def tick() -> None:
        now = clock.nsecsElapsed()
        late = max(0.0, (now - last[0]) / 1e6 - 10.0)
        last[0] = now
        lateness.append(late)
        if page.state == "running":
            training.append(late)

    timer.timeout.connect(tick)
    counts = {"metrics": 0, "batches": 0}
    page.supervisor.metrics_received.connect(lambda batch: counts.update(
        metrics=counts["metrics"] + len(batch), batches=counts["batches"] + 1))
    page.run_completed.connect(app.quit)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    page.start(load_config(config_path))
    clock.start()
    timer.start()
    app.exec()
    timer.stop()
    state = page.state
    if page.is_running:
        page.force_stop()
        while page.is_running:
            app.processEvents()
            time.sleep(0.01)
    page.supervisor.wait()
    print(f"    while the worker runs ({state}; {counts['metrics']} metrics events arrived "
          f"in {counts['batches']} batches; step {page.progress.value()}/{page.progress.maximum()}):")
    print(f"    whole run (start-up, model load, training): {percentiles(lateness[1:])}")
    print(f"    while training:                             {percentiles(training[1:])}")
    page.shutdown()
    page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="longest time to watch the worker")
    parser.add_argument("--worker-cmd", default=None, help="program before `train CONFIG ...` "
                        "(default: this Python with -m app)")
    parser.add_argument("--config", type=Path, help="run config to train (default: a tiny random model)")
    parser.add_argument("--stand-in", action="store_true", help="a CPU-burning stand-in instead of the engine")
    parser.add_argument("--skip-plot", action="store_true", help="only the timer lateness part")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv)
    if not args.skip_plot:
        bench_plot_updates(app)
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as tmp:
        workdir = Path(tmp)
        # Runs go to a throw-away data home; the model cache stays (the demo model converts once).
        os.environ.setdefault("FINETUNE_STUDIO_MODELS", str(models_cache()))
        os.environ["FINETUNE_STUDIO_HOME"] = str(workdir / "home")
        if args.stand_in:
            script = workdir / "stand_in.py"
            script.write_text(textwrap.dedent(STAND_IN))
            worker = [sys.executable, str(script)]
            config = RESOURCES / "examples" / "quickstart.yaml"
            print("worker: CPU-burning stand-in (20 ms of busy work per step), not the engine")
        else:
            worker = shlex.split(args.worker_cmd) if args.worker_cmd else [sys.executable, "-m", "app"]
            config = args.config or tiny_config(workdir)
            print(f"worker: {shlex.join(worker)} train {config} --events jsonl")
        bench_timer_lateness(app, worker, config, args.seconds)
    print(f"torch imported by this GUI process: {'torch' in sys.modules}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
