"""grpo, rloo and ppo runs: the tuned model and its base answer the held-out prompts (greedy, up to the run's
stage.max_completion_length tokens) and each answer is scored by the run's own rewards (stages/rewards.py: the
rule-based ones, then its reward model if it has one; ppo's reward model alone), summed as TRL sums them.

Metrics: `reward` (the mean summed reward) and `rewards/<name>` (each reward's mean); where rows carry a reference
answer, exact match, ROUGE and BLEU of the answers against those references (`with_answer`: how many did). Each
answer's score is its summed reward.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from ..messages import Text
from . import metrics as m
from .generation import generate
from .job import EvalJob, model_label, prompt_text


def reward_model_scores(folder: Path, prompts: list[list[dict]], answers: list[str], batch_size: int,
                        job: EvalJob) -> list[float]:
    """A merged reward model's score of each prompt + answer conversation (chat template, as it was trained); its
    own code runs only with the run's consent, as in training (stages/ppo.py)."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from ..data import ensure_chat_template
    from ..models import load_tokenizer
    from .heads import head_logits

    trusted = job.config.model.trust_remote_code
    tokenizer = load_tokenizer(str(folder), trust_remote_code=trusted)
    ensure_chat_template(tokenizer)
    model = AutoModelForSequenceClassification.from_pretrained(
        folder, dtype=torch.bfloat16 if torch.cuda.is_available() else torch.float32,
        trust_remote_code=trusted).eval()
    sequences = [tokenizer.apply_chat_template([*p, {"role": "assistant", "content": a}], tokenize=True,
                                               return_dict=True)["input_ids"] for p, a in zip(prompts, answers,
                                                                                               strict=True)]
    scores = [x[0] for x in head_logits(model, tokenizer, sequences, batch_size, Text("Scoring: reward model"), job)]
    del model
    gc.collect()
    return scores


def rewards(job: EvalJob, rows: list[dict], answers: list[str], batch_size: int) -> dict[str, list[float]]:
    """{reward name: one value per answer} under the run's reward settings (a stage without rule-based rewards,
    such as ppo, is scored by its reward model alone)."""
    from ..stages.registry import STAGES
    from ..stages.rewards import reward_functions

    completions = [[{"role": "assistant", "content": a}] for a in answers]
    references = [r["answer"] for r in rows]
    settings = job.config.stage
    if "reward_functions" not in STAGES[job.stage].settings:
        settings = settings.model_copy(update={"reward_functions": []})
    out: dict[str, list[float]] = {}
    for func in reward_functions(settings):
        if isinstance(func, str):
            out["reward_model"] = reward_model_scores(Path(func), [r["prompt"] for r in rows], answers,
                                                      batch_size, job)
        else:
            out[func.__name__] = [float(x) for x in func(completions, answer=references)]
    return out


def score_answers(job: EvalJob, rows: list[dict], answers: list[str], batch_size: int) -> tuple[dict, list[dict]]:
    per_reward = rewards(job, rows, answers, batch_size)
    totals = [sum(values) for values in zip(*per_reward.values(), strict=True)]
    n = len(rows)
    metrics: dict[str, Any] = {"examples": n, "reward": sum(totals) / n,
                               **{f"rewards/{name}": sum(v) / n for name, v in per_reward.items()}}
    answered = [(a, r["answer"]) for a, r in zip(answers, rows, strict=True) if r["answer"]]
    if answered:
        generated = m.score([a for a, _ in answered], [ref for _, ref in answered])
        metrics.update({k: v for k, v in generated.items() if k != "examples"}, with_answer=len(answered))
    predictions = [{"idx": i, "prompt": prompt_text(r["prompt"]), "reference": r["answer"], "prediction": a,
                    "score": round(t, 6)} for i, (r, a, t) in enumerate(zip(rows, answers, totals, strict=True))]
    return metrics, predictions


def evaluate_online(job: EvalJob, batch_size: int, max_new_tokens: int | None) -> dict:
    from ..chat.load import load_for_chat

    _train, held = job.stage_rows(Text("prompts"))
    max_new_tokens = max_new_tokens or job.config.stage.max_completion_length
    for label, key in (("tuned", job.run["id"]), ("base", job.config.model.source))[:2 if job.base else 1]:
        job.report(Text("Loading the {label} model", label=model_label(label)))
        model, tokenizer = load_for_chat(key, trust_remote_code=job.config.model.trust_remote_code)
        answers = generate(model, tokenizer, [r["prompt"] for r in held], max_new_tokens=max_new_tokens,
                           batch_size=batch_size, stop=job.stop, progress=job.progress(
                               Text("Generating: {label} model", label=model_label(label))))
        del model
        gc.collect()
        job.save(label, *score_answers(job, held, answers, batch_size))
    return job.result
