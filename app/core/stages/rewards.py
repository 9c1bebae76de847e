"""Rule-based rewards for grpo and rloo, and where a reward model (for ppo, grpo and rloo) comes from.

Each reward is called by TRL with the generated `completions` (conversational: [{"role": "assistant",
"content": ...}]) and the dataset's columns (our rows carry `answer`, the reference answer, "" when there is
none); it returns one float per completion. TRL logs each as `rewards/<name>/mean`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, RunNotFound
from ..messages import Text

if TYPE_CHECKING:
    from .settings import StageConfig


def _text(completion: Any) -> str:
    if isinstance(completion, list):
        return "".join(m.get("content", "") for m in completion if isinstance(m, dict))
    return str(completion)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def exact_match(completions: list, answer: list[str] | None = None, **_: Any) -> list[float]:
    """1.0 when the reference answer appears in the completion (case and spacing ignored), else 0.0."""
    answers = answer or [""] * len(completions)
    return [float(bool(_norm(a)) and _norm(a) in _norm(_text(c))) for c, a in zip(completions, answers, strict=True)]


def format_reward(pattern: str):
    regex = re.compile(pattern, re.MULTILINE | re.DOTALL)

    def format(completions: list, **_: Any) -> list[float]:  # noqa: A001 - the name TRL logs
        """1.0 when the completion matches the pattern, else 0.0."""
        return [float(regex.search(_text(c)) is not None) for c in completions]

    return format


def length_reward(target: int):
    def length(completions: list, **_: Any) -> list[float]:
        """1.0 at `target` words, falling linearly to 0.0 at twice (or zero times) the target."""
        return [max(0.0, 1.0 - abs(len(_text(c).split()) - target) / target) for c in completions]

    return length


def reward_functions(settings: StageConfig) -> list[Any]:
    """The configured rule-based rewards, then the reward model's folder (TRL loads it as a scoring model)."""
    rules = {"exact_match": lambda: exact_match, "format": lambda: format_reward(settings.reward_pattern),
             "length": lambda: length_reward(settings.reward_target_length)}
    funcs: list[Any] = [rules[name]() for name in dict.fromkeys(settings.reward_functions)]
    if settings.reward_model:
        funcs.append(str(reward_model_dir(settings.reward_model)))
    return funcs


def reward_model_dir(key: str) -> Path:
    """A reward model: an rm run (id or name) with a merged export, or a folder with such a model."""
    import json

    from ..paths import run_dir
    from ..store import Store

    folder = Path(key).expanduser()
    if not folder.is_dir():
        try:
            run = Store().get_run(key)
        except RunNotFound:
            raise ConfigError([("stage.reward_model",
                                Text("{key} is neither a folder nor a run", key=key))]) from None
        if run.get("stage") != "rm":
            raise ConfigError([("stage.reward_model", Text("run {id} is a {stage} run, not rm", id=run['id'],
                                                             stage=run.get('stage')))])
        folder = run_dir(run["id"]) / "merged"
    config = folder / "config.json"
    architectures = json.loads(config.read_text()).get("architectures", []) if config.is_file() else []
    if not any(a.endswith("ForSequenceClassification") for a in architectures):
        raise ConfigError([("stage.reward_model", Text("{folder} holds no merged reward model (a "
                                                         "sequence-classification model); export the rm run "
                                                         "with a merged model", folder=folder))])
    return folder


def latest_reward_model(model: str) -> str | None:
    """The newest completed rm run on base model `model` with a merged export (what PPO can score with), or None."""
    from ..paths import run_dir
    from ..store import Store

    return next((run["id"] for run in Store().list_runs(status="completed") if run.get("stage") == "rm"
                 and run.get("model") == model and (run_dir(run["id"]) / "merged" / "config.json").is_file()), None)
