"""A stand-in for `python -m app train ...` that speaks the event protocol without training anything.

    python tests/ui/fake_worker.py --behaviour complete train CONFIG --events jsonl --run-id ID --stop-file PATH

Behaviours: complete (a realistic run), crash (traceback on stderr mid-run), hang (ignores SIGTERM, never ends),
stoppable (trains until the stop file or SIGTERM, then reports cancelled), flood (5,000 metrics as fast as it
can). Like the real worker it records the run in the store and appends every event to the run's events.jsonl.
With `train --resume RUN` it continues that run as the engine does: from its last step, with the time it trained
before kept as `earlier_seconds`, for `--steps` steps more.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

from app.core.events import JsonlEventWriter, StopFlag
from app.core.paths import run_dir
from app.core.store import Store, new_run_id, run_seconds


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--behaviour", default="complete")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("command")
    parser.add_argument("config", nargs="?")
    parser.add_argument("--events")
    parser.add_argument("--run-id")
    parser.add_argument("--resume")
    parser.add_argument("--stop-file")
    return parser.parse_args()


def main() -> int:
    args = parse()
    run_id = args.resume or args.run_id or new_run_id()
    folder = run_dir(run_id)
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    sink = JsonlEventWriter(stream=sys.stdout, path=folder / "events.jsonl")
    stop = StopFlag(args.stop_file)
    store = Store(reap=False)
    start, earlier = 0, 0.0
    if args.resume:
        row = store.get_run(run_id)
        start, earlier = row["last_step"] or 0, run_seconds(row) or 0.0
        store.update_run(run_id, finished=None, earlier_seconds=earlier, pid=os.getpid())
    else:
        store.create_run(run_id, name=f"fake-{args.behaviour}", config_yaml="name: fake\n", model="demo",
                         method="lora", stage="sft")
    sink.emit("phase", name="model", message="Converting demo model…", current=0, total=None)
    for i in range(1, 4):
        sink.emit("phase", name="tokenize", message="Tokenising", current=i * 50, total=150)
    total = 5000 if args.behaviour == "flood" else start + args.steps
    store.update_run(run_id, status="running", started=time.time(), total_steps=total)
    sink.emit("started", run_id=run_id, run_dir=str(folder), total_steps=total, trainable_params=1000,
              total_params=100000, device="cpu", start_step=start, earlier_seconds=earlier)
    print("worker: training begins", file=sys.stderr, flush=True)
    if args.behaviour == "hang":
        import signal

        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(1)
    if args.behaviour == "stoppable":
        stop.install_signal_handlers()
    t0 = time.time()
    step = start
    while args.behaviour == "stoppable" or step < total:
        step += 1
        loss = 2.0 * math.exp(-step / 50) + 0.3
        metrics = {"loss": loss, "learning_rate": 2e-4, "grad_norm": 1.0 / step, "tokens_per_second": 900.0}
        sink.emit("metrics", step=step, epoch=step / max(total, 1), metrics=metrics)
        sink.emit("progress", step=step, total_steps=total, epoch=step / max(total, 1),
                  elapsed=earlier + time.time() - t0, eta=1.0)
        if args.behaviour != "flood":
            store.add_metrics(run_id, step, {"loss": loss})
            store.update_run(run_id, last_step=step)
        if args.behaviour == "crash" and step == 3:
            raise RuntimeError("CUDA error: an illegal memory access was encountered (fake)")
        if args.behaviour == "stoppable" and stop.is_set():
            sink.emit("checkpoint", step=step, path=str(folder / "checkpoints" / f"step-{step}"))
            store.update_run(run_id, status="cancelled", finished=time.time(), last_step=step)
            sink.emit("finished", status="cancelled", error=None, hint=None)
            return 0
        time.sleep(args.delay if args.behaviour != "stoppable" else max(args.delay, 0.02))
    sink.emit("metrics", step=total, epoch=1.0, metrics={"eval_loss": 0.5})
    sink.emit("sample", step=total, prompt="What is 2+2?", output="4")
    sink.emit("checkpoint", step=total, path=str(folder / "checkpoints" / f"step-{total}"))
    sink.emit("warning", message="Few examples", hint="Add more data")
    sink.emit("artifact", kind="adapter", path=str(folder / "adapter"), bytes=1234, properties={})
    store.update_run(run_id, status="completed", finished=time.time(), last_step=total, final_loss=loss)
    sink.emit("finished", status="completed", error=None, hint=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
