"""`evaluate_run`: score a run's tuned model, and its base model zero-shot and few-shot, on the same held-out
examples (the validation or test rows exactly as the data step split them), and store each evaluation with its
predictions.

Events: `phase` (name "eval", message, current, total) while loading and generating; nothing else. Returns

    {"run_id", "split", "examples", "metrics": {tuned}, "base": {"zero_shot": {...}, "few_shot": {...}, "shots": K},
     "evaluation_ids": {...}}
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from . import metrics as m
from .generation import generate, held_out, shots, with_shots
from .preference import PREFERENCE_STAGES, score_pairs

log = logging.getLogger(__name__)

SPLITS = ("validation", "test")
MAX_NEW_TOKENS = 256


def evaluate_run(key: str, *, split: str = "validation", limit: int | None = None, few_shot: int = 0,
                 base: bool = True, batch_size: int = 8, max_new_tokens: int | None = None, sink: Any = None,
                 stop: Any = None, store: Any = None) -> dict:
    import yaml

    from ..chat import load_for_chat
    from ..config import parse_config
    from ..data.prepare import split_examples
    from ..errors import StudioError
    from ..store import Store

    if split not in SPLITS:
        raise StudioError(f"Unknown split '{split}'.", f"Choose one of: {', '.join(SPLITS)}.")
    store = store or Store()
    run = store.get_run(key)
    config = parse_config(yaml.safe_load(run["config"]))
    if config.training.stage in PREFERENCE_STAGES:
        return _evaluate_pairs(run, config, split, limit, base, sink, stop, store)
    if config.training.stage not in ("sft", "pt"):
        raise StudioError(f"Evaluation scores generated answers (sft) or preference pairs (dpo, orpo, simpo); run "
                          f"{run['id']} is a {config.training.stage} run.",
                          "Its training metrics are on the Runs and Compare pages.")
    examples = split_examples(config.data, stop)
    items = held_out(getattr(examples, split), limit, split)
    references = [item.reference for item in items]

    def report(message: str, current: int = 0, total: int = 0) -> None:
        if sink is not None:
            sink.emit("phase", name="eval", message=message, current=current, total=total)

    def score(label: str, model_name: str, shots_k: int, model: Any, tokenizer: Any, conversations: list[list[dict]]) -> tuple:
        nonlocal max_new_tokens
        if max_new_tokens is None:  # room for the longest reference, so short answers generate fast
            longest = max(len(tokenizer(r, add_special_tokens=False)["input_ids"]) for r in references)
            max_new_tokens = min(MAX_NEW_TOKENS, longest + 16)
        predictions = generate(model, tokenizer, conversations, max_new_tokens=max_new_tokens,
                               batch_size=batch_size, stop=stop,
                               progress=lambda done, total: report(f"Generating: {label}", done, total))
        scores = m.score(predictions, references)
        rows = [{"idx": i, "prompt": _prompt_text(item.messages), "reference": item.reference, "prediction": p,
                 "score": m.example_score(p, item.reference)} for i, (item, p) in enumerate(zip(items, predictions,
                                                                                               strict=True))]
        evaluation_id = store.add_evaluation(run["id"], model=model_name, shots=shots_k, split=split,
                                             metrics=scores, predictions=rows)
        return scores, evaluation_id

    report("Loading the tuned model", 0, 1)
    model, tokenizer = load_for_chat(run["id"])
    tuned, tuned_id = score("tuned model", "tuned", 0, model, tokenizer, [item.messages for item in items])
    result: dict = {"run_id": run["id"], "split": split, "examples": len(items), "metrics": tuned,
                    "evaluation_ids": {"tuned": tuned_id}}
    del model
    gc.collect()
    if base:
        report("Loading the base model", 0, 1)
        model, tokenizer = load_for_chat(config.model.source)
        zero, zero_id = score("base zero-shot", "base", 0, model, tokenizer, [item.messages for item in items])
        result["base"] = {"zero_shot": zero}
        result["evaluation_ids"]["base_zero_shot"] = zero_id
        if few_shot:
            turns = shots(examples.train, few_shot, config.data.seed)
            few, few_id = score(f"base {few_shot}-shot", "base", few_shot, model, tokenizer,
                                [with_shots(item.messages, turns) for item in items])
            result["base"].update(few_shot=few, shots=few_shot)
            result["evaluation_ids"]["base_few_shot"] = few_id
        del model
        gc.collect()
    log.info("evaluated %s on %s: %s", run["id"], split, result)
    return result


def _evaluate_pairs(run: dict, config: Any, split: str, limit: int | None, base: bool, sink: Any, stop: Any,
                    store: Any) -> dict:
    """Preference runs: pairwise accuracy of the tuned model and of its base on the held-out pairs."""
    from ..chat import load_for_chat
    from ..data.stage_data import load_stage_rows
    from ..errors import DataError

    if split != "validation":
        raise DataError("Preference runs are scored on their validation pairs.", "Drop --split test.")
    rows = load_stage_rows(config.data, ("preference",), "preference", stop=stop).eval[:limit or None]
    if not rows:
        raise DataError(f"Run {run['id']} holds out no preference pairs.",
                        "Give it a validation share or file (data.validation_split, data.validation).")
    result: dict = {"run_id": run["id"], "split": split, "examples": len(rows), "evaluation_ids": {}}

    def report(message: str, current: int, total: int) -> None:
        if sink is not None:
            sink.emit("phase", name="eval", message=message, current=current, total=total)

    for label, key in (("tuned", run["id"]), ("base", config.model.source))[:2 if base else 1]:
        report(f"Loading the {label} model", 0, 1)
        model, tokenizer = load_for_chat(key)
        message = f"Scoring pairs: {label} model"
        scores, predictions = score_pairs(model, tokenizer, rows, stop=stop,
                                          progress=lambda done, total, text=message: report(text, done, total))
        evaluation_id = store.add_evaluation(run["id"], model=label, shots=0, split=split, metrics=scores,
                                             predictions=predictions)
        if label == "tuned":
            result["metrics"] = scores
        else:
            result["base"] = {"zero_shot": scores}
        result["evaluation_ids"]["tuned" if label == "tuned" else "base_zero_shot"] = evaluation_id
        del model
        gc.collect()
    return result


def _prompt_text(messages: list[dict]) -> str:
    """The last user message (what the GUI shows as the example's prompt)."""
    return next((msg["content"] for msg in reversed(messages) if msg["role"] == "user"), "")


def latest_batch(evaluations: list[dict]) -> dict[str, dict]:
    """The newest `evaluate_run` call's rows from `Store.evaluations` (any order): {"tuned", "base_zero_shot",
    "base_few_shot"} → row; a call stores its tuned row first, then the base ones."""
    batch: dict[str, dict] = {}
    for row in sorted(evaluations, key=lambda r: r["id"]):
        if row["model"] == "tuned":
            batch = {"tuned": row}
        elif batch:
            batch["base_few_shot" if row["shots"] else "base_zero_shot"] = row
    return batch
