"""Our GGUF export checked by real llama.cpp (issue #19): not in CI, it builds llama.cpp once (about 30 minutes on
two shared cores; libllama alone is enough: it holds llama-quantize's function, run through llama-cpp-python's
ctypes binding). llama.cpp comes from PyPI, as llama-cpp-python's source distribution (which vendors llama.cpp's
source and its convert_hf_to_gguf.py), built in build/llamacpp (gitignored); the product never needs it.

    .venv/bin/python -m bench.llamacpp_check build     # libllama (and the Python binding's one dependency)
    .venv/bin/python -m bench.llamacpp_check quants    # our blocks vs llama-quantize's, per tensor type
    .venv/bin/python -m bench.llamacpp_check families  # tiny models: our file vs convert_hf_to_gguf.py's, and run
    .venv/bin/python -m bench.llamacpp_check demo [QUANT ...]  # demo model per quant: llama.cpp vs transformers

Each prints its figures as JSON and writes them to build/llamacpp/<command>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "build" / "llamacpp"
VERSION = "0.3.36"
SDIST = HOME / f"llama_cpp_python-{VERSION}"
VENDOR = SDIST / "vendor" / "llama.cpp"
BIN = HOME / "b" / "bin"
WORK = HOME / "work"
FTYPES = {"q4_k_m": "Q4_K_M", "q5_k_m": "Q5_K_M", "q6_k": "Q6_K", "q4_0": "Q4_0", "q5_0": "Q5_0", "q8_0": "Q8_0"}


def build() -> None:
    """llama.cpp's llama-quantize and shared libraries from the sdist, and the binding's one missing dependency."""
    HOME.mkdir(parents=True, exist_ok=True)
    if not SDIST.exists():
        pip = [sys.executable, "-m", "pip"]
        subprocess.run([*pip, "download", "--no-deps", "--no-binary", ":all:", f"llama-cpp-python=={VERSION}",
                        "-d", str(HOME)], check=True)
        with tarfile.open(HOME / f"llama_cpp_python-{VERSION}.tar.gz") as tar:
            tar.extractall(HOME, filter="data")
    if not (HOME / "pydeps" / "diskcache").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "--target", str(HOME / "pydeps"), "diskcache"],
                       check=True)
    nice = ["nice", "-n", "10"]
    subprocess.run([*nice, "cmake", "-S", str(VENDOR), "-B", str(HOME / "b"), "-DCMAKE_BUILD_TYPE=Release",
                    "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_SERVER=OFF", "-DGGML_OPENMP=OFF"],
                   check=True)
    subprocess.run([*nice, "cmake", "--build", str(HOME / "b"), "-j2", "--target", "llama"], check=True)


def _binding():
    """llama-cpp-python's ctypes binding (from the sdist) on the libllama built here."""
    os.environ["LLAMA_CPP_LIB_PATH"] = str(BIN)
    for path in (SDIST, HOME / "pydeps"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import llama_cpp

    return llama_cpp


def _write(model_dir: Path, quant: str, out: Path) -> tuple[Path, float]:
    from app.core.export.gguf import write_gguf

    start = time.perf_counter()
    path = write_gguf(model_dir, out / f"ours-{quant}.gguf", quant)
    return path, time.perf_counter() - start


def _report(name: str, data: object) -> None:
    text = json.dumps(data, indent=1, default=str)
    print(text)
    (HOME / f"{name}.json").write_text(text)


def _wide_model(out: Path) -> Path:
    """A random Llama whose every matrix has rows of a multiple of 256 (so all take K-quant blocks), on the demo
    model's tokenizer: 4 layers, hidden 256."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from app.core.models import demo_model_dir

    if (out / "config.json").exists():
        return out
    tok = AutoTokenizer.from_pretrained(demo_model_dir())
    config = LlamaConfig(vocab_size=len(tok), hidden_size=256, intermediate_size=768, num_hidden_layers=4,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
                         bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def _compare_files(ours: Path, theirs: Path) -> dict:
    """Tensor by tensor: same type, and how many blocks are byte-identical, per ggml type."""
    import gguf

    a = {t.name: t for t in gguf.GGUFReader(ours).tensors}
    b = {t.name: t for t in gguf.GGUFReader(theirs).tensors}
    per_type: dict[str, list[int]] = {}
    type_mismatch = [n for n in b if n not in a or a[n].tensor_type != b[n].tensor_type]
    for name, t in b.items():
        if name in type_mismatch:
            continue
        kind = t.tensor_type.name
        size = gguf.GGML_QUANT_SIZES[t.tensor_type][1]
        x, y = np.asarray(a[name].data).view(np.uint8).reshape(-1, size), np.asarray(t.data).view(np.uint8).reshape(
            -1, size)
        equal = int((x == y).all(axis=1).sum())
        total = per_type.setdefault(kind, [0, 0])
        total[0] += equal
        total[1] += x.shape[0]
    return {"type_mismatch": type_mismatch, "blocks_equal": {k: f"{e}/{n}" for k, (e, n) in per_type.items()},
            "bit_exact": {k: e == n for k, (e, n) in per_type.items()}}


def _round_trip_error(path: Path, f32: Path) -> dict:
    """Per ggml type: the largest |w' − w| and the RMS error relative to the weights' RMS, over its tensors."""
    import gguf
    from gguf.quants import dequantize

    ref = {t.name: np.asarray(t.data, dtype=np.float32) for t in gguf.GGUFReader(f32).tensors}
    out: dict[str, list[float]] = {}
    for t in gguf.GGUFReader(path).tensors:
        if t.tensor_type.name in ("F32", "F16"):
            continue
        w = ref[t.name].reshape(-1)
        back = dequantize(np.asarray(t.data), t.tensor_type).reshape(-1)
        err = out.setdefault(t.tensor_type.name, [0.0, 0.0, 0.0])
        err[0] = max(err[0], float(np.abs(back - w).max()))
        err[1] += float(((back - w) ** 2).sum())
        err[2] += float((w ** 2).sum())
    return {k: {"max_abs": round(m, 6), "relative_rms": round((s / r) ** 0.5, 5)} for k, (m, s, r) in out.items()}


def _llama_quantize(src: Path, dst: Path, ftype: str) -> None:
    """llama-quantize's own function (llama_model_quantize in libllama), on one thread, without an imatrix."""
    import ctypes

    llama_cpp = _binding()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype}")
    params.nthread = 1
    if llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params)) != 0:
        raise RuntimeError(f"llama_model_quantize failed for {dst.name}")


def quants() -> None:
    from app.core.models import demo_model_dir

    results = {}
    for label, model_dir in (("demo", demo_model_dir()), ("wide", _wide_model(WORK / "wide-llama"))):
        out = WORK / f"quants-{label}"
        out.mkdir(parents=True, exist_ok=True)
        f32, _ = _write(model_dir, "f32", out)
        for quant, ftype in FTYPES.items():
            ours, seconds = _write(model_dir, quant, out)
            theirs = out / f"llama-{quant}.gguf"
            start = time.perf_counter()
            _llama_quantize(f32, theirs, ftype)
            results[f"{label}/{quant}"] = {
                "bytes_ours": ours.stat().st_size, "bytes_llama_cpp": theirs.stat().st_size,
                "seconds_ours_whole_export": round(seconds, 1),
                "seconds_llama_cpp_quantize_1_thread": round(time.perf_counter() - start, 1),
                **_compare_files(ours, theirs), "round_trip": _round_trip_error(ours, f32)}
            print(label, quant, results[f"{label}/{quant}"]["blocks_equal"], flush=True)
    _report("quants", results)


def _family_models() -> dict[str, Path]:
    """The tiny random models of tests/core/test_gguf_export.py, one per family."""
    from transformers import AutoTokenizer

    import tests.core.test_gguf_export as t
    from app.core.models import demo_model_dir

    root = WORK / "families"
    if not (root / "spm-gemma" / "tokenizer.json").exists():
        for style in t.SPM_STYLES:
            t._spm_tokenizer(root / f"spm-{style}", style)
    models = {}
    for family, (_prefix, _extra, kind) in t.FAMILIES.items():
        # byte-level BPE: the demo model's whole tokenizer, whose pre-tokenizer llama.cpp's converter recognises
        tokenizers = demo_model_dir() if kind == "bpe" else root / f"spm-{kind}"
        AutoTokenizer.from_pretrained(tokenizers)  # fails early on a broken tokenizer folder
        models[family] = t._family_model(root / family, family, tokenizers) if not (
            root / family / "config.json").exists() else root / family
    return models


def _metadata(path: Path) -> dict:
    import gguf

    skip = ("general.name", "general.basename", "general.size_label", "general.type", "general.quantized_by",
            "general.finetune", "general.file_type")
    return {k: (f.contents() if not k.startswith("tokenizer.ggml.") or k.endswith("_id") or k.endswith(
        "model") or k.endswith("pre") or "add_" in k else len(f.contents()))
            for k, f in gguf.GGUFReader(path).fields.items() if not k.startswith("GGUF.") and k not in skip}


def _llama_cpp_vs_hf(path: Path, model_dir: Path, prompts: tuple[str, ...], tokens: int = 16) -> dict:
    """Logits and greedy tokens of llama.cpp on the chat-formatted prompts, against transformers in fp32."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    llama_cpp = _binding()
    tok = AutoTokenizer.from_pretrained(model_dir)
    hf = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    llm = llama_cpp.Llama(str(path), n_ctx=512, logits_all=True, verbose=False, n_threads=1)
    worst, agree, positions, greedy_same, tokenized_same = 0.0, 0, 0, 0, 0
    for prompt in prompts:
        text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                       add_generation_prompt=True)
        ids = tok(text, add_special_tokens=False)["input_ids"]
        tokenized_same += int(llm.tokenize(text.encode(), add_bos=False, special=True) == ids)
        with torch.no_grad():
            ref = hf(torch.tensor([ids])).logits[0].numpy()
            hf_greedy = hf.generate(torch.tensor([ids]), max_new_tokens=tokens, do_sample=False,
                                    pad_token_id=tok.pad_token_id or tok.eos_token_id)[0, len(ids):].tolist()
        llm.reset()
        llm.eval(ids)
        got = np.array(llm.scores[:len(ids)], dtype=np.float32)  # a copy: later evals write the same rows
        worst = max(worst, float(np.abs(got - ref).max()))
        agree += int((got.argmax(-1) == ref.argmax(-1)).sum())
        positions += len(ids)
        llm.reset()
        out = []
        for token in llm.generate(ids, temp=0.0, top_k=1, reset=True):
            if token == tok.eos_token_id or len(out) == tokens:
                break
            out.append(token)
        hf_greedy = [t for t in hf_greedy if t != tok.eos_token_id][:tokens]
        greedy_same += int(out == hf_greedy[:len(out)] and len(out) == len(hf_greedy))
    return {"max_abs_logit_diff": round(worst, 5), "top1_agreement": round(agree / positions, 4),
            "greedy_identical": f"{greedy_same}/{len(prompts)}", "tokenized_identical": f"{tokenized_same}/{len(prompts)}"}


def families() -> None:
    from app.core.export.weights import VERIFY_PROMPTS

    results = {}
    env = {**os.environ, "PYTHONPATH": str(VENDOR / "gguf-py")}
    for family, model_dir in _family_models().items():
        out = WORK / f"family-{family}"
        out.mkdir(parents=True, exist_ok=True)
        ours, _ = _write(model_dir, "f32", out)
        theirs = out / "converter-f32.gguf"
        done = subprocess.run([sys.executable, str(VENDOR / "convert_hf_to_gguf.py"), str(model_dir), "--outtype",
                               "f32", "--outfile", str(theirs)], env=env, capture_output=True, text=True)
        entry: dict = {"converter_ok": done.returncode == 0}
        if done.returncode == 0:
            a, b = _metadata(ours), _metadata(theirs)
            entry["metadata_differs"] = {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
            entry.update({f"vs_converter_{k}": v for k, v in _compare_files(ours, theirs).items()})
        else:
            entry["converter_error"] = done.stderr[-600:]
        entry["llama_cpp"] = _llama_cpp_vs_hf(ours, model_dir, VERIFY_PROMPTS)
        results[family] = entry
        print(family, entry, flush=True)
    _report("families", results)


def _held_out_rows(tok, count: int = 20) -> list[list[int]]:
    """The last `count` conversations of the assistant sample, chat-formatted: held-out text for perplexity."""
    from app.core.paths import RESOURCES

    rows = (RESOURCES / "samples" / "assistant.jsonl").read_text().splitlines()[-count:]
    return [tok(tok.apply_chat_template(json.loads(r)["messages"], tokenize=False), add_special_tokens=False)[
        "input_ids"] for r in rows]


def _perplexity(logits_of, rows: list[list[int]]) -> float:
    total, count = 0.0, 0
    for ids in rows:
        logits = logits_of(ids).astype(np.float64)
        logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) - logits.max(
            -1, keepdims=True)
        total -= float(logp[np.arange(len(ids) - 1), ids[1:]].sum())
        count += len(ids) - 1
    return float(np.exp(total / count))


def demo() -> None:
    """The demo model per quant type against transformers fp32 (computed once): our reader (transformers' GGUF
    loader), llama.cpp's logits, greedy tokens, chat path and perplexity."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from app.core.export.weights import VERIFY_PROMPTS
    from app.core.models import demo_model_dir

    llama_cpp = _binding()
    model_dir = demo_model_dir()
    tok = AutoTokenizer.from_pretrained(model_dir)
    hf = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    rows = _held_out_rows(tok)
    prompts = [tok(tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False,
                                           add_generation_prompt=True), add_special_tokens=False)["input_ids"]
               for p in VERIFY_PROMPTS]
    tokens = 32

    def reference(model):
        with torch.no_grad():
            out = []
            for ids in prompts:
                greedy = model.generate(torch.tensor([ids]), max_new_tokens=tokens, do_sample=False,
                                        pad_token_id=tok.eos_token_id)[0, len(ids):].tolist()
                out.append((model(torch.tensor([ids])).logits[0].numpy(), _until_eos(greedy, tok.eos_token_id)))
            return out

    def hf_logits(ids):
        with torch.no_grad():
            return hf(torch.tensor([ids])).logits[0].numpy()

    ref = reference(hf)
    results = {"merged (transformers fp32)": {"perplexity": round(_perplexity(hf_logits, rows), 4),
                                              "greedy": [tok.decode(g) for _, g in ref]}}
    out = WORK / "demo"
    out.mkdir(parents=True, exist_ok=True)
    for quant in sys.argv[2:] or ("f16", "q4_k_m", "q8_0", "q5_k_m", "q6_k", "q5_0", "q4_0"):
        path, seconds = _write(model_dir, quant, out)
        entry = {"bytes": path.stat().st_size, "seconds_export": round(seconds, 1)}
        llm = llama_cpp.Llama(str(path), n_ctx=1024, logits_all=True, verbose=False, n_threads=1)

        def cpp_logits(ids, llm=llm):
            llm.reset()
            llm.eval(ids)
            return np.array(llm.scores[:len(ids)], dtype=np.float32)  # a copy: later evals write the same rows

        got = []
        for ids in prompts:
            logits, greedy = cpp_logits(ids), []
            for token in llm.generate(ids, temp=0.0, top_k=1, reset=True):
                if token == tok.eos_token_id or len(greedy) == tokens:
                    break
                greedy.append(token)
            got.append((logits, greedy))
        entry["llama_cpp"] = _against(ref, got)
        entry["llama_cpp_tokenized_identical"] = sum(
            llm.tokenize(tok.decode(ids).encode(), add_bos=False, special=True) == ids for ids in prompts)
        entry["perplexity_llama_cpp"] = round(_perplexity(cpp_logits, rows), 4)
        chat = []
        for prompt in VERIFY_PROMPTS:  # llama.cpp's chat path: the GGUF's own template, its end-of-turn token
            reply = llm.create_chat_completion([{"role": "user", "content": prompt}], temperature=0.0,
                                               max_tokens=64)["choices"][0]
            chat.append({"reply": reply["message"]["content"], "finish": reply["finish_reason"]})
        entry["chat"] = chat
        del llm
        reader = AutoModelForCausalLM.from_pretrained(out, gguf_file=path.name, dtype=torch.float32).eval()
        entry["our_reader"] = _against(ref, reference(reader))
        del reader
        results[quant] = entry
        print(quant, {k: v for k, v in entry.items() if k != "chat"}, flush=True)
        (HOME / "demo.json").write_text(json.dumps(results, indent=1))  # so far: a long run is read as it goes
    _report("demo", results)


def _until_eos(tokens: list[int], eos: int) -> list[int]:
    return tokens[:tokens.index(eos)] if eos in tokens else tokens


def _against(ref: list, got: list) -> dict:
    """max |Δlogit| and top-1 agreement on the prompts, and how many greedy answers are identical (to EOS or the
    length limit)."""
    worst = max(float(np.abs(g[0] - r[0]).max()) for r, g in zip(ref, got, strict=True))
    agree = sum(int((g[0].argmax(-1) == r[0].argmax(-1)).sum()) for r, g in zip(ref, got, strict=True))
    positions = sum(len(r[0]) for r in ref)
    same = sum(int(g[1] == r[1]) for r, g in zip(ref, got, strict=True))
    return {"max_abs_logit_diff": round(worst, 4), "top1_agreement": round(agree / positions, 4),
            "greedy_identical": f"{same}/{len(ref)}"}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    {"build": build, "quants": quants, "families": families, "demo": demo}[sys.argv[1]]()
