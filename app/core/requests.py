"""Typed requests for the long commands that are not training: export, eval and data augment.

Each is a pydantic model like RunConfig: every field has a title, a description and bounds, and every choice is a
`Literal` defined once (the CLI's choices, the Export page's lists and the exporters read it from here). The CLI's
flags map onto a request; the GUI writes one to a YAML file (`save_request`) and runs the command with
`--request FILE`, as it writes run.yaml for `train`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal, TypeVar, get_args

import yaml
from pydantic import Field, ValidationError, model_validator

from .config import DataFormat, ExportDtype, ShardSize, validation_problems
from .errors import ConfigError, StudioError
from .messages import Text
from .sections import Section

GgufQuant = Literal["f32", "f16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q5_0", "q4_0"]
EXPORT_TARGETS = ("merged", "adapter", "gguf", "ollama")
EvalSplit = Literal["validation", "test"]
AugmentKind = Literal["rephrase", "new"]
R = TypeVar("R", bound="Request")


class Request(Section):
    """What every request shares: strict fields, YAML in and out, and its command's name."""

    command: ClassVar[str]  # the CLI command that runs it

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


class ExportRequest(Request):
    command: ClassVar[str] = "export"
    run: str = Field(..., title="Run", description="The run to export: its id or name.", min_length=1)
    checkpoint: Annotated[int, Field(ge=0)] | Literal["best", "final"] | None = Field(
        None, title="Checkpoint", description="What to export: the best checkpoint (the default when evaluation "
        "marked one), the final model, or the checkpoint at this step.")
    merged: Path | None = Field(None, title="Merged model folder",
                                description="Write the base with the adapter merged in, ready for transformers.")
    adapter: Path | None = Field(None, title="Adapter folder", description="Write the adapter alone (PEFT format).")
    gguf: Path | None = Field(None, title="GGUF folder", description="Write a GGUF file for llama.cpp.")
    ollama: Path | None = Field(None, title="Ollama folder", description="Write a GGUF file and its Modelfile.")
    dtype: ExportDtype | None = Field(None, title="Merged dtype", description="Weight type of the merged model "
                                      "(default: the run's export.dtype).", json_schema_extra={"special": "the run's"})
    max_shard_size: ShardSize | None = Field(None, title="Max shard size", description="Largest safetensors file "
                                             "of the merged model, e.g. 500MB (default: the run's).")
    quant: GgufQuant = Field("q4_k_m", title="GGUF tensor type", description="q4_k_m: what Ollama users pull, about "
                             "a quarter of f16 with a small quality loss; q5_k_m and q6_k: larger, closer to the "
                             "model; q8_0: half of f16, nearly exact; f16 answers exactly as the model; q4_0/q5_0: "
                             "older types. Quantised as llama.cpp's llama-quantize does.")
    push_to_hub: str | None = Field(None, title="Hub repository", description="Upload the merged model (else the "
                                    "adapter) to this Hugging Face Hub repository (user/name).")
    public: bool = Field(False, title="Public", description="With a Hub repository: make it public (default "
                         "private).")

    def folders(self) -> dict[str, Path]:
        """The chosen targets and their folders, in the order they are written."""
        return {kind: folder for kind in EXPORT_TARGETS if (folder := getattr(self, kind)) is not None}


class EvalRequest(Request):
    command: ClassVar[str] = "eval"
    run: str = Field(..., title="Run", description="The run to score: its id or name.", min_length=1)
    split: EvalSplit = Field("validation", title="Split", description="validation: the rows the run held out; "
                             "test: its data.test file or share.")
    limit: int | None = Field(None, title="Examples", description="Score only the first N held-out examples "
                              "(default: all).", ge=1, json_schema_extra={"special": "all"})
    few_shot: int = Field(0, title="Few-shot K", description="Also score the base model with K training examples "
                          "placed in the prompt.", ge=0, le=64, json_schema_extra={"special": "off"})
    base: bool = Field(True, title="Score the base model", description="Score the base model beside the tuned one.")
    batch_size: int = Field(8, title="Batch size", description="Prompts generated at once.", ge=1, le=1024)
    max_new_tokens: int | None = Field(None, title="Max new tokens", description="Tokens generated per answer "
                                       "(default: the longest reference + 16, at most 256).", ge=1, le=8192,
                                       json_schema_extra={"special": "auto"})

    @model_validator(mode="after")
    def _base_for_few_shot(self) -> EvalRequest:
        if self.few_shot and not self.base:
            raise ValueError(Text("few_shot: the few-shot score is the base model's: score the base model too (drop "
                                  "--no-base), or set few-shot to 0 (off)"))
        return self


class AugmentRequest(Request):
    command: ClassVar[str] = "data augment"
    file: Path = Field(..., title="Dataset", description="The dataset whose examples seed the candidates.")
    n: int = Field(6, title="How many", description="How many candidates to generate.", ge=1, le=10_000)
    model: str = Field("demo", title="Model", description="The instruct model that writes them: 'demo', a model "
                       "folder or a run.", min_length=1)
    kinds: list[AugmentKind] = Field(list(get_args(AugmentKind)), title="Kinds", description="rephrase: the "
                                     "seed's question reworded, its answer kept; new: a new question and the "
                                     "model's answer.", min_length=1,
                                     json_schema_extra={"labels": {"rephrase": "Rephrased questions",
                                                                   "new": "New questions"}})
    format: DataFormat = Field("auto", title="Format", description="The dataset's format (auto: detected).")
    columns: dict[str, str] | None = Field(None, title="Columns", description="The column mapping, e.g. "
                                           '{"question": "prompt", "answer": "completion"}.')
    seed: int = Field(0, title="Seed", description="The same seed grows the same candidates.", ge=0)
    out: Path | None = Field(None, title="Output", description="The review file (default: <data home>/datasets/"
                             "<name>.candidates.jsonl); with `add`, the new version.")
    add: Path | None = Field(None, title="Kept candidates", description="Add the candidates kept in this review "
                             "file as a new version of the dataset, instead of generating.")


def parse_request(kind: type[R], data: dict) -> R:
    """Validate `data` into a request, every problem in one ConfigError whose paths start with the command."""
    prefix = kind.command
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        problems = [(f"{prefix}.{path}", msg) for path, msg in validation_problems(exc)]
        raise ConfigError(problems, Text("Fix the values listed above (see `finetune-studio {prefix} "
                                         "--help`).", prefix=prefix), subject=Text("{command} request", command=prefix)) from None


def load_request(kind: type[R], path: str | Path) -> R:
    """A request from a YAML file the GUI wrote (or a person did)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise StudioError(Text("Cannot read the request {path}: {error}", path=path, error=str(exc)),
                          Text("Write it again (the GUI does on each run).")) from None
    if not isinstance(data, dict):
        raise ConfigError([("(request)", Text("expected a mapping of fields"))], subject=Text("request"))
    return parse_request(kind, data)


def request_from_options(kind: type[R], request_file: str | None, subject: str | None, options: dict,
                         names: tuple[str, str]) -> R:
    """A command's request: read from `--request FILE`, or made of its options (those given, i.e. not None), never
    both. `subject` is the positional option the request names (a run, a dataset); `names`: how to ask for it
    ("run", "a run id or name")."""
    what, how = names
    if request_file:
        if subject:
            raise StudioError(Text("Give a {what} or --request FILE, not both.", what=what),
                              Text("The request file names its {what}.", what=what))
        return load_request(kind, request_file)
    if not subject:
        raise StudioError(Text("Which {what}?", what=what),
                          Text("Give {how}, or --request FILE.", how=how))
    return parse_request(kind, {k: v for k, v in options.items() if v is not None})


def save_request(request: Request, folder: Path) -> Path:
    """Write `request` to `folder/<command>.yaml` atomically; the path to pass as `--request`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{request.command.replace(' ', '-')}.yaml"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(request.to_yaml(), encoding="utf-8")
    tmp.replace(path)
    return path
