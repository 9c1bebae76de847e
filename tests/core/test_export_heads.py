"""`export RUN` for rm and cls runs: the adapter with its head and a merged sequence-classification model that
scores like the trained one; GGUF and Ollama are refused with a message, before anything is loaded."""

from __future__ import annotations

import json

import pytest
from tiny_runs import trained_classifier

from app.core.config import parse_config
from app.core.errors import ExportError
from app.core.events import ListSink, StopFlag
from app.core.export.run import export_run
from app.core.requests import ExportRequest
from app.core.training import engine

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

WORDS = ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "peach"]
ROWS = {
    "rm": [{"prompt": f"Say {w}", "chosen": w, "rejected": "I will not."} for w in WORDS],
    "cls": [{"text": f"I {'love' if i % 2 else 'hate'} {w}", "label": "pos" if i % 2 else "neg"}
            for i, w in enumerate(WORDS * 2)],
}


@pytest.fixture(scope="module", params=["rm", "cls"])
def head_run(request, tiny_model_dir, tmp_path_factory) -> tuple[str, str]:
    """A two-step LoRA rm or cls run that saved only its adapter (with the head): (stage, run id)."""
    stage = request.param
    data = tmp_path_factory.mktemp(f"{stage}-data") / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS[stage]))
    config = parse_config({
        "name": f"export-{stage}", "model": {"source": str(tiny_model_dir)}, "data": {"train": str(data)},
        "method": {"name": "lora", "rank": 4},
        "training": {"stage": stage, "max_steps": 2, "batch_size": 2, "max_length": 64, "learning_rate": 1e-2,
                     "save_steps": 100, "warmup_ratio": 0.0},
        "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": True, "dtype": "fp32"}})
    result = engine.run(config, ListSink(), StopFlag())
    assert result.status == "completed", result.error
    return stage, result.run_id


def test_export_run_writes_adapter_and_merged_classifier(head_run, tiny_model_dir, tmp_path):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from app.core.stages.head_export import VERIFY_TEXTS

    stage, run_id = head_run
    results = export_run(ExportRequest(run=run_id, adapter=tmp_path / "a", merged=tmp_path / "m"), sink=ListSink())
    props = {a["kind"]: a["properties"] for a in results["artifacts"]}
    assert set(props) == {"adapter", "merged"} and props["merged"]["max_abs_diff"] < 1e-3
    num_labels = 1 if stage == "rm" else 2
    assert props["merged"]["num_labels"] == props["adapter"]["num_labels"] == num_labels
    model = AutoModelForSequenceClassification.from_pretrained(tmp_path / "m", dtype=torch.float32)
    if stage == "cls":
        assert model.config.id2label == {0: "neg", 1: "pos"}, "the class names travel with the export"
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "m")
    trained = trained_classifier(tiny_model_dir, tmp_path / "a", num_labels)
    with torch.no_grad():
        scores = torch.cat([model(**tokenizer(t, return_tensors="pt")).logits for t in VERIFY_TEXTS])
        reference = torch.cat([trained(**tokenizer(t, return_tensors="pt")).logits for t in VERIFY_TEXTS])
    assert scores.shape == (len(VERIFY_TEXTS), num_labels)
    torch.testing.assert_close(scores, reference, rtol=1e-4, atol=1e-5)  # fp32 both: the merge's rounding only
    assert (tmp_path / "a" / "adapter_model.safetensors").exists()
    assert "AutoModelForSequenceClassification" in (tmp_path / "m" / "README.md").read_text()


def test_gguf_and_ollama_are_refused_with_a_message(head_run, tmp_path, capsys):
    from app.cli import main

    stage, run_id = head_run
    with pytest.raises(ExportError, match="scores or labels text, and GGUF and Ollama exports are for chat models"):
        export_run(ExportRequest(run=run_id, merged=tmp_path / "m", ollama=tmp_path / "o"))
    capsys.readouterr()
    assert main(["export", run_id, "--gguf", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "GGUF and Ollama exports are for chat models" in err and "--merged" in err
    assert list(tmp_path.iterdir()) == []
