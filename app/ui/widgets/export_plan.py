"""What the Export page works out before and after an export, without Qt: size estimates, free disk, the export
request, checkpoints of a run, and a parity report in plain words."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from app.core.export.space import estimate_bytes
from app.core.requests import EXPORT_TARGETS as TARGET_KINDS
from app.core.requests import ExportRequest


@dataclass
class ExportPlan:
    """The choices on the page: a run, an optional checkpoint, the targets and one output folder."""

    run_id: str
    folder: Path
    targets: set[str] = field(default_factory=set)
    checkpoint: int | str | None = None  # a step, "best" or "final"; None: the CLI's default (best, else final)
    dtype: str = "bf16"
    quant: str = "f16"
    push: tuple[str, bool] | None = None  # (Hub repository, public)

    def target_dir(self, kind: str) -> Path:
        return self.folder / kind

    def request(self) -> ExportRequest:
        """The export request that runs this plan (GGUF and Ollama share the tensor type)."""
        quantised = bool(self.targets & {"gguf", "ollama"})
        return ExportRequest(run=self.run_id, checkpoint=self.checkpoint,
                             **{kind: self.target_dir(kind) for kind in TARGET_KINDS if kind in self.targets},
                             dtype=self.dtype if "merged" in self.targets else None,
                             **({"quant": self.quant} if quantised else {}),
                             push_to_hub=self.push[0] if self.push else None, public=bool(self.push and self.push[1]))


def estimate(plan: ExportPlan, total_params: int | None, trainable_params: int | None) -> dict[str, int | None]:
    """Bytes each chosen target will take (None where the run does not say how big its model is)."""
    return estimate_bytes(plan.targets, plan.dtype, plan.quant, total_params, trainable_params)


def checkpoints(artifacts: list[dict]) -> list[int]:
    """The steps of a run's checkpoint artifacts (from the store), oldest first."""
    steps = set()
    for art in artifacts:
        if art.get("kind") != "checkpoint":
            continue
        step = (art.get("properties") or {}).get("step")
        if step is None and (match := re.search(r"(\d+)$", Path(art["path"]).name)):
            step = int(match.group(1))
        if step is not None:
            steps.add(int(step))
    return sorted(steps)


def _diff(value: float) -> str:
    return f"{value:.1e}"


def describe(kind: str, props: dict) -> str:
    """A parity report line in plain words, e.g. "max logit difference 3.0e-02 · next-token agreement 100%"."""
    parts = []
    if props.get("dtype"):
        parts.append(props["dtype"])
    if props.get("quant") and kind in ("gguf", "ollama"):
        parts.append(props["quant"])
    if "max_abs_diff" in props:
        bound = QCoreApplication.translate("export_plan", " (allowed ≤ {diff})").format(diff=_diff(props['tolerance'])) if "tolerance" in props else (
            QCoreApplication.translate("export_plan", " (not bounded: quantised)") if "agreement_warn" in props else "")
        parts.append(QCoreApplication.translate("export_plan", "max logit difference {diff}{bound}").format(diff=_diff(props['max_abs_diff']), bound=bound))
    if "top1_agreement" in props:
        floor = QCoreApplication.translate("export_plan", " (needs ≥ {v0:.0%})").format(v0=props['agreement_floor']) if "agreement_floor" in props else (
            QCoreApplication.translate("export_plan", " (a warning below {v0:.0%})").format(v0=props['agreement_warn']) if "agreement_warn" in props else "")
        parts.append(QCoreApplication.translate("export_plan", "next-token agreement {v0:.0%}{floor}").format(v0=props['top1_agreement'], floor=floor))
    if "greedy_agreement" in props:
        tokens = props.get("greedy_tokens", "?")
        share = props["greedy_agreement"]
        parts.append(QCoreApplication.translate("export_plan", "greedy {tokens} tokens identical").format(tokens=tokens) if share >= 1 else
                     QCoreApplication.translate("export_plan", "greedy {tokens} tokens identical on "
                                                               "{share:.0%} of prompts").format(tokens=tokens, share=share))
    if props.get("merge_max_abs_diff"):
        parts.append(QCoreApplication.translate("export_plan", "merge difference {diff}").format(diff=_diff(props['merge_max_abs_diff'])))
    if props.get("shards", 1) > 1:
        parts.append(f"{props['shards']} shards")
    if props.get("stop_token_added"):
        parts.append(QCoreApplication.translate("export_plan", "{v0} added as a stop token").format(v0=props['stop_token_added']))
    checks = [("eos_ok", QCoreApplication.translate("export_plan", "end token")), ("chat_template_ok", QCoreApplication.translate("export_plan", "chat template")), ("tokenizer_ok", "tokenizer"),
              ("template_ok", QCoreApplication.translate("export_plan", "Modelfile template")), ("stop_ok", QCoreApplication.translate("export_plan", "stop tokens"))]
    kept = [label for key, label in checks if props.get(key) is True]
    lost = [label for key, label in checks if props.get(key) is False]
    if kept:
        parts.append(", ".join(kept) + " match")
    if lost:
        parts.append("MISMATCH: " + ", ".join(lost))
    if kind == "adapter" and not parts:
        parts.append(QCoreApplication.translate("export_plan", "saved (not verified: a quantised base)"))
    return " · ".join(parts) or QCoreApplication.translate("export_plan", "no checks recorded")


def passed(props: dict) -> bool:
    return not any(props.get(key) is False for key in ("eos_ok", "chat_template_ok", "tokenizer_ok", "template_ok",
                                                         "stop_ok"))


def ollama_name(ollama_dir: Path) -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", Path(ollama_dir).name.lower()).strip("-.")
    return name or "my-model"


def ollama_command(ollama_dir: Path, name: str | None = None) -> str:
    name = name or ollama_name(ollama_dir)
    modelfile = shlex.quote(str(Path(ollama_dir) / "Modelfile"))
    return f"ollama create {name} -f {modelfile} && ollama run {name}"
