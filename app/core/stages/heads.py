"""rm and cls: the causal LM's weights with a sequence-classification head (AutoModelForSequenceClassification).

rm: trl.RewardTrainer on preference pairs: one score per answer, trained so the chosen answer scores higher; it
reports `accuracy` (share of pairs ranked right) and `margin`. cls: a transformers Trainer on text/label rows;
each evaluation reports accuracy and macro precision, recall and F1, and writes the confusion matrix to
`confusion.json` in the run folder. With an adapter, the new head trains in full beside it (peft's SEQ_CLS task
saves it with the adapter).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.prepare import Prepared
from ..errors import DataError
from ..messages import Text
from .common import leave_out_full_prompts
from .registry import STAGES

if TYPE_CHECKING:
    from ..config import RunConfig


def prepare(config: RunConfig, tokenizer: Any, sink: Any, stop: Any) -> Prepared:
    from datasets import Dataset

    from ..data.stage_data import load_stage_rows
    from ..data.templating import char_budget

    spec = STAGES[config.training.stage]
    rows = load_stage_rows(config.data, spec.formats, spec.title, sink, stop,
                           budget=char_budget(tokenizer, config.training.max_length))
    stats = {"format": rows.format, "rows": rows.rows, "train_rows": len(rows.train), "eval_rows": len(rows.eval),
             "max_length": config.training.max_length, "sample_prompts": []}
    if config.training.stage == "rm":
        leave_out_full_prompts(rows, tokenizer, config.training.max_length, sink)
        stats.update(train_rows=len(rows.train), eval_rows=len(rows.eval), truncated=0)
        train, held = (pair_ids(r, tokenizer, config.training.max_length, stats) for r in (rows.train, rows.eval))
        return Prepared(Dataset.from_dict(train), Dataset.from_dict(held) if rows.eval else None, stats,
                        rows.fingerprint, rows.format)
    names = class_names(config, rows.train + rows.eval + rows.test)  # test rows: classes `eval` scores
    index = {name: i for i, name in enumerate(names)}
    stats.update(num_labels=len(names), labels=names, truncated=0)

    def encode(examples: list[dict]) -> dict[str, list]:
        cols: dict[str, list] = {"input_ids": [], "labels": []}
        for row in examples:
            ids = tokenizer(row["text"], add_special_tokens=False)["input_ids"]
            stats["truncated"] += len(ids) > config.training.max_length
            cols["input_ids"].append(ids[:config.training.max_length])
            label = row["label"]
            cols["labels"].append(label if isinstance(label, int) else index[label])
        return cols

    train, held = encode(rows.train), encode(rows.eval)
    if held["labels"]:
        stats["majority_baseline"] = max(held["labels"].count(i) for i in set(held["labels"])) / len(held["labels"])
    return Prepared(Dataset.from_dict(train), Dataset.from_dict(held) if held["labels"] else None, stats,
                    rows.fingerprint, rows.format)


def pair_ids(rows: list[dict], tokenizer: Any, max_length: int, stats: dict) -> dict[str, list]:
    """Preference rows as RewardTrainer reads them once tokenised: the templated prompt + chosen answer and prompt
    + rejected answer, each cut to `max_length` tokens (RewardTrainer would leave out every longer pair), counted
    in stats["truncated"]."""
    cols: dict[str, list] = {"chosen_ids": [], "rejected_ids": []}
    for row in rows:
        chosen, rejected = (tokenizer.apply_chat_template(row["prompt"] + row[key], tokenize=True,
                                                          return_dict=True)["input_ids"] for key in ("chosen", "rejected"))
        stats["truncated"] += max(len(chosen), len(rejected)) > max_length
        cols["chosen_ids"].append(chosen[:max_length])
        cols["rejected_ids"].append(rejected[:max_length])
    return cols


def class_names(config: RunConfig, rows: list[dict]) -> list[str]:
    """Class i's name: stage.labels, else the sorted names found, or 0..max when every label is a number (a
    number label is the class index)."""
    found = {r["label"] for r in rows}
    numbers = [v for v in found if isinstance(v, int)]
    if config.stage.labels:
        names = list(config.stage.labels)
    elif len(numbers) == len(found):
        names = [str(i) for i in range(max(max(found) + 1, config.stage.num_labels or 0))]
    else:
        names = sorted(str(v) for v in found)
    unknown = sorted(str(v) for v in found if (v not in names if isinstance(v, str) else not 0 <= v < len(names)))
    if unknown:
        raise DataError(Text("Labels {labels} are not among the classes {classes}.",
                             labels=', '.join(unknown[:10]), classes=', '.join(names[:10])),
                        Text("List every class in stage.labels (a number label is the class's index), or fix "
                             "the data's labels."))
    if config.stage.num_labels and len(names) > config.stage.num_labels:
        raise DataError(Text("The data has {n} classes; stage.num_labels is {num_labels}.",
                             n=len(names), num_labels=config.stage.num_labels),
                        Text("Raise stage.num_labels or leave it empty to count the classes."))
    if len(names) < 2:
        raise DataError(Text("The data has only one class ({name}).", name=names[0] if names else 'none'),
                        Text("A classifier needs examples of at least two classes."))
    return names


def make_trainer(config: RunConfig, model: Any, tokenizer: Any, prepared: Prepared, args: dict,
                 **kwargs: Any) -> Any:
    if config.training.stage == "rm":
        from trl import RewardConfig, RewardTrainer

        return RewardTrainer(model=model, args=RewardConfig(**args, max_length=config.training.max_length),
                             train_dataset=prepared.train, eval_dataset=prepared.eval, processing_class=tokenizer,
                             **kwargs)
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    names = prepared.stats["labels"]
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    base.config.id2label = dict(enumerate(names))
    base.config.label2id = {name: i for i, name in enumerate(names)}
    return Trainer(model=model, args=TrainingArguments(**args), train_dataset=prepared.train,
                   eval_dataset=prepared.eval, processing_class=tokenizer,
                   data_collator=DataCollatorWithPadding(tokenizer),
                   compute_metrics=ClassificationMetrics(names, Path(args["output_dir"]).parent), **kwargs)


class ClassificationMetrics:
    """compute_metrics for cls: accuracy and macro precision/recall/F1; the confusion matrix goes to a file."""

    def __init__(self, names: list[str], folder: Path):
        self.names, self.folder = names, folder

    def __call__(self, prediction: Any) -> dict[str, float]:
        import numpy as np

        logits = prediction.predictions[0] if isinstance(prediction.predictions, tuple) else prediction.predictions
        predicted, truth = np.asarray(logits).argmax(-1), np.asarray(prediction.label_ids)
        metrics, matrix = classification_metrics(truth.tolist(), predicted.tolist(), len(self.names))
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "confusion.json").write_text(json.dumps(
            {"labels": self.names, "matrix": matrix, "rows": "true class", "columns": "predicted class"}),
            encoding="utf-8")
        return metrics


def classification_metrics(truth: list[int], predicted: list[int], n: int) -> tuple[dict[str, float], list]:
    """Accuracy, macro precision/recall/F1 over the classes that occur, and the n × n confusion matrix."""
    matrix = [[0] * n for _ in range(n)]
    for t, p in zip(truth, predicted, strict=True):
        matrix[t][p] += 1
    present = [c for c in range(n) if any(matrix[c]) or any(row[c] for row in matrix)]
    precision = recall = f1 = 0.0
    for c in present:
        tp, col, row = matrix[c][c], sum(r[c] for r in matrix), sum(matrix[c])
        p, r = (tp / col if col else 0.0), (tp / row if row else 0.0)
        precision, recall, f1 = precision + p, recall + r, f1 + (2 * p * r / (p + r) if p + r else 0.0)
    k = max(len(present), 1)
    accuracy = sum(matrix[c][c] for c in range(n)) / max(len(truth), 1)
    return {"accuracy": accuracy, "precision": precision / k, "recall": recall / k, "f1": f1 / k}, matrix
