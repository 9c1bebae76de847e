"""`evaluate_run`: score a run's tuned model on held-out examples it never trained on (the validation or test rows
exactly as training split them) beside a baseline on the same examples, and store each with its predictions.

By stage:
- sft, kto: generated answers against the references (exact match, ROUGE, BLEU; classification metrics when the
  references are labels), the base model zero-shot and few-shot beside; kto scores the answers labelled
  desirable, and counts the undesirable ones as skipped (there is no answer to match);
- dpo, orpo, simpo: pairwise accuracy of the answers' log-probabilities (preference.py), the base model beside;
- rm, cls: the trained head (heads.py) beside chance (rm) or the majority class (cls);
- grpo, rloo, ppo: the mean of the run's own rewards on generated answers (online.py), the base model beside;
- pt: loss and perplexity on held-out text (perplexity.py), the base model beside.

Events: `phase` (name "eval", message, current, total) while loading and scoring; nothing else. Returns

    {"run_id", "split", "examples", "metrics": {tuned}, "base": {"baseline": "base_model" | "majority_class" |
     "chance", "about"?, "zero_shot": {...}, "few_shot"?: {...}, "shots"?: K}, "evaluation_ids": {...},
     "skipped"?: {"undesirable": N}}
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from ..messages import Text
from . import metrics as m
from .generation import Item, generate, held_out, shots, with_shots
from .job import ONLINE_STAGES, EvalJob, model_label, prompt_text
from .preference import PREFERENCE_STAGES, score_pairs

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

    from ..events import EventSink, StopFlag
    from ..requests import EvalRequest
    from ..store import Store

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = 256
FEW_SHOT_STAGES = ("sft", "kto")  # the stages whose base model can be shown examples in its prompt


def evaluate_run(request: EvalRequest, *, sink: EventSink | None = None, stop: StopFlag | None = None,
                 store: Store | None = None) -> dict:
    """Score the run `request` names on its split, as it asks (module docstring: what each stage is scored by)."""
    import yaml

    from ..config import parse_config
    from ..errors import StudioError
    from ..store import Store

    store = store or Store()
    run = store.get_run(request.run)
    split, few_shot, batch_size, max_new_tokens = (request.split, request.few_shot, request.batch_size,
                                                   request.max_new_tokens)
    job = EvalJob(run, parse_config(yaml.safe_load(run["config"])), split, request.limit, request.base, sink, stop,
                  store)
    if few_shot and job.stage not in FEW_SHOT_STAGES:
        raise StudioError(Text("Few-shot prompts apply to generating runs ({few_shot_stages}); run {id} is a "
                               "{stage} run.",
                               few_shot_stages=', '.join(FEW_SHOT_STAGES), id=run['id'], stage=job.stage),
                          Text("Drop --few-shot."))
    if job.stage in PREFERENCE_STAGES:
        result = _evaluate_pairs(job)
    elif job.stage in ("rm", "cls"):
        from .heads import evaluate_cls, evaluate_rm

        result = (evaluate_rm if job.stage == "rm" else evaluate_cls)(job, batch_size)
    elif job.stage in ONLINE_STAGES:
        from .online import evaluate_online

        result = evaluate_online(job, batch_size, max_new_tokens)
    elif job.stage == "pt":
        from .perplexity import evaluate_text

        result = evaluate_text(job, batch_size)
    else:
        result = _evaluate_answers(job, few_shot, batch_size, max_new_tokens)
    log.info("evaluated %s on %s: %s", run["id"], split, result)
    return result


def _answers(job: EvalJob) -> tuple[list[Item], list]:
    """(held-out items to answer, training examples for few-shot prompts); kto: the desirable answers only."""
    from ..data.prepare import split_examples
    from ..errors import DataError

    if job.stage == "sft":
        examples = split_examples(job.config.data, job.stop)
        return held_out(getattr(examples, job.split), job.limit, job.split), examples.train
    train, held = job.stage_rows(Text("answers"))
    good = [r["prompt"] + r["completion"] for r in held if r["label"]]
    if not good:
        raise DataError(Text("Every held-out {split} row of run {id} is labelled undesirable: there is no "
                             "good answer to compare the generated ones with.",
                             split=job.split, id=job.run['id']),
                        Text("Hold out rows with desirable (true) labels too, or evaluate more of them "
                             "(--limit)."))
    job.result["skipped"] = {"undesirable": len(held) - len(good)}
    return held_out(good, None, job.split), [r["prompt"] + r["completion"] for r in train if r["label"]]


def _evaluate_answers(job: EvalJob, few_shot: int, batch_size: int, max_new_tokens: int | None) -> dict:
    """sft and kto: generated answers scored against the references, tuned and base zero-/few-shot."""
    from ..chat.load import load_for_chat

    items, train = _answers(job)
    references = [item.reference for item in items]

    def score(label: str, model_name: str, shots_k: int, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase,
              conversations: list[list[dict]]) -> None:
        nonlocal max_new_tokens
        if max_new_tokens is None:  # room for the longest reference, so short answers generate fast
            longest = max(len(tokenizer(r, add_special_tokens=False)["input_ids"]) for r in references)
            max_new_tokens = min(MAX_NEW_TOKENS, longest + 16)
        predictions = generate(model, tokenizer, conversations, max_new_tokens=max_new_tokens,
                               batch_size=batch_size, stop=job.stop, progress=job.progress(
                                   Text("Generating: {label}", label=label)))
        scores = m.score(predictions, references)
        if "skipped" in job.result:
            scores["undesirable_skipped"] = job.result["skipped"]["undesirable"]
        rows = [{"idx": i, "prompt": prompt_text(item.messages), "reference": item.reference, "prediction": p,
                 "score": m.example_score(p, item.reference)}
                for i, (item, p) in enumerate(zip(items, predictions, strict=True))]
        job.save(model_name, scores, rows, shots=shots_k)

    job.report(Text("Loading the tuned model"))
    trusted = job.config.model.trust_remote_code
    model, tokenizer = load_for_chat(job.run["id"], trust_remote_code=trusted)
    score("tuned model", "tuned", 0, model, tokenizer, [item.messages for item in items])
    del model
    gc.collect()
    if job.base:
        job.report(Text("Loading the base model"))
        model, tokenizer = load_for_chat(job.config.model.source, trust_remote_code=trusted)
        score("base zero-shot", "base", 0, model, tokenizer, [item.messages for item in items])
        if few_shot:
            turns = shots(train, few_shot, job.config.data.seed)
            score(f"base {few_shot}-shot", "base", few_shot, model, tokenizer,
                  [with_shots(item.messages, turns) for item in items])
        del model
        gc.collect()
    return job.result


def _evaluate_pairs(job: EvalJob) -> dict:
    """Preference runs: pairwise accuracy of the tuned model and of its base on the held-out pairs."""
    from ..chat.load import load_for_chat

    _train, rows = job.stage_rows(Text("preference pairs"))
    for label, key in (("tuned", job.run["id"]), ("base", job.config.model.source))[:2 if job.base else 1]:
        job.report(Text("Loading the {label} model", label=model_label(label)))
        model, tokenizer = load_for_chat(key, trust_remote_code=job.config.model.trust_remote_code)
        scores, predictions = score_pairs(model, tokenizer, rows, stop=job.stop,
                                          progress=job.progress(Text("Scoring pairs: {label} model",
                                                                     label=model_label(label))))
        job.save(label, scores, predictions)
        del model
        gc.collect()
    return job.result


def latest_batch(evaluations: list[dict]) -> dict[str, dict]:
    """The newest `evaluate_run` call's rows from `Store.evaluations` (any order): {"tuned", "base_zero_shot",
    "base_few_shot"} → row; a call stores its tuned row first, then the baseline ones (base, majority, chance)."""
    batch: dict[str, dict] = {}
    for row in sorted(evaluations, key=lambda r: r["id"]):
        if row["model"] == "tuned":
            batch = {"tuned": row}
        elif batch:
            batch["base_few_shot" if row["shots"] else "base_zero_shot"] = row
    return batch
