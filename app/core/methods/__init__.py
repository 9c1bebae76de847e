"""Fine-tuning methods: what each trains, explained for people, and how it is applied to a model.

`registry` holds the cards (METHODS), `counts` the trainable-parameter count computed from the model's config,
`apply` what happens to a loaded model (peft configs, freezing, the LoRA+ optimizer, PiSSA/OLoRA conversion).
Importing this package stays cheap: torch, transformers and peft are imported inside functions.
"""

from .apply import (
    adalora_schedule,
    apply_method,
    count_parameters,
    loraplus_optimizer,
    peft_config,
    plain_lora_model,
    quantization_config,
    resolve_adapter,
    save_initial_adapter,
)
from .counts import trainable_parameters
from .registry import FAMILIES, LINEAR_NAMES, METHODS, MethodSpec

__all__ = ["FAMILIES", "LINEAR_NAMES", "METHODS", "MethodSpec", "adalora_schedule", "apply_method",
           "count_parameters", "loraplus_optimizer", "peft_config", "plain_lora_model", "quantization_config",
           "resolve_adapter", "save_initial_adapter", "trainable_parameters"]
