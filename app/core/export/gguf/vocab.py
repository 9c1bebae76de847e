"""The tokenizer of a GGUF, as llama.cpp's converter writes it: byte-level BPE (`gpt2`: Llama 3, Qwen, SmolLM) from
tokenizer.json, or SentencePiece (`llama`: Gemma, Phi-3, Mistral v0.1) from tokenizer.model with its scores and
piece types; added tokens of tokenizer.json on top (special ones as control tokens), padded to the model's vocabulary
size. The chat template and the special ids come from the transformers tokenizer, which is what the model trained
with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ...errors import ExportError
from ...messages import Text


def pre_tokenizer_name(pre: dict | None) -> str:
    """llama.cpp's name for the way a byte-level BPE tokenizer splits text before BPE."""
    if not pre:
        return "default"
    if pre.get("type") == "ByteLevel" and pre.get("use_regex", True):
        return "gpt-2"
    parts = pre.get("pretokenizers") or []
    kinds = [p.get("type") for p in parts]
    if kinds == ["Digits", "ByteLevel"] and parts[0].get("individual_digits"):
        return "smollm"
    if kinds and kinds[0] == "Split" and "\\p{N}{1,3}" in json.dumps(parts[0]):
        return "llama-bpe"
    if kinds and kinds[0] == "Split" and "\\p{N}" in json.dumps(parts[0]):
        return "qwen2"
    return "default"


def adds_space_prefix(spec: dict) -> bool:
    """Whether a SentencePiece-style tokenizer.json puts "▁" before the text (Llama 2, Phi-3: yes; Gemma: no), which
    llama.cpp's `add_space_prefix` says (its default, true, is wrong for Gemma)."""
    def parts(node: dict | None, key: str) -> list[dict]:
        if not node:
            return []
        return [p for child in node.get(key, []) for p in parts(child, key)] if node.get("type") == "Sequence" \
            else [node]

    for node in parts(spec.get("normalizer"), "normalizers"):
        if node.get("type") == "Prepend" and node.get("prepend") == "\u2581":
            return True
    for node in parts(spec.get("pre_tokenizer"), "pretokenizers"):
        if node.get("type") == "Metaspace":
            return node.get("prepend_scheme", "always") != "never" and node.get("add_prefix_space", True)
    return False


def _sentencepiece(model_file: Path, vocab_size: int, added: dict[int, dict]) -> dict[str, Any]:
    from gguf import TokenType
    from sentencepiece import SentencePieceProcessor

    sp = SentencePieceProcessor()
    sp.LoadFromFile(str(model_file))
    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [TokenType.UNUSED] * vocab_size
    for i in range(min(sp.vocab_size(), vocab_size)):
        tokens[i], scores[i] = sp.IdToPiece(i), sp.GetScore(i)
        types[i] = (TokenType.UNKNOWN if sp.IsUnknown(i) else TokenType.CONTROL if sp.IsControl(i) else
                    TokenType.UNUSED if sp.IsUnused(i) else TokenType.BYTE if sp.IsByte(i) else TokenType.NORMAL)
    for i, token in added.items():
        if i < vocab_size:
            tokens[i], scores[i] = token["content"], -1000.0
            types[i] = TokenType.CONTROL if token.get("special") else TokenType.USER_DEFINED
    return {"model": "llama", "pre": "default", "tokens": tokens, "scores": scores, "types": types, "merges": []}


def _byte_level_bpe(spec: dict, tok: Any, vocab_size: int, added: dict[int, dict]) -> dict[str, Any]:
    from gguf import TokenType

    by_id = {i: t for t, i in tok.get_vocab().items()}
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(TokenType.UNUSED)
        else:
            tokens.append(by_id[i])
            types.append(TokenType.NORMAL if i not in added else
                         TokenType.CONTROL if added[i].get("special") else TokenType.USER_DEFINED)
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"].get("merges", [])]
    return {"model": "gpt2", "pre": pre_tokenizer_name(spec.get("pre_tokenizer")), "tokens": tokens, "scores": None,
            "types": types, "merges": merges, "add_space_prefix": None}


def tokenizer_metadata(model_dir: Path, vocab_size: int, trust_remote_code: bool = False) -> dict[str, Any]:
    """Tokens, scores, types, merges, special ids and chat template, read from the folder's tokenizer files (with
    the tokenizer's own code only when `trust_remote_code`)."""
    from transformers import AutoTokenizer

    model_dir = Path(model_dir)
    path = model_dir / "tokenizer.json"
    if not path.exists():
        raise ExportError(Text("GGUF export needs a fast tokenizer (tokenizer.json) in the model folder."),
                          Text("Save the tokenizer with transformers' AutoTokenizer.save_pretrained first."))
    spec = json.loads(path.read_text(encoding="utf-8"))
    model = spec["model"]
    added = {a["id"]: a for a in spec.get("added_tokens", [])}
    tok = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=trust_remote_code)
    if (model_dir / "tokenizer.model").exists():
        meta = _sentencepiece(model_dir / "tokenizer.model", vocab_size, added)
        meta["add_space_prefix"] = adds_space_prefix(spec)
    elif model.get("type") == "BPE" and not model.get("byte_fallback"):
        meta = _byte_level_bpe(spec, tok, vocab_size, added)
    else:
        kind = (Text("{kind} with byte fallback", kind=model.get("type")) if model.get("byte_fallback")
                else str(model.get("type")))
        raise ExportError(Text("GGUF export writes byte-level BPE tokenizers and SentencePiece ones "
                               "(tokenizer.model); this folder's tokenizer is {kind} without tokenizer.model.",
                               kind=kind),
                          Text("Copy the base model's tokenizer.model into the merged folder and export "
                               "again."))
    # whether the tokenizer starts a text with BOS, read from what it does (transformers 5's tokenizers do not all
    # keep an add_bos_token attribute): llama.cpp adds it for completions only when the file says so
    first = tok("a", add_special_tokens=True)["input_ids"][:1]
    meta.update(chat_template=tok.chat_template, add_bos=tok.bos_token_id is not None and first == [tok.bos_token_id])
    for name in ("bos", "eos", "pad", "unk", "mask"):
        meta[name] = getattr(tok, f"{name}_token_id", None)
    return meta


def write_vocab(writer: Any, vocab: dict[str, Any]) -> None:
    writer.add_tokenizer_model(vocab["model"])
    writer.add_tokenizer_pre(vocab["pre"])
    writer.add_token_list(vocab["tokens"])
    if vocab["scores"] is not None:
        writer.add_token_scores(vocab["scores"])
    writer.add_token_types(vocab["types"])
    if vocab["merges"]:
        writer.add_token_merges(vocab["merges"])
    if vocab["add_space_prefix"] is not None:
        writer.add_add_space_prefix(vocab["add_space_prefix"])
    for key, add in (("bos", writer.add_bos_token_id), ("eos", writer.add_eos_token_id),
                     ("pad", writer.add_pad_token_id), ("unk", writer.add_unk_token_id),
                     ("mask", writer.add_mask_token_id)):
        if vocab[key] is not None:
            add(vocab[key])
    writer.add_add_bos_token(vocab["add_bos"])
    if vocab["chat_template"]:
        writer.add_chat_template(vocab["chat_template"])
