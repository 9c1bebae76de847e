"""What a method does to a loaded model: peft configs, freezing, the LoRA+ optimizer, PiSSA/OLoRA conversion."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StudioError
from ..messages import Term, Text
from .counts import freeze_selects
from .registry import METHODS

if TYPE_CHECKING:
    from ..config import MethodConfig, TrainingConfig

log = logging.getLogger(__name__)

LORA_INIT = {"pissa": "pissa", "olora": "olora"}
PROMPT_LEARNING = ("prompt_tuning", "prefix_tuning", "p_tuning")


def adalora_schedule(method: MethodConfig, total_steps: int) -> dict[str, int]:
    """AdaLoRA's step schedule from the config's shares and the run's optimizer steps."""
    total = max(int(total_steps), 1)
    return {"total_step": total, "tinit": int(method.adalora_tinit * total),
            "tfinal": int(method.adalora_tfinal * total), "deltaT": method.adalora_delta_t}


def peft_config(method: MethodConfig, *, total_steps: int | None = None, model_path: str | None = None,
                task: str = "CAUSAL_LM") -> Any:
    """The peft config for an adapter method (`total_steps`: AdaLoRA's schedule; `model_path`: the tokenizer for
    prompt tuning's text initialisation; `task`: peft's task type, SEQ_CLS for a model with a classification head,
    whose new head then trains and is saved beside the adapter)."""
    from peft import (
        AdaLoraConfig,
        IA3Config,
        LNTuningConfig,
        LoraConfig,
        PrefixTuningConfig,
        PromptEncoderConfig,
        PromptTuningConfig,
        TaskType,
    )

    name, task = method.name, TaskType(task)
    if name == "adalora":
        return AdaLoraConfig(task_type=task, init_r=method.rank, target_r=method.adalora_target_rank,
                             lora_alpha=method.alpha, lora_dropout=method.dropout,
                             target_modules=method.target_modules, **adalora_schedule(method, total_steps or 1))
    if name == "ia3":
        return IA3Config(task_type=task)
    if name == "ln_tuning":
        return LNTuningConfig(task_type=task)
    if name == "prompt_tuning":
        text = (method.prompt_tuning_init_text or "").strip()
        if text and model_path:
            return PromptTuningConfig(task_type=task, num_virtual_tokens=method.num_virtual_tokens,
                                      prompt_tuning_init="TEXT", prompt_tuning_init_text=text,
                                      tokenizer_name_or_path=model_path)
        return PromptTuningConfig(task_type=task, num_virtual_tokens=method.num_virtual_tokens)
    if name == "prefix_tuning":
        return PrefixTuningConfig(task_type=task, num_virtual_tokens=method.num_virtual_tokens)
    if name == "p_tuning":
        return PromptEncoderConfig(task_type=task, num_virtual_tokens=method.num_virtual_tokens)
    return LoraConfig(
        task_type=task, r=method.rank, lora_alpha=method.alpha, lora_dropout=method.dropout,
        target_modules=method.target_modules, use_dora=name == "dora", bias="none",
        use_rslora=name == "rslora", init_lora_weights=LORA_INIT.get(name, True),
    )


def quantization_config(method: MethodConfig, compute_dtype: Any) -> Any:
    from transformers import BitsAndBytesConfig

    if method.bits == 8:
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type=method.quant_type, bnb_4bit_use_double_quant=method.double_quant,
        bnb_4bit_compute_dtype=compute_dtype,
    )


def apply_method(model: Any, method: MethodConfig, gradient_checkpointing: bool = False, *,
                 total_steps: int | None = None, task: str = "CAUSAL_LM", init_adapter: Path | None = None) -> Any:
    """Wrap a loaded model for training with the method; returns the model to train.

    `total_steps` (the run's optimizer steps) sets AdaLoRA's schedule; the AdaLoRA callback corrects it to the
    trainer's own count when training starts. `init_adapter`: an adapter folder to continue training instead of
    a new adapter (see `resolve_adapter`).
    """
    if method.name == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        return model
    if method.name in ("freeze", "bias"):
        _select(model, method)
        if gradient_checkpointing:
            model.enable_input_require_grads()  # frozen inputs would otherwise cut the checkpointed graph
        return model
    from peft import get_peft_model, prepare_model_for_kbit_training

    if method.name == "qlora":
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)
    if init_adapter is not None:
        model = _continue_adapter(model, method, init_adapter)
    else:
        config = peft_config(method, total_steps=total_steps, model_path=getattr(model, "name_or_path", None),
                             task=task)
        try:
            model = get_peft_model(model, config)
        except ValueError as exc:
            raise StudioError(Text("Cannot apply {title} to this model: {error}",
                                   title=Term(METHODS[method.name].title), error=str(exc)),
                              Text("Check method.target_modules against the model's layer names, or use "
                                   "'all-linear'.")) \
                from exc
    if method.name == "adalora":
        # AdaLoRA's `ranknum` (the rank it divides by) is a frozen parameter, but PEFT's cast of the adapters to fp32
        # over a half-precision base wraps it anew as a trainable one: AdamW would then move the divisor
        for name, param in model.named_parameters():
            if ".ranknum." in name:
                param.requires_grad_(False)
    from ..training.kernels import fuse_lora

    log.info("fused LoRA forward on %d linear layers", fuse_lora(model))
    return model


# peft's adapter type for each adapter method (the LoRA family shares one).
PEFT_TYPES = {"ia3": "IA3", "ln_tuning": "LN_TUNING", "prompt_tuning": "PROMPT_TUNING",
              "prefix_tuning": "PREFIX_TUNING", "p_tuning": "P_TUNING", "adalora": "ADALORA"}


def resolve_adapter(key: str, store: Any, current_run: str | None = None) -> Path:
    """The adapter folder `method.init_adapter` names: an adapter folder, or a finished run's id or name
    (`current_run`: the run being trained, which cannot continue itself, e.g. when it has the same name)."""
    from ..paths import resolve_user_path, run_dir

    folder = resolve_user_path(key)
    if not (folder / "adapter_config.json").exists():
        try:
            run_id = store.get_run(key)["id"]
        except StudioError:
            raise StudioError(Text("method.init_adapter: '{key}' is neither an adapter folder nor a run.",
                                   key=key),
                              Text("Give a finished run's id or name (Runs page), or a folder with "
                                   "adapter_config.json.")) \
                from None
        if run_id == current_run:
            raise StudioError(Text("method.init_adapter: '{key}' names this run itself.", key=key),
                              Text("Give the earlier run's id (Runs page): several runs share this name."))
        folder = run_dir(run_id) / "adapter"
        if not (folder / "adapter_config.json").exists():
            raise StudioError(Text("Run '{key}' has no adapter to continue from.", key=key),
                              Text("Only runs of an adapter method that finished (or were exported) save one."))
    return folder


def _continue_adapter(model: Any, method: MethodConfig, folder: Path) -> Any:
    """Load the adapter in `folder` onto the model, trainable: the run continues it."""
    import json

    from peft import PeftModel

    saved = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    want, have = PEFT_TYPES.get(method.name, "LORA"), saved.get("peft_type")
    if have != want:
        raise StudioError(Text("The adapter in {folder} is a {have} adapter; {title} continues a {want} "
                               "adapter.",
                               folder=folder, have=have, title=Term(METHODS[method.name].title), want=want),
                          Text("Choose the method the adapter was trained with."))
    try:
        return PeftModel.from_pretrained(model, str(folder), is_trainable=True)
    except (RuntimeError, ValueError, KeyError) as exc:  # shapes or layer names of another base model
        raise StudioError(Text("The adapter in {folder} does not fit this model: {error}",
                               folder=folder, error=str(exc)),
                          Text("Continue an adapter trained on the same base model.")) from exc


def _decoder_layers(model: Any) -> tuple[str, int]:
    """The name and length of the model's list of decoder layers (e.g. 'model.layers', 32)."""
    import torch

    wanted = getattr(model.config, "num_hidden_layers", None)
    lists = [(n, len(m)) for n, m in model.named_modules() if isinstance(m, torch.nn.ModuleList) and len(m)]
    for name, size in lists:
        if size == wanted:
            return name, size
    if lists:
        return lists[0]
    raise StudioError(Text("Cannot find this model's decoder layers for freeze tuning."),
                      Text("Use freeze_modules to name what to train, or choose LoRA."))


def _select(model: Any, method: MethodConfig) -> None:
    """Freeze and bias-only tuning: switch gradients on for the chosen parameters only."""
    params = list(model.named_parameters(remove_duplicate=False))
    if method.name == "bias":
        chosen = {n for n, _ in params if n.endswith(".bias")}
        if not chosen:
            raise StudioError(Text("This model has no bias parameters; choose LN tuning or LoRA."),
                              Text("Bias-only tuning needs a model with biases (e.g. Qwen2); set method.name "
                                   "to ln_tuning or lora."))
    else:
        prefix, layers = _decoder_layers(model)
        if method.freeze_trainable_layers > layers:
            raise StudioError(Text("The model has {layers} layers; freeze_trainable_layers is "
                                   "{freeze_trainable_layers}.",
                                   layers=layers, freeze_trainable_layers=method.freeze_trainable_layers),
                              Text("Set method.freeze_trainable_layers to at most {layers}, or choose full.",
                                   layers=layers))
        unknown = [m for m in method.freeze_modules if not any(f".{m.strip('.')}." in f".{n}." for n, _ in params)]
        if unknown:
            raise StudioError(Text("No module of this model is called {unknown} (method.freeze_modules).",
                                   unknown=', '.join(unknown)),
                              Text("Use names from the model's weights, e.g. embed_tokens, norm, mlp, "
                                   "self_attn, q_proj."))
        chosen = {n for n, _ in params
                  if freeze_selects(n, prefix, layers, method.freeze_trainable_layers, method.freeze_modules)}
    for _, p in params:
        p.requires_grad_(False)
    for n, p in params:
        if n in chosen:
            p.requires_grad_(True)


def loraplus_optimizer(model: Any, method: MethodConfig, training: TrainingConfig) -> Any:
    """LoRA+: AdamW with matrix B at `loraplus_lr_ratio` × the learning rate (peft's optimizer); else None."""
    if method.name != "loraplus":
        return None
    import torch
    from peft.optimizers import create_loraplus_optimizer

    return create_loraplus_optimizer(model, torch.optim.AdamW, lr=training.learning_rate,
                                     loraplus_lr_ratio=method.loraplus_lr_ratio, weight_decay=training.weight_decay)


def save_initial_adapter(model: Any, folder: Path) -> None:
    """PiSSA/OLoRA: keep the adapter as initialised, to convert the trained one for the original base later."""
    config = model.peft_config["default"]
    init = config.init_lora_weights
    config.init_lora_weights = True  # saved as a plain LoRA init, as peft's conversion expects
    try:
        model.save_pretrained(folder)
    finally:
        config.init_lora_weights = init


def plain_lora_model(model: Any, initial: Path, work: Path, trust_remote_code: bool) -> Any:
    """A PiSSA/OLoRA-trained model as a plain LoRA adapter (twice the rank) on the original, unmodified base
    (reloaded running its own code only with `trust_remote_code`, the run's consent).

    Checked on a few tokens: the converted model must compute what the trained one does.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from ..errors import ExportError
    from ..export.parity import compare, dtype_name, torch_dtype, weights_dtype

    model.save_pretrained(work, path_initial_model_for_weight_conversion=str(initial))
    trained = weights_dtype(model)  # the converted base is reloaded as the trained one holds it: like with like
    base = AutoModelForCausalLM.from_pretrained(model.peft_config["default"].base_model_name_or_path,
                                                dtype=torch_dtype(trained),
                                                trust_remote_code=trust_remote_code)
    converted = PeftModel.from_pretrained(base, work).to(model.device)
    ids = torch.arange(1, 17).unsqueeze(0).to(model.device)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        a = model(input_ids=ids).logits.float().cpu()
        b = converted(input_ids=ids).logits.float().cpu()
    if was_training:
        model.train()
    verdict = compare([a], [b], trained, dtype_name(base.dtype))
    if not verdict.passed:
        raise ExportError(Text("Converting the {init_lora_weights} adapter for the original model changed "
                               "its outputs: {failure}.",
                               init_lora_weights=model.peft_config['default'].init_lora_weights,
                               failure=verdict.failure()),
                          Text("Export the run's checkpoint instead and report this with the run's log."))
    return converted


def count_parameters(model: Any) -> tuple[int, int]:
    """(trainable, total) parameters of a loaded model; 4-bit weights count as their logical size."""
    trainable = total = 0
    for p in model.parameters():
        n = p.numel()
        if p.__class__.__name__ == "Params4bit":
            n *= 2
        total += n
        if p.requires_grad:
            trainable += n
    return trainable, total
