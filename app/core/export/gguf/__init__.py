"""GGUF export for llama.cpp and Ollama: our own converter on the `gguf` package, and a parity check.

The `gguf` package ships the file writer, llama.cpp's tensor-name maps and the 32-value block quantisers but no
HF→GGUF converter and no K-quantiser, so this package is both: families.py (the architectures and their quirks, as
llama.cpp's convert_hf_to_gguf.py writes them), vocab.py (byte-level BPE or SentencePiece vocabulary, special ids,
chat template), quants.py (llama-quantize's K-quants and per-tensor type mix in numpy) and this module, which writes
the file to a temporary name, renames it into place, and checks it.

`verify_gguf` reloads the file with transformers and compares it with the HF model it came from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...errors import ExportError
from ...messages import Text
from ...requests import ExportRequest
from ...runs.context import RunContext
from ..parity import compare

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

# Greedy continuation length of the parity check against the HF model (fp32 logits); the logits are judged by the
# rule of parity.py in the dtype the GGUF holds (quantised types only warn: their rounding is the point).
GREEDY_TOKENS = 16  # the export issue (#6): 16 greedy tokens on each of the 3 VERIFY_PROMPTS
QUANT_DTYPES = {"f32": "fp32", "f16": "fp16"}
Q8_AGREEMENT_WARN = 0.9


def _no_progress(message: str, current: int, total: int) -> None:
    pass


def write_gguf(model_dir: Path, out_file: Path, quant: str = "f16", *, progress: Progress | None = None,
               stop: Callable[[], bool] | None = None, trust_remote_code: bool = False) -> Path:
    """Convert an HF model folder (a merged export) to one GGUF file; the folder's own code (a model that ships it)
    is run to read it only with `trust_remote_code`."""
    import gguf
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from .families import check_architecture, extra_tensors, transform, write_hparams
    from .quants import FILE_TYPES, TypeMix, quantize
    from .vocab import tokenizer_metadata, write_vocab

    progress = progress or _no_progress
    out_file = Path(out_file)
    config = AutoConfig.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    family = check_architecture(config)
    vocab = tokenizer_metadata(model_dir, config.vocab_size, trust_remote_code)
    progress(Text("Reading the model"), 0, 3)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype="auto",  # as saved; f32 per tensor below
                                                 trust_remote_code=trust_remote_code)
    state = model.state_dict()

    out_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_file.with_name(f".{out_file.name}.tmp-{os.getpid()}")
    writer = gguf.GGUFWriter(tmp, family.arch, use_temp_file=True)  # tensors spool to disk as they are converted
    try:
        name = Path(getattr(config, "_name_or_path", "") or model_dir).name or "model"
        # transformers (5.24) reads a llama GGUF whose name contains "mistral" as a mistral GGUF, which its loader
        # cannot map ("Unknown gguf model_type: mistral"); the name is only a label, so capitalise it
        writer.add_name(name.replace("mistral", "Mistral") if family.arch == "llama" else name)
        write_hparams(writer, family, config)
        writer.add_file_type(FILE_TYPES[quant][1])
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
        write_vocab(writer, vocab)

        names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[family.arch.upper()], config.num_hidden_layers)
        tied = bool(getattr(config, "tie_word_embeddings", False))
        items = [(k, v) for k, v in state.items() if not (tied and k == "lm_head.weight")]
        gguf_names = []
        for key, _tensor in items:
            gguf_name = names.get_name(key, try_suffixes=(".weight", ".bias"))
            if gguf_name is None:
                raise ExportError(Text("GGUF export cannot map tensor {key!r} to a llama.cpp name.", key=key),
                                  Text("Export the merged model and convert it with llama.cpp's "
                                       "convert_hf_to_gguf.py."))
            gguf_names.append(gguf_name)
        extra = extra_tensors(family, config)
        mix = TypeMix(quant, [*extra, *gguf_names], config.num_hidden_layers)  # llama-quantize's choice per tensor
        for gguf_name, array in extra.items():
            writer.add_tensor(gguf_name, quantize(array, mix.type_for(gguf_name, array.shape)))
        for i, ((key, tensor), gguf_name) in enumerate(zip(items, gguf_names, strict=True)):
            if stop is not None and stop():
                from ...errors import Cancelled
                raise Cancelled(Text("GGUF export cancelled."))
            array = transform(family, config, key, tensor.detach().to(torch.float32).numpy())
            kind = mix.type_for(gguf_name, array.shape)
            writer.add_tensor(gguf_name, quantize(array, kind), raw_dtype=gguf.GGMLQuantizationType[kind])
            if i % 8 == 0:
                progress(Text("Converting tensors to {quant} ({i}/{n})", quant=quant, i=i, n=len(items)), 1, 3)
        del model, state
        progress(Text("Writing the file"), 2, 3)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp, out_file)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    progress(Text("GGUF written"), 3, 3)
    return out_file


def _greedy(model: Any, enc: Any, tokens: int) -> list[int]:
    import torch

    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=tokens, do_sample=False, pad_token_id=model.config.pad_token_id
                             if model.config.pad_token_id is not None else model.config.eos_token_id)
    return out[0, enc["input_ids"].shape[1]:].tolist()


def verify_gguf(model_dir: Path, gguf_file: Path, quant: str, prompts: tuple[str, ...],
                tokens: int = GREEDY_TOKENS, trust_remote_code: bool = False) -> dict[str, Any]:
    """Reload the GGUF with transformers and compare it with the HF model on `prompts` (chat-formatted); the HF
    model's own code runs only with `trust_remote_code` (the GGUF is read by transformers' own classes).

    Returns max |Δlogit|, next-token agreement, greedy continuation agreement (share of prompts whose first
    `tokens` greedy tokens are all equal) and whether the special tokens and chat template survived.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    gguf_file = Path(gguf_file)
    tok = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    ref = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32,
                                               trust_remote_code=trust_remote_code).eval()
    from .families import reader_reads_config

    # transformers' GGUF loader rebuilds the config from the file's metadata where it reads all that we write;
    # elsewhere it is handed the model's own config and reads only the tensors (llama.cpp itself checks the
    # metadata of those families: bench/llamacpp_check.py)
    own = {} if reader_reads_config(ref.config) else {"config": ref.config}
    got = AutoModelForCausalLM.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name, dtype=torch.float32,
                                               **own).eval()
    for m in (ref, got):
        m.generation_config = GenerationConfig(do_sample=False, eos_token_id=tok.eos_token_id)
    expected, produced, greedy_equal, first_mismatch = [], [], 0, []
    for prompt in prompts:
        text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                       add_generation_prompt=True) if tok.chat_template else prompt
        enc = tok(text, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            expected.append(ref(**enc).logits)
            produced.append(got(**enc).logits)
        ga, gb = _greedy(ref, enc, tokens), _greedy(got, enc, tokens)
        greedy_equal += int(ga == gb)
        first_mismatch.append(next((i for i, (x, y) in enumerate(zip(ga, gb, strict=False)) if x != y), None))
    verdict = compare(expected, produced, "fp32", QUANT_DTYPES.get(quant, "fp16"))
    gtok = AutoTokenizer.from_pretrained(gguf_file.parent, gguf_file=gguf_file.name)
    sample = tok.apply_chat_template([{"role": "user", "content": prompts[0]}], tokenize=False,
                                     add_generation_prompt=True) if tok.chat_template else prompts[0]
    props = {
        "quant": quant, "bytes": gguf_file.stat().st_size,
        "max_abs_diff": verdict.max_abs_diff, "top1_agreement": verdict.top1_agreement,
        **(verdict.report() if quant in QUANT_DTYPES else {"agreement_warn": Q8_AGREEMENT_WARN}),
        "greedy_tokens": tokens, "greedy_agreement": greedy_equal / len(prompts),
        "greedy_first_mismatch": first_mismatch,
        "eos_token": gtok.eos_token, "eos_ok": gtok.eos_token == tok.eos_token and gtok.eos_token is not None,
        "chat_template_ok": gtok.chat_template == tok.chat_template,
        "tokenizer_ok": gtok(sample, add_special_tokens=False)["input_ids"] == tok(
            sample, add_special_tokens=False)["input_ids"],
    }
    return props


def judge(props: dict, warn: Callable[[str, str], None] | None = None) -> None:
    """Raise when the GGUF does not behave like the model; warn when quantization costs behaviour."""
    quant = props["quant"]
    if not props["eos_ok"]:
        raise ExportError(Text("The GGUF's end-of-sequence token is {eos_token!r}, not the model's.",
                               eos_token=props['eos_token']),
                          Text("Check the tokenizer's eos_token in the merged model and export again."))
    if not props["chat_template_ok"]:
        raise ExportError(Text("The GGUF's chat template differs from the model's."),
                          Text("Export again and report it."))
    if quant in QUANT_DTYPES and not props["parity_ok"]:
        raise ExportError(Text("The {quant} GGUF's logits differ from the model's: max difference "
                               "{max_abs_diff:.3g}, next-token agreement {top1_agreement:.1%} "
                               "({parity_rule}).",
                               quant=quant, max_abs_diff=float(props['max_abs_diff']),
                               top1_agreement=float(props['top1_agreement']), parity_rule=props['parity_rule']),
                          Text("Export again and report it with the run's log."))
    if quant in ("f32", "f16") and props["greedy_agreement"] < 1.0:
        raise ExportError(Text("The {quant} GGUF's greedy answers differ from the model's within "
                               "{greedy_tokens} tokens (agreement {greedy_agreement:.0%}).",
                               quant=quant, greedy_tokens=props['greedy_tokens'],
                               greedy_agreement=float(props['greedy_agreement'])),
                          Text("Export f32 to see whether rounding is the cause; if f32 fails too, report it."))
    if quant not in ("f32", "f16") and props["top1_agreement"] < Q8_AGREEMENT_WARN and warn is not None:
        warn(f"The {quant} GGUF picks a different next token than the model at {1 - props['top1_agreement']:.1%} "
             "of positions.", "Export f16 to keep the tuned behaviour exactly.")


def export_gguf_targets(config: Any, model_dir: Path, request: ExportRequest, ctx: RunContext | None = None,
                        prompts: tuple[str, ...] = ()) -> dict[str, Path]:
    """The GGUF file and/or Ollama folder `request` asks for (its `gguf`, `ollama` and `quant`) from a merged HF
    folder, each verified before it is moved into place."""
    from transformers import AutoTokenizer

    from .. import ollama
    from ..staging import check_target, place_file, scratch
    from ..weights import VERIFY_PROMPTS, export_context

    gguf_dir, ollama_dir, quant = request.gguf, request.ollama, request.quant
    for folder in (gguf_dir, ollama_dir):  # refuse a folder that is not ours before the slow work
        if folder is not None:
            check_target(Path(folder))
    ctx = ctx or export_context()
    system = getattr(getattr(config, "data", None), "system_prompt", None)
    trusted = bool(getattr(getattr(config, "model", None), "trust_remote_code", False))  # the run's consent
    tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trusted)
    if ollama_dir is not None:
        ollama.chatml_default_system(tokenizer)  # refuse a non-ChatML template before the slow work
    name = gguf_name(getattr(config, "name", None) or ctx.run_id or Path(model_dir).name, quant)
    results: dict[str, Path] = {}
    with scratch(Path(gguf_dir or ollama_dir).parent, "gguf") as stage:
        staged = write_gguf(model_dir, stage / name, quant, progress=lambda m, c, t: ctx.step(m, c, t + 2),
                            stop=ctx.stopped, trust_remote_code=trusted)
        ctx.step(Text("Checking the GGUF against the merged model"), 3, 5)
        props = verify_gguf(model_dir, staged, quant, prompts or VERIFY_PROMPTS, trust_remote_code=trusted)
        judge(props, ctx.warn)
        if ollama_dir is not None:
            ctx.step(Text("Writing the Ollama folder"), 4, 5)
            text = ollama.modelfile_text(name, tokenizer, system)
            checks = ollama.verify_template(tokenizer, text, system)
            if not (checks["template_ok"] and checks["stop_ok"]):
                raise ExportError(Text("The Ollama TEMPLATE does not render conversations as the model's "
                                       "chat template does ({checks}).", checks=checks),
                                  Text("Report it with the run's log; the GGUF alone is fine."))
            results["ollama"] = ollama.write_ollama(staged, tokenizer, ollama_dir, system, ctx.run_id)
            ctx.record("ollama", results["ollama"], {**props, **checks})
        if gguf_dir is not None:
            results["gguf"] = place_file(staged, Path(gguf_dir), "gguf", ctx.run_id)
            ctx.record("gguf", results["gguf"], props)
        ctx.step(Text("GGUF export complete"), 5, 5)
    return results


def gguf_name(label: str, quant: str) -> str:
    """The GGUF file's name: the run's name (or id) and the quant type."""
    return f"{_slug(label)}-{quant}.gguf"


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-.") or "model"
