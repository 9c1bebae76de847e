"""fp16 on the real demo model, as a GPU without bf16 (Turing, GTX 16xx, T4) trains it: half-precision autocast with
loss scaling. The CPU has fp16 autocast and torch's GradScaler too, so the arithmetic is checked here; that it runs
on such a GPU is for bench/gpu_check.sh."""

from __future__ import annotations

import pytest
import torch

from app.core.export import parity

pytestmark = pytest.mark.e2e

CHAT = [{"role": "user", "content": "Which is the largest planet in the solar system?"},
        {"role": "assistant", "content": "Jupiter is the largest planet in the solar system."}]


def test_fp16_with_loss_scaling_trains_the_demo_model_without_overflow(demo_model_dir, demo_tokenizer):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(demo_model_dir, dtype=torch.float32),
                           LoraConfig(r=8, lora_alpha=16, target_modules="all-linear", task_type="CAUSAL_LM"))
    ids = demo_tokenizer.apply_chat_template(CHAT, return_tensors="pt", return_dict=True)["input_ids"]
    model.eval()
    with torch.no_grad():
        reference = model(input_ids=ids).logits.float()
        with torch.autocast("cpu", dtype=torch.float16):
            half = model(input_ids=ids).logits.float()
    # the forward in fp16 stays finite and picks the same next tokens (the rule of parity.py, judged in fp16)
    verdict = parity.compare([reference], [half], "fp32", "fp16")
    assert verdict.passed, verdict.failure()

    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    # transformers starts the scale at 2**16 and halves it on each overflow (a skipped step); starting lower keeps this
    # CPU test to a few steps, with the same growth and back-off
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**12)
    losses, skipped = [], 0
    for _ in range(8):
        with torch.autocast("cpu", dtype=torch.float16):
            loss = model(input_ids=ids, labels=ids).loss
        losses.append(float(loss))
        scaler.scale(loss).backward()
        scale = scaler.get_scale()
        scaler.step(optimizer)
        scaler.update()
        skipped += scaler.get_scale() < scale
        optimizer.zero_grad()
    assert all(torch.isfinite(torch.tensor(losses))), losses
    assert skipped < 4, f"loss scaling did not settle: {skipped} of 8 steps skipped"
    assert losses[-1] < 0.7 * losses[0], losses
