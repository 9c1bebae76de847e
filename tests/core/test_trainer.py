"""StudioSFTTrainer (app/core/training/trainer.py): evaluation through our loss gives TRL's eval_loss."""

import json

import pytest

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag


@pytest.mark.parametrize("padding_free", [True, False])
def test_evaluation_takes_our_loss_and_gives_trls_eval_loss(tiny_model_dir, tmp_path, padding_free):
    """The loss alone (no compute_metrics) comes from kernels.LinearCrossEntropy, without [tokens, vocab] logits; its
    value is TRL's own (its path, studio_loss off, on the same model and data), in fp32 to fp32 rounding."""
    import torch
    from transformers import AutoModelForCausalLM

    from app.core.models import load_tokenizer
    from app.core.stages import sft
    from app.core.stages.common import base_args
    from app.core.training import kernels

    path = tmp_path / "chat.jsonl"
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Count to {n}."}, {
        "role": "assistant", "content": " ".join(str(i) for i in range(n))}]}) + "\n" for n in range(1, 25)))
    config = parse_config({"model": {"source": str(tiny_model_dir)}, "data": {"train": str(path),
                                                                             "validation_split": 0.25},
                           "training": {"batch_size": 4, "max_length": 64, "precision": "fp32",
                                        "padding_free": padding_free}})
    tokenizer = load_tokenizer(str(tiny_model_dir))
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    prepared = sft.prepare(config, tokenizer, ListSink(), StopFlag())
    trainer = sft.make_trainer(config, model, tokenizer, prepared, base_args(config, tmp_path / "out", "fp32", True))
    calls = []
    original = kernels.linear_cross_entropy
    kernels.linear_cross_entropy = lambda *a: calls.append(a[0].shape[0]) or original(*a)
    try:
        ours = trainer.evaluate()["eval_loss"]
    finally:
        kernels.linear_cross_entropy = original
    assert calls and sum(calls) > 0  # every eval batch went through our loss
    trainer.studio_loss = False
    theirs = trainer.evaluate()["eval_loss"]
    assert ours == pytest.approx(theirs, rel=1e-5)
