"""RunConfig: the one typed description of a run, validated once, saved as YAML, stored with every run.

Every field has a title, a one-line description and bounds; the CLI's errors and the GUI's forms and tooltips read
them from here. Fields marked `advanced` (json_schema_extra) go into the GUI's Advanced section.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, Field, StringConstraints, ValidationError, model_validator

from .distributed.settings import DistributedConfig
from .errors import ConfigError, StudioError
from .messages import Text, joined
from .methods.settings import MethodConfig
from .paths import RESOURCES, resolve_user_path
from .sections import ADVANCED, AutoSection, Section
from .stages.settings import StageConfig, stage_problems

DataFormat = Literal["auto", "messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference", "kto",
                     "classification", "prompt"]
Stage = Literal["pt", "sft", "rm", "dpo", "orpo", "simpo", "kto", "grpo", "rloo", "ppo", "cls"]
ExportDtype = Literal["bf16", "fp16", "fp32"]
ShardSize = Annotated[str, StringConstraints(pattern=r"^[1-9]\d*(KB|MB|GB)$")]


class ModelConfig(Section):
    source: str = Field(
        "demo",
        title="Model",
        description="'demo' (SmolLM2-135M-Instruct, bundled), a local model folder, a .gguf file, or a hub id "
        "such as 'HuggingFaceTB/SmolLM2-360M-Instruct'.",
        min_length=1,
    )
    revision: str | None = Field(
        None, title="Revision", description="Branch, tag or commit of a hub model (default: main).",
        json_schema_extra=ADVANCED,
    )
    trust_remote_code: bool = Field(
        False,
        title="Trust remote code",
        description="Run Python code shipped inside the model repository. Only for models you trust.",
        json_schema_extra=ADVANCED,
    )


class MixSource(Section):
    path: str = Field(
        ..., title="Dataset", description="A data file or folder, or a hub dataset id, mixed into the training data.",
        min_length=1,
    )
    weight: float = Field(
        1.0, title="Weight", description="Share of the mixed training examples, relative to the other datasets' "
        "weights (the training file counts 1); a small dataset with a large weight is repeated.", gt=0, le=1000,
    )
    max_samples: int | None = Field(
        None, title="Max examples", description="Use only the first N examples of this dataset.", ge=1,
    )
    format: DataFormat = Field("auto", title="Format", description="How this dataset's rows are laid out; "
                               "'auto' detects it.")
    columns: dict[str, str] = Field(
        default_factory=dict, title="Column mapping",
        description="Rename this dataset's columns to the format's names, e.g. {question: instruction}.",
    )


class DataConfig(Section):
    train: str = Field(
        ..., title="Training data", description="A JSONL, JSON, CSV or Parquet file with your examples.",
        min_length=1,
    )
    validation: str | None = Field(
        None, title="Validation data",
        description="A separate file for validation; when empty, a share of the training data is held out.",
    )
    format: DataFormat = Field(
        "auto", title="Format",
        description="How rows are laid out: messages, sharegpt, alpaca, prompt_completion or text; "
        "'auto' detects it.",
    )
    columns: dict[str, str] = Field(
        default_factory=dict, title="Column mapping",
        description="Rename your columns to the format's names, e.g. {question: instruction, answer: output}.",
        json_schema_extra=ADVANCED,
    )
    validation_split: float = Field(
        0.05, title="Validation share", description="Share of the training rows held out for validation.",
        ge=0.0, le=0.5,
    )
    test: str | None = Field(
        None, title="Test data",
        description="A separate file for the final evaluation (`finetune-studio eval --split test`); never trained on.",
        json_schema_extra=ADVANCED,
    )
    test_split: float = Field(
        0.0, title="Test share", description="Share of the training rows held out for testing when there is no "
        "test file (taken after the validation share; never trained on).", ge=0.0, le=0.5,
        json_schema_extra=ADVANCED,
    )
    train_on: Literal["assistant", "all"] = Field(
        "assistant", title="Train on",
        description="'assistant': loss only on the answers the model should learn to give; 'all': on the whole text.",
    )
    system_prompt: str | None = Field(
        None, title="System prompt",
        description="Added as the system message to conversations that have none.",
        json_schema_extra=ADVANCED,
    )
    max_samples: int | None = Field(
        None, title="Max examples", description="Use only the first N training examples (quick experiments).",
        ge=1, json_schema_extra=ADVANCED,
    )
    seed: int = Field(42, title="Split seed", description="Seed for the validation split and the mix.", ge=0,
                      json_schema_extra=ADVANCED)
    mix: list[MixSource] = Field(
        default_factory=list, title="Mix in datasets",
        description="More datasets mixed into the training data, each with a weight (its share of the examples) "
        "and its own max examples, format and column mapping; validation rows are held out of each.",
        max_length=64, json_schema_extra=ADVANCED,
    )


AutoTraining = Literal["epochs", "learning_rate", "warmup_ratio", "max_length"]


class TrainingConfig(AutoSection):
    AUTO = get_args(AutoTraining)

    stage: Stage = Field(
        "sft", title="Stage", description="pt: continued pre-training on raw text; sft: supervised fine-tuning; "
        "rm: reward model; dpo, orpo, simpo: preference pairs; kto: good/bad answers; grpo, rloo: online RL with "
        "rewards; ppo: online RL with an rm run's reward model; cls: text classification.",
    )
    auto: list[AutoTraining] = Field(
        default_factory=lambda: list(get_args(AutoTraining)), title="Chosen from the data",
        description="Settings chosen when the run starts from the number of rows, their token lengths, the model's "
        "size and the method (docs/defaults.md: the rule and its sources); a setting you give leaves this list.",
        json_schema_extra=ADVANCED,
    )
    epochs: float = Field(1.0, title="Epochs", description="Passes over the training data.", gt=0, le=100)
    max_steps: int | None = Field(
        None, title="Max steps", description="Stop after this many optimizer steps; when set, overrides epochs.",
        ge=1,
    )
    learning_rate: float = Field(2e-4, title="Learning rate", description="Peak learning rate.", gt=0, le=1.0)
    batch_size: int = Field(8, title="Batch size", description="Examples per optimizer step (before accumulation).",
                            ge=1, le=4096)
    gradient_accumulation: int = Field(
        1, title="Gradient accumulation", description="Micro-batches summed per optimizer step.", ge=1, le=1024,
        json_schema_extra=ADVANCED,
    )
    max_length: int = Field(512, title="Max length", description="Longest example in tokens; longer ones are "
                            "truncated (and counted).", ge=16, le=131072)
    lr_scheduler: Literal["cosine", "linear", "constant", "constant_with_warmup"] = Field(
        "cosine", title="LR schedule", description="How the learning rate changes over the run.",
        json_schema_extra=ADVANCED,
    )
    warmup_ratio: float = Field(0.03, title="Warm-up share", description="Share of steps spent warming up the LR.",
                                ge=0.0, le=0.5, json_schema_extra=ADVANCED)
    weight_decay: float = Field(0.0, title="Weight decay", description="AdamW weight decay.", ge=0.0, le=1.0,
                                json_schema_extra=ADVANCED)
    max_grad_norm: float = Field(1.0, title="Gradient clipping", description="Clip the gradient norm to this value.",
                                 gt=0, le=1000, json_schema_extra=ADVANCED)
    precision: Literal["auto", "bf16", "fp16", "fp32"] = Field(
        "auto", title="Precision",
        description="Compute precision; 'auto' picks bf16 where the hardware supports it, else fp32.",
        json_schema_extra=ADVANCED,
    )
    gradient_checkpointing: Literal["auto", True, False] = Field(
        "auto", title="Gradient checkpointing",
        description="Recompute activations to save memory (slower); 'auto' turns it on only when the memory planner "
        "finds the run would not fit the device without it, and then recomputes only as many layers as the "
        "memory needs.",
        json_schema_extra=ADVANCED,
    )
    checkpoint_layers: int | None = Field(
        None, title="Checkpointed layers",
        description="With gradient checkpointing on: how many decoder layers recompute their activations, the first "
        "ones from the input (the others keep theirs and run faster); empty: all. 'auto' checkpointing sets it to "
        "the fewest that fit the memory. Runs split with FSDP checkpoint all layers.",
        ge=1, le=1024, json_schema_extra=ADVANCED | {"special": "all"},
    )
    memory_limit_gb: float | None = Field(
        None, title="Memory budget (GiB)",
        description="Plan the run to fit in this much RAM (CPU) or VRAM (GPU): 'auto' checkpointing and lean memory "
        "decide by it, and a CPU run that needs more is refused; empty: what the device has free.",
        gt=0, le=65536, json_schema_extra=ADVANCED,
    )
    lean_memory: Literal["auto", True, False] = Field(
        "auto", title="Lean memory (CPU)",
        description="Give freed memory back to the system at once: a CPU run peaks at up to ~25% less RAM, and "
        "its steps are up to ~25% slower (every large block is freshly mapped). 'auto' turns it on only when the "
        "run's estimate comes within 30% of the available memory (or the budget) and checkpointing more layers "
        "cannot leave that room.",
        json_schema_extra=ADVANCED,
    )
    padding_free: Literal["auto", True, False] = Field(
        "auto", title="Padding-free batches",
        description="Concatenate examples without padding (attention stays per example): less wasted compute. "
        "'auto' does so except on a GPU without flash-attention, where padded, length-grouped batches are faster.",
        json_schema_extra=ADVANCED,
    )
    group_by_length: bool = Field(
        True, title="Group by length",
        description="Batch examples of similar length together where batches are padded (prompt-learning "
        "methods, padding-free off): less padding computed. Padding-free batches have none to save.",
        json_schema_extra=ADVANCED,
    )
    save_steps: int = Field(50, title="Checkpoint every", description="Save a checkpoint every N steps (and at "
                            "the end).", ge=1, json_schema_extra=ADVANCED)
    save_total_limit: int = Field(2, title="Checkpoints kept", description="Older checkpoints are deleted.",
                                  ge=1, le=100, json_schema_extra=ADVANCED)
    logging_steps: int = Field(1, title="Log every", description="Report metrics every N steps.", ge=1,
                               json_schema_extra=ADVANCED)
    seed: int = Field(42, title="Seed", description="Random seed for initialisation and shuffling.", ge=0,
                      json_schema_extra=ADVANCED)
    report_to: Literal["none", "tensorboard", "wandb", "mlflow"] = Field(
        "none", title="Experiment tracking",
        description="Also log metrics to TensorBoard, Weights & Biases or MLflow (install the matching extra, e.g. "
        "pip install 'finetune-studio[tensorboard]'); wandb logs offline unless WANDB_API_KEY is set.",
        json_schema_extra=ADVANCED,
    )


class EvaluationConfig(Section):
    eval_steps: int | None = Field(
        None, title="Evaluate every", description="Evaluate on the validation data every N steps; empty: at the "
        "end of each epoch.", ge=1,
    )
    sample_prompts: list[str] | None = Field(
        None, title="Sample prompts",
        description="Prompts the model answers at each checkpoint, so you can watch its answers change; "
        "empty: two prompts from the validation data; [] for none.",
        json_schema_extra=ADVANCED,
    )
    sample_max_new_tokens: int = Field(64, title="Sample length", description="Tokens generated per sample.",
                                       ge=1, le=4096, json_schema_extra=ADVANCED)
    early_stopping_patience: int | None = Field(
        None, title="Early stopping patience",
        description="Stop when eval_loss has not improved for N evaluations in a row and keep the best checkpoint; "
        "needs validation data; empty: off.", ge=1, le=1000,
    )
    early_stopping_threshold: float = Field(
        0.0, title="Minimum improvement", description="Early stopping: eval_loss must fall by more than this to "
        "count as an improvement.", ge=0.0, le=10.0, json_schema_extra=ADVANCED,
    )


class ExportConfig(Section):
    merged: bool = Field(True, title="Merged model", description="After training, save the base with the "
                         "adapter merged in, ready for transformers.")
    adapter: bool = Field(True, title="Adapter", description="After training, save the adapter alone (PEFT format).")
    dtype: ExportDtype = Field("fp16", title="Export dtype",
                                                   description="Weight type of the merged model. fp16 keeps "
                                                   "small LoRA updates that bf16 rounding can erase.",
                                                   json_schema_extra=ADVANCED)
    verify: bool = Field(True, title="Verify export", description="Reload the export and compare its logits with "
                         "the trained model.", json_schema_extra=ADVANCED)
    max_shard_size: ShardSize = Field("5GB", title="Max shard size", description="Largest safetensors file of a "
                                      "merged model (e.g. 500MB, 5GB): bigger models are split into several.",
                                      json_schema_extra=ADVANCED)


class RunConfig(Section):
    name: str | None = Field(None, title="Run name", description="A name to find the run by; default: generated.",
                             max_length=120)
    model: ModelConfig = Field(default_factory=ModelConfig, title="Model")
    data: DataConfig = Field(..., title="Data")
    method: MethodConfig = Field(default_factory=MethodConfig, title="Method")
    training: TrainingConfig = Field(default_factory=TrainingConfig, title="Training")
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig, title="Evaluation")
    export: ExportConfig = Field(default_factory=ExportConfig, title="Export")
    stage: StageConfig = Field(default_factory=StageConfig, title="Stage settings",
                               description="Settings of the stages beyond SFT: preference, KTO, GRPO/RLOO, "
                               "PPO, classification.")
    distributed: DistributedConfig = Field(default_factory=DistributedConfig, title="Devices",
                                           description="How many processes (GPUs) and machines train the run, "
                                           "and how they share the model.")

    @model_validator(mode="after")
    def _stage_fits(self) -> RunConfig:
        problems = stage_problems(self)
        if problems:
            raise Problems(problems)
        return self

    # ---- YAML ----
    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=False), sort_keys=False,
                              allow_unicode=True)

    def save(self, path: str | Path) -> None:
        """Write atomically: a half-written config must never replace a good one."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_yaml(), encoding="utf-8")
        tmp.replace(path)

    def resolved(self, base: Path | None = None) -> RunConfig:
        """A copy whose data paths are absolute (relative ones resolved against cwd, `base`, the project root)."""
        data = self.data.model_copy(update={
            "train": _data_path(self.data.train, base),
            "mix": [m.model_copy(update={"path": _data_path(m.path, base)}) for m in self.data.mix],
            "validation": str(resolve_user_path(self.data.validation, base)) if self.data.validation else None,
            "test": str(resolve_user_path(self.data.test, base)) if self.data.test else None,
        })
        return self.model_copy(update={"data": data})


def _data_path(value: str, base: Path | None) -> str:
    """A data path made absolute; a hub dataset id (`owner/name` that is no local path) is kept as it is."""
    from .data.sources import is_hub_id

    path = resolve_user_path(value, base)
    return value if not path.exists() and is_hub_id(value) else str(path)


class Problems(ValueError):
    """What a model validator found wrong with several fields at once: (field path, message) pairs that
    validation_problems lists one by one (RunConfig's cross-section checks: stage × format × method)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("\n".join(f"{path}: {msg}" for path, msg in problems))
        self.problems = problems


# pydantic's own messages as Texts, so the window shows them translated: each template is matched against
# pydantic's message and used with the values as pydantic wrote them (another wording shows as it comes)
PYDANTIC_TEXTS = {
    "greater_than": Text("Input should be greater than {gt}"),
    "greater_than_equal": Text("Input should be greater than or equal to {ge}"),
    "less_than": Text("Input should be less than {lt}"),
    "less_than_equal": Text("Input should be less than or equal to {le}"),
    "literal_error": Text("Input should be {expected}"),
    "int_parsing": Text("Input should be a valid integer, unable to parse string as an integer"),
    "int_type": Text("Input should be a valid integer"),
    "int_from_float": Text("Input should be a valid integer, got a number with a fractional part"),
    "float_parsing": Text("Input should be a valid number, unable to parse string as a number"),
    "float_type": Text("Input should be a valid number"),
    "bool_parsing": Text("Input should be a valid boolean, unable to interpret input"),
    "bool_type": Text("Input should be a valid boolean"),
    "string_type": Text("Input should be a valid string"),
    "string_too_short": Text("String should have at least {min_length} characters"),
    "string_too_long": Text("String should have at most {max_length} characters"),
    "string_pattern_mismatch": Text("String should match pattern '{pattern}'"),
    "list_type": Text("Input should be a valid list"),
}


def _as_text(template: str, msg: str) -> str:
    """`msg` as a Text of `template` when it reads exactly so (the values taken from `msg`), else `msg`."""
    pattern = "".join(f"(?P<{part[1:-1]}>.+?)" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{\w+\})", template))
    match = re.fullmatch(pattern, msg, re.S)
    return Text(template, **match.groupdict()) if match else msg


def problem_text(err: dict) -> str:
    """One pydantic error's message: our validators' Text (a ValueError raised with one), pydantic's own as a Text
    where we know its wording, else pydantic's English."""
    msg = err["msg"].removeprefix("Value error, ")
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, ValueError) and error.args and isinstance(error.args[0], Text):
        return error.args[0]
    if err["type"] == "extra_forbidden":
        return Text("unknown field (check its spelling)")
    if err["type"] == "missing":
        return Text("required field is missing")
    text = _as_text(PYDANTIC_TEXTS[err["type"]].template, msg) if err["type"] in PYDANTIC_TEXTS else msg
    expected = getattr(text, "params", {}).get("expected", "")
    if " or " in expected:  # "'a', 'b' or 'c'": the "or" translated too
        items, last = expected.rsplit(" or ", 1)
        return Text(text.template, expected=Text("{items} or {last}", items=items, last=last))
    return text


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) of each problem pydantic found; the messages are Texts where we know them."""
    out = []
    for err in exc.errors():
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, Problems):
            out += error.problems
            continue
        out.append((".".join(str(p) for p in err["loc"]) or "(config)", problem_text(err)))
    return out


def parse_config(data: dict[str, Any]) -> RunConfig:
    """Validate a dict into a RunConfig, collecting every problem into one ConfigError."""
    if not isinstance(data, dict):
        raise ConfigError([("(config)", Text("expected a mapping of sections (name, model, data, method, ...)"))])
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_problems(exc)) from None


def load_config(path: str | Path) -> RunConfig:
    """Load a YAML config; data paths are resolved so the run works from any folder."""
    path = Path(path)
    if not path.is_file():
        raise StudioError(Text("Config file not found: {path}", path=path),
                          Text("Check the path, or start from resources/examples/quickstart.yaml."))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([(f"{path}:{line}", Text("not UTF-8 text (byte 0x{byte:02x} cannot be decoded)",
                                                   byte=raw[exc.start]))],
                          Text("Save the file as UTF-8 (in most editors: Save with encoding → UTF-8).")) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", exc))
        said = (Text("{path} is not valid YAML at line {line}, column {column}: {problem}", path=path,
                     line=mark.line + 1, column=mark.column + 1, problem=problem) if mark else
                Text("{path} is not valid YAML: {problem}", path=path, problem=problem))
        raise StudioError(said,
                          Text("Check indentation and quoting around that line.")) from None
    return parse_config(data).resolved(path.parent.resolve())


def salvage_config(data: Any, fallback: RunConfig) -> tuple[RunConfig, list[tuple[str, str]]]:
    """The usable part of a config saved earlier (the GUI's last setup): every field that no longer validates, and
    every local file or folder that is gone, takes `fallback`'s value. Returns the config and what was dropped
    (field path, why), in the shape of ConfigError's problems; an intact config comes back as it was."""
    if not isinstance(data, dict):
        return fallback, [("(config)", "not a mapping of sections")]
    dropped = _drop_missing_paths(data)
    try:
        return RunConfig.model_validate(data), dropped
    except ValidationError:
        pass
    merged = fallback.model_dump(mode="json")
    pending: list[tuple[tuple[str, ...], Any]] = []
    for key, value in data.items():
        if key not in merged:
            dropped.append((key, "unknown field"))
        elif isinstance(value, dict) and isinstance(merged[key], dict):
            for field, inner in value.items():
                if field not in merged[key]:
                    dropped.append((f"{key}.{field}", "unknown field"))
                elif inner != merged[key][field]:
                    pending.append(((key, field), inner))
        elif value != merged[key]:
            pending.append(((key,), value))

    def with_value(base: dict, path: tuple[str, ...], value: Any) -> dict:
        out = {**base, path[0]: dict(base[path[0]]) if len(path) > 1 else value}
        if len(path) > 1:
            out[path[0]][path[1]] = value
        return out

    progress = True  # fields that fit only together (a stage and its data format) go in on a later pass
    while pending and progress:
        progress = False
        for path, value in list(pending):
            candidate = with_value(merged, path, value)
            try:
                RunConfig.model_validate(candidate)
            except ValidationError:
                continue
            merged = candidate
            pending.remove((path, value))
            progress = True
    for path, value in pending:
        try:
            RunConfig.model_validate(with_value(merged, path, value))
            why = Text("does not fit the rest of the setup")
        except ValidationError as exc:
            why = joined("; ", [msg for _, msg in validation_problems(exc)])
        dropped.append((".".join(path), why))
    return RunConfig.model_validate(merged), dropped


def _drop_missing_paths(data: dict) -> list[tuple[str, str]]:
    """Take out of `data` (in place) the local files and folders that no longer exist: the training file with the
    format and column mapping that describe it, the validation and test files, mixed-in datasets, a model folder."""
    from .data.sources import is_hub_id

    def gone(value: Any) -> bool:
        return isinstance(value, str) and bool(value) and not is_hub_id(value) and not Path(value).exists()

    dropped = []
    section = data.get("data")
    if isinstance(section, dict):
        if gone(section.get("train")):
            dropped.append(("data.train", f"{section['train']} no longer exists (its format and column mapping "
                            "were dropped with it)"))
            for key in ("train", "format", "columns"):
                section.pop(key, None)
        for key in ("validation", "test"):
            if gone(section.get(key)):
                dropped.append((f"data.{key}", f"{section.pop(key)} no longer exists"))
        if isinstance(section.get("mix"), list):
            kept = [m for m in section["mix"] if not (isinstance(m, dict) and gone(m.get("path")))]
            dropped += [("data.mix", f"{m['path']} no longer exists") for m in section["mix"] if m not in kept]
            section["mix"] = kept
    model = data.get("model")
    if isinstance(model, dict) and isinstance(model.get("source"), str) and Path(model["source"]).is_absolute() \
            and not Path(model["source"]).exists():
        dropped.append(("model.source", f"{model.pop('source')} no longer exists"))
    return dropped


def field_problems(section: type[BaseModel], field: str, value: Any, current: BaseModel | None = None, *,
                   own_only: bool = False) -> list[str]:
    """Validate one field's value (for inline validation in forms). `current`: the section as it is now, so that
    the section's cross-field checks see the other fields' values (a RunConfig cannot be built without them).
    `own_only`: leave out what a cross-field check says of another field (a form that checks every field shows it
    there, once)."""
    target = current.model_copy() if current is not None else section.model_construct()
    try:
        section.__pydantic_validator__.validate_assignment(target, field, value)
    except ValidationError as exc:
        return [msg for path, msg in validation_problems(exc) if not own_only or path in (field, "(config)")]
    return []


def presets() -> dict[str, RunConfig]:
    """Named starting points: the bundled example configs (resources/examples/*.yaml)."""
    out = {}
    for path in sorted((RESOURCES / "examples").glob("*.yaml")):
        out[path.stem] = load_config(path)
    return out


def demo_config() -> RunConfig:
    """The demo preset: demo model + bundled sample dataset (what the app opens on)."""
    return load_config(RESOURCES / "examples" / "quickstart.yaml")
