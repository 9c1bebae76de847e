"""gguf/quants.py: the K-quants equal llama.cpp's own blocks, and the per-tensor type mix is llama-quantize's.

The digests below are of the blocks ggml (llama.cpp's vendored copy in llama-cpp-python 0.3.36, built for x86-64)
writes for the same input through `ggml_quantize_chunk`, the function llama-quantize calls; bench/llamacpp_check.py
compares whole models against llama-quantize itself."""

import hashlib

import numpy as np
import pytest

from app.core.export.gguf.quants import TypeMix, quantize

LLAMA_CPP_DIGESTS = {  # sha256 prefix of ggml's blocks for `_input()`
    "Q4_K": "ce5c32dc9f6fcbc8", "Q5_K": "8e79ef9766218aad", "Q6_K": "39aa1b49ea8b60b0",
    "Q4_0": "aa3d3d45887be33a", "Q5_0": "e45e8f5970ddd258", "Q5_1": "37c2d60bd98f7b85", "Q8_0": "90798f12ae54c42e",
}
# the largest error a round trip may leave, as a share of the rows' largest magnitude (6, 5, 4 bits per value)
ROUND_TRIP_LIMIT = {"Q6_K": 0.02, "Q5_K": 0.04, "Q4_K": 0.08}


def _input() -> np.ndarray:
    """Weights-like rows, one all zero, one all positive half, one with outliers."""
    rng = np.random.default_rng(19)
    x = (rng.standard_normal((16, 512)) * 0.02).astype(np.float32)
    x[3] = 0
    x[5, :256] = np.abs(x[5, :256]) + 0.01
    x[7, ::9] *= 40
    return x


@pytest.mark.parametrize("kind", sorted(LLAMA_CPP_DIGESTS))
def test_blocks_equal_llama_cpps(kind):
    blocks = quantize(_input(), kind)
    assert blocks.dtype == np.uint8
    assert hashlib.sha256(blocks.tobytes()).hexdigest()[:16] == LLAMA_CPP_DIGESTS[kind]


@pytest.mark.parametrize("kind", sorted(ROUND_TRIP_LIMIT))
def test_k_blocks_read_back_with_the_gguf_packages_dequantiser(kind):
    import gguf
    from gguf.quants import dequantize

    x = _input()
    blocks = quantize(x, kind)
    assert blocks.shape == (16, 512 // 256 * gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[kind]][1])
    back = dequantize(blocks, gguf.GGMLQuantizationType[kind])
    assert back.shape == x.shape and not back[3].any(), "a zero row stays zero"
    error = np.abs(back - x).max(axis=1) / np.maximum(np.abs(x).max(axis=1), 1e-12)
    print(kind, "largest relative error", float(error.max()))
    assert error.max() < ROUND_TRIP_LIMIT[kind]


def test_k_types_refuse_rows_that_256_does_not_divide():
    with pytest.raises(ValueError, match="multiple of 256"):
        quantize(np.zeros((2, 320), np.float32), "Q4_K")


def _names(layers: int, tied: bool) -> list[str]:
    names = ["token_embd.weight"]
    for i in range(layers):
        names += [f"blk.{i}.attn_norm.weight", f"blk.{i}.attn_q.weight", f"blk.{i}.attn_k.weight",
                  f"blk.{i}.attn_v.weight", f"blk.{i}.attn_output.weight", f"blk.{i}.ffn_gate.weight",
                  f"blk.{i}.ffn_up.weight", f"blk.{i}.ffn_down.weight"]
    return [*names, "output_norm.weight", *([] if tied else ["output.weight"])]


def _types(quant: str, layers: int, columns: int, tied: bool) -> dict[str, str]:
    names = _names(layers, tied)
    mix = TypeMix(quant, names, layers)
    return {n: mix.type_for(n, (columns,) if "norm" in n else (8, columns)) for n in names}


def test_q4_k_m_gives_value_and_down_projections_six_bits_in_llama_cpps_layers():
    types = _types("q4_k_m", 16, 512, tied=False)
    more = [0, 1, 4, 7, 10, 13, 14, 15]  # use_more_bits(i, 16): the first and last eighth, and every third between
    assert [i for i in range(16) if types[f"blk.{i}.attn_v.weight"] == "Q6_K"] == more
    assert [i for i in range(16) if types[f"blk.{i}.ffn_down.weight"] == "Q6_K"] == more
    assert {types[f"blk.{i}.{t}.weight"] for i in range(16) for t in ("attn_q", "attn_k", "attn_output",
                                                                       "ffn_gate", "ffn_up")} == {"Q4_K"}
    assert types["output.weight"] == "Q6_K" and types["token_embd.weight"] == "Q4_K"
    assert types["output_norm.weight"] == types["blk.0.attn_norm.weight"] == "F32"
    tied = _types("q4_k_m", 16, 512, tied=True)
    assert tied["token_embd.weight"] == "Q6_K", "a tied embedding is quantised as the output"


def test_rows_that_256_does_not_divide_fall_back_as_llama_quantize_does():
    types = _types("q4_k_m", 8, 576, tied=True)  # the demo model's hidden size
    assert types["token_embd.weight"] == "Q8_0"  # output type, 576 % 256 != 0
    assert types["blk.0.attn_q.weight"] == "Q5_0" and types["blk.0.attn_v.weight"] == "Q8_0"  # Q4_K, Q6_K fall back
    assert _types("q5_k_m", 8, 576, tied=True)["blk.2.attn_q.weight"] == "Q5_1"
    assert _types("q4_k_m", 8, 100, tied=True)["blk.2.attn_q.weight"] == "F16", "no 32-value block fits either"
    assert set(_types("q6_k", 8, 512, tied=False).values()) == {"Q6_K", "F32"}
    assert _types("q4_0", 8, 512, tied=False)["output.weight"] == "Q6_K"
    assert {_types("q8_0", 8, 512, tied=True)[n] for n in ("token_embd.weight", "blk.3.attn_v.weight")} == {"Q8_0"}
