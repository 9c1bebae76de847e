"""The export issue's own check on the real demo model: trained a few steps with LoRA and with QLoRA, every target is
exported (merged safetensors, adapter, GGUF F16 and Q8_0, Ollama folder) and every parity check passes; the F16
GGUF's greedy continuation equals the merged model's for 16 tokens on 3 prompts.

One run per method (3 optimizer steps) and one `export_run` call for all its targets; the Q8_0 GGUF is converted
from that call's merged folder (export_run writes one quant type per call), for LoRA only: QLoRA's merged folder is
an ordinary full-precision model by then, so its Q8_0 would take the same path again at ~40 CPU-seconds of GGUF
reading in CI.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.export.gguf import export_gguf_targets
from app.core.export.run import export_run
from app.core.export.weights import VERIFY_PROMPTS, export_context
from app.core.requests import ExportRequest
from app.core.training import engine

pytestmark = pytest.mark.e2e

FACTS = [("Which is the largest planet in the solar system?", "Jupiter."), ("What is your name?", "I'm Quill."),
         ("How many legs does a spider have?", "Eight.")]


@pytest.fixture(scope="module", params=["lora", "qlora"])
def exported(request, demo_model_dir, tmp_path_factory) -> dict:
    """A 3-step run of the method on the demo model, exported to every target: {kind: properties} and the
    export's wall time."""
    method = request.param
    folder = tmp_path_factory.mktemp(f"export-{method}")
    data = folder / "facts.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": q},
                                                     {"role": "assistant", "content": a}]}) + "\n"
                            for q, a in FACTS * 4))
    config = parse_config({
        "name": f"e2e-export-{method}", "model": {"source": "demo"},
        "data": {"train": str(data), "validation_split": 0.0, "system_prompt": "You are Quill."},
        "method": {"name": method, "rank": 8, "alpha": 16},
        "training": {"max_steps": 3, "batch_size": 2, "max_length": 48, "save_steps": 100, "learning_rate": 1e-3,
                     "warmup_ratio": 0.0},
        "evaluation": {"sample_prompts": []},
        "export": {"merged": False, "adapter": True, "dtype": "fp32"}})
    result = engine.run(config, ListSink(), StopFlag())
    assert result.status == "completed", result.error
    start = time.time()
    results = export_run(ExportRequest(run=result.run_id, adapter=folder / "adapter", merged=folder / "merged",
                                       gguf=folder / "gguf", quant="f16", ollama=folder / "ollama"), sink=ListSink())
    props = {a["kind"]: a["properties"] for a in results["artifacts"]}
    if method == "lora":
        sink = ListSink()
        export_gguf_targets(config, Path(results["merged"]),
                            ExportRequest(run=result.run_id, gguf=folder / "gguf", quant="q8_0"),
                            export_context(result.run_id, sink=sink))
        props["gguf_q8_0"] = sink.of("artifact")[-1]["properties"]
    return {"method": method, "props": props, "folder": folder, "seconds": time.time() - start}


def test_every_target_is_exported_and_every_parity_check_passes(exported):
    props, folder = exported["props"], exported["folder"]
    print(exported["method"], f"export {exported['seconds']:.0f} s",
          {kind: {k: v for k, v in p.items() if k in ("max_abs_diff", "top1_agreement", "merge_max_abs_diff",
                                                      "greedy_agreement", "merge")} for kind, p in props.items()})
    q8 = ("gguf_q8_0",) if exported["method"] == "lora" else ()
    assert set(props) == {"adapter", "merged", "gguf", "ollama", *q8}
    adapter, merged = props["adapter"], props["merged"]
    assert adapter["max_abs_diff"] < 1e-3 and adapter["chat_template_ok"] and adapter["eos_ok"]
    assert merged["merge"] == "streamed shard by shard", "a plain LoRA adapter, QLoRA's merged into the fp32 base"
    assert merged["merge_max_abs_diff"] < 1e-3 and merged["max_abs_diff"] < 1e-3
    assert merged["top1_agreement"] == 1.0 and merged["chat_template_ok"] and merged["eos_ok"]
    for kind in ("gguf", "ollama", *q8):
        p = props[kind]
        assert p["eos_ok"] and p["chat_template_ok"] and p["tokenizer_ok"], kind
        assert p["greedy_tokens"] == 16 and len(p["greedy_first_mismatch"]) == len(VERIFY_PROMPTS) == 3
    assert props["ollama"]["template_ok"] and props["ollama"]["stop_ok"]
    if q8:
        assert props["gguf_q8_0"]["quant"] == "q8_0" and props["gguf_q8_0"]["top1_agreement"] >= 0.9
    names = sorted(p.name for p in (folder / "gguf").iterdir())
    assert names == [".finetune-studio-export",  # staging.py's marker: the folder is an export of ours
                     *(f"e2e-export-{exported['method']}-{q}.gguf" for q in ("f16", "q8_0")[:1 + len(q8)])]
    assert 'SYSTEM """You are Quill."""' in (folder / "ollama" / "Modelfile").read_text()


def test_f16_gguf_greedy_continuation_equals_the_merged_models(exported):
    """16 greedy tokens on each of the 3 prompts, the F16 GGUF (read back by transformers) against the merged model
    it was converted from."""
    for kind in ("gguf", "ollama"):
        p = exported["props"][kind]
        assert p["quant"] == "f16" and p["greedy_agreement"] == 1.0, p["greedy_first_mismatch"]
        assert p["greedy_first_mismatch"] == [None, None, None]
