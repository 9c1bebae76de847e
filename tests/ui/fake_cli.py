"""A stand-in for `python -m app export|eval|queue run ... --events jsonl`: the events the real CLI emits (their
shapes are pinned by EXPORT_EVENTS, EVAL_EVENTS and QUEUE_EVENTS, which tests/core/test_cli_events.py checks the
real commands against), no model loaded.

    python tests/ui/fake_cli.py MODE export --request FILE --events jsonl      MODE: ok, slow or fail
    python tests/ui/fake_cli.py MODE eval --request FILE --events jsonl
    python tests/ui/fake_cli.py MODE queue run --events jsonl           MODE: ok, or slow (trains until Ctrl+C)
"""

from __future__ import annotations

import sys
import time

# The event names in order, each run of one name shown once; `result` carries at least these keys.
EXPORT_EVENTS = (["phase", "artifact", "result", "finished"], {"run_id", "source", "checkpoint", "artifacts"})
EVAL_EVENTS = (["phase", "result", "finished"], {"run_id", "split", "examples", "metrics"})
QUEUE_EVENTS = (["result", "finished"], set())  # an empty queue; a full one relays its runs' events before


def shape(events: list[dict]) -> list[str]:
    names: list[str] = []
    for event in events:
        if event["event"] != "warning" and (not names or names[-1] != event["event"]):
            names.append(event["event"])
    return names


def export(sink, mode: str, request) -> None:
    if mode == "slow":
        sink.emit("phase", name="export", message="Loading the base in full precision", current=0, total=4)
        time.sleep(60)
    if mode == "fail":
        sink.emit("finished", status="failed", error="GGUF export does not support the 'gpt2' architecture.",
                  hint="Export the merged model.")
        raise SystemExit(2)
    for i, message in enumerate(["Loading the base in full precision", "Merging the adapter", "Saving in bf16",
                                 "Verifying the export", "Export complete"]):
        sink.emit("phase", name="export", message=message, current=i, total=4)
    artifacts = []
    if request.merged:
        artifacts.append({"kind": "merged", "path": str(request.merged), "bytes": 270_000_000, "properties": {
            "dtype": "bf16", "merge_max_abs_diff": 2e-6, "max_abs_diff": 0.03, "top1_agreement": 1.0}})
    if request.gguf:
        artifacts.append({"kind": "gguf", "path": str(request.gguf), "bytes": 145_000_000, "properties": {
            "quant": "q8_0", "max_abs_diff": 0.11, "top1_agreement": 0.985, "greedy_tokens": 16,
            "greedy_agreement": 1.0, "eos_ok": True, "chat_template_ok": True, "tokenizer_ok": True}})
    if request.ollama:
        artifacts.append({"kind": "ollama", "path": str(request.ollama), "bytes": 145_000_000, "properties": {
            "quant": "q8_0", "max_abs_diff": 0.11, "top1_agreement": 0.985, "greedy_tokens": 16,
            "greedy_agreement": 2 / 3, "eos_ok": True, "template_ok": False, "stop_ok": True}})
    for art in artifacts:
        sink.emit("artifact", **art)
    sink.emit("result", data={"run_id": request.run, "source": "checkpoint-200", "checkpoint": "best checkpoint",
                              "artifacts": artifacts})


def evaluate(sink, request) -> None:
    from app.core.store import Store

    for i in range(3):
        sink.emit("phase", name="eval", message="Generating: tuned model", current=i, total=3)
    store = Store(reap=False)
    preds = [{"idx": i, "prompt": f"Review {i}", "reference": "positive", "prediction": p, "score": s}
             for i, (p, s) in enumerate([("negative", 0.0) if i == 1 else ("positive", 1.0) for i in range(7)])]
    store.add_evaluation(request.run, model="tuned", shots=0, split="validation",
                         metrics={"examples": 3, "exact_match": 2 / 3, "rougeL": 2 / 3}, predictions=preds)
    base = [dict(p, prediction="The sentiment is positive.", score=0.25) for p in preds]
    store.add_evaluation(request.run, model="base", shots=0, split="validation",
                         metrics={"examples": 3, "exact_match": 0.0, "rougeL": 0.5}, predictions=base)
    store.add_evaluation(request.run, model="base", shots=2, split="validation",
                         metrics={"examples": 3, "exact_match": 1 / 3, "rougeL": 0.6}, predictions=base)
    sink.emit("result", data={"run_id": request.run, "split": "validation", "examples": 3,
                              "metrics": {"exact_match": 2 / 3, "rougeL": 2 / 3}})


def run_queue(sink, mode: str) -> None:
    """Two runs, each relaying what engine.run emits: its preparation, `started`, progress and metrics."""
    for i in range(2):
        sink.emit("phase", name="queue", message=f"Training run {i} ({i + 1} of 2)", current=i, total=2)
        sink.emit("phase", name="data", message="Tokenising", current=1, total=1)  # the run's own preparation
        sink.emit("started", run_id=f"queued-{i}", total_steps=3, start_step=0, trainable_params=10,
                  total_params=100, device="cpu")
        for step in (1, 2, 3):
            sink.emit("progress", step=step, total_steps=3, epoch=step / 3, elapsed=step, eta=3 - step)
            sink.emit("metrics", step=step, metrics={"loss": 2.0 / step, "learning_rate": 1e-4})
            if mode == "slow":
                try:
                    time.sleep(60)
                except KeyboardInterrupt:  # what `queue run` does on Ctrl+C: the run ends cancelled, so does it
                    sink.emit("finished", status="cancelled", error=None, hint=None)
                    raise SystemExit(130) from None
        sink.emit("finished", run_id=f"queued-{i}", status="completed", error=None, hint=None)
    sink.emit("result", data=[])


def main() -> int:
    from app.core.events import JsonlEventWriter
    from app.core.requests import EvalRequest, ExportRequest, load_request

    mode, command, *args = sys.argv[1:]
    print(" ".join(args), file=sys.stderr, flush=True)
    sink = JsonlEventWriter(sys.stdout)
    if command == "export":
        export(sink, mode, load_request(ExportRequest, args[args.index("--request") + 1]))
    elif command == "eval":
        evaluate(sink, load_request(EvalRequest, args[args.index("--request") + 1]))
    else:
        run_queue(sink, mode)
    sink.emit("finished", status="completed", error=None, hint=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
