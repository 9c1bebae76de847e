"""What every stage's evaluation shares: the run and its config, the held-out rows of the split it scores, progress
as `phase` events, the stop flag, and storing each model's scores with its predictions into one result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import DataError
from ..messages import Text
from ..stages.registry import STAGES

# Stages trained online on every row (the validation share is trained on), scored by rewards: grpo, rloo (and ppo).
ONLINE_STAGES = tuple(name for name, spec in STAGES.items() if "reward_model" in spec.settings)
# What the baseline beside the tuned model is, by the name its evaluation is stored under.
BASELINES = {
    "base": "base_model",
    "majority": "majority_class",
    "chance": "chance",
}
# How a phase message names the model it loads or runs ("Loading the tuned model")
MODEL_LABELS = {"tuned": Text("tuned"), "base": Text("base")}


def model_label(label: str) -> str:
    """`label` ("tuned", "base") as a phase message names it, translated in the window; other labels as they are."""
    return MODEL_LABELS.get(label, label)


@dataclass
class EvalJob:
    run: dict
    config: Any
    split: str
    limit: int | None
    base: bool
    sink: Any
    stop: Any
    store: Any
    result: dict = field(init=False)

    def __post_init__(self) -> None:
        self.result = {"run_id": self.run["id"], "split": self.split, "examples": 0, "evaluation_ids": {}}

    @property
    def stage(self) -> str:
        return self.config.training.stage

    def report(self, message: str, current: int = 0, total: int = 0) -> None:
        """A `phase` event; without a total (loading a model) it has no count, and progress bars show busy."""
        if self.sink is not None:
            self.sink.emit("phase", name="eval", message=message, current=current, total=total)

    def progress(self, message: str):
        """A `progress(done, total)` callback that reports `message`."""
        return lambda done, total: self.report(message, done, total)

    def stage_rows(self, what: Text) -> tuple[list[dict], list[dict]]:
        """(training rows, held-out rows of the split, at most `limit`) in the stage's row layout (data/pairs.py),
        split exactly as training split them; DataError when the split holds none. `what` names the rows."""
        from ..data.stage_data import load_stage_rows

        spec, cfg = STAGES[self.stage], self.config.data
        online = self.stage in ONLINE_STAGES
        if online and self.split == "validation" and not cfg.validation:
            raise DataError(Text("Run {id} ({stage}) trained on every row: it holds out no validation {what}.",
                                 id=self.run['id'], stage=self.stage, what=what),
                            Text("Score its test rows (--split test, with data.test or data.test_split set "
                                 "before training), or a validation file (data.validation), which online "
                                 "runs never train on."))
        rows = load_stage_rows(cfg, spec.formats, spec.title, stop=self.stop,
                               validation=not online or bool(cfg.validation))
        held = (rows.eval if self.split == "validation" else rows.test)[:self.limit or None]
        if not held:
            where = (Text("a validation share or file (data.validation_split, data.validation)")
                     if self.split == "validation" else Text("a test file or share (data.test, data.test_split)"))
            said = (Text("Run {id} holds out no validation {what}.", id=self.run['id'], what=what)
                    if self.split == "validation" else
                    Text("Run {id} holds out no test {what}.", id=self.run['id'], what=what))
            raise DataError(said,
                            Text("Give it {where} and train it again; held-out rows are never trained on.",
                                 where=where))
        return rows.train, held

    def save(self, model: str, metrics: dict, predictions: list[dict], shots: int = 0, about: str = "") -> None:
        """Store one model's scores (`model`: "tuned", or a BASELINES name) and add them to the result: the tuned
        model's as `metrics`, a baseline's under `base` (zero_shot/few_shot, what it is, and `about` it: stored
        with its metrics too, for the GUI)."""
        evaluation_id = self.store.add_evaluation(self.run["id"], model=model, shots=shots, split=self.split,
                                                  metrics={**metrics, "about": about} if about else metrics,
                                                  predictions=predictions)
        if model == "tuned":
            self.result.update(metrics=metrics, examples=len(predictions))
            self.result["evaluation_ids"]["tuned"] = evaluation_id
            return
        base = self.result.setdefault("base", {"baseline": BASELINES[model]})
        if about:
            base["about"] = about
        if shots:
            base.update(few_shot=metrics, shots=shots)
            self.result["evaluation_ids"]["base_few_shot"] = evaluation_id
        else:
            base["zero_shot"] = metrics
            self.result["evaluation_ids"]["base_zero_shot"] = evaluation_id


def prompt_text(messages: list[dict]) -> str:
    """The last user message (what the GUI shows as the example's prompt)."""
    return next((msg["content"] for msg in reversed(messages) if msg["role"] == "user"), "")
