"""MethodConfig: the `method` section of a RunConfig (which method, and the settings each method reads)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, field_validator, model_validator

from ..messages import Text
from ..sections import ADVANCED, AutoSection

MethodName = Literal["full", "freeze", "lora", "qlora", "dora", "rslora", "pissa", "olora", "loraplus", "adalora",
                     "ia3", "prompt_tuning", "prefix_tuning", "p_tuning", "ln_tuning", "bias"]


AutoMethod = Literal["rank", "alpha", "dropout"]


class MethodConfig(AutoSection):
    AUTO = get_args(AutoMethod)

    name: MethodName = Field(
        "lora", title="Method",
        description="full: every weight; freeze: the last layers; lora, qlora (4/8-bit base), dora, rslora, pissa, "
        "olora, loraplus, adalora: low-rank adapters; ia3, prompt_tuning, prefix_tuning, p_tuning: small added "
        "modules or virtual tokens; ln_tuning, bias: norms or biases only.",
    )
    auto: list[AutoMethod] = Field(
        default_factory=lambda: list(get_args(AutoMethod)), title="Chosen from the data",
        description="Adapter settings chosen when the run starts from the number of rows and the model's size "
        "(docs/defaults.md); a setting you give leaves this list.", json_schema_extra=ADVANCED,
    )
    rank: int = Field(16, title="Rank", description="Adapter rank r: capacity of the adapter.", ge=1, le=1024)
    alpha: float = Field(32, title="Alpha", description="Adapter scaling: the update is scaled by alpha / rank.",
                         gt=0, le=4096)
    dropout: float = Field(0.05, title="Dropout", description="Dropout on the adapter's input.", ge=0.0, le=0.9)
    target_modules: str | list[str] = Field(
        "all-linear", title="Target modules",
        description="Layers that get adapters: 'all-linear' or a list of module names such as [q_proj, v_proj].",
    )
    bits: Literal[4, 8] = Field(4, title="Bits", description="QLoRA: quantise the frozen base to 4 or 8 bits.")
    quant_type: Literal["nf4", "fp4"] = Field(
        "nf4", title="4-bit type", description="QLoRA 4-bit data type (NF4 suits normally distributed weights).",
        json_schema_extra=ADVANCED,
    )
    double_quant: bool = Field(
        True, title="Double quantisation", description="QLoRA: quantise the quantisation constants too (saves memory).",
        json_schema_extra=ADVANCED,
    )

    freeze_trainable_layers: int = Field(
        2, title="Trainable layers", description="Freeze: train the last N decoder layers; all others stay frozen "
        "(0: only the modules listed below).", ge=0, le=1024,
    )
    freeze_modules: list[str] = Field(
        default_factory=list, title="Also train modules",
        description="Freeze: modules trained wherever they are, e.g. [embed_tokens], [norm] or [mlp] (every "
        "layer's MLP); names match parts of the weight names.",
    )
    loraplus_lr_ratio: float = Field(
        16.0, title="B learning-rate ratio", description="LoRA+: matrix B learns this many times faster than A "
        "(the paper suggests 16).", ge=1.0, le=1000.0,
    )
    adalora_target_rank: int = Field(
        8, title="Target rank", description="AdaLoRA: average rank left after pruning; it starts at Rank.",
        ge=1, le=1024,
    )
    adalora_tinit: float = Field(
        0.1, title="Steps before pruning", description="AdaLoRA: share of the steps trained at the starting rank "
        "before ranks are re-allocated.", ge=0.0, le=0.8, json_schema_extra=ADVANCED,
    )
    adalora_tfinal: float = Field(
        0.2, title="Steps with fixed ranks", description="AdaLoRA: share of the final steps trained with the "
        "ranks fixed.", ge=0.0, le=0.8, json_schema_extra=ADVANCED,
    )
    adalora_delta_t: int = Field(
        1, title="Re-allocate every", description="AdaLoRA: re-allocate ranks every N steps during pruning.",
        ge=1, le=10000, json_schema_extra=ADVANCED,
    )
    num_virtual_tokens: int = Field(
        20, title="Virtual tokens", description="Prompt, prefix and P-tuning: how many learned tokens are put "
        "before every input.", ge=1, le=1024,
    )
    prompt_tuning_init_text: str | None = Field(
        "Answer the request helpfully and accurately.", title="Initial prompt text",
        description="Prompt tuning: the virtual tokens start as this text's embeddings (repeated or cut to fit); "
        "empty: random start.",
    )
    init_adapter: str | None = Field(
        None, title="Continue from adapter",
        description="A finished run (id or name) or an adapter folder trained on the same base model: training "
        "continues that adapter instead of starting a new one (its own rank and targets apply).",
        json_schema_extra=ADVANCED,
    )

    @model_validator(mode="after")
    def _schedule(self) -> MethodConfig:
        if self.adalora_tinit + self.adalora_tfinal > 0.9:
            raise ValueError(Text("adalora_tinit + adalora_tfinal must leave at least 10% of the steps for "
                                  "pruning"))
        if self.name == "adalora" and self.adalora_target_rank > self.rank:
            raise ValueError(Text("adalora_target_rank must not exceed rank (AdaLoRA starts at rank and "
                                  "prunes)"))
        if self.name == "freeze" and self.freeze_trainable_layers == 0 and not self.freeze_modules:
            raise ValueError(Text("freeze trains nothing: set freeze_trainable_layers above 0 or list "
                                  "freeze_modules"))
        if self.init_adapter and self.name in ("full", "freeze", "bias"):
            raise ValueError(Text("init_adapter continues an adapter, but {name} trains the model's own "
                                  "weights", name=self.name))
        return self

    @field_validator("target_modules")
    @classmethod
    def _targets(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and not value:
            raise ValueError(Text("give at least one module name, or 'all-linear'"))
        return value
