"""The model card (README.md) written into merged and adapter exports: where the model came from, how it was
trained, what it scored, the parity report that proves the export answers like the trained model, and how to load
it with transformers, llama.cpp and Ollama."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import RunConfig
from ..methods import METHODS
from ..store import Store
from .parity import AGREEMENT_FLOOR, ULPS

HYPERPARAMETERS = ("epochs", "max_steps", "batch_size", "gradient_accumulation", "learning_rate", "lr_scheduler",
                   "warmup_ratio", "weight_decay", "max_grad_norm", "max_length", "seed")
# parity property -> how the card names it
PARITY = {
    "merge_max_abs_diff": "merge: max abs logit difference, merged vs adapter model",
    "max_abs_diff": "export: max abs logit difference, reloaded files vs the trained model",
    "tolerance": "export: largest difference the rule allows",
    "top1_agreement": "export: next-token agreement with the trained model",
    "agreement_floor": "export: next-token agreement the rule requires",
    "parity_rule": "rule (dtypes compared, tolerance, agreement floor)",
    "greedy_agreement": "greedy continuation identical (share of prompts)",
    "chat_template_ok": "chat template renders the test conversation token for token",
    "eos_ok": "end-of-turn token is a stop token",
    "template_ok": "Ollama TEMPLATE renders as the chat template",
    "stop_ok": "Ollama stop tokens present",
}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def parity_table(kind: str, props: dict) -> list[str]:
    rows = [f"| {kind} | {label} | {_value(props[key])} |" for key, label in PARITY.items() if key in props]
    return rows or [f"| {kind} | not verified | — |"]


def model_card(config: RunConfig, run_id: str | None, store: Store | None, props: dict, *, kind: str = "merged",
               source: str = "final model") -> str:
    """README.md for an export of `kind` (merged or adapter) whose own checks are `props`."""
    run = store.get_run(run_id) if (store and run_id) else {}
    metrics = store.metric_series(run_id) if (store and run_id) else {}
    # the store keeps a NaN metric (a diverged step) as NULL: shown as nan
    final = {name: float("nan") if pts[-1][1] is None else pts[-1][1] for name, pts in metrics.items()}
    earlier = [a for a in store.artifacts(run_id) if a["kind"] in ("adapter", "merged", "gguf", "ollama")
               and a["kind"] != kind] if (store and run_id) else []
    latest = {a["kind"]: a["properties"] for a in earlier}
    spec = METHODS[config.method.name]
    training = config.training.model_dump()
    lines = [
        f"# {config.name or run_id or 'Fine-tuned model'}",
        "",
        "Fine-tuned with Finetune Studio.",
        "",
        f"- Base model: `{config.model.source}`",
        f"- Method: {spec.title}" + (f" (rank {config.method.rank}, alpha {config.method.alpha})"
                                     if "rank" in spec.settings else ""),
        f"- Stage: {config.training.stage}",
        f"- Exported from: {source}" + (f" of run `{run_id}`" if run_id else ""),
        f"- Data: `{Path(config.data.train).name}`, fingerprint `{run.get('dataset_fingerprint') or 'n/a'}`, "
        f"{run.get('dataset_rows') or 'n/a'} rows",
        f"- Export: {kind}" + (f", dtype {props['dtype']}" if props.get("dtype") else ""),
        *([f"- Merge: {props['merge']}"] if props.get("merge") else []),
        "",
        "## Hyperparameters",
        "",
        *(f"- {name}: {training[name]}" for name in HYPERPARAMETERS if training.get(name) is not None),
        "",
        "## Final metrics",
        "",
        *([f"- {k}: {v:.4g}" for k, v in sorted(final.items())] or ["- none recorded"]),
        "",
        "## Parity report",
        "",
        "Checked after the export on the same prompts as the trained model. Each comparison is judged in the "
        f"coarser of the two dtypes it compares: the largest logit difference may reach {ULPS} units of that "
        "dtype's rounding at the logits' scale, and where that dtype is a half type (fp16, bf16) the next token "
        f"must also agree at {AGREEMENT_FLOOR:.0%} of positions or more.",
        "",
        "| Target | Check | Result |",
        "|---|---|---|",
        *parity_table(kind, props),
        *(row for other, other_props in latest.items() for row in parity_table(other, other_props)),
        "",
        "## Load it",
        "",
        *(_load_merged(config) if kind == "merged" else _load_adapter(config)),
        "",
        "llama.cpp (a GGUF export: `finetune-studio export RUN --gguf DIR --quant f16`; the chat template is in the "
        "file):",
        "",
        "```sh",
        "llama-cli -m DIR/MODEL-f16.gguf -cnv",
        "```",
        "",
        "Ollama (an Ollama export: `finetune-studio export RUN --ollama DIR`, a GGUF and a Modelfile with the "
        "TEMPLATE, stop tokens and system prompt):",
        "",
        "```sh",
        "ollama create my-model -f DIR/Modelfile && ollama run my-model",
        "```",
        "",
        "## Config",
        "",
        "```yaml",
        config.to_yaml().strip(),
        "```",
        "",
    ]
    return "\n".join(lines)


def _load_merged(config: RunConfig) -> list[str]:
    code = _code_flag(config)
    return ["transformers (this folder):", "", "```python",
            "from transformers import AutoModelForCausalLM, AutoTokenizer",
            f"model = AutoModelForCausalLM.from_pretrained('path/to/this/folder'{code})",
            f"tokenizer = AutoTokenizer.from_pretrained('path/to/this/folder'{code})", "```"]


def _code_flag(config: RunConfig) -> str:
    """The argument a model that ships its own code needs (the run consented to run it): the card says so."""
    return ", trust_remote_code=True" if config.model.trust_remote_code else ""


def _load_adapter(config: RunConfig) -> list[str]:
    return ["transformers + peft (this folder is an adapter; load it on its base model):", "", "```python",
            "from peft import PeftModel", "from transformers import AutoModelForCausalLM, AutoTokenizer",
            f"base = AutoModelForCausalLM.from_pretrained('{config.model.source}'{_code_flag(config)})",
            "model = PeftModel.from_pretrained(base, 'path/to/this/folder')",
            f"tokenizer = AutoTokenizer.from_pretrained('path/to/this/folder'{_code_flag(config)})", "```"]
