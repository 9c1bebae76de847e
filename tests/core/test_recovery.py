"""Out-of-memory recovery on a tiny random Llama: an injected torch.OutOfMemoryError at step 3 halves the
micro-batch, doubles the accumulation, reloads checkpoint 2 and finishes the run."""

import json

import yaml

from app.core.config import parse_config
from app.core.events import ListSink
from app.core.store import Store
from app.core.training import engine
from app.core.training.recovery import INJECT_ENV


def test_injected_oom_halves_the_micro_batch_and_the_run_completes(tiny_model_dir, tmp_path, monkeypatch):
    data = tmp_path / "chat.jsonl"
    data.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w}"},
                                                         {"role": "assistant", "content": w}]})
                              for w in ["apple", "pear", "plum", "fig"] * 4) + "\n")
    config = parse_config({
        "model": {"source": str(tiny_model_dir)}, "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": "lora", "rank": 4},
        "training": {"max_steps": 4, "batch_size": 4, "max_length": 64, "save_steps": 2, "warmup_ratio": 0.0,
                     "lr_scheduler": "constant"},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False},
    })
    monkeypatch.setenv(INJECT_ENV, "3")
    sink = ListSink()
    result = engine.run(config, sink)
    assert result.status == "completed", result.error
    warning = next(e for e in sink.of("warning") if "Out of memory" in e["message"])
    assert "checkpoint at step 2" in warning["message"]
    assert warning["changes"] == {"training.batch_size": [4, 2], "training.gradient_accumulation": [1, 2]}
    starts = [e["start_step"] for e in sink.of("started")]
    assert starts == [0, 2]  # the second attempt resumed from checkpoint-2, not from scratch
    steps = [e["step"] for e in sink.of("progress")]
    assert steps == [1, 2, 3, 4]  # step 3 failed before it began; nothing done twice, nothing skipped
    saved = yaml.safe_load(Store().get_run(result.run_id)["config"])["training"]
    assert (saved["batch_size"], saved["gradient_accumulation"]) == (2, 2)
