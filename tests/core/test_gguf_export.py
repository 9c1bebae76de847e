"""GGUF export: our writer round-trips through transformers' GGUF loader, for every quant type and every supported
family (a tiny random model of each, with the quirk llama.cpp's converter applies to that family checked in the
file itself; bench/llamacpp_check.py also runs them through llama.cpp's own converter); the CLI exports GGUF + Ollama
from a run.

Model round trips use a tiny Llama whose tokenizer is the demo tokenizer cut to its first 1,000 tokens (same
specials and chat template): reading a 49k-token vocabulary back from a GGUF takes transformers ~30 s on a CI core,
so only the CLI test pays that once, on the full tokenizer.
"""

import io
import json
import shutil

import pytest

from app.core.errors import Cancelled, ExportError
from app.core.export.gguf import Q8_AGREEMENT_WARN, verify_gguf, write_gguf

PROMPTS = ("Which is the largest planet?", "Say apple")
SMALL_VOCAB = 1000


def _small_tokenizer(src, out):
    """The demo BPE restricted to ids < SMALL_VOCAB, with the merges that stay inside it."""
    from transformers import AutoTokenizer

    spec = json.loads((src / "tokenizer.json").read_text())
    vocab = {t: i for t, i in spec["model"]["vocab"].items() if i < SMALL_VOCAB}
    spec["model"]["vocab"] = vocab
    spec["model"]["merges"] = [m for m in spec["model"]["merges"] if "".join(m) in vocab and m[0] in vocab
                               and m[1] in vocab]
    out.mkdir(parents=True, exist_ok=True)
    for name in ("tokenizer_config.json", "chat_template.jinja"):
        if (src / name).exists():
            (out / name).write_text((src / name).read_text())
    (out / "tokenizer.json").write_text(json.dumps(spec))
    return AutoTokenizer.from_pretrained(out)


def _tiny(out, tokenizer, arch="llama", hidden=64):
    import torch
    import transformers

    prefix = {"llama": "Llama", "mistral": "Mistral", "qwen2": "Qwen2"}[arch]
    cls, model_cls = getattr(transformers, f"{prefix}Config"), getattr(transformers, f"{prefix}ForCausalLM")
    config = cls(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=True,
                 bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                 pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model_cls(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def small_model_dir(tiny_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("small-llama")
    return _tiny(out, _small_tokenizer(tiny_model_dir, out))


@pytest.mark.parametrize("quant", ["f32", "f16", "q8_0"])
def test_gguf_round_trip_through_transformers(small_model_dir, tmp_path, quant):
    import gguf

    path = write_gguf(small_model_dir, tmp_path / f"m-{quant}.gguf", quant)
    assert path.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    reader = gguf.GGUFReader(path)
    names = {t.name for t in reader.tensors}
    assert {"token_embd.weight", "blk.1.attn_q.weight", "output_norm.weight"} <= names
    assert "output.weight" not in names, "a tied lm_head is not written"
    assert reader.fields["tokenizer.chat_template"].contents().startswith("{% for message in messages %}")
    props = verify_gguf(small_model_dir, path, quant, PROMPTS)
    print(quant, {k: props[k] for k in ("max_abs_diff", "top1_agreement", "greedy_agreement")})
    assert props["eos_ok"] and props["chat_template_ok"] and props["tokenizer_ok"]
    if quant == "f32":
        assert props["max_abs_diff"] < 1e-4
    if quant in ("f32", "f16"):
        assert props["greedy_agreement"] == 1.0
    else:  # q8_0 rounds every weight to 8 bits per block of 32: logits move a little, the next tokens hardly
        assert 0.0 < props["max_abs_diff"] < 0.05  # measured 0.0096 on this model (fp32 logits)
        assert props["top1_agreement"] >= Q8_AGREEMENT_WARN and props["greedy_agreement"] == 1.0


@pytest.fixture(scope="module")
def wide_model_dir(small_model_dir, tmp_path_factory):
    """The small Llama 256 wide: its rows take the 256-value K-quant blocks (64-wide rows fall back to Q5_0...)."""
    from transformers import AutoTokenizer

    return _tiny(tmp_path_factory.mktemp("wide-llama"), AutoTokenizer.from_pretrained(small_model_dir), hidden=256)


# top-1 agreement with the fp32 model each quant type must reach on the wide model (measured: see the print)
K_AGREEMENT = {"q6_k": 0.9, "q5_k_m": 0.9, "q4_k_m": 0.8, "q5_0": 0.8, "q4_0": 0.7}


@pytest.mark.parametrize("quant", sorted(K_AGREEMENT))
def test_k_quants_round_trip_through_transformers(wide_model_dir, tmp_path, quant):
    import gguf

    path = write_gguf(wide_model_dir, tmp_path / f"m-{quant}.gguf", quant)
    reader = gguf.GGUFReader(path)
    kinds = {t.name: t.tensor_type.name for t in reader.tensors}
    expected = {"q6_k": "Q6_K", "q5_k_m": "Q5_K", "q4_k_m": "Q4_K", "q5_0": "Q5_0", "q4_0": "Q4_0"}[quant]
    assert kinds["blk.0.attn_q.weight"] == expected and kinds["blk.0.attn_norm.weight"] == "F32"
    assert kinds["token_embd.weight"] == ("Q8_0" if quant == "q8_0" else "Q6_K"), "tied: the output's type"
    if quant in ("q4_k_m", "q5_k_m"):
        assert kinds["blk.1.attn_v.weight"] == kinds["blk.1.ffn_down.weight"] == "Q6_K", "the last eighth"
        assert kinds["blk.0.attn_v.weight"] == kinds["blk.0.ffn_down.weight"] == expected
    file_type = reader.fields["general.file_type"].contents()
    assert file_type == {"q6_k": 18, "q5_k_m": 17, "q4_k_m": 15, "q5_0": 8, "q4_0": 2}[quant]
    props = verify_gguf(wide_model_dir, path, quant, PROMPTS)
    print(quant, path.stat().st_size, {k: props[k] for k in ("max_abs_diff", "top1_agreement", "greedy_agreement")})
    assert props["eos_ok"] and props["chat_template_ok"] and props["tokenizer_ok"]
    assert 0.0 < props["max_abs_diff"] and props["top1_agreement"] >= K_AGREEMENT[quant]


@pytest.mark.parametrize("arch", ["mistral", "qwen2"])
def test_mistral_and_qwen2_round_trip_at_f32_and_f16(small_model_dir, tmp_path, arch):
    """Mistral is written as llama (q/k permuted), qwen2 as itself (NeoX rotation, q/k/v biases kept)."""
    from transformers import AutoConfig, AutoTokenizer

    src = _tiny(tmp_path / arch, AutoTokenizer.from_pretrained(small_model_dir), arch=arch)
    assert AutoConfig.from_pretrained(src).model_type == arch
    for quant in ("f32", "f16"):
        props = verify_gguf(src, write_gguf(src, tmp_path / f"{arch}-{quant}.gguf", quant), quant, PROMPTS[:1])
        print(arch, quant, {k: props[k] for k in ("max_abs_diff", "top1_agreement", "greedy_agreement")})
        assert props["greedy_agreement"] == 1.0 and props["top1_agreement"] == 1.0
        assert props["max_abs_diff"] < (1e-4 if quant == "f32" else 0.05)
        assert props["eos_ok"] and props["chat_template_ok"] and props["tokenizer_ok"]


def test_unsupported_architecture_and_quant_are_clear(small_model_dir, tmp_path):
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=32, n_head=2).save_pretrained(tmp_path / "gpt2")
    with pytest.raises(ExportError, match="'gpt2' architecture. Supported: gemma2, gemma3_text, llama, mistral, "
                       "phi3, qwen2, qwen3."):
        write_gguf(tmp_path / "gpt2", tmp_path / "x.gguf", "f16")
    with pytest.raises(Cancelled):
        write_gguf(small_model_dir, tmp_path / "x.gguf", "f16", stop=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gpt2"], "nothing half-written is left"


def test_cli_exports_gguf_and_ollama_with_parity_report(evaluated_run, tmp_path, capsys):
    """The run of conftest.py (trained with a system prompt, which the Modelfile must carry)."""
    from app.cli import main

    capsys.readouterr()
    assert main(["export", "export-run", "--gguf", str(tmp_path / "g"), "--ollama", str(tmp_path / "o"),
                 "--quant", "f16", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    arts = {a["kind"]: a for a in result["artifacts"]}
    assert set(arts) == {"gguf", "ollama"}
    gguf_props, ollama_props = arts["gguf"]["properties"], arts["ollama"]["properties"]
    print({k: gguf_props[k] for k in ("max_abs_diff", "top1_agreement", "greedy_agreement")})
    assert gguf_props["quant"] == "f16" and gguf_props["greedy_agreement"] == 1.0 and gguf_props["tokenizer_ok"]
    assert ollama_props["template_ok"] and ollama_props["stop_ok"]
    assert (tmp_path / "g" / "export-run-f16.gguf").exists() and (tmp_path / "o" / "export-run-f16.gguf").exists()
    modelfile = (tmp_path / "o" / "Modelfile").read_text()
    assert 'FROM ./export-run-f16.gguf' in modelfile and 'SYSTEM """You are Quill."""' in modelfile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g", "o"], "no temporary folders are left"


def _corrupted(good, path, kind):
    """A copy of the GGUF `good` with one thing wrong, changed in place in the file (GGUFReader maps it writable)."""
    import shutil

    import gguf

    shutil.copy(good, path)
    reader = gguf.GGUFReader(path, "r+")
    if kind == "eos":
        field = reader.fields["tokenizer.ggml.eos_token_id"]
        field.parts[field.data[0]][0] = 0  # <|endoftext|> instead of <|im_end|>
    elif kind == "template":
        field = reader.fields["tokenizer.chat_template"]
        text = field.parts[field.data[0]]  # the template's bytes: one letter changed keeps the length
        text[bytes(text).index(b"assistant")] = ord("A")
    else:
        tensor = next(t for t in reader.tensors if t.name == "blk.1.ffn_down.weight")
        tensor.data[...] = tensor.data * 20
    reader.data.flush()
    return path


def test_a_wrong_gguf_is_refused_for_its_eos_its_template_and_its_logits(small_model_dir, tmp_path):
    from app.core.export.gguf import judge

    good = write_gguf(small_model_dir, tmp_path / "m-f16.gguf", "f16")
    judge(verify_gguf(small_model_dir, good, "f16", PROMPTS[:1]))  # the file as written passes
    eos = verify_gguf(small_model_dir, _corrupted(good, tmp_path / "eos.gguf", "eos"), "f16", PROMPTS[:1])
    assert not eos["eos_ok"] and eos["chat_template_ok"] and eos["parity_ok"]
    with pytest.raises(ExportError, match=r"GGUF's end-of-sequence token is '<\|endoftext\|>', not the model's"):
        judge(eos)
    template = verify_gguf(small_model_dir, _corrupted(good, tmp_path / "t.gguf", "template"), "f16", PROMPTS[:1])
    assert template["eos_ok"] and not template["chat_template_ok"] and template["parity_ok"]
    with pytest.raises(ExportError, match="GGUF's chat template differs from the model's"):
        judge(template)
    logits = verify_gguf(small_model_dir, _corrupted(good, tmp_path / "w.gguf", "tensor"), "f16", PROMPTS[:1])
    assert logits["eos_ok"] and logits["chat_template_ok"] and not logits["parity_ok"]
    with pytest.raises(ExportError, match=r"f16 GGUF's logits differ from the model's: max difference .* judged in fp16"):
        judge(logits)
    # its greedy answers differ too: refused on their own where the logits would have passed
    assert logits["greedy_agreement"] < 1.0
    with pytest.raises(ExportError, match="f16 GGUF's greedy answers differ from the model's within 16 tokens"):
        judge({**logits, "parity_ok": True})


def test_an_ollama_modelfile_that_fails_its_checks_is_refused_and_not_written(small_model_dir, tmp_path,
                                                                             monkeypatch):
    from app.core.export import ollama
    from app.core.export.gguf import export_gguf_targets
    from app.core.requests import ExportRequest

    written = ollama.modelfile_text
    broken = {"template": lambda text: text.replace("<|im_end|>\n{{ end }}", "<|im_end|>{{ end }}"),
              "stop": lambda text: text.replace('PARAMETER stop "<|im_end|>"\n', "")}
    for kind, damage in broken.items():
        monkeypatch.setattr(ollama, "modelfile_text", lambda *args, damage=damage: damage(written(*args)))
        with pytest.raises(ExportError, match="The Ollama TEMPLATE does not render conversations as the model's"):
            export_gguf_targets(None, small_model_dir, ExportRequest(run="model", ollama=tmp_path / kind),
                                prompts=PROMPTS[:1])
    assert list(tmp_path.iterdir()) == [], "nothing is left where the Ollama folder would be"


GEMMA_TEMPLATE = ("{{ bos_token }}{% for message in messages %}<start_of_turn>{{ 'model' if message['role'] == "
                  "'assistant' else message['role'] }}\n{{ message['content'] }}<end_of_turn>\n{% endfor %}"
                  "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}")
LLAMA3_ROPE = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 64, "rope_theta": 500000.0}
# family: (transformers config and model class prefix, extra config, tokenizer kind)
FAMILIES = {
    "llama3": ("Llama", {"rope_parameters": LLAMA3_ROPE}, "bpe"),
    "qwen3": ("Qwen3", {"head_dim": 32}, "bpe"),
    "gemma2": ("Gemma2", {"head_dim": 16, "query_pre_attn_scalar": 16, "sliding_window": 64,
                          "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0}, "gemma"),
    "gemma3": ("Gemma3Text", {"head_dim": 16, "query_pre_attn_scalar": 16, "sliding_window": 64}, "gemma"),
    "phi3": ("Phi3", {"original_max_position_embeddings": 512}, "llama"),
}


PHI3_TEMPLATE = ("{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
                 "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
# SentencePiece styles: Gemma's (no space before the text, turn markers) and Llama 2's, which Phi-3 uses
SPM_STYLES = {"gemma": ("GemmaTokenizer", False, ["<start_of_turn>", "<end_of_turn>"], GEMMA_TEMPLATE),
              "llama": ("LlamaTokenizer", True, ["<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>"],
                        PHI3_TEMPLATE)}  # llama.cpp refuses a Phi-3 vocabulary without <|endoftext|>


def _spm_tokenizer(out, style):
    """A SentencePiece BPE model (byte fallback) trained on the assistant sample's text, as an HF tokenizer folder
    that keeps its tokenizer.model."""
    import sentencepiece as spm
    from transformers import AutoTokenizer

    from app.core.paths import RESOURCES

    cls, prefix, symbols, template = SPM_STYLES[style]
    texts = [m["content"] for line in (RESOURCES / "samples/assistant.jsonl").read_text().splitlines()
             for m in json.loads(line)["messages"]]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(texts), model_writer=model, vocab_size=400,
                                   model_type="bpe", byte_fallback=True, pad_id=0, eos_id=1, bos_id=2, unk_id=3,
                                   user_defined_symbols=symbols, split_digits=True, add_dummy_prefix=prefix,
                                   normalization_rule_name="identity", minloglevel=2)
    out.mkdir(parents=True)
    (out / "tokenizer.model").write_bytes(model.getvalue())
    # Llama 2's style starts every text with BOS, as Phi-3's tokenizer does
    (out / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": cls, "add_bos_token": prefix}))
    tok = AutoTokenizer.from_pretrained(out)
    tok.chat_template = template
    tok.pad_token = "<pad>"  # id 0; without one transformers reads a Phi-3 GGUF with Phi-3's pad id 32000
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def spm_tokenizer_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("spm")
    return {style: _spm_tokenizer(root / style, style) for style in SPM_STYLES}


def _family_model(out, family, tokenizer_dir):
    import torch
    import transformers
    from transformers import AutoTokenizer

    prefix, extra, _kind = FAMILIES[family]
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = getattr(transformers, f"{prefix}Config")(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=family != "phi3",
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, rms_norm_eps=1e-6, **extra)
    torch.manual_seed(0)
    model = getattr(transformers, f"{prefix.replace('Text', '')}ForCausalLM")(config)
    with torch.no_grad():  # random norms: Gemma's are zeros (1 + w), which would hide a missing +1
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.normal_(0.0, 0.3)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    if (tokenizer_dir / "tokenizer.model").exists():
        shutil.copy(tokenizer_dir / "tokenizer.model", out / "tokenizer.model")
    return out


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_round_trips_through_transformers(family, small_model_dir, spm_tokenizer_dirs, tmp_path):
    import gguf
    import numpy as np
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    kind = FAMILIES[family][2]
    src = _family_model(tmp_path / family, family, small_model_dir if kind == "bpe" else spm_tokenizer_dirs[kind])
    path = write_gguf(src, tmp_path / f"{family}-f32.gguf", "f32")
    reader = gguf.GGUFReader(path)
    tensors = {t.name: t for t in reader.tensors}
    fields = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("tokenizer.ggml.")}
    hf = load_file(src / "model.safetensors")
    arch = fields["general.architecture"]
    assert arch == {"llama3": "llama", "gemma3": "gemma3"}.get(family, family)
    if family == "llama3":  # the rope scaling as llama.cpp's divisors of each frequency: 1 (fast) to 8 (slow)
        freqs = np.asarray(tensors["rope_freqs.weight"].data)
        assert freqs.shape == (8,) and freqs[0] == 1.0 and freqs[-1] == 8.0 and ((freqs > 1) & (freqs < 8)).any()
    if family.startswith("gemma"):  # norms written as 1 + w; soft-capping and the sliding window as metadata
        written = np.asarray(tensors["blk.0.attn_norm.weight"].data)
        assert np.allclose(written, hf["model.layers.0.input_layernorm.weight"] + 1.0)
        assert fields[f"{arch}.attention.sliding_window"] == 64
    tok = AutoTokenizer.from_pretrained(src)  # llama.cpp starts a completion with BOS where the tokenizer does
    adds_bos = tok("a")["input_ids"][:1] == [tok.bos_token_id]
    print(family, "adds BOS:", adds_bos)
    assert reader.fields["tokenizer.ggml.add_bos_token"].contents() is adds_bos
    if kind != "bpe":  # SentencePiece: scores, and a space before the text only where the tokenizer puts one
        assert reader.fields["tokenizer.ggml.model"].contents() == "llama" and "tokenizer.ggml.scores" in reader.fields
        assert reader.fields["tokenizer.ggml.add_space_prefix"].contents() is (kind == "llama")
    if family == "gemma2":
        assert fields["gemma2.attn_logit_softcapping"] == 50.0 and fields["gemma2.final_logit_softcapping"] == 30.0
    if family in ("qwen3", "gemma3"):
        assert {"blk.1.attn_q_norm.weight", "blk.1.attn_k_norm.weight"} <= set(tensors)
    if family == "phi3":  # fused in the checkpoint, written fused
        assert {"blk.0.attn_qkv.weight", "blk.0.ffn_up.weight", "output.weight"} <= set(tensors)
        assert "blk.0.ffn_gate.weight" not in tensors and fields["phi3.rope.dimension_count"] == 16
    props = verify_gguf(src, path, "f32", PROMPTS)
    print(family, {k: props[k] for k in ("max_abs_diff", "top1_agreement", "greedy_agreement", "tokenizer_ok")})
    assert props["eos_ok"] and props["chat_template_ok"] and props["max_abs_diff"] < 1e-3
    assert props["greedy_agreement"] == 1.0
    # A Llama-2-style SentencePiece vocabulary (Phi-3's) is read back, as llama.cpp reads it, with a "▁" after every
    # special token ("<|user|>▁\n"), where the HF tokenizer (Metaspace, prepend_scheme "first") puts none
    assert props["tokenizer_ok"] is (kind != "llama")
