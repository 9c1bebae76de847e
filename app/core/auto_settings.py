"""Settings chosen from the data and the model: the "auto" values of epochs, learning rate, warm-up, max length and
the LoRA rank, alpha and dropout (issue #23).

A setting is automatic while its section's `auto` list names it (config.py: a setting written in the config is
the user's and leaves the list). At the start of a run the engine profiles the training rows (how many, their token
lengths), reads the model's size and applies `choose`: the stored config then holds the chosen values with an empty
`auto` list, and the run's record keeps each choice with its reason. The GUI shows the same choices before the run.
An sft run reads and tokenises its rows once: the profile measures them, and the data preparation cuts them to the
chosen max length (`resolve`'s third value); the profile is kept in the data cache, so the next run on the same rows
reads it back and tokenises nothing.

The rule, for the stages that train on answers or text (sft, pt); every other stage keeps the fields' values.
Sources: the LoRA paper (Hu et al. 2021: small ranks suffice, r 4-8), the QLoRA paper (Dettmers et al. 2023: lr
2e-4 up to 13B and 1e-4 above, dropout 0.1 up to 13B and 0.05 above, warm-up 3%, alpha/r scaling), Alpaca and
LIMA (full fine-tuning at 1e-5 to 2e-5, 3 epochs on 52k rows, 15 passes on 1k rows); docs/defaults.md has the
rule's figures on three small tasks with held-out entities.

- epochs: enough passes that the run sees about TARGET_EXAMPLES examples, 1 to MAX_EPOCHS (one pass over a
  dataset of that size or more);
- learning rate: 2e-4 for low-rank adapters (1e-4 from 20B parameters), 2e-5 for full fine-tuning and freeze,
  the field's value for other methods;
- warm-up: 3% of the steps, but at least WARMUP_STEPS steps (at most 10%);
- max length: the longest training example rounded up to a multiple of 32 (the 99th percentile when a few rows
  are far longer than the rest), within the model's context and MAX_AUTO_LENGTH (data.lengths.auto_max_length,
  which the dataset doctor applies too);
- rank: 8 below 2,000 rows, 16 below 20,000, 32 above; alpha: twice the rank;
- dropout: 0.1 below 20B parameters, 0.05 above.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .data.lengths import PROFILE_LIMIT, PROFILE_ROWS, auto_max_length, sample_positions

if TYPE_CHECKING:
    from .config import RunConfig
    from .data.prepare import Tokenised

log = logging.getLogger(__name__)

AUTO_TRAINING = ("epochs", "learning_rate", "warmup_ratio", "max_length")
AUTO_METHOD = ("rank", "alpha", "dropout")
AUTO_STAGES = ("sft", "pt")
TARGET_EXAMPLES = 600  # examples seen by a run on a small dataset (passes = this / rows, within 1..MAX_EPOCHS)
MAX_EPOCHS = 5
WARMUP_STEPS = 5
BIG_MODEL = 20e9  # parameters from which the QLoRA paper's large-model settings apply


@dataclass
class DataProfile:
    """What the rule reads of the data: training rows (after the validation split) and a sample of their token
    lengths (whole examples, chat template included)."""
    rows: int
    lengths: list[int]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Choice:
    """One automatic setting: its section and field, the value chosen, and why (a sentence for people)."""
    section: str
    setting: str
    value: Any
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def is_auto(config: RunConfig, setting: str) -> bool:
    section = config.training if setting in AUTO_TRAINING else config.method
    return setting in section.auto


def choose(config: RunConfig, profile: DataProfile, num_parameters: int, context_length: int = 0,
           world_size: int = 1) -> list[Choice]:
    """The automatic settings of `config` (those its `auto` lists name), chosen by the module's rule."""
    from .methods.registry import METHODS

    t, m = config.training, config.method
    wanted = [s for s in AUTO_TRAINING if s in t.auto] + [s for s in AUTO_METHOD if s in m.auto]
    if not wanted:
        return []
    if t.stage not in AUTO_STAGES:
        why = f"the {t.stage} stage keeps this value (the rule covers {' and '.join(AUTO_STAGES)})"
        return [Choice(_section(s), s, getattr(t if s in AUTO_TRAINING else m, s), why) for s in wanted]
    rows = max(profile.rows, 1)
    big = num_parameters >= BIG_MODEL
    size = f"{num_parameters / 1e9:.1f}B" if num_parameters >= 1e9 else f"{num_parameters / 1e6:.0f}M"
    out: dict[str, Choice] = {}
    epochs = t.epochs
    if "epochs" in wanted:
        if t.max_steps:
            out["epochs"] = Choice("training", "epochs", t.epochs, f"max steps ({t.max_steps}) sets the length")
        else:
            epochs = float(min(MAX_EPOCHS, max(1, round(TARGET_EXAMPLES / rows))))
            passes = "passes" if epochs != 1 else "pass"
            why = (f"{rows} training rows: {epochs:g} {passes} show the model about {TARGET_EXAMPLES} examples"
                   if epochs < MAX_EPOCHS else f"{rows} training rows: few, so the most passes the rule allows")
            out["epochs"] = Choice("training", "epochs", epochs, why)
    if "learning_rate" in wanted:
        spec = METHODS[m.name]
        if spec.uses_adapter and "rank" in spec.settings:
            lr = 1e-4 if big else 2e-4
            why = f"low-rank adapters on a {size} model (QLoRA paper: 2e-4 up to 13B, 1e-4 for larger models)"
        elif m.name in ("full", "freeze"):
            lr = 2e-5
            why = "full fine-tuning updates every weight: 10x below the adapters' rate (Alpaca, LIMA: 1e-5 to 2e-5)"
        else:
            lr, why = t.learning_rate, f"{spec.title} keeps the field's value"
        out["learning_rate"] = Choice("training", "learning_rate", lr, why)
    if "warmup_ratio" in wanted:
        steps = t.max_steps or math.ceil(epochs * math.ceil(rows / (t.batch_size * world_size))
                                         / t.gradient_accumulation)
        ratio = min(0.1, max(0.03, WARMUP_STEPS / max(steps, 1)))
        ratio = round(ratio, 3)
        why = (f"3% of about {steps} steps" if ratio == 0.03 else
               f"about {steps} steps: at least {WARMUP_STEPS} warm-up steps" if ratio < 0.1 else
               f"about {steps} steps: a short run warms up for its first 10%")
        out["warmup_ratio"] = Choice("training", "warmup_ratio", ratio, why)
    if "max_length" in wanted:
        out["max_length"] = _max_length(profile.lengths, context_length)
    if "rank" in wanted:
        rank = 8 if rows < 2000 else 16 if rows < 20000 else 32
        out["rank"] = Choice("method", "rank", rank, f"{rows} training rows: a small rank learns the task with less "
                             "room to memorise the rows (LoRA paper: r 4-8 suffice)" if rank == 8 else
                             f"{rows} training rows: more data, more capacity")
    if "alpha" in wanted:
        rank = out["rank"].value if "rank" in out else m.rank
        out["alpha"] = Choice("method", "alpha", float(2 * rank), f"twice the rank ({rank}): the usual scaling of 2")
    if "dropout" in wanted:
        dropout = 0.05 if big else 0.1
        out["dropout"] = Choice("method", "dropout", dropout, f"a {size} model (QLoRA paper: 0.1 up to 13B, 0.05 "
                                "above); dropout keeps the adapter from memorising the rows")
    return [out[s] for s in wanted]


def _max_length(lengths: list[int], context_length: int) -> Choice:
    """The rule of data.lengths.auto_max_length (the dataset doctor applies it too), with its reason."""
    chosen = auto_max_length(lengths, context_length)
    if chosen.basis == "none":
        return Choice("training", "max_length", chosen.value, "no rows measured: the common 512")
    what = f"the longest training example has {chosen.longest} tokens" if chosen.basis == "longest" else \
        f"99% of the training examples fit in {chosen.p99} tokens (the longest, {chosen.longest}, is cut)"
    if chosen.capped:
        what += f"; the model's context allows {chosen.cap}"
    return Choice("training", "max_length", chosen.value, what)


def _section(setting: str) -> str:
    return "training" if setting in AUTO_TRAINING else "method"


def apply(config: RunConfig, choices: list[Choice]) -> RunConfig:
    """`config` with the chosen values and empty `auto` lists: what the run trains with, and what it stores."""
    from .config import parse_config

    data = config.model_dump(mode="json")
    for choice in choices:
        data[choice.section][choice.setting] = choice.value
    data["training"]["auto"], data["method"]["auto"] = [], []
    return parse_config(data)


def _sample(rows: list, seed: int) -> list:
    """The rows whose lengths are measured: all of them, or a seeded sample of PROFILE_ROWS (the same positions
    whatever the list holds: the rows, or their lengths)."""
    return rows if len(rows) <= PROFILE_ROWS else [rows[i] for i in sample_positions(len(rows), seed)]


def profile_data(config: RunConfig, tokenizer, stop=None) -> DataProfile:
    """The training rows (split as the run splits them) and a seeded sample of their token lengths, tokenising the
    sample alone (the GUI's measure; a run measures the rows it tokenises anyway: `resolve`)."""
    from .data.prepare import split_examples
    from .data.templating import ConversationEncoder, encode_text

    examples = split_examples(config.data, stop).train
    encoder = ConversationEncoder(tokenizer, PROFILE_LIMIT, config.data.train_on)
    lengths = [len(encode_text(tokenizer, e, PROFILE_LIMIT).input_ids) if isinstance(e, str)
               else len(encoder.encode(e).input_ids) for e in _sample(examples, config.data.seed)]
    return DataProfile(len(examples), lengths)


def resolve(config: RunConfig, tokenizer, num_parameters: int, context_length: int, stop=None,
            world_size: int = 1, sink=None) -> tuple[RunConfig, list[Choice], Tokenised | None]:
    """The config a run trains with (its automatic settings chosen), the choices, and for sft the rows they were
    measured on, read and tokenised (data.prepare.tokenise_sft, up to PROFILE_LIMIT tokens while max_length is
    automatic): the run's data preparation cuts them to the chosen length instead of reading the data again. A
    config with nothing automatic comes back as it is."""
    if not config.training.auto and not config.method.auto:
        return config, [], None
    t, tokenised = config.training, None
    if t.stage == "sft":
        profile, tokenised = _measure(config, tokenizer, sink, stop)
    else:
        profile = profile_data(config, tokenizer, stop) if t.stage in AUTO_STAGES else DataProfile(0, [])
    choices = choose(config, profile, num_parameters, context_length, world_size)
    return apply(config, choices), choices, tokenised


def _measure(config: RunConfig, tokenizer, sink=None, stop=None) -> tuple[DataProfile, Tokenised | None]:
    """An sft run's profile and the rows tokenised for it. The profile of rows measured by an earlier run (the same
    data, split and tokenizer) is read back instead: nothing is read then, and the data preparation finds the rows
    tokenised at the chosen length in its cache (or reads them once)."""
    from .data.prepare import profile_path, tokenise_sft

    t = config.training
    limit = PROFILE_LIMIT if "max_length" in t.auto else t.max_length  # the lengths serve max_length alone
    path = profile_path(config.data, tokenizer, limit, sink, stop)
    if path is not None and path.is_file():
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            return DataProfile(int(kept["rows"]), [int(n) for n in kept["lengths"]]), None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("measuring the rows again: %s could not be read (%s)", path, exc)
    tokenised = tokenise_sft(config.data, tokenizer, limit, sink, stop)
    profile = DataProfile(len(tokenised.train), _sample([len(row.input_ids) for row in tokenised.train],
                                                        config.data.seed))
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(profile.to_dict()), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            log.warning("could not keep the rows' profile in %s: %s", path, exc)
    return profile, tokenised


def summary(choices: list[Choice]) -> list[str]:
    """One line a choice: "auto: 3 epochs because 160 training rows: ..."."""
    return [f"{c.setting} = {c.value:g}: {c.reason}" if isinstance(c.value, (int, float)) else
            f"{c.setting} = {c.value}: {c.reason}" for c in choices]
