"""Merging a LoRA adapter into its base checkpoint shard by shard, without loading the model.

peft's `merge_and_unload` needs the whole base model in memory (and, when the trained model is still loaded, a
second copy). A plain LoRA adapter only adds `scaling · B @ A` to the weights it targets, so the merge can read the
base's safetensors files tensor by tensor (`safe_open`), add the deltas, cast to the export dtype and write the
output in shards planned by huggingface_hub: peak memory is about one output shard plus the adapter.

This covers LoRA, QLoRA (merged into the full-precision base), rsLoRA, LoRA+ and PiSSA/OLoRA once converted to a
plain adapter (peft's `path_initial_model_for_weight_conversion`, done by the engine at the end of training).
`why_not_streamed` names what keeps any other adapter (DoRA, AdaLoRA, IA³, ...) on peft's in-memory merge.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..messages import Text

ADAPTER_PREFIX = "base_model.model."
# LoraConfig fields that change what a merge must compute (or forbid merging): any of them set → peft merges.
VARIANT_FIELDS = ("use_dora", "lora_bias", "use_qalora", "modules_to_save", "trainable_token_indices",
                  "layer_replication", "target_parameters", "alora_invocation_tokens", "monteclora_config",
                  "arrow_config", "kasa_config", "velora_config", "use_bdlora", "megatron_config")
# Initialisations that leave the base weights as they are (PiSSA, OLoRA, LoftQ, CorDA, LoRA-GA rewrite them).
PLAIN_INITS = (True, False, "gaussian")
FLOAT_TYPES = ("F64", "F32", "F16", "BF16")
SHARD_PATTERN = "model{suffix}.safetensors"
INDEX_NAME = "model.safetensors.index.json"


def digest(tensor: Any) -> str:
    """A content hash of a tensor's bytes (to prove a saved shard holds what was merged)."""
    import torch

    data = tensor.detach().contiguous().cpu().view(-1).view(torch.uint8)
    return hashlib.blake2b(data.numpy(), digest_size=16).hexdigest()


def base_files(base_dir: Path) -> list[Path]:
    """The base checkpoint's safetensors files, in the order its index lists them (empty when there are none)."""
    base_dir = Path(base_dir)
    index = base_dir / INDEX_NAME
    if index.exists():
        names = json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()
        return [base_dir / n for n in dict.fromkeys(names)]
    single = base_dir / "model.safetensors"
    return [single] if single.exists() else []


def why_not_streamed(adapter_dir: Path, base_dir: Path) -> str | None:
    """None when the adapter can be merged shard by shard into the base checkpoint; else the reason, for the
    export's report."""
    from safetensors import safe_open

    config_file = Path(adapter_dir) / "adapter_config.json"
    if not config_file.exists():
        return f"no saved adapter in {adapter_dir}"
    cfg = json.loads(config_file.read_text(encoding="utf-8"))
    if cfg.get("peft_type") != "LORA":
        return f"a {cfg.get('peft_type')} adapter is merged by peft"
    if cfg.get("init_lora_weights", True) not in PLAIN_INITS:
        return f"a {cfg['init_lora_weights']} adapter applies to a rewritten base"
    variants = [f for f in VARIANT_FIELDS if cfg.get(f)]
    if variants:
        return f"the adapter uses {', '.join(variants)}"
    if not (Path(adapter_dir) / "adapter_model.safetensors").exists():
        return "the adapter is not saved as safetensors"
    files = base_files(base_dir)
    if not files:
        return "the base model is not a local safetensors checkpoint"
    dtypes = {}
    for file in files:
        with safe_open(file, framework="pt") as f:
            dtypes.update({k: f.get_slice(k).get_dtype() for k in f.keys()})  # noqa: SIM118 - not a dict
    try:
        targets = _targets(adapter_dir)
    except ValueError as exc:
        return str(exc)
    missing = [k for k in targets if k not in dtypes]
    if missing:
        return f"the base checkpoint has no tensor {missing[0]!r}"
    if any(d not in FLOAT_TYPES for d in dtypes.values()):
        return "the base checkpoint holds non-float tensors"
    return None


def _targets(adapter_dir: Path) -> dict[str, str]:
    """base weight key -> module name, for every lora_A/lora_B pair in the adapter (ValueError on other keys)."""
    from safetensors import safe_open

    modules: dict[str, set] = {}
    with safe_open(Path(adapter_dir) / "adapter_model.safetensors", framework="pt") as f:
        for key in f.keys():  # noqa: SIM118 - safe_open is not a dict
            head, _, part = key.removeprefix(ADAPTER_PREFIX).rpartition(".lora_")
            if not key.startswith(ADAPTER_PREFIX) or part not in ("A.weight", "B.weight"):
                raise ValueError(f"the adapter holds {key!r}, not only LoRA A/B matrices")
            modules.setdefault(head, set()).add(part)
    if any(len(parts) != 2 for parts in modules.values()):
        raise ValueError("the adapter has a LoRA A matrix without its B (or B without A)")
    return {f"{m}.weight": m for m in modules}


def lora_deltas(adapter_dir: Path) -> dict[str, tuple[Any, Any, float]]:
    """base weight key -> (A, B, scaling), with scaling as peft computes it: lora_alpha / r (rsLoRA:
    lora_alpha / sqrt(r)), per-module r and alpha from rank_pattern / alpha_pattern."""
    from peft.utils.other import get_pattern_key
    from safetensors.torch import load_file

    cfg = json.loads((Path(adapter_dir) / "adapter_config.json").read_text(encoding="utf-8"))
    weights = load_file(Path(adapter_dir) / "adapter_model.safetensors")
    ranks, alphas = cfg.get("rank_pattern") or {}, cfg.get("alpha_pattern") or {}
    out = {}
    for key, module in _targets(adapter_dir).items():
        r = ranks.get(get_pattern_key(ranks.keys(), module), cfg["r"])
        alpha = alphas.get(get_pattern_key(alphas.keys(), module), cfg["lora_alpha"])
        scaling = alpha / math.sqrt(r) if cfg.get("use_rslora") else alpha / r
        prefix = f"{ADAPTER_PREFIX}{module}.lora_"
        out[key] = (weights[prefix + "A.weight"], weights[prefix + "B.weight"], scaling)
    return out


def stream_merge(base_dir: Path, adapter_dir: Path, out: Path, dtype: Any, max_shard_size: str | int,
                 progress: Callable[[str, int, int], None] | None = None,
                 trust_remote_code: bool = False) -> dict[str, str]:
    """Write base + adapter, merged and cast to `dtype` (a torch dtype), as safetensors shards (plus the index when
    there are several) and config.json into `out`; returns each tensor's digest. Check `why_not_streamed` first.
    `trust_remote_code` (the run's consent): the base's config is read with its own code, and that code (the files
    its configs map classes to, with what they import) is copied beside the merged model, which needs it too."""
    import torch
    from huggingface_hub import split_torch_state_dict_into_shards
    from safetensors import safe_open
    from safetensors.torch import save_file
    from transformers import AutoConfig

    deltas = lora_deltas(adapter_dir)
    fan_in_fan_out = bool(json.loads((Path(adapter_dir) / "adapter_config.json").read_text())
                          .get("fan_in_fan_out"))
    where: dict[str, Path] = {}
    planned: dict[str, Any] = {}  # meta tensors: the shard plan needs sizes, not data
    for file in base_files(base_dir):
        with safe_open(file, framework="pt") as f:
            for key in f.keys():  # noqa: SIM118 - safe_open is not a dict
                where[key] = file
                planned[key] = torch.empty(f.get_slice(key).get_shape(), dtype=dtype, device="meta")
    plan = split_torch_state_dict_into_shards(planned, filename_pattern=SHARD_PATTERN, max_shard_size=max_shard_size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    for n, (filename, keys) in enumerate(plan.filename_to_tensors.items()):
        if progress is not None:
            shards = len(plan.filename_to_tensors)
            progress(Text("Merging shard {shard} of {shards}", shard=n + 1, shards=shards), n, shards)
        shard: dict[str, Any] = {}
        for key in keys:
            with safe_open(where[key], framework="pt") as f:  # closed at once: its mapped pages leave memory
                tensor = f.get_tensor(key)
            if key in deltas:
                a, b, scaling = deltas[key]
                delta = (b.float() @ a.float()) * scaling
                tensor = tensor.float() + (delta.T if fan_in_fan_out else delta)
            shard[key] = tensor.to(dtype).contiguous()
            digests[key] = digest(shard[key])
        save_file(shard, out / filename, metadata={"format": "pt"})
        del shard
    if plan.is_sharded:
        index = {"metadata": {"total_size": sum(t.numel() * t.element_size() for t in planned.values())},
                 "weight_map": plan.tensor_to_filename}
        (out / INDEX_NAME).write_text(json.dumps(index, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    config = AutoConfig.from_pretrained(base_dir, trust_remote_code=trust_remote_code)
    config.dtype = dtype
    config.use_cache = True
    config.save_pretrained(out)
    if trust_remote_code:
        _copy_code(Path(base_dir), out)
    return digests


def _copy_code(base_dir: Path, out: Path) -> None:
    """The base folder's own code, as model.save_pretrained copies it (a class mapped to another repository's code
    stays there: its file is not in the folder)."""
    import shutil

    from transformers.dynamic_module_utils import get_relative_import_files

    from ..models import remote_code_files

    for name in remote_code_files(base_dir):
        if (base_dir / name).is_file():
            for file in [base_dir / name, *map(Path, get_relative_import_files(base_dir / name))]:
                (out / file.relative_to(base_dir)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, out / file.relative_to(base_dir))
