"""rm and cls runs: the trained sequence-classification head scores the held-out rows.

cls: each text's class probabilities; accuracy, macro precision/recall/F1 and the confusion matrix
(metrics.classification over the class names); each prediction is stored with the probability the model gives
the true class (its score, so the best examples are the surest right ones and the worst the surest wrong ones).
The base model has no trained head, so the baseline is the majority class: the most frequent training label,
predicted for every row.

rm: the head's reward for prompt+chosen and prompt+rejected (the chat template applied as TRL's RewardTrainer
does); pairwise accuracy and the mean reward margin. Each pair's score is sigmoid(margin), the Bradley-Terry
probability that the chosen answer is preferred. The baseline is chance (0.5): a fresh head is random, and the
base model's log-probabilities (what dpo runs are compared on) judge how likely an answer is, not how good, so
they would set a bar of another kind (short or generic rejected answers win on likelihood).
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from pathlib import Path
from typing import Any

from ..messages import Text
from . import metrics as m
from .job import EvalJob, prompt_text


def load_head(job: EvalJob, num_labels: int) -> tuple[Any, Any]:
    """(model, tokenizer) of the run's trained head: its merged export or checkpoint, or its adapter (with the
    head saved beside it) on the base model loaded with a head of `num_labels` outputs."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    from ..chat.load import resolve_chat_target
    from ..data import ensure_chat_template
    from ..models import model_dir

    source, adapter = resolve_chat_target(job.run["id"], allow_heads=True)
    folder = model_dir(source) if adapter is not None else Path(source)
    has_tokenizer = adapter is not None and (adapter / "tokenizer_config.json").is_file()
    tokenizer = AutoTokenizer.from_pretrained(adapter if has_tokenizer else folder,
                                              trust_remote_code=job.config.model.trust_remote_code)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    ensure_chat_template(tokenizer)
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if torch.cuda.is_available() else torch.float32,
                              "trust_remote_code": job.config.model.trust_remote_code}
    if torch.cuda.is_available():
        kwargs["device_map"] = {"": torch.cuda.current_device()}
    if adapter is None:
        model = AutoModelForSequenceClassification.from_pretrained(folder, **kwargs)
    else:
        from peft import PeftModel

        base = AutoConfig.from_pretrained(folder, trust_remote_code=job.config.model.trust_remote_code)
        pad = base.pad_token_id if base.pad_token_id is not None else base.eos_token_id
        model = PeftModel.from_pretrained(AutoModelForSequenceClassification.from_pretrained(
            folder, num_labels=num_labels, pad_token_id=pad, **kwargs), adapter)
    model.eval()
    return model, tokenizer


def head_logits(model: Any, tokenizer: Any, sequences: list[list[int]], batch_size: int, message: str,
                job: EvalJob) -> list[list[float]]:
    """The head's outputs for each token sequence, `batch_size` at a time (padded; the head reads each row's last
    real token); progress after each batch, `Cancelled` once the job's stop flag is set."""
    import torch

    from ..errors import Cancelled

    out: list[list[float]] = []
    for start in range(0, len(sequences), batch_size):
        if job.stop is not None and job.stop.is_set():
            raise Cancelled(Text("Evaluation stopped."))
        batch = tokenizer.pad({"input_ids": sequences[start:start + batch_size]}, return_tensors="pt")
        with torch.no_grad():
            logits = model(**batch.to(model.device)).logits.float().cpu()
        out += logits.tolist()
        job.report(message, len(out), len(sequences))
    return out


def evaluate_cls(job: EvalJob, batch_size: int) -> dict:
    import torch

    from ..stages.heads import class_names

    train, held = job.stage_rows(Text("labelled texts"))
    names = class_names(job.config, train + held)
    labels = [names[r["label"]] if isinstance(r["label"], int) else r["label"] for r in held]
    job.report(Text("Loading the tuned classifier"))
    model, tokenizer = load_head(job, len(names))
    max_length = job.config.training.max_length
    ids = [tokenizer(r["text"], add_special_tokens=False)["input_ids"][:max_length] for r in held]
    probs = torch.tensor(head_logits(model, tokenizer, ids, batch_size, Text("Classifying: tuned model"), job)).softmax(-1)
    del model
    gc.collect()
    predicted = [names[i] for i in probs.argmax(-1).tolist()]
    rows = [{"idx": i, "prompt": r["text"], "reference": truth,
             "prediction": f"{guess} ({float(p[names.index(guess)]):.2f})", "score": round(float(p[names.index(truth)]), 6)}
            for i, (r, truth, guess, p) in enumerate(zip(held, labels, predicted, probs, strict=True))]
    job.save("tuned", {"examples": len(held), **m.classification(predicted, labels, names)}, rows)
    if job.base:
        counts = Counter(names[r["label"]] if isinstance(r["label"], int) else r["label"] for r in train)
        majority = max(names, key=lambda name: (counts[name], -names.index(name)))
        rows = [{"idx": i, "prompt": r["text"], "reference": truth, "prediction": majority,
                 "score": float(truth == majority)} for i, (r, truth) in enumerate(zip(held, labels, strict=True))]
        job.save("majority", {"examples": len(held), **m.classification([majority] * len(held), labels, names)}, rows,
                 about=majority_note(majority, counts[majority], len(train)))
    return job.result


def majority_note(name: str, count: int, rows: int) -> str:
    return (f"The base model has no trained classification head: the baseline predicts the majority class, "
            f"'{name}' ({count} of {rows} training rows), for every text.")


def evaluate_rm(job: EvalJob, batch_size: int) -> dict:
    _train, held = job.stage_rows(Text("preference pairs"))
    job.report(Text("Loading the tuned reward model"))
    model, tokenizer = load_head(job, 1)
    max_length = job.config.training.max_length

    def ids(row: dict, answer: str) -> list[int]:
        tokens = tokenizer.apply_chat_template(row["prompt"] + row[answer], tokenize=True,
                                               return_dict=True)["input_ids"]
        return tokens[-max_length:]  # the head reads the last token

    sequences = [ids(r, "chosen") for r in held] + [ids(r, "rejected") for r in held]
    rewards = [x[0] for x in head_logits(model, tokenizer, sequences, batch_size, Text("Scoring pairs: tuned reward model"),
                                         job)]
    del model
    gc.collect()
    chosen, rejected = rewards[:len(held)], rewards[len(held):]
    rows = [{"idx": i, "prompt": prompt_text(r["prompt"]), "reference": r["chosen"][0]["content"],
             "prediction": f"reward chosen {c:.2f} vs rejected {b:.2f}: "
                           + ("prefers chosen" if c > b else "prefers rejected"),
             "score": round(1 / (1 + math.exp(min(b - c, 700.0))), 6)}
            for i, (r, c, b) in enumerate(zip(held, chosen, rejected, strict=True))]
    job.save("tuned", {"examples": len(held), "pairwise_accuracy": m.pairwise_accuracy(chosen, rejected),
                       "reward_margin": sum(c - b for c, b in zip(chosen, rejected, strict=True)) / len(held)}, rows)
    if job.base:
        rows = [dict(row, prediction="chance: either answer, 0.5 each", score=0.5) for row in rows]
        job.save("chance", {"examples": len(held), "pairwise_accuracy": 0.5}, rows,
                 about="The base model has no trained reward head (a fresh head ranks pairs at random): the "
                       "baseline is chance, 0.5.")
    return job.result
