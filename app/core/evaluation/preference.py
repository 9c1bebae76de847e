"""Pairwise accuracy for preference runs (dpo, orpo, simpo): on the held-out pairs, how often a model gives the
chosen answer a higher log-probability than the rejected one — for the tuned model and for its base."""

from __future__ import annotations

from typing import Any

from ..errors import Cancelled
from ..messages import Text
from . import metrics as m

PREFERENCE_STAGES = ("dpo", "orpo", "simpo")


def answer_logprob(model: Any, tokenizer: Any, prompt: list[dict], answer: dict) -> float:
    """Sum of log p(answer tokens | prompt) under the chat template (the prompt rendered with the generation prompt
    is a prefix of the conversation that ends with the answer)."""
    import torch

    start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True,
                                              return_dict=True)["input_ids"])
    ids = tokenizer.apply_chat_template([*prompt, answer], tokenize=True, return_dict=True)["input_ids"]
    tensor = torch.tensor([ids], device=model.device)
    with torch.no_grad():
        logprobs = model(tensor).logits[0, :-1].float().log_softmax(-1)
    token_logprobs = logprobs.gather(1, tensor[0, 1:, None])[:, 0]
    return float(token_logprobs[start - 1:].sum())


def score_pairs(model: Any, tokenizer: Any, rows: list[dict], progress=None, stop=None) -> tuple[dict, list[dict]]:
    """(metrics: pairwise_accuracy and mean margin, per-pair predictions for the store)."""
    chosen, rejected, predictions = [], [], []
    for i, row in enumerate(rows):
        if stop is not None and stop.is_set():
            raise Cancelled(Text("Evaluation stopped."))
        good = answer_logprob(model, tokenizer, row["prompt"], row["chosen"][0])
        bad = answer_logprob(model, tokenizer, row["prompt"], row["rejected"][0])
        chosen.append(good)
        rejected.append(bad)
        user = next((msg["content"] for msg in reversed(row["prompt"]) if msg["role"] == "user"), "")
        predictions.append({"idx": i, "prompt": user, "reference": row["chosen"][0]["content"],
                            "prediction": f"log p chosen {good:.2f} vs rejected {bad:.2f}: "
                                          + ("prefers chosen" if good > bad else "prefers rejected"),
                            "score": float(good > bad)})
        if progress is not None:
            progress(i + 1, len(rows))
    margins = [g - b for g, b in zip(chosen, rejected, strict=True)]
    return ({"examples": len(rows), "pairwise_accuracy": m.pairwise_accuracy(chosen, rejected),
             "margin": sum(margins) / len(margins) if margins else 0.0}, predictions)
